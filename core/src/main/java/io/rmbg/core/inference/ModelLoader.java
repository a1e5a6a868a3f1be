package io.rmbg.core.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;
import io.rmbg.core.inference.ActivationResolver.Resolved;
import io.rmbg.core.inference.SessionFactory.OpenedSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

import static java.util.Objects.requireNonNull;

/**
 * The steps of {@link SegmentationModel#load}: fingerprint the file, open a session on the best
 * working device, check the model against its profile, settle the output activation, and log what
 * was loaded. A step that fails closes the session before the error leaves.
 */
final class ModelLoader {
    // Under the model's name, where operators have always found the "Loaded model" line.
    private static final Logger LOG = LoggerFactory.getLogger(SegmentationModel.class);

    /** Everything a loaded model runs with, besides its file and profile. */
    record LoadedSession(
            SessionRunner runner,
            ModelSignature signature,
            String provider,
            String version,
            Resolved activation,
            long loadMillis) {}

    private ModelLoader() {}

    static SegmentationModel load(
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
        String version = ModelFingerprint.versionOf(modelFile);
        OrtEnvironment environment = SessionFactory.environment();
        OpenedSession opened =
                SessionFactory.open(environment, modelFile, device, intraOpThreads, gpu);
        ModelSignature signature;
        SessionRunner runner;
        try {
            signature = ModelSignature.check(opened.session(), modelFile, profile);
            runner =
                    new SessionRunner(modelFile, environment, opened.session(), signature, profile);
        } catch (OrtException e) {
            SessionFactory.closeQuietly(opened.session());
            throw new IllegalStateException(
                    "cannot read the inputs/outputs of model " + modelFile, e);
        } catch (RuntimeException e) {
            SessionFactory.closeQuietly(opened.session());
            throw e;
        }
        Resolved activation;
        try {
            activation =
                    ActivationResolver.resolve(
                            profile,
                            modelFile,
                            signature.outputName(),
                            activationOpOf,
                            images -> runEachAlone(runner, profile, images));
        } catch (RuntimeException e) {
            runner.close();
            throw e;
        }
        long loadMillis = (System.nanoTime() - start) / 1_000_000;
        LOG.info(
                "Loaded model {} (version {}, profile {}) on {} in {} ms: input '{}' {}x{}, {} batch,"
                        + " output '{}', activation {}",
                modelFile,
                version,
                profile.name(),
                opened.provider(),
                loadMillis,
                signature.inputName(),
                profile.inputWidth(),
                profile.inputHeight(),
                signature.dynamicBatch() ? "dynamic" : "fixed",
                signature.outputName(),
                activation.description());
        return new SegmentationModel(
                modelFile,
                profile,
                new LoadedSession(
                        runner, signature, opened.provider(), version, activation, loadMillis));
    }

    /** Raw outputs of {@code images}, one call each: what the activation probe needs. */
    private static float[][] runEachAlone(
            SessionRunner runner, ModelProfile profile, List<RasterImage> images)
            throws ProcessingException {
        Preprocessor preprocessor = new Preprocessor(profile);
        FloatBuffer buffer = preprocessor.newBuffer(1);
        float[][] raw = new float[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            preprocessor.pack(images.get(i), buffer, 0);
            runner.run(buffer, 1, raw, i);
        }
        return raw;
    }
}
