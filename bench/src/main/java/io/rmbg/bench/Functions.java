package io.rmbg.bench;

import io.rmbg.udf.functions.BackgroundRemovalFunction;
import io.rmbg.udf.process.ImageLimits;
import io.rmbg.udf.process.ModelOptions;

/** How the benchmark builds the operator's function, and which of its threads run the model. */
final class Functions {
    private Functions() {}

    /** The production function, with its elements' entry noted for {@link InFlight}. */
    static BackgroundRemovalFunction backgroundRemoval(
            ModelOptions model, BenchOptions options, int batchSize) {
        return new InFlightTrackingFunction(
                new BackgroundRemovalFunction(
                        BenchBlobStore.factory(),
                        ImageLimits.defaults(),
                        model,
                        options.cpuThreads(),
                        options.postprocessThreads(),
                        batchSize,
                        options.batchTimeoutMs()));
    }

    /**
     * The function's model thread; ONNX Runtime's own pool threads are counted by {@link
     * ProcessMeter}.
     */
    static boolean isInferenceThread(String javaThreadName) {
        return javaThreadName.startsWith("rmbg-inference");
    }
}
