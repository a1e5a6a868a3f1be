package io.rmbg.core.inference;

import java.util.Arrays;

import static java.util.Objects.requireNonNull;

/**
 * Builds a custom {@link ModelProfile}; obtain one from {@link ModelProfile#builder}. Defaults are
 * RMBG-2.0's (1024², ImageNet, 1/255, AUTO).
 */
public final class ModelProfileBuilder {
    final String name;
    String inputName;
    String outputName;
    int inputWidth = 1024;
    int inputHeight = 1024;
    float[] mean = ModelProfile.IMAGENET_MEAN.clone();
    float[] std = ModelProfile.IMAGENET_STD.clone();
    float scale = ModelProfile.DEFAULT_SCALE;
    OutputActivation activation = OutputActivation.AUTO;

    ModelProfileBuilder(String name) {
        requireNonNull(name, "name cannot be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("profile name cannot be blank");
        }
        this.name = name;
    }

    public ModelProfileBuilder inputName(String inputName) {
        this.inputName = inputName;
        return this;
    }

    public ModelProfileBuilder outputName(String outputName) {
        this.outputName = outputName;
        return this;
    }

    public ModelProfileBuilder inputSize(int size) {
        return inputSize(size, size);
    }

    public ModelProfileBuilder inputSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(
                    "input size must be positive: " + width + "x" + height);
        }
        this.inputWidth = width;
        this.inputHeight = height;
        return this;
    }

    public ModelProfileBuilder mean(float... rgb) {
        this.mean = threeChannels("mean", rgb);
        return this;
    }

    public ModelProfileBuilder std(float... rgb) {
        float[] values = threeChannels("std", rgb);
        for (float v : values) {
            if (!(v > 0f) || Float.isInfinite(v)) {
                throw new IllegalArgumentException(
                        "std must be positive and finite: " + Arrays.toString(rgb));
            }
        }
        this.std = values;
        return this;
    }

    public ModelProfileBuilder scale(float scale) {
        if (!(scale > 0f) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite: " + scale);
        }
        this.scale = scale;
        return this;
    }

    public ModelProfileBuilder activation(OutputActivation activation) {
        this.activation = requireNonNull(activation, "activation cannot be null");
        return this;
    }

    public ModelProfile build() {
        return new ModelProfile(this);
    }

    private static float[] threeChannels(String what, float[] rgb) {
        if (rgb == null || rgb.length != 3) {
            throw new IllegalArgumentException(what + " needs exactly 3 values (R, G, B)");
        }
        for (float v : rgb) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(
                        what + " must be finite: " + Arrays.toString(rgb));
            }
        }
        return rgb.clone();
    }
}
