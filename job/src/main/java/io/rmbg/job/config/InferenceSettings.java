package io.rmbg.job.config;

import org.apache.flink.configuration.ConfigOption;

import io.rmbg.core.process.ImageLimits;
import io.rmbg.core.process.RemoverSettings;

import java.io.Serializable;
import java.util.List;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * {@code inference.*} and {@code image.*}: the async operator's capacity and timeout, and how each
 * slot's background remover runs. Batching, budget and image-limit defaults are {@link
 * RemoverSettings}' and {@link ImageLimits}'.
 *
 * @param capacity images in flight per slot (async operator capacity)
 * @param timeoutMs then the job fails as {@code INFERENCE_TIMEOUT}
 */
public record InferenceSettings(int capacity, long timeoutMs, RemoverSettings remover)
        implements Serializable {

    /** Upper bound of {@code inference.batch-size}. */
    public static final int MAX_BATCH_SIZE = 64;

    public static final ConfigOption<Integer> CAPACITY =
            key(ConfigKeys.INFERENCE_CAPACITY)
                    .intType()
                    .defaultValue(16)
                    .withDescription("images in flight per slot (async operator capacity)");
    public static final ConfigOption<Long> TIMEOUT_MS =
            key(ConfigKeys.INFERENCE_TIMEOUT_MS)
                    .longType()
                    .defaultValue(120_000L)
                    .withDescription("then the job fails as INFERENCE_TIMEOUT");
    public static final ConfigOption<Integer> CPU_THREADS =
            key(ConfigKeys.INFERENCE_CPU_THREADS)
                    .intType()
                    .defaultValue(2)
                    .withDescription("per-slot pool for fetch, decode and preprocess");
    public static final ConfigOption<Integer> POSTPROCESS_THREADS =
            key(ConfigKeys.INFERENCE_POSTPROCESS_THREADS)
                    .intType()
                    .defaultValue(2)
                    .withDescription("per-slot pool for mask, cut-out, PNG, hashing and upload");
    public static final ConfigOption<Integer> BATCH_SIZE =
            key(ConfigKeys.INFERENCE_BATCH_SIZE)
                    .intType()
                    .defaultValue(RemoverSettings.DEFAULT_BATCH_SIZE)
                    .withDescription("most images per model call (1..64, at most the capacity)");
    public static final ConfigOption<Long> BATCH_TIMEOUT_MS =
            key(ConfigKeys.INFERENCE_BATCH_TIMEOUT_MS)
                    .longType()
                    .defaultValue(RemoverSettings.DEFAULT_BATCH_TIMEOUT_MS)
                    .withDescription("how long a batch's first image waits for more");
    public static final ConfigOption<Long> MEMORY_BUDGET_MB =
            key(ConfigKeys.INFERENCE_MEMORY_BUDGET_MB)
                    .longType()
                    .defaultValue(RemoverSettings.DEFAULT_MEMORY_BUDGET_BYTES >> 20)
                    .withDescription("per slot: heap for images being decoded and processed");
    public static final ConfigOption<Long> IMAGE_MAX_PIXELS =
            key(ConfigKeys.IMAGE_MAX_PIXELS)
                    .longType()
                    .defaultValue(ImageLimits.DEFAULT_MAX_PIXELS)
                    .withDescription("checked from the header before decoding");
    public static final ConfigOption<Long> IMAGE_MAX_SOURCE_BYTES =
            key(ConfigKeys.IMAGE_MAX_SOURCE_BYTES)
                    .longType()
                    .defaultValue(ImageLimits.DEFAULT_MAX_SOURCE_BYTES)
                    .withDescription("largest object read from image_uri");
    public static final ConfigOption<Long> IMAGE_MAX_INLINE_BYTES =
            key(ConfigKeys.IMAGE_MAX_INLINE_BYTES)
                    .longType()
                    .defaultValue(ImageLimits.DEFAULT_MAX_INLINE_BYTES)
                    .withDescription("largest decoded image_base64");

    static final List<ConfigOption<?>> OPTIONS =
            List.of(
                    CAPACITY,
                    TIMEOUT_MS,
                    CPU_THREADS,
                    POSTPROCESS_THREADS,
                    BATCH_SIZE,
                    BATCH_TIMEOUT_MS,
                    MEMORY_BUDGET_MB,
                    IMAGE_MAX_PIXELS,
                    IMAGE_MAX_SOURCE_BYTES,
                    IMAGE_MAX_INLINE_BYTES);

    static InferenceSettings from(SettingValues values) {
        ImageLimits limits =
                new ImageLimits(
                        values.positiveLong(IMAGE_MAX_PIXELS),
                        values.positiveLong(IMAGE_MAX_SOURCE_BYTES),
                        values.positiveLong(IMAGE_MAX_INLINE_BYTES));
        int capacity = values.positive(CAPACITY);
        int batchSize = values.positive(BATCH_SIZE);
        if (batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException(
                    ConfigKeys.INFERENCE_BATCH_SIZE
                            + " must be at most "
                            + MAX_BATCH_SIZE
                            + " (each slot holds two batches of 12 MiB per 1024² image), got "
                            + batchSize);
        }
        if (batchSize > capacity) {
            throw new IllegalArgumentException(
                    ConfigKeys.INFERENCE_BATCH_SIZE
                            + " ("
                            + batchSize
                            + ") cannot exceed "
                            + ConfigKeys.INFERENCE_CAPACITY
                            + " ("
                            + capacity
                            + "): a batch could never fill; raise the"
                            + " capacity to at least twice the batch size");
        }
        RemoverSettings remover =
                new RemoverSettings(
                        limits,
                        values.positive(CPU_THREADS),
                        values.positive(POSTPROCESS_THREADS),
                        batchSize,
                        values.nonNegative(BATCH_TIMEOUT_MS),
                        values.positiveLong(MEMORY_BUDGET_MB) << 20);
        return new InferenceSettings(capacity, values.positiveLong(TIMEOUT_MS), remover);
    }

    /** {@code inference.memory-budget-mb} in bytes: the per-slot heap for images in flight. */
    public long memoryBudgetBytes() {
        return remover.memoryBudgetBytes();
    }
}
