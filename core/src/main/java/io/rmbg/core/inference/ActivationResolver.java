package io.rmbg.core.inference;

import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Settles a profile's {@link OutputActivation} for one loaded model. An explicit activation is
 * kept; {@link OutputActivation#AUTO} becomes {@link OutputActivation#NONE} when the output passes
 * through Sigmoid (the model already yields probabilities) and {@link OutputActivation#SIGMOID}
 * otherwise (logits). If the graph cannot be read, probe inferences decide by whether the raw
 * outputs stay within 0..1.
 */
final class ActivationResolver {
    private static final Set<String> PROBABILITY_OPS = Set.of("Sigmoid", "HardSigmoid");
    private static final long PROBE_SEED = 0x5EED;

    /** Runs images through the model one call each and returns their raw outputs. */
    @FunctionalInterface
    interface RawInference {
        float[][] run(List<RasterImage> images) throws ProcessingException;
    }

    /** The activation to apply (never AUTO) and why, for logs. */
    record Resolved(OutputActivation activation, String description) {}

    private ActivationResolver() {}

    /**
     * @param activationOpOf the op type producing an output of a model file, if the graph can be
     *     read ({@link OnnxGraphInspector#activationOpType} in production)
     * @param probe runs the model, used only when the graph cannot be read
     * @throws IllegalStateException if a probe inference is needed and fails
     */
    static Resolved resolve(
            ModelProfile profile,
            Path file,
            String outputName,
            BiFunction<Path, String, Optional<String>> activationOpOf,
            RawInference probe) {
        OutputActivation configured = profile.activation();
        if (configured != OutputActivation.AUTO) {
            return new Resolved(configured, configured.label() + " (profile)");
        }
        Optional<String> op = activationOpOf.apply(file, outputName);
        if (op.isPresent()) {
            boolean probability = PROBABILITY_OPS.contains(op.get());
            OutputActivation activation =
                    probability ? OutputActivation.NONE : OutputActivation.SIGMOID;
            return new Resolved(
                    activation,
                    activation.label()
                            + " (AUTO: output produced by "
                            + op.get()
                            + (probability ? ")" : ", read as logits)"));
        }
        float[] range = probeRange(profile, file, probe);
        boolean probability = range[0] >= 0f && range[1] <= 1f;
        OutputActivation activation =
                probability ? OutputActivation.NONE : OutputActivation.SIGMOID;
        return new Resolved(
                activation,
                activation.label()
                        + " (AUTO: graph not inspectable, probe output in ["
                        + range[0]
                        + ", "
                        + range[1]
                        + "])");
    }

    /**
     * Runs a mid-grey image and a seeded random-noise image and returns {min, max} of the raw
     * outputs. Grey alone can mislead: a logits model may answer ≈0 for it, which looks like a
     * probability; noise drives logits well outside 0..1 while a probability stays inside.
     */
    private static float[] probeRange(ModelProfile profile, Path file, RawInference probe) {
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
        float[][] raw;
        try {
            raw = probe.run(probes);
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
}
