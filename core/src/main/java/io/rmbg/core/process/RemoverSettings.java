package io.rmbg.core.process;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * How one slot's {@link BackgroundRemover} runs: its pools, its batching, its memory budget and the
 * limits on source images. Immutable; every default lives here.
 *
 * <pre>{@code
 * RemoverSettings settings =
 *         RemoverSettings.defaults(4).withBatching(8, 20).withMemoryBudget(512L << 20);
 * }</pre>
 *
 * @param limits size limits on source images
 * @param cpuThreads the pool for fetch, decode and preprocess
 * @param postprocessThreads the pool for mask, cut-out, PNG, hashing and upload
 * @param batchSize most images per model call (1: no batching); a fixed-batch model gets 1
 * @param batchTimeoutMs how long a batch's first image waits for more while the model is idle
 * @param memoryBudgetBytes decoded images in flight per slot ({@code inference.memory-budget-mb});
 *     an image estimated to need more alone fails as {@code IMAGE_TOO_LARGE}
 */
public record RemoverSettings(
        ImageLimits limits,
        int cpuThreads,
        int postprocessThreads,
        int batchSize,
        long batchTimeoutMs,
        long memoryBudgetBytes)
        implements Serializable {

    /** Default of {@code inference.batch-size}. */
    public static final int DEFAULT_BATCH_SIZE = 4;

    /** Default of {@code inference.batch-timeout-ms}. */
    public static final long DEFAULT_BATCH_TIMEOUT_MS = 10;

    /** Default of {@code inference.memory-budget-mb}: 1 GiB of decoded images per slot. */
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 1024L << 20;

    public RemoverSettings {
        requireNonNull(limits, "limits cannot be null");
        if (cpuThreads < 1 || postprocessThreads < 1) {
            throw new IllegalArgumentException(
                    "thread pools need at least one thread: cpu="
                            + cpuThreads
                            + ", postprocess="
                            + postprocessThreads);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive: " + batchSize);
        }
        if (batchTimeoutMs < 0) {
            throw new IllegalArgumentException(
                    "batchTimeoutMs cannot be negative: " + batchTimeoutMs);
        }
        if (memoryBudgetBytes <= 0) {
            throw new IllegalArgumentException(
                    "memoryBudgetBytes must be positive: " + memoryBudgetBytes);
        }
    }

    /** Default limits, batching and budget; {@code threads} in each pool (at least one). */
    public static RemoverSettings defaults(int threads) {
        int pool = Math.max(1, threads);
        return new RemoverSettings(
                ImageLimits.defaults(),
                pool,
                pool,
                DEFAULT_BATCH_SIZE,
                DEFAULT_BATCH_TIMEOUT_MS,
                DEFAULT_MEMORY_BUDGET_BYTES);
    }

    public RemoverSettings withLimits(ImageLimits limits) {
        return new RemoverSettings(
                limits,
                cpuThreads,
                postprocessThreads,
                batchSize,
                batchTimeoutMs,
                memoryBudgetBytes);
    }

    public RemoverSettings withThreads(int cpuThreads, int postprocessThreads) {
        return new RemoverSettings(
                limits,
                Math.max(1, cpuThreads),
                Math.max(1, postprocessThreads),
                batchSize,
                batchTimeoutMs,
                memoryBudgetBytes);
    }

    public RemoverSettings withBatching(int batchSize, long batchTimeoutMs) {
        return new RemoverSettings(
                limits,
                cpuThreads,
                postprocessThreads,
                batchSize,
                batchTimeoutMs,
                memoryBudgetBytes);
    }

    public RemoverSettings withMemoryBudget(long memoryBudgetBytes) {
        return new RemoverSettings(
                limits,
                cpuThreads,
                postprocessThreads,
                batchSize,
                batchTimeoutMs,
                memoryBudgetBytes);
    }
}
