package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.inference.DeviceSelection;
import io.rmbg.core.inference.GpuOptions;
import io.rmbg.core.process.ModelOptions;

import java.io.Serializable;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code model.*}: which models each slot serves, where they run, and whether the submitting
 * machine checks them first. GPU defaults are {@link GpuOptions#DEFAULTS}'.
 */
public record ModelSettings(ModelOptions options, boolean checkOnClient) implements Serializable {
    private static final GpuOptions GPU = GpuOptions.DEFAULTS;

    public static final ConfigOption<String> PATH =
            key(ConfigKeys.MODEL_PATH)
                    .stringType()
                    .defaultValue("models/colour-key.onnx")
                    .withDescription("the .onnx file each slot loads");
    public static final ConfigOption<String> PROFILE =
            key(ConfigKeys.MODEL_PROFILE)
                    .stringType()
                    .defaultValue("rmbg-2.0")
                    .withDescription("rmbg-2.0, birefnet, rmbg-1.4, u2net or isnet");
    public static final ConfigOption<String> DEVICE =
            key(ConfigKeys.MODEL_DEVICE)
                    .stringType()
                    .defaultValue("cpu")
                    .withDescription("cpu, cuda, cuda:N or auto");
    public static final ConfigOption<Integer> INTRA_OP_THREADS =
            key(ConfigKeys.MODEL_INTRA_OP_THREADS)
                    .intType()
                    .defaultValue(0)
                    .withDescription("ONNX Runtime threads per session (0: the runtime decides)");
    public static final ConfigOption<String> ADDITIONAL =
            key(ConfigKeys.MODEL_ADDITIONAL)
                    .stringType()
                    .defaultValue("")
                    .withDescription("more models a slot serves: profile=file,profile=file");
    public static final ConfigOption<String> CUDA_CONV_ALGO_SEARCH =
            key(ConfigKeys.MODEL_CUDA_CONV_ALGO_SEARCH)
                    .stringType()
                    .defaultValue(GPU.cudnnConvAlgoSearch());
    public static final ConfigOption<String> CUDA_ARENA_EXTEND_STRATEGY =
            key(ConfigKeys.MODEL_CUDA_ARENA_EXTEND_STRATEGY)
                    .stringType()
                    .defaultValue(GPU.arenaExtendStrategy());
    public static final ConfigOption<Long> CUDA_MEMORY_LIMIT_MB =
            key(ConfigKeys.MODEL_CUDA_MEMORY_LIMIT_MB)
                    .longType()
                    .defaultValue(GPU.memoryLimitBytes() >> 20)
                    .withDescription("GPU memory arena cap per session (0: none)");
    public static final ConfigOption<Boolean> TENSORRT_ENABLED =
            key(ConfigKeys.MODEL_TENSORRT_ENABLED).booleanType().defaultValue(GPU.tensorRt());
    public static final ConfigOption<Boolean> TENSORRT_FP16 =
            key(ConfigKeys.MODEL_TENSORRT_FP16).booleanType().defaultValue(GPU.tensorRtFp16());
    public static final ConfigOption<String> TENSORRT_ENGINE_CACHE_DIR =
            key(ConfigKeys.MODEL_TENSORRT_ENGINE_CACHE_DIR)
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "where built engines are kept (empty: rebuilt on every start)");
    public static final ConfigOption<Boolean> CHECK_ON_CLIENT =
            key(ConfigKeys.MODEL_CHECK_ON_CLIENT)
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("check every model file before submitting");

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    PATH,
                    PROFILE,
                    DEVICE,
                    INTRA_OP_THREADS,
                    ADDITIONAL,
                    CUDA_CONV_ALGO_SEARCH,
                    CUDA_ARENA_EXTEND_STRATEGY,
                    CUDA_MEMORY_LIMIT_MB,
                    TENSORRT_ENABLED,
                    TENSORRT_FP16,
                    TENSORRT_ENGINE_CACHE_DIR,
                    CHECK_ON_CLIENT);

    static ModelSettings from(SettingValues values) {
        ModelOptions options =
                new ModelOptions(
                        values.get(PATH),
                        values.get(PROFILE),
                        values.get(DEVICE),
                        values.get(INTRA_OP_THREADS),
                        gpu(values),
                        ModelOptions.parseAdditional(values.get(ADDITIONAL)));
        DeviceSelection.check(options.device());
        return new ModelSettings(options, values.get(CHECK_ON_CLIENT));
    }

    private static GpuOptions gpu(SettingValues values) {
        long limitMb = values.get(CUDA_MEMORY_LIMIT_MB);
        if (limitMb < 0) {
            throw new IllegalArgumentException(
                    ConfigKeys.MODEL_CUDA_MEMORY_LIMIT_MB
                            + " cannot be negative (0: no limit), got "
                            + limitMb);
        }
        try {
            return new GpuOptions(
                    values.get(CUDA_CONV_ALGO_SEARCH).trim(),
                    values.get(CUDA_ARENA_EXTEND_STRATEGY).trim(),
                    limitMb * 1024 * 1024,
                    values.get(TENSORRT_ENABLED),
                    values.get(TENSORRT_FP16),
                    values.get(TENSORRT_ENGINE_CACHE_DIR));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "model.cuda / model.tensorrt settings: " + e.getMessage(), e);
        }
    }
}
