package io.rmbg.core.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens ONNX Runtime sessions on the best device that works: TensorRT (with CUDA behind it) when
 * asked for, else CUDA, else the CPU. Each step down logs a warning that says why, so one job
 * configuration runs on GPU and CPU task managers alike.
 */
final class SessionFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);
    private static volatile boolean telemetryChecked;

    /** A session and where it runs: {@code "CPU"}, {@code "CUDA:N"} or {@code "TensorRT:N"}. */
    record OpenedSession(OrtSession session, String provider) {}

    private SessionFactory() {}

    /** The process-wide ONNX Runtime environment, telemetry off. */
    static OrtEnvironment environment() {
        if (!telemetryChecked && System.getenv("ORT_DISABLE_TELEMETRY") == null) {
            LOG.warn(
                    "ORT_DISABLE_TELEMETRY is not set: ONNX Runtime 1.29 can crash the JVM while creating"
                            + " its environment when the command line is long; set ORT_DISABLE_TELEMETRY=1");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        if (!telemetryChecked) {
            synchronized (SessionFactory.class) {
                if (!telemetryChecked) {
                    try {
                        environment.setTelemetry(false);
                    } catch (OrtException e) {
                        LOG.debug("Cannot disable ONNX Runtime telemetry: {}", e.getMessage());
                    }
                    telemetryChecked = true;
                }
            }
        }
        return environment;
    }

    /**
     * Opens {@code file} on {@code device}, stepping down TensorRT → CUDA → CPU.
     *
     * @param intraOpThreads threads ONNX Runtime may use inside one operator; {@code <= 0} leaves
     *     its default
     * @throws IllegalArgumentException if even the CPU cannot load the file because it is not a
     *     valid ONNX model
     * @throws IllegalStateException if ONNX Runtime fails for another reason
     */
    static OpenedSession open(
            OrtEnvironment environment,
            Path file,
            ExecutionDevice device,
            int intraOpThreads,
            GpuOptions gpu) {
        if (device.isCuda() && gpu.tensorRt()) {
            try (SessionOptions options = sessionOptions(intraOpThreads);
                    OrtTensorRTProviderOptions tensorRt =
                            new OrtTensorRTProviderOptions(device.index());
                    OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(device.index())) {
                addAll(tensorRt::add, gpu.tensorRtProviderOptions(device.index()));
                addAll(cuda::add, gpu.cudaProviderOptions(device.index()));
                options.addTensorrt(tensorRt);
                options.addCUDA(cuda);
                return new OpenedSession(
                        environment.createSession(file.toString(), options),
                        "TensorRT:" + device.index());
            } catch (OrtException | RuntimeException | LinkageError e) {
                LOG.warn(
                        "TensorRT is not usable on GPU {} for model {} ({}); trying CUDA alone",
                        device.index(),
                        file,
                        e.getMessage());
            }
        }
        if (device.isCuda()) {
            try (SessionOptions options = sessionOptions(intraOpThreads);
                    OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(device.index())) {
                addAll(cuda::add, gpu.cudaProviderOptions(device.index()));
                options.addCUDA(cuda);
                return new OpenedSession(
                        environment.createSession(file.toString(), options),
                        "CUDA:" + device.index());
            } catch (OrtException | RuntimeException | LinkageError e) {
                LOG.warn(
                        "CUDA device {} is not usable for model {} ({}); falling back to CPU. A GPU needs the"
                                + " onnxruntime_gpu jar in Flink's lib/ (Maven profile gpu), CUDA 12.x and cuDNN 9",
                        device.index(),
                        file,
                        e.getMessage());
            }
        }
        try (SessionOptions options = sessionOptions(intraOpThreads)) {
            return new OpenedSession(environment.createSession(file.toString(), options), "CPU");
        } catch (OrtException e) {
            String message = "ONNX Runtime cannot load model " + file + ": " + e.getMessage();
            switch (e.getCode()) {
                case ORT_INVALID_PROTOBUF,
                        ORT_INVALID_GRAPH,
                        ORT_NO_MODEL,
                        ORT_NO_SUCHFILE,
                        ORT_NOT_IMPLEMENTED ->
                        throw new IllegalArgumentException(message, e);
                default -> throw new IllegalStateException(message, e);
            }
        }
    }

    /** Closes {@code session}, logging instead of throwing: callers are already cleaning up. */
    static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            LOG.warn("Failed to close ONNX Runtime session: {}", e.getMessage());
        }
    }

    /**
     * A provider options object's {@code add}: the key/value options types share no public type.
     */
    private interface ProviderOptionSink {
        void add(String key, String value) throws OrtException;
    }

    private static void addAll(ProviderOptionSink provider, Map<String, String> options)
            throws OrtException {
        for (Map.Entry<String, String> option : options.entrySet()) {
            provider.add(option.getKey(), option.getValue());
        }
    }

    private static SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        SessionOptions options = new SessionOptions();
        try {
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setInterOpNumThreads(1);
            // Idle intra-op threads sleep instead of spinning: the session shares its cores with
            // the slot's CPU pool (decode, preprocess, PNG) and other slots, which spinning
            // threads starve. Measured on 2 cores, batch 4: 13 % less model CPU and 10 % less CPU
            // elsewhere per image.
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }
}
