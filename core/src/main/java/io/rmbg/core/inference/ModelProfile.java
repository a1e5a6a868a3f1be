package io.rmbg.core.inference;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to feed a segmentation model and read its answer: the input size it was trained at, the pixel
 * normalisation, and what its output means. The ONNX file alone does not say (normalisation is
 * baked into the training code), so each known model family has a built-in profile, and the {@link
 * ModelProfileBuilder} covers the rest.
 *
 * <p>A pixel channel {@code c} (0..255) becomes {@code (c * scale - mean) / std}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelProfile {

    public static final float DEFAULT_SCALE = 1f / 255f;
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final float[] HALF_MEAN = {0.5f, 0.5f, 0.5f};
    private static final float[] UNIT_STD = {1f, 1f, 1f};

    /** BRIA RMBG-2.0 (BiRefNet architecture), 1024², ImageNet normalisation. */
    public static final ModelProfile RMBG_2_0 =
            builder("rmbg-2.0")
                    .inputSize(1024)
                    .mean(IMAGENET_MEAN)
                    .std(IMAGENET_STD)
                    .activation(OutputActivation.AUTO)
                    .build();

    /** BiRefNet (general), same contract as RMBG-2.0. */
    public static final ModelProfile BIREFNET =
            builder("birefnet")
                    .inputSize(1024)
                    .mean(IMAGENET_MEAN)
                    .std(IMAGENET_STD)
                    .activation(OutputActivation.AUTO)
                    .build();

    /** BRIA RMBG-1.4 (IS-Net architecture): 1024², mean 0.5 std 1, output rescaled min-max. */
    public static final ModelProfile RMBG_1_4 =
            builder("rmbg-1.4")
                    .inputSize(1024)
                    .mean(HALF_MEAN)
                    .std(UNIT_STD)
                    .activation(OutputActivation.MIN_MAX)
                    .build();

    /** U²-Net: 320², ImageNet normalisation, output rescaled min-max. */
    public static final ModelProfile U2NET =
            builder("u2net")
                    .inputSize(320)
                    .mean(IMAGENET_MEAN)
                    .std(IMAGENET_STD)
                    .activation(OutputActivation.MIN_MAX)
                    .build();

    /**
     * IS-Net (DIS), as {@code bin/rmbg models} fetches it: 1024², {@code x = (v - 128) / 256} per
     * channel (scale 1/256, mean 0.5, std 1: the npm package's own preprocessing), output already a
     * probability (the graph ends in Sigmoid). Min-max rescaling would blow faint noise up into a
     * full mask on a photo without a clear subject, so the output is only clamped. rembg's
     * isnet-general-use export also ends in Sigmoid and fits this profile.
     */
    public static final ModelProfile ISNET =
            builder("isnet")
                    .inputSize(1024)
                    .scale(1f / 256f)
                    .mean(HALF_MEAN)
                    .std(UNIT_STD)
                    .activation(OutputActivation.NONE)
                    .build();

    private static final Map<String, ModelProfile> BUILT_INS = builtIns();

    private final String name;
    private final String inputName;
    private final String outputName;
    private final int inputWidth;
    private final int inputHeight;
    private final float[] mean;
    private final float[] std;
    private final float scale;
    private final OutputActivation activation;

    ModelProfile(ModelProfileBuilder b) {
        this.name = b.name;
        this.inputName = b.inputName;
        this.outputName = b.outputName;
        this.inputWidth = b.inputWidth;
        this.inputHeight = b.inputHeight;
        this.mean = b.mean.clone();
        this.std = b.std.clone();
        this.scale = b.scale;
        this.activation = b.activation;
    }

    /**
     * The built-in profile called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the known profiles, if there is none
     */
    public static ModelProfile named(String name) {
        ModelProfile profile =
                name == null ? null : BUILT_INS.get(name.trim().toLowerCase(Locale.ROOT));
        if (profile == null) {
            throw new IllegalArgumentException(
                    "unknown model profile '"
                            + name
                            + "'; known profiles: "
                            + String.join(", ", BUILT_INS.keySet()));
        }
        return profile;
    }

    /** Names of the built-in profiles, in a stable order. */
    public static Set<String> knownNames() {
        return BUILT_INS.keySet();
    }

    public static ModelProfileBuilder builder(String name) {
        return new ModelProfileBuilder(name);
    }

    /** A builder starting from this profile, e.g. to change the input size for tests. */
    public ModelProfileBuilder toBuilder() {
        return new ModelProfileBuilder(name)
                .inputName(inputName)
                .outputName(outputName)
                .inputSize(inputWidth, inputHeight)
                .mean(mean)
                .std(std)
                .scale(scale)
                .activation(activation);
    }

    public String name() {
        return name;
    }

    /** The input to feed, or {@code null} for the model's only input. */
    public String inputName() {
        return inputName;
    }

    /** The output to read, or {@code null} for the model's first output. */
    public String outputName() {
        return outputName;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    /** Per-channel mean (R, G, B), a copy. */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviation (R, G, B), a copy. */
    public float[] std() {
        return std.clone();
    }

    public float mean(int channel) {
        return mean[channel];
    }

    public float std(int channel) {
        return std[channel];
    }

    /** Multiplier from 0..255 channel values to the model's value range, usually 1/255. */
    public float scale() {
        return scale;
    }

    public OutputActivation activation() {
        return activation;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ModelProfile other)) {
            return false;
        }
        return inputWidth == other.inputWidth
                && inputHeight == other.inputHeight
                && Float.compare(scale, other.scale) == 0
                && name.equals(other.name)
                && Objects.equals(inputName, other.inputName)
                && Objects.equals(outputName, other.outputName)
                && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std)
                && activation == other.activation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                name,
                inputName,
                outputName,
                inputWidth,
                inputHeight,
                Arrays.hashCode(mean),
                Arrays.hashCode(std),
                scale,
                activation);
    }

    @Override
    public String toString() {
        return "ModelProfile{"
                + name
                + ", input="
                + (inputName == null ? "<only>" : inputName)
                + " "
                + inputWidth
                + "x"
                + inputHeight
                + ", mean="
                + Arrays.toString(mean)
                + ", std="
                + Arrays.toString(std)
                + ", scale="
                + scale
                + ", activation="
                + activation
                + "}";
    }

    private static Map<String, ModelProfile> builtIns() {
        Map<String, ModelProfile> map = new LinkedHashMap<>();
        for (ModelProfile p : new ModelProfile[] {RMBG_2_0, BIREFNET, RMBG_1_4, U2NET, ISNET}) {
            map.put(p.name, p);
        }
        return Collections.unmodifiableMap(map);
    }
}
