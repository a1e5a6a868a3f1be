package io.rmbg.testkit;

import io.rmbg.testkit.OnnxModelWriter.Attribute;
import io.rmbg.testkit.OnnxModelWriter.Dim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Small ONNX models with RMBG-2.0's input/output contract, for tests and benchmarks that cannot
 * ship (or predict) the real 900 MB model.
 *
 * <p>Contract, as RMBG-2.0 / BiRefNet exports: one input {@value #INPUT} of float {@code [batch, 3,
 * size, size]} (ImageNet-normalised RGB, {@code batch} a symbolic, dynamic dimension) and one
 * output {@value #OUTPUT} of float {@code [batch, 1, size, size]}. RMBG-2.0 uses {@code size =
 * 1024}; tests use smaller sizes to stay fast.
 *
 * <h2>The colour-key rule</h2>
 *
 * The colour-key models compute, for every pixel with raw RGB values {@code R, G, B} in {@code
 * 0..255}, the logit {@code K * (R - B) / 255} with {@code K =} {@value #COLOUR_KEY_GAIN}, by a 1x1
 * convolution whose weights undo the ImageNet normalisation (mean 0.485/0.456/0.406, std
 * 0.229/0.224/0.225). Green does not matter. So:
 *
 * <ul>
 *   <li>redder than blue ({@code R > B}) is <b>subject</b>: pure red gives {@code sigmoid(30)}, ≈
 *       1;
 *   <li>bluer than red ({@code B > R}) is <b>background</b>: pure blue gives {@code sigmoid(-30)},
 *       ≈ 0;
 *   <li>{@code R == B} (grey, green, black, white) gives exactly 0.5.
 * </ul>
 *
 * {@link #colourKeyProbability(int, int, int)} evaluates the rule in Java for test expectations.
 * Because the model is per-pixel, a mask value only depends on the (resized) pixel under it.
 */
public final class SyntheticModels {
    public static final String INPUT = "pixel_values";
    public static final String OUTPUT = "alphas";
    public static final String BATCH_DIM = "batch";

    /** Logit per unit of {@code (R - B)} in 0..1 pixel space. */
    public static final float COLOUR_KEY_GAIN = 30f;

    private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    private static final long CONV_STACK_SEED = 20240229L;

    private SyntheticModels() {}

    /** Writes the colour-key model (1x1 Conv then Sigmoid): outputs probabilities. */
    public static void writeColourKeyModel(Path file, int size) throws IOException {
        colourKey(size, true, true).write(file);
    }

    /** Writes the colour-key model without its Sigmoid: outputs raw logits. */
    public static void writeColourKeyLogitsModel(Path file, int size) throws IOException {
        colourKey(size, false, true).write(file);
    }

    /**
     * Writes a heavier deterministic net for benchmarks: Conv 3→C 3x3, ReLU, {@code layers - 2} x
     * (Conv C→C 3x3 + ReLU), Conv C→1 1x1, Sigmoid. Its mask is meaningless; its cost scales with
     * {@code layers * channels² * size²}.
     */
    public static void writeConvStackModel(Path file, int size, int layers, int channels)
            throws IOException {
        convStack(size, layers, channels).write(file);
    }

    /**
     * The colour-key graph, for callers that need a variant: without the Sigmoid (logits), or with
     * a fixed batch of 1 instead of the dynamic {@value #BATCH_DIM} dimension.
     */
    public static OnnxModelWriter colourKey(int size, boolean withSigmoid, boolean dynamicBatch) {
        checkSize(size);
        float k = COLOUR_KEY_GAIN;
        // normalised x_c = (raw_c - mean_c) / std_c, so raw_c = std_c * x_c + mean_c and
        // K * (raw_R - raw_B) = (K std_R) x_R - (K std_B) x_B + K (mean_R - mean_B).
        float[] weights = {k * IMAGENET_STD[0], 0f, -k * IMAGENET_STD[2]};
        float[] bias = {k * (IMAGENET_MEAN[0] - IMAGENET_MEAN[2])};
        Dim batch = dynamicBatch ? Dim.symbolic(BATCH_DIM) : Dim.of(1);
        OnnxModelWriter model =
                new OnnxModelWriter("colour_key")
                        .input(INPUT, batch, Dim.of(3), Dim.of(size), Dim.of(size))
                        .output(OUTPUT, batch, Dim.of(1), Dim.of(size), Dim.of(size))
                        .initializer("key_weight", weights, 1, 3, 1, 1)
                        .initializer("key_bias", bias, 1);
        String convOut = withSigmoid ? "logits" : OUTPUT;
        model.node(
                "Conv",
                List.of(INPUT, "key_weight", "key_bias"),
                List.of(convOut),
                Attribute.ints("kernel_shape", 1, 1));
        if (withSigmoid) {
            model.node("Sigmoid", List.of(convOut), List.of(OUTPUT));
        }
        return model;
    }

    /**
     * Writes a broken model with the colour-key contract whose output is NaN everywhere: the
     * colour-key logits {@code x} become {@code (x - x) / (x - x)}, i.e. 0 / 0. For tests of what a
     * model with bad weights or a bad export does.
     */
    public static void writeNanModel(Path file, int size) throws IOException {
        checkSize(size);
        Dim batch = Dim.symbolic(BATCH_DIM);
        new OnnxModelWriter("nan_output")
                .input(INPUT, batch, Dim.of(3), Dim.of(size), Dim.of(size))
                .output(OUTPUT, batch, Dim.of(1), Dim.of(size), Dim.of(size))
                .initializer("key_weight", new float[] {1f, 0f, -1f}, 1, 3, 1, 1)
                .initializer("key_bias", new float[] {0f}, 1)
                .node(
                        "Conv",
                        List.of(INPUT, "key_weight", "key_bias"),
                        List.of("logits"),
                        Attribute.ints("kernel_shape", 1, 1))
                .node("Sub", List.of("logits", "logits"), List.of("zeros"))
                .node("Div", List.of("zeros", "zeros"), List.of(OUTPUT))
                .write(file);
    }

    /** The conv-stack graph of {@link #writeConvStackModel}, with seeded weights. */
    public static OnnxModelWriter convStack(int size, int layers, int channels) {
        checkSize(size);
        if (layers < 2) {
            throw new IllegalArgumentException("a conv stack needs at least 2 layers: " + layers);
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be positive: " + channels);
        }
        Random random = new Random(CONV_STACK_SEED);
        Dim batch = Dim.symbolic(BATCH_DIM);
        OnnxModelWriter model =
                new OnnxModelWriter("conv_stack")
                        .input(INPUT, batch, Dim.of(3), Dim.of(size), Dim.of(size))
                        .output(OUTPUT, batch, Dim.of(1), Dim.of(size), Dim.of(size));
        String current = INPUT;
        int inChannels = 3;
        for (int layer = 0; layer < layers - 1; layer++) {
            String w = "conv" + layer + "_weight";
            String b = "conv" + layer + "_bias";
            model.initializer(
                    w,
                    heWeights(random, channels * inChannels * 9, inChannels * 9),
                    channels,
                    inChannels,
                    3,
                    3);
            model.initializer(b, new float[channels], channels);
            model.node(
                    "Conv",
                    List.of(current, w, b),
                    List.of("conv" + layer),
                    Attribute.ints("kernel_shape", 3, 3),
                    Attribute.ints("pads", 1, 1, 1, 1));
            model.node("Relu", List.of("conv" + layer), List.of("relu" + layer));
            current = "relu" + layer;
            inChannels = channels;
        }
        model.initializer(
                "head_weight", heWeights(random, inChannels, inChannels), 1, inChannels, 1, 1);
        model.initializer("head_bias", new float[1], 1);
        model.node(
                "Conv",
                List.of(current, "head_weight", "head_bias"),
                List.of("head"),
                Attribute.ints("kernel_shape", 1, 1));
        model.node("Sigmoid", List.of("head"), List.of(OUTPUT));
        return model;
    }

    /** What the colour-key model with Sigmoid outputs for one raw RGB pixel. */
    public static double colourKeyProbability(int red, int green, int blue) {
        double logit = COLOUR_KEY_GAIN * (red - blue) / 255.0;
        return 1.0 / (1.0 + Math.exp(-logit));
    }

    /**
     * Writes a model for scripts: {@code <colour-key|colour-key-logits|conv-stack> <file> [size]
     * [layers] [channels]}; size defaults to 1024, layers to 8, channels to 32.
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println(
                    "usage: SyntheticModels <colour-key|colour-key-logits|conv-stack> <file>"
                            + " [size=1024] [layers=8] [channels=32]");
            System.exit(2);
        }
        Path file = Path.of(args[1]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
        switch (args[0].toLowerCase(Locale.ROOT)) {
            case "colour-key", "color-key" -> writeColourKeyModel(file, size);
            case "colour-key-logits", "color-key-logits" -> writeColourKeyLogitsModel(file, size);
            case "conv-stack" ->
                    writeConvStackModel(
                            file,
                            size,
                            args.length > 3 ? Integer.parseInt(args[3]) : 8,
                            args.length > 4 ? Integer.parseInt(args[4]) : 32);
            default -> {
                System.err.println(
                        "unknown model '"
                                + args[0]
                                + "': expected colour-key, colour-key-logits or conv-stack");
                System.exit(2);
            }
        }
        System.out.println("wrote " + file.toAbsolutePath());
    }

    private static float[] heWeights(Random random, int count, int fanIn) {
        double std = Math.sqrt(2.0 / fanIn);
        float[] weights = new float[count];
        for (int i = 0; i < count; i++) {
            weights[i] = (float) (random.nextGaussian() * std);
        }
        return weights;
    }

    private static void checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
    }
}
