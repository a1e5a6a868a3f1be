package io.rmbg.bench;

import io.rmbg.core.process.ModelOptions;
import io.rmbg.core.process.RemoverSettings;
import io.rmbg.job.functions.BackgroundRemovalFunction;

/**
 * How the benchmark builds the operator's function and its engine, and which of their threads run
 * the model.
 */
final class Functions {
    private Functions() {}

    /** The production function, with its elements' entry noted for {@link InFlight}. */
    static BackgroundRemovalFunction backgroundRemoval(
            ModelOptions model, BenchOptions options, int batchSize) {
        return new InFlightTrackingFunction(
                new BackgroundRemovalFunction(
                        BenchBlobStore.factory(), model, settings(options, batchSize)));
    }

    /**
     * The slot's settings for a run at {@code batchSize}: the same for the Flink path and for the
     * engine without Flink ({@link EngineRun}).
     */
    static RemoverSettings settings(BenchOptions options, int batchSize) {
        return RemoverSettings.defaults(1)
                .withThreads(options.cpuThreads(), options.postprocessThreads())
                .withBatching(batchSize, options.batchTimeoutMs());
    }

    /**
     * The function's model thread; ONNX Runtime's own pool threads are counted by {@link
     * ProcessMeter}.
     */
    static boolean isInferenceThread(String javaThreadName) {
        return javaThreadName.startsWith("rmbg-inference");
    }
}
