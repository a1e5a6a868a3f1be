package io.rmbg.core.inference;

import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * A loaded background-removal model: images in, one 0..1 subject-probability map per image out, at
 * the profile's input size (the caller resizes the map back to the image).
 *
 * <p>Loading opens the session on the best working device ({@link SessionFactory}), checks the
 * model against its {@link ModelProfile} ({@link ModelSignature}) so a wrong file or profile fails
 * at job start with a message saying what was expected and found, not later with a native error per
 * image, and settles {@link OutputActivation#AUTO} ({@link ActivationResolver}).
 *
 * <p><b>Threading:</b> one instance per Flink slot. The ONNX Runtime session could be shared, but
 * the input and output buffers and preprocessing tables are reused between calls to keep inference
 * allocation-free, so an instance serves one thread at a time: callers must serialise {@link
 * #infer}, {@link #inferPacked} and {@link #close}. {@link #activate}, {@link #newInputBuffer} and
 * {@link #newPreprocessor} may be called from any thread; a micro-batching caller preprocesses on
 * its CPU threads into buffers of its own and hands them to {@link #inferPacked}.
 */
public final class SegmentationModel implements AutoCloseable {
    private final Path file;
    private final ModelProfile profile;
    private final ModelLoader.LoadedSession loaded;
    private final SessionRunner runner;
    private final ModelSignature signature;
    private final Preprocessor preprocessor;
    private FloatBuffer inputBuffer;
    private boolean closed;

    SegmentationModel(Path file, ModelProfile profile, ModelLoader.LoadedSession loaded) {
        this.file = file;
        this.profile = profile;
        this.loaded = loaded;
        this.runner = loaded.runner();
        this.signature = loaded.signature();
        this.preprocessor = new Preprocessor(profile);
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
        return ModelLoader.load(
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
        return ModelLoader.load(
                modelFile, profile, device, intraOpThreads, GpuOptions.DEFAULTS, activationOpOf);
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
        if (signature.dynamicBatch()) {
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
        int step = signature.dynamicBatch() ? Math.max(count, 1) : 1;
        for (int i = 0; i < count; i += step) {
            int n = Math.min(step, count - i);
            FloatBuffer images =
                    packed.duplicate()
                            .clear()
                            .position((first + i) * floats)
                            .limit((first + i + n) * floats)
                            .slice();
            runner.run(images, n, maps, i);
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
        int nonFinite = activation().apply(requireNonNull(map, "map cannot be null"));
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
        return preprocessor.newBuffer(images);
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
        return signature.dynamicBatch() ? Integer.MAX_VALUE : 1;
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
        return signature.inputName();
    }

    /** The model output read (the profile's, or the model's first output). */
    public String outputName() {
        return signature.outputName();
    }

    /** Whether one call can take several images (the batch dimension is symbolic). */
    public boolean dynamicBatch() {
        return signature.dynamicBatch();
    }

    /**
     * Where the session runs: {@code "CPU"}, {@code "CUDA:N"} or {@code "TensorRT:N"} (with CUDA
     * behind it).
     */
    public String executionProvider() {
        return loaded.provider();
    }

    /** The activation applied, never {@link OutputActivation#AUTO}. */
    public OutputActivation activation() {
        return loaded.activation().activation();
    }

    /**
     * The activation applied and why, for logs, e.g. {@code "none (AUTO: output produced by
     * Sigmoid)"}.
     */
    public String activationDescription() {
        return loaded.activation().description();
    }

    /** Wall time {@link #load} took, including hashing and activation detection. */
    public long loadMillis() {
        return loaded.loadMillis();
    }

    /**
     * The first 12 hex characters of the model file's SHA-256: identifies the weights in results.
     */
    public String modelVersion() {
        return loaded.version();
    }

    /** Releases the native session. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inputBuffer = null;
            runner.close();
        }
    }

    @Override
    public String toString() {
        return "SegmentationModel{"
                + file.getFileName()
                + ", "
                + profile.name()
                + ", "
                + loaded.provider()
                + ", "
                + loaded.version()
                + "}";
    }

    /** Packs {@code images[from, from + count)} into one tensor, runs it and stores raw outputs. */
    private void run(List<RasterImage> images, int from, int count, float[][] maps)
            throws ProcessingException {
        FloatBuffer buffer = inputBuffer(count);
        for (int i = 0; i < count; i++) {
            preprocessor.pack(
                    requireNonNull(images.get(from + i), "image cannot be null"), buffer, i);
        }
        runner.run(buffer, count, maps, from);
    }

    /** The reused direct input buffer, grown to hold {@code count} images, limit set to them. */
    private FloatBuffer inputBuffer(int count) {
        long floats = (long) count * preprocessor.floatsPerImage();
        if (inputBuffer == null || inputBuffer.capacity() < floats) {
            inputBuffer = preprocessor.newBuffer(count);
        }
        inputBuffer.clear().limit((int) floats);
        return inputBuffer;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("model " + file.getFileName() + " is closed");
        }
    }
}
