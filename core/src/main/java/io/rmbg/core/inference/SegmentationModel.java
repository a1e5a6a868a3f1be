package io.rmbg.core.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.ModelProfile.OutputActivation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * A loaded background-removal model: images in, one 0..1 subject-probability map per image out, at
 * the profile's input size (the caller resizes the map back to the image).
 *
 * <p>Loading checks the model against its {@link ModelProfile} so a wrong file or profile fails at
 * job start with a message saying what was expected and found, not later with a native error per
 * image. It also settles {@link OutputActivation#AUTO}: a model whose output passes through Sigmoid
 * already yields probabilities, anything else is treated as logits; if the graph cannot be read,
 * probe inferences decide by whether the raw outputs stay within 0..1.
 *
 * <p><b>Threading:</b> one instance per Flink slot. The ONNX Runtime session could be shared, but
 * the input and output buffers and preprocessing tables are reused between calls to keep inference
 * allocation-free, so an instance serves one thread at a time: callers must serialise {@link
 * #infer}, {@link #inferPacked} and {@link #close}. {@link #activate}, {@link #newInputBuffer} and
 * {@link #newPreprocessor} may be called from any thread; a micro-batching caller preprocesses on
 * its CPU threads into buffers of its own and hands them to {@link #inferPacked}.
 */
public final class SegmentationModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationModel.class);
    private static final Set<String> PROBABILITY_OPS = Set.of("Sigmoid", "HardSigmoid");
    private static final int VERSION_HEX_CHARS = 12;
    private static final long DYNAMIC = -1;
    private static final long PROBE_SEED = 0x5EED;
    private static volatile boolean telemetryChecked;

    private final Path file;
    private final ModelProfile profile;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final String executionProvider;
    private final String inputName;
    private final String outputName;
    private final boolean dynamicBatch;
    private final int outputRank;
    private final boolean pinOutput;
    private final Preprocessor preprocessor;
    private final String modelVersion;
    private OutputActivation activation;
    private String activationDescription;
    private long loadMillis;
    private FloatBuffer inputBuffer;
    private FloatBuffer outputBuffer;
    private boolean closed;

    private SegmentationModel(
            Path file,
            ModelProfile profile,
            OrtEnvironment environment,
            OrtSession session,
            String executionProvider,
            Signature signature,
            String modelVersion) {
        this.file = file;
        this.profile = profile;
        this.environment = environment;
        this.session = session;
        this.executionProvider = executionProvider;
        this.inputName = signature.inputName;
        this.outputName = signature.outputName;
        this.dynamicBatch = signature.dynamicBatch;
        this.outputRank = signature.outputRank;
        this.pinOutput = signature.staticOutputSize;
        this.preprocessor = new Preprocessor(profile);
        this.modelVersion = modelVersion;
    }

    /**
     * Loads {@code modelFile} and checks it against {@code profile}.
     *
     * @param device where to run; if CUDA is unavailable the model runs on CPU and a warning is
     *     logged, so one job configuration works on GPU and CPU task managers
     * @param intraOpThreads threads ONNX Runtime may use inside one operator; {@code <= 0} leaves
     *     its default (one per core), which oversubscribes when several slots share a machine
     * @throws IllegalArgumentException if the file is missing, is not a loadable ONNX model, or its
     *     inputs/outputs do not fit the profile
     * @throws IllegalStateException if ONNX Runtime fails for another reason
     */
    public static SegmentationModel load(
            Path modelFile, ModelProfile profile, ExecutionDevice device, int intraOpThreads) {
        return load(modelFile, profile, device, intraOpThreads, GpuOptions.DEFAULTS);
    }

    /**
     * As {@link #load(Path, ModelProfile, ExecutionDevice, int)}, with the CUDA and TensorRT
     * settings {@code gpu} (ignored on CPU). When TensorRT is asked for but cannot be loaded, the
     * model runs on CUDA alone; when CUDA cannot be loaded either, on the CPU; each step down logs
     * a warning that says why.
     */
    public static SegmentationModel load(
            Path modelFile,
            ModelProfile profile,
            ExecutionDevice device,
            int intraOpThreads,
            GpuOptions gpu) {
        return load(
                modelFile,
                profile,
                device,
                intraOpThreads,
                gpu,
                OnnxGraphInspector::activationOpType);
    }

    /**
     * As {@link #load(Path, ModelProfile, ExecutionDevice, int)} with a replaceable graph
     * inspector.
     */
    static SegmentationModel load(
            Path modelFile,
            ModelProfile profile,
            ExecutionDevice device,
            int intraOpThreads,
            BiFunction<Path, String, Optional<String>> activationOpOf) {
        return load(
                modelFile, profile, device, intraOpThreads, GpuOptions.DEFAULTS, activationOpOf);
    }

    private static SegmentationModel load(
            Path modelFile,
            ModelProfile profile,
            ExecutionDevice device,
            int intraOpThreads,
            GpuOptions gpu,
            BiFunction<Path, String, Optional<String>> activationOpOf) {
        requireNonNull(modelFile, "modelFile cannot be null");
        requireNonNull(profile, "profile cannot be null");
        requireNonNull(device, "device cannot be null");
        requireNonNull(gpu, "gpu cannot be null");
        long start = System.nanoTime();
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file not found: " + modelFile);
        }
        String version = modelVersionOf(modelFile);
        OrtEnvironment environment = environment();
        OpenedSession opened = openSession(environment, modelFile, device, intraOpThreads, gpu);
        OrtSession session = opened.session();
        SegmentationModel model;
        try {
            Signature signature = Signature.check(session, modelFile, profile);
            model =
                    new SegmentationModel(
                            modelFile,
                            profile,
                            environment,
                            session,
                            opened.provider(),
                            signature,
                            version);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new IllegalStateException(
                    "cannot read the inputs/outputs of model " + modelFile, e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
        try {
            model.resolveActivation(activationOpOf);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        model.loadMillis = (System.nanoTime() - start) / 1_000_000;
        LOG.info(
                "Loaded model {} (version {}, profile {}) on {} in {} ms: input '{}' {}x{}, {} batch,"
                        + " output '{}', activation {}",
                modelFile,
                version,
                profile.name(),
                opened.provider(),
                model.loadMillis,
                model.inputName,
                profile.inputWidth(),
                profile.inputHeight(),
                model.dynamicBatch ? "dynamic" : "fixed",
                model.outputName,
                model.activationDescription);
        return model;
    }

    /**
     * Runs the model on {@code images} and returns, per image and in order, a row-major {@code
     * inputWidth() * inputHeight()} map of subject probabilities in 0..1. Images of any size are
     * resized to the model's input. A model with a dynamic batch dimension gets one call for the
     * whole list, others one call per image; size the list to what the device's memory allows.
     *
     * @throws ProcessingException with {@link ErrorCode#INFERENCE} if ONNX Runtime fails or returns
     *     an unexpected shape
     */
    public float[][] infer(List<RasterImage> images) throws ProcessingException {
        requireNonNull(images, "images cannot be null");
        checkOpen();
        float[][] maps = new float[images.size()][];
        if (images.isEmpty()) {
            return maps;
        }
        if (dynamicBatch) {
            run(images, 0, images.size(), maps);
        } else {
            for (int i = 0; i < images.size(); i++) {
                run(images, i, 1, maps);
            }
        }
        for (float[] map : maps) {
            activate(map);
        }
        return maps;
    }

    /**
     * Runs the model on images already preprocessed into {@code packed} (by {@link
     * #newPreprocessor()}'s {@link Preprocessor#pack}, at batch indices {@code first .. first +
     * count - 1}) and returns their <b>raw</b> outputs, in order; pass each to {@link #activate}
     * (on any thread) for probabilities. Preprocessing and activation thus stay off the thread that
     * feeds the model, and a direct {@code packed} buffer is handed to ONNX Runtime without a copy.
     * A fixed-batch model runs the images one call each.
     *
     * @throws ProcessingException with {@link ErrorCode#INFERENCE} if ONNX Runtime fails or returns
     *     an unexpected shape
     */
    public float[][] inferPacked(FloatBuffer packed, int first, int count)
            throws ProcessingException {
        requireNonNull(packed, "packed cannot be null");
        checkOpen();
        int floats = preprocessor.floatsPerImage();
        if (first < 0 || count < 0 || (long) (first + count) * floats > packed.capacity()) {
            throw new IndexOutOfBoundsException(
                    "images "
                            + first
                            + ".."
                            + (first + count - 1)
                            + " do not lie in a buffer of "
                            + packed.capacity() / floats
                            + " images");
        }
        float[][] maps = new float[count][];
        int step = dynamicBatch ? Math.max(count, 1) : 1;
        for (int i = 0; i < count; i += step) {
            int n = Math.min(step, count - i);
            FloatBuffer images =
                    packed.duplicate()
                            .clear()
                            .position((first + i) * floats)
                            .limit((first + i + n) * floats)
                            .slice();
            runTensor(images, n, maps, i);
        }
        return maps;
    }

    /**
     * Turns one raw output of {@link #inferPacked} into 0..1 probabilities in place, with the
     * activation resolved at load time. Thread-safe.
     *
     * @throws NonFiniteOutputException if the raw output holds NaN or infinity (the map is then
     *     meaningless, though clamped into 0..1)
     */
    public void activate(float[] map) throws NonFiniteOutputException {
        int nonFinite = applyActivation(requireNonNull(map, "map cannot be null"), activation);
        if (nonFinite > 0) {
            throw new NonFiniteOutputException(
                    file.getFileName().toString(), nonFinite, map.length);
        }
    }

    /**
     * A direct, native-order buffer for {@code images} preprocessed images, for {@link
     * #inferPacked}: {@code images * floatsPerImage()} floats, 12 MiB per image at 1024².
     */
    public FloatBuffer newInputBuffer(int images) {
        if (images < 1) {
            throw new IllegalArgumentException("images must be positive: " + images);
        }
        long floats = (long) images * preprocessor.floatsPerImage();
        if (floats * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a batch of " + images + " images exceeds 2 GB of input");
        }
        return ByteBuffer.allocateDirect((int) floats * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    /** A preprocessor writing this model's input. Not thread-safe: one per thread or per call. */
    public Preprocessor newPreprocessor() {
        return new Preprocessor(profile);
    }

    /** Floats one preprocessed image occupies in an input buffer. */
    public int floatsPerImage() {
        return preprocessor.floatsPerImage();
    }

    /** The most images one call can take: unbounded for a dynamic batch dimension, else 1. */
    public int maxBatchSize() {
        return dynamicBatch ? Integer.MAX_VALUE : 1;
    }

    public int inputWidth() {
        return profile.inputWidth();
    }

    public int inputHeight() {
        return profile.inputHeight();
    }

    public ModelProfile profile() {
        return profile;
    }

    public Path modelFile() {
        return file;
    }

    /** The model input fed (the profile's, or the model's only input). */
    public String inputName() {
        return inputName;
    }

    /** The model output read (the profile's, or the model's first output). */
    public String outputName() {
        return outputName;
    }

    /** Whether one call can take several images (the batch dimension is symbolic). */
    public boolean dynamicBatch() {
        return dynamicBatch;
    }

    /**
     * Where the session runs: {@code "CPU"}, {@code "CUDA:N"} or {@code "TensorRT:N"} (with CUDA
     * behind it).
     */
    public String executionProvider() {
        return executionProvider;
    }

    /** The activation applied, never {@link OutputActivation#AUTO}. */
    public OutputActivation activation() {
        return activation;
    }

    /**
     * The activation applied and why, for logs, e.g. {@code "none (AUTO: output produced by
     * Sigmoid)"}.
     */
    public String activationDescription() {
        return activationDescription;
    }

    /** Wall time {@link #load} took, including hashing and activation detection. */
    public long loadMillis() {
        return loadMillis;
    }

    /**
     * The first 12 hex characters of the model file's SHA-256: identifies the weights in results.
     */
    public String modelVersion() {
        return modelVersion;
    }

    /** Releases the native session. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inputBuffer = null;
            outputBuffer = null;
            closeQuietly(session);
        }
    }

    @Override
    public String toString() {
        return "SegmentationModel{"
                + file.getFileName()
                + ", "
                + profile.name()
                + ", "
                + executionProvider
                + ", "
                + modelVersion
                + "}";
    }

    // --- inference -------------------------------------------------------------------------------

    /** Packs {@code images[from, from + count)} into one tensor, runs it and stores raw outputs. */
    private void run(List<RasterImage> images, int from, int count, float[][] maps)
            throws ProcessingException {
        FloatBuffer buffer = inputBuffer(count);
        for (int i = 0; i < count; i++) {
            preprocessor.pack(
                    requireNonNull(images.get(from + i), "image cannot be null"), buffer, i);
        }
        runTensor(buffer, count, maps, from);
    }

    /**
     * Runs {@code count} packed images (the buffer's remaining floats) and stores their raw outputs
     * at {@code maps[to ..]}. When the model declares its output size, the output is pinned to a
     * reused direct buffer, so ONNX Runtime writes it where the maps are copied from (no per-call
     * output allocation and copy); otherwise the shape is only known after the run and ONNX Runtime
     * allocates it. Tensors and the result are closed before returning.
     */
    private void runTensor(FloatBuffer buffer, int count, float[][] maps, int to)
            throws ProcessingException {
        int h = profile.inputHeight();
        int w = profile.inputWidth();
        int plane = w * h;
        long[] shape = {count, 3, h, w};
        try (OnnxTensor input = OnnxTensor.createTensor(environment, buffer, shape)) {
            if (pinOutput) {
                long[] outShape =
                        outputRank == 4 ? new long[] {count, 1, h, w} : new long[] {count, h, w};
                FloatBuffer out = outputBuffer(count);
                try (OnnxTensor pinned = OnnxTensor.createTensor(environment, out, outShape);
                        OrtSession.Result result =
                                session.run(Map.of(inputName, input), Map.of(outputName, pinned))) {
                    for (int i = 0; i < count; i++) {
                        float[] map = new float[plane];
                        out.get(i * plane, map);
                        maps[to + i] = map;
                    }
                }
                return;
            }
            try (OrtSession.Result result =
                    session.run(Map.of(inputName, input), Set.of(outputName))) {
                OnnxValue value = result.get(outputName).orElse(null);
                if (!(value instanceof OnnxTensor output)
                        || output.getInfo().type != OnnxJavaType.FLOAT) {
                    throw new ProcessingException(
                            ErrorCode.INFERENCE,
                            "model "
                                    + file.getFileName()
                                    + " returned no float tensor '"
                                    + outputName
                                    + "'");
                }
                checkOutputShape(output.getInfo().getShape(), count);
                FloatBuffer data = output.getFloatBuffer();
                for (int i = 0; i < count; i++) {
                    float[] map = new float[plane];
                    data.get(map);
                    maps[to + i] = map;
                }
            }
        } catch (OrtException e) {
            throw new ProcessingException(
                    ErrorCode.INFERENCE,
                    "ONNX Runtime failed on "
                            + count
                            + " image(s) with model "
                            + file.getFileName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private void checkOutputShape(long[] shape, int count) throws ProcessingException {
        long h = profile.inputHeight();
        long w = profile.inputWidth();
        boolean ok =
                shape.length == 4
                        ? shape[0] == count && shape[1] == 1 && shape[2] == h && shape[3] == w
                        : shape.length == 3 && shape[0] == count && shape[1] == h && shape[2] == w;
        if (!ok) {
            throw new ProcessingException(
                    ErrorCode.INFERENCE,
                    "model "
                            + file.getFileName()
                            + " returned "
                            + "output '"
                            + outputName
                            + "' of shape "
                            + Arrays.toString(shape)
                            + ", expected ["
                            + count
                            + ", 1, "
                            + h
                            + ", "
                            + w
                            + "]");
        }
    }

    /** The reused direct output buffer, grown to hold {@code count} maps, limit set to them. */
    private FloatBuffer outputBuffer(int count) {
        int floats = count * profile.inputWidth() * profile.inputHeight();
        if (outputBuffer == null || outputBuffer.capacity() < floats) {
            outputBuffer =
                    ByteBuffer.allocateDirect(floats * Float.BYTES)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
        }
        outputBuffer.clear().limit(floats);
        return outputBuffer;
    }

    /** The reused direct input buffer, grown to hold {@code count} images, limit set to them. */
    private FloatBuffer inputBuffer(int count) {
        long floats = (long) count * preprocessor.floatsPerImage();
        if (floats * Float.BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "a batch of " + count + " images exceeds 2 GB of input");
        }
        if (inputBuffer == null || inputBuffer.capacity() < floats) {
            inputBuffer =
                    ByteBuffer.allocateDirect((int) floats * Float.BYTES)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
        }
        inputBuffer.clear().limit((int) floats);
        return inputBuffer;
    }

    /**
     * Applies {@code activation} in place and clamps into 0..1 (NaN becomes 0). Returns how many
     * raw values were NaN or infinite, counted in the pass that reads them anyway.
     */
    static int applyActivation(float[] map, OutputActivation activation) {
        int nonFinite = 0;
        switch (activation) {
            case SIGMOID -> {
                for (int i = 0; i < map.length; i++) {
                    float v = map[i];
                    nonFinite += Float.isFinite(v) ? 0 : 1;
                    map[i] = (float) (1.0 / (1.0 + Math.exp(-v)));
                }
            }
            case MIN_MAX -> {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (float v : map) {
                    nonFinite += Float.isFinite(v) ? 0 : 1;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                // A flat map has no contrast to stretch: keep its values (clamped) rather than
                // divide by 0.
                if (max - min > 0f && Float.isFinite(max - min)) {
                    float range = max - min;
                    for (int i = 0; i < map.length; i++) {
                        map[i] = (map[i] - min) / range;
                    }
                }
            }
            case NONE -> {}
            case AUTO -> throw new IllegalStateException("AUTO must be resolved at load time");
        }
        int nonFiniteClamped = 0;
        for (int i = 0; i < map.length; i++) {
            float v = map[i];
            nonFiniteClamped += Float.isFinite(v) ? 0 : 1;
            map[i] = v >= 0f ? Math.min(v, 1f) : 0f; // also maps NaN to 0
        }
        // Without an activation the clamp is the pass that reads the raw values.
        return activation == OutputActivation.NONE ? nonFiniteClamped : nonFinite;
    }

    // --- loading ---------------------------------------------------------------------------------

    private void resolveActivation(BiFunction<Path, String, Optional<String>> activationOpOf) {
        OutputActivation configured = profile.activation();
        if (configured != OutputActivation.AUTO) {
            activation = configured;
            activationDescription = describe(configured) + " (profile)";
            return;
        }
        Optional<String> op = activationOpOf.apply(file, outputName);
        if (op.isPresent()) {
            boolean probability = PROBABILITY_OPS.contains(op.get());
            activation = probability ? OutputActivation.NONE : OutputActivation.SIGMOID;
            activationDescription =
                    describe(activation)
                            + " (AUTO: output produced by "
                            + op.get()
                            + (probability ? ")" : ", read as logits)");
            return;
        }
        float[] range = probeRange();
        boolean probability = range[0] >= 0f && range[1] <= 1f;
        activation = probability ? OutputActivation.NONE : OutputActivation.SIGMOID;
        activationDescription =
                describe(activation)
                        + " (AUTO: graph not inspectable, probe output in ["
                        + range[0]
                        + ", "
                        + range[1]
                        + "])";
    }

    /**
     * Runs a mid-grey image and a seeded random-noise image and returns {min, max} of the raw
     * outputs. Grey alone can mislead: a logits model may answer ≈0 for it, which looks like a
     * probability; noise drives logits well outside 0..1 while a probability stays inside.
     */
    private float[] probeRange() {
        int w = profile.inputWidth();
        int h = profile.inputHeight();
        int[] noise = new int[w * h];
        SplittableRandom random = new SplittableRandom(PROBE_SEED);
        for (int i = 0; i < noise.length; i++) {
            noise[i] = 0xFF000000 | random.nextInt(1 << 24);
        }
        List<RasterImage> probes =
                List.of(
                        new RasterImage(1, 1, new int[] {0xFF808080}, false),
                        new RasterImage(w, h, noise, false));
        float[][] raw = new float[probes.size()][];
        try {
            for (int i = 0; i < probes.size(); i++) {
                run(probes, i, 1, raw);
            }
        } catch (ProcessingException e) {
            throw new IllegalStateException(
                    "probe inference failed for model " + file + ": " + e.getMessage(), e);
        }
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float[] map : raw) {
            for (float v : map) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return new float[] {min, max};
    }

    private static String describe(OutputActivation activation) {
        return switch (activation) {
            case SIGMOID -> "sigmoid";
            case NONE -> "none";
            case MIN_MAX -> "min-max";
            case AUTO -> "auto";
        };
    }

    private static OrtEnvironment environment() {
        if (!telemetryChecked && System.getenv("ORT_DISABLE_TELEMETRY") == null) {
            LOG.warn(
                    "ORT_DISABLE_TELEMETRY is not set: ONNX Runtime 1.29 can crash the JVM while creating"
                            + " its environment when the command line is long; set ORT_DISABLE_TELEMETRY=1");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        if (!telemetryChecked) {
            synchronized (SegmentationModel.class) {
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

    private record OpenedSession(OrtSession session, String provider) {}

    private static OpenedSession openSession(
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
            // the
            // slot's CPU pool (decode, preprocess, PNG) and other slots, which spinning threads
            // starve.
            // Measured on 2 cores, batch 4: 13 % less model CPU and 10 % less CPU elsewhere per
            // image.
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

    private static String modelVersionOf(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
            return HexFormat.of().formatHex(sha256.digest()).substring(0, VERSION_HEX_CHARS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model file " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException | RuntimeException e) {
            LOG.warn("Failed to close ONNX Runtime session: {}", e.getMessage());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model " + file.getFileName() + " is closed");
        }
    }

    /** The model's input and output as checked against the profile. */
    private record Signature(
            String inputName,
            String outputName,
            boolean dynamicBatch,
            int outputRank,
            boolean staticOutputSize) {

        static Signature check(OrtSession session, Path file, ModelProfile profile)
                throws OrtException {
            long h = profile.inputHeight();
            long w = profile.inputWidth();
            Map<String, NodeInfo> inputs = session.getInputInfo();
            String expectedInput =
                    (profile.inputName() == null
                                    ? "one input"
                                    : "one input '" + profile.inputName() + "'")
                            + " of float [N, 3, "
                            + h
                            + ", "
                            + w
                            + "]";
            if (inputs.size() != 1) {
                throw mismatch(
                        file,
                        profile,
                        expectedInput,
                        inputs.size() + " inputs: " + describe(inputs));
            }
            NodeInfo input = inputs.values().iterator().next();
            if (profile.inputName() != null && !profile.inputName().equals(input.getName())) {
                throw mismatch(file, profile, expectedInput, describe(inputs));
            }
            long[] in = floatShape(input);
            if (in == null
                    || in.length != 4
                    || in[1] != 3
                    || !fits(in[2], h)
                    || !fits(in[3], w)
                    || !(in[0] == DYNAMIC || in[0] == 1)) {
                throw mismatch(
                        file,
                        profile,
                        expectedInput + " (N dynamic or 1; H, W may be dynamic)",
                        describe(inputs));
            }

            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String wanted = profile.outputName();
            NodeInfo output =
                    wanted != null
                            ? outputs.get(wanted)
                            : outputs.isEmpty() ? null : outputs.values().iterator().next();
            String expectedOutput =
                    (wanted == null ? "a first output" : "an output '" + wanted + "'")
                            + " of float [N, 1, "
                            + h
                            + ", "
                            + w
                            + "] or [N, "
                            + h
                            + ", "
                            + w
                            + "]";
            long[] out = output == null ? null : floatShape(output);
            boolean outputOk =
                    out != null
                            && (out.length == 4
                                    ? fits(out[1], 1) && fits(out[2], h) && fits(out[3], w)
                                    : out.length == 3 && fits(out[1], h) && fits(out[2], w));
            if (!outputOk) {
                throw mismatch(
                        file,
                        profile,
                        expectedOutput,
                        outputs.isEmpty() ? "no outputs" : describe(outputs));
            }
            boolean dynamicBatch = in[0] == DYNAMIC && out[0] == DYNAMIC;
            boolean staticOutputSize = Arrays.stream(out, 1, out.length).allMatch(d -> d >= 0);
            return new Signature(
                    input.getName(), output.getName(), dynamicBatch, out.length, staticOutputSize);
        }

        private static boolean fits(long dim, long expected) {
            return dim == DYNAMIC || dim == expected;
        }

        private static long[] floatShape(NodeInfo node) {
            ValueInfo info = node.getInfo();
            return info instanceof TensorInfo tensor && tensor.type == OnnxJavaType.FLOAT
                    ? tensor.getShape()
                    : null;
        }

        private static IllegalArgumentException mismatch(
                Path file, ModelProfile profile, String expected, String found) {
            return new IllegalArgumentException(
                    "model "
                            + file
                            + " does not fit profile '"
                            + profile.name()
                            + "': expected "
                            + expected
                            + ", found "
                            + found);
        }

        private static String describe(Map<String, NodeInfo> nodes) {
            List<String> parts = new ArrayList<>();
            for (NodeInfo node : nodes.values()) {
                parts.add("'" + node.getName() + "' " + describe(node.getInfo()));
            }
            return String.join(", ", parts);
        }

        private static String describe(ValueInfo info) {
            if (!(info instanceof TensorInfo tensor)) {
                return String.valueOf(info);
            }
            long[] shape = tensor.getShape();
            String[] names = tensor.getDimensionNames();
            List<String> dims = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                boolean named =
                        names != null
                                && i < names.length
                                && names[i] != null
                                && !names[i].isEmpty();
                dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : named ? names[i] : "?");
            }
            return tensor.type.toString().toLowerCase(Locale.ROOT) + " " + dims;
        }
    }
}
