package io.rmbg.core.inference;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * How a model session uses a GPU: the CUDA execution provider's options and, optionally, TensorRT
 * in front of it. Ignored on CPU.
 *
 * <p>The defaults differ from ONNX Runtime's on purpose:
 *
 * <ul>
 *   <li>{@code cudnn_conv_algo_search=HEURISTIC}: the default {@code EXHAUSTIVE} benchmarks every
 *       convolution algorithm for every new input shape, which is why rembg users see a GPU that is
 *       slower than their CPU for the first images (and again for every new batch size);
 *   <li>{@code arena_extend_strategy=kSameAsRequested}: the default doubles the arena on each
 *       growth and keeps it, so two slots on one GPU can reserve far more memory than their models
 *       need;
 *   <li>{@code gpu_mem_limit}: a per-slot cap, so slots sharing a GPU cannot starve each other.
 * </ul>
 *
 * @param cudnnConvAlgoSearch {@code HEURISTIC}, {@code EXHAUSTIVE} or {@code DEFAULT}
 * @param arenaExtendStrategy {@code kSameAsRequested} or {@code kNextPowerOfTwo}
 * @param memoryLimitBytes the session's GPU memory arena cap; 0 for none
 * @param tensorRt put the TensorRT provider before CUDA (nodes TensorRT cannot run fall back to
 *     CUDA)
 * @param tensorRtFp16 let TensorRT build fp16 engines
 * @param tensorRtEngineCacheDir where TensorRT keeps built engines across restarts; {@code null}
 *     for no cache (every start rebuilds them, which takes minutes for RMBG-2.0)
 */
public record GpuOptions(
        String cudnnConvAlgoSearch,
        String arenaExtendStrategy,
        long memoryLimitBytes,
        boolean tensorRt,
        boolean tensorRtFp16,
        String tensorRtEngineCacheDir)
        implements Serializable {

    private static final List<String> CONV_ALGO_SEARCHES =
            List.of("HEURISTIC", "EXHAUSTIVE", "DEFAULT");
    private static final List<String> ARENA_STRATEGIES =
            List.of("kSameAsRequested", "kNextPowerOfTwo");

    /** HEURISTIC search, arenas grown as requested, no memory cap, CUDA only. */
    public static final GpuOptions DEFAULTS =
            new GpuOptions("HEURISTIC", "kSameAsRequested", 0, false, true, null);

    public GpuOptions {
        requireNonNull(cudnnConvAlgoSearch, "cudnnConvAlgoSearch cannot be null");
        requireNonNull(arenaExtendStrategy, "arenaExtendStrategy cannot be null");
        if (!CONV_ALGO_SEARCHES.contains(cudnnConvAlgoSearch)) {
            throw new IllegalArgumentException(
                    "cuDNN convolution algorithm search must be one of "
                            + CONV_ALGO_SEARCHES
                            + ", got '"
                            + cudnnConvAlgoSearch
                            + "'");
        }
        if (!ARENA_STRATEGIES.contains(arenaExtendStrategy)) {
            throw new IllegalArgumentException(
                    "arena extend strategy must be one of "
                            + ARENA_STRATEGIES
                            + ", got '"
                            + arenaExtendStrategy
                            + "'");
        }
        if (memoryLimitBytes < 0) {
            throw new IllegalArgumentException(
                    "GPU memory limit cannot be negative: " + memoryLimitBytes);
        }
        if (tensorRtEngineCacheDir != null && tensorRtEngineCacheDir.isBlank()) {
            tensorRtEngineCacheDir = null;
        }
    }

    /** The CUDA provider's options for GPU {@code deviceIndex}, in ONNX Runtime's own keys. */
    public Map<String, String> cudaProviderOptions(int deviceIndex) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceIndex));
        options.put("cudnn_conv_algo_search", cudnnConvAlgoSearch);
        options.put("arena_extend_strategy", arenaExtendStrategy);
        if (memoryLimitBytes > 0) {
            options.put("gpu_mem_limit", Long.toString(memoryLimitBytes));
        }
        return Collections.unmodifiableMap(options);
    }

    /**
     * The TensorRT provider's options for GPU {@code deviceIndex}; only used when {@link
     * #tensorRt}.
     */
    public Map<String, String> tensorRtProviderOptions(int deviceIndex) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("device_id", Integer.toString(deviceIndex));
        options.put("trt_fp16_enable", tensorRtFp16 ? "1" : "0");
        if (tensorRtEngineCacheDir != null) {
            options.put("trt_engine_cache_enable", "1");
            options.put("trt_engine_cache_path", tensorRtEngineCacheDir);
        }
        return Collections.unmodifiableMap(options);
    }
}
