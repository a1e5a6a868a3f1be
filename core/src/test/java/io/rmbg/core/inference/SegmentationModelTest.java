package io.rmbg.core.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;
import io.rmbg.core.image.RasterImage;
import io.rmbg.testkit.OnnxModelWriter;
import io.rmbg.testkit.OnnxModelWriter.Attribute;
import io.rmbg.testkit.OnnxModelWriter.Dim;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static io.rmbg.core.inference.TestImages.BLUE;
import static io.rmbg.core.inference.TestImages.RED;
import static io.rmbg.core.inference.TestImages.redLeftBlueRight;
import static io.rmbg.core.inference.TestImages.redRectOnBlue;
import static io.rmbg.core.inference.TestImages.solid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SegmentationModelTest {
    private static final int SIZE = 64;
    private static final ModelProfile PROFILE =
            ModelProfile.RMBG_2_0.toBuilder().inputSize(SIZE).build();

    @TempDir static Path dir;

    private static Path colourKey;
    private static Path colourKeyLogits;

    @BeforeAll
    static void writeModels() throws Exception {
        colourKey = dir.resolve("colour-key.onnx");
        colourKeyLogits = dir.resolve("colour-key-logits.onnx");
        SyntheticModels.writeColourKeyModel(colourKey, SIZE);
        SyntheticModels.writeColourKeyLogitsModel(colourKeyLogits, SIZE);
    }

    private static SegmentationModel load(Path file, ModelProfile profile) {
        return SegmentationModel.load(file, profile, ExecutionDevice.CPU, 1);
    }

    @Test
    void describesTheLoadedModel() throws Exception {
        try (SegmentationModel model = load(colourKey, PROFILE)) {
            String sha =
                    HexFormat.of()
                            .formatHex(
                                    MessageDigest.getInstance("SHA-256")
                                            .digest(Files.readAllBytes(colourKey)));
            assertThat(model.modelVersion()).hasSize(12).isEqualTo(sha.substring(0, 12));
            assertThat(model.dynamicBatch()).isTrue();
            assertThat(model.inputWidth()).isEqualTo(SIZE);
            assertThat(model.inputHeight()).isEqualTo(SIZE);
            assertThat(model.profile()).isSameAs(PROFILE);
            assertThat(model.inputName()).isEqualTo(SyntheticModels.INPUT);
            assertThat(model.outputName()).isEqualTo(SyntheticModels.OUTPUT);
            assertThat(model.executionProvider()).isEqualTo("CPU");
            assertThat(model.loadMillis()).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void redIsSubjectAndBlueIsBackground() throws Exception {
        try (SegmentationModel model = load(colourKey, PROFILE)) {
            float[] mask = model.infer(List.of(redRectOnBlue(200, 100, 50, 25, 150, 75)))[0];

            assertThat(mask).hasSize(SIZE * SIZE);
            // The red rectangle covers x 16..48, y 16..48 of the 64x64 input.
            assertThat(at(mask, 32, 32)).isCloseTo(1f, within(1e-4f));
            assertThat(at(mask, 20, 44)).isCloseTo(1f, within(1e-4f));
            assertThat(at(mask, 2, 2)).isCloseTo(0f, within(1e-4f));
            assertThat(at(mask, 60, 32)).isCloseTo(0f, within(1e-4f));
            assertThat(at(mask, 32, 60)).isCloseTo(0f, within(1e-4f));
        }
    }

    @Test
    void followsTheColourKeyRuleForOtherColours() throws Exception {
        int purple = 0xFFC80064; // R 200, G 0, B 100
        try (SegmentationModel model = load(colourKey, PROFILE)) {
            float[][] masks = model.infer(List.of(solid(8, 8, 0xFF808080), solid(8, 8, purple)));

            assertThat(at(masks[0], 10, 10)).isCloseTo(0.5f, within(1e-4f));
            assertThat((double) at(masks[1], 10, 10))
                    .isCloseTo(SyntheticModels.colourKeyProbability(200, 0, 100), within(1e-4));
        }
    }

    @Test
    void autoResolvesToNoneForASigmoidOutputAndToSigmoidForLogits() throws Exception {
        RasterImage image = redLeftBlueRight(90, 70);
        try (SegmentationModel probabilities = load(colourKey, PROFILE);
                SegmentationModel logits = load(colourKeyLogits, PROFILE)) {
            assertThat(probabilities.activation()).isEqualTo(OutputActivation.NONE);
            assertThat(probabilities.activationDescription()).contains("Sigmoid");
            assertThat(logits.activation()).isEqualTo(OutputActivation.SIGMOID);
            assertThat(logits.activationDescription()).contains("Conv");

            float[] a = probabilities.infer(List.of(image))[0];
            float[] b = logits.infer(List.of(image))[0];
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).as("pixel %d", i).isCloseTo(a[i], within(1e-5f));
            }
            assertThat(at(b, 5, 30)).isCloseTo(1f, within(1e-4f));
            assertThat(at(b, 60, 30)).isCloseTo(0f, within(1e-4f));
        }
    }

    @Test
    void autoFallsBackToAProbeWhenTheGraphCannotBeInspected() {
        try (SegmentationModel probabilities =
                        SegmentationModel.load(
                                colourKey,
                                PROFILE,
                                ExecutionDevice.CPU,
                                1,
                                (file, output) -> Optional.empty());
                SegmentationModel logits =
                        SegmentationModel.load(
                                colourKeyLogits,
                                PROFILE,
                                ExecutionDevice.CPU,
                                1,
                                (file, output) -> Optional.empty())) {
            assertThat(probabilities.activation()).isEqualTo(OutputActivation.NONE);
            assertThat(logits.activation()).isEqualTo(OutputActivation.SIGMOID);
            assertThat(logits.activationDescription()).contains("probe");
        }
    }

    @Test
    void explicitActivationsOverrideAuto() throws Exception {
        ModelProfile minMax = PROFILE.toBuilder().activation(OutputActivation.MIN_MAX).build();
        try (SegmentationModel model = load(colourKeyLogits, minMax)) {
            assertThat(model.activation()).isEqualTo(OutputActivation.MIN_MAX);
            assertThat(model.activationDescription()).isEqualTo("min-max (profile)");

            float[] mask = model.infer(List.of(redLeftBlueRight(64, 64)))[0];
            assertThat(at(mask, 3, 3)).isEqualTo(1f);
            assertThat(at(mask, 60, 3)).isEqualTo(0f);
        }
    }

    @Test
    void aBatchReturnsOneMaskPerImageInOrder() throws Exception {
        List<RasterImage> batch =
                List.of(solid(10, 10, RED), solid(37, 23, BLUE), redLeftBlueRight(64, 64));
        try (SegmentationModel model = load(colourKey, PROFILE)) {
            float[][] masks = model.infer(batch);
            assertBatchMasks(masks);
            // Growing and shrinking the reused input buffer keeps results right.
            assertBatchMasks(model.infer(batch));
            assertThat(model.infer(List.of(solid(5, 5, BLUE)))[0][0]).isCloseTo(0f, within(1e-4f));
            assertThat(model.infer(List.of())).isEmpty();
        }
    }

    @Test
    void aFixedBatchModelRunsImageByImage() throws Exception {
        Path fixed = dir.resolve("colour-key-fixed.onnx");
        SyntheticModels.colourKey(SIZE, true, false).write(fixed);
        try (SegmentationModel model = load(fixed, PROFILE)) {
            assertThat(model.dynamicBatch()).isFalse();
            assertBatchMasks(
                    model.infer(
                            List.of(
                                    solid(10, 10, RED),
                                    solid(37, 23, BLUE),
                                    redLeftBlueRight(64, 64))));
        }
    }

    @Test
    void prePackedImagesGiveTheSameMasksAsImages() throws Exception {
        List<RasterImage> images =
                List.of(solid(10, 10, RED), solid(37, 23, BLUE), redLeftBlueRight(64, 64));
        try (SegmentationModel model = load(colourKeyLogits, PROFILE)) {
            FloatBuffer packed = model.newInputBuffer(5);
            Preprocessor preprocessor = model.newPreprocessor();
            for (int i = 0; i < images.size(); i++) {
                preprocessor.pack(images.get(i), packed, i + 2); // items 2..4 of the buffer
            }

            float[][] raw = model.inferPacked(packed, 2, 3);
            assertThat(raw[0][0]).as("raw logits before activate()").isGreaterThan(1f);
            for (float[] map : raw) {
                model.activate(map);
            }
            assertBatchMasks(raw);
            float[][] expected = model.infer(images);
            for (int i = 0; i < 3; i++) {
                assertThat(raw[i]).containsExactly(expected[i], within(1e-6f));
            }
            float[][] single = model.inferPacked(packed, 4, 1);
            model.activate(single[0]);
            assertThat(single[0]).containsExactly(expected[2], within(1e-6f));
            assertThatThrownBy(() -> model.inferPacked(packed, 4, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void aFixedBatchModelRunsPrePackedImagesOneByOne() throws Exception {
        Path fixed = dir.resolve("colour-key-fixed-packed.onnx");
        SyntheticModels.colourKey(SIZE, true, false).write(fixed);
        try (SegmentationModel model = load(fixed, PROFILE)) {
            assertThat(model.maxBatchSize()).isEqualTo(1);
            FloatBuffer packed = model.newInputBuffer(3);
            Preprocessor preprocessor = model.newPreprocessor();
            List<RasterImage> images =
                    List.of(solid(10, 10, RED), solid(37, 23, BLUE), redLeftBlueRight(64, 64));
            for (int i = 0; i < images.size(); i++) {
                preprocessor.pack(images.get(i), packed, i);
            }
            float[][] masks = model.inferPacked(packed, 0, 3);
            for (float[] map : masks) {
                model.activate(map);
            }
            assertBatchMasks(masks);
        }
    }

    private static void assertBatchMasks(float[][] masks) {
        assertThat(masks).hasNumberOfRows(3);
        assertThat(at(masks[0], 30, 30)).isCloseTo(1f, within(1e-4f));
        assertThat(at(masks[1], 30, 30)).isCloseTo(0f, within(1e-4f));
        assertThat(at(masks[2], 10, 30)).isCloseTo(1f, within(1e-4f));
        assertThat(at(masks[2], 50, 30)).isCloseTo(0f, within(1e-4f));
    }

    @Test
    void runsAtRmbgFullSize() throws Exception {
        Path full = dir.resolve("colour-key-1024.onnx");
        SyntheticModels.writeColourKeyModel(full, 1024);
        try (SegmentationModel model = load(full, ModelProfile.named("rmbg-2.0"))) {
            float[] mask = model.infer(List.of(redRectOnBlue(400, 300, 100, 75, 300, 225)))[0];

            assertThat(mask).hasSize(1024 * 1024);
            assertThat(mask[512 * 1024 + 512]).isCloseTo(1f, within(1e-4f));
            assertThat(mask[10 * 1024 + 10]).isCloseTo(0f, within(1e-4f));
            assertThat(mask[1000 * 1024 + 1000]).isCloseTo(0f, within(1e-4f));
        }
    }

    @Test
    void rejectsAProfileWhoseInputSizeDiffersFromTheModel() throws Exception {
        Path full = dir.resolve("colour-key-1024-for-320.onnx");
        SyntheticModels.writeColourKeyModel(full, 1024);
        ModelProfile small = ModelProfile.builder("small-320").inputSize(320).build();

        assertThatThrownBy(() -> load(full, small))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(full.toString())
                .hasMessageContaining("small-320")
                .hasMessageContaining("320")
                .hasMessageContaining("1024");
    }

    @Test
    void rejectsAModelWithTheWrongNumberOfChannels() throws Exception {
        Path grey = dir.resolve("one-channel.onnx");
        new OnnxModelWriter("one_channel")
                .input("pixel_values", Dim.symbolic("batch"), Dim.of(1), Dim.of(SIZE), Dim.of(SIZE))
                .output("alphas", Dim.symbolic("batch"), Dim.of(1), Dim.of(SIZE), Dim.of(SIZE))
                .node("Sigmoid", List.of("pixel_values"), List.of("alphas"))
                .write(grey);

        assertThatThrownBy(() -> load(grey, PROFILE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one-channel.onnx")
                .hasMessageContaining("[N, 3, 64, 64]")
                .hasMessageContaining("'pixel_values' float [batch, 1, 64, 64]");
    }

    @Test
    void rejectsAnOutputThatIsNotOneChannel() throws Exception {
        Path twoChannels = dir.resolve("two-channel-output.onnx");
        new OnnxModelWriter("two_channel_output")
                .input("pixel_values", Dim.symbolic("batch"), Dim.of(3), Dim.of(SIZE), Dim.of(SIZE))
                .output("alphas", Dim.symbolic("batch"), Dim.of(2), Dim.of(SIZE), Dim.of(SIZE))
                .initializer("w", new float[6], 2, 3, 1, 1)
                .node(
                        "Conv",
                        List.of("pixel_values", "w"),
                        List.of("alphas"),
                        Attribute.ints("kernel_shape", 1, 1))
                .write(twoChannels);

        assertThatThrownBy(() -> load(twoChannels, PROFILE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[N, 1, 64, 64]")
                .hasMessageContaining("'alphas' float [batch, 2, 64, 64]");
    }

    @Test
    void rejectsAnInputNameTheModelDoesNotHave() {
        ModelProfile named = PROFILE.toBuilder().inputName("input_image").build();

        assertThatThrownBy(() -> load(colourKey, named))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'input_image'")
                .hasMessageContaining("'pixel_values'");
    }

    @Test
    void rejectsMissingAndCorruptFiles() throws Exception {
        Path missing = dir.resolve("missing.onnx");
        assertThatThrownBy(() -> load(missing, PROFILE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.onnx");

        Path corrupt = dir.resolve("corrupt.onnx");
        Files.write(corrupt, new byte[] {1, 2, 3, 4, 5, 6, 7});
        assertThatThrownBy(() -> load(corrupt, PROFILE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("corrupt.onnx");
    }

    @Test
    void fallsBackToCpuWhenCudaIsUnavailable() throws Exception {
        try (SegmentationModel model =
                SegmentationModel.load(colourKey, PROFILE, ExecutionDevice.parse("cuda:0"), 1)) {
            // On a CUDA build with a GPU this runs on CUDA; elsewhere it must still work on CPU.
            assertThat(model.executionProvider()).isIn("CPU", "CUDA:0");
            assertThat(at(model.infer(List.of(solid(4, 4, RED)))[0], 1, 1))
                    .isCloseTo(1f, within(1e-4f));
        }
    }

    @Test
    void stepsDownFromTensorRtToCudaToCpuWhenTheyAreUnavailable() throws Exception {
        GpuOptions everything =
                new GpuOptions(
                        "HEURISTIC",
                        "kSameAsRequested",
                        512L << 20,
                        true,
                        true,
                        dir.resolve("trt-cache").toString());
        try (SegmentationModel model =
                SegmentationModel.load(
                        colourKey, PROFILE, ExecutionDevice.cuda(0), 1, everything)) {
            // With the CPU build of ONNX Runtime neither provider loads; with onnxruntime_gpu on a
            // GPU
            // machine TensorRT or CUDA does. Either way the model answers.
            boolean gpuBuild = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
            if (!gpuBuild) {
                assertThat(model.executionProvider()).isEqualTo("CPU");
            }
            assertThat(model.executionProvider()).isIn("CPU", "CUDA:0", "TensorRT:0");
            assertThat(at(model.infer(List.of(solid(4, 4, RED)))[0], 1, 1))
                    .isCloseTo(1f, within(1e-4f));
        }
    }

    @Test
    void wrapsRuntimeFailuresAsInferenceErrors() throws Exception {
        // Input and output sizes are dynamic, so loading passes, but the stride-2 Conv returns a
        // 32x32 map for a 64x64 input.
        Path strided = dir.resolve("strided.onnx");
        new OnnxModelWriter("strided")
                .input(
                        "pixel_values",
                        Dim.symbolic("batch"),
                        Dim.of(3),
                        Dim.symbolic("h"),
                        Dim.symbolic("w"))
                .output(
                        "alphas",
                        Dim.symbolic("batch"),
                        Dim.of(1),
                        Dim.symbolic("oh"),
                        Dim.symbolic("ow"))
                .initializer("w", new float[] {1, 0, -1}, 1, 3, 1, 1)
                .node(
                        "Conv",
                        List.of("pixel_values", "w"),
                        List.of("logits"),
                        Attribute.ints("kernel_shape", 1, 1),
                        Attribute.ints("strides", 2, 2))
                .node("Sigmoid", List.of("logits"), List.of("alphas"))
                .write(strided);

        try (SegmentationModel model = load(strided, PROFILE)) {
            assertThatThrownBy(() -> model.infer(List.of(solid(4, 4, RED))))
                    .isInstanceOf(ProcessingException.class)
                    .hasMessageContaining("[1, 1, 32, 32]")
                    .satisfies(
                            e ->
                                    assertThat(((ProcessingException) e).code())
                                            .isEqualTo(ErrorCode.INFERENCE));
        }
    }

    @Test
    void refusesToInferAfterClose() {
        SegmentationModel model = load(colourKey, PROFILE);
        model.close();
        model.close(); // idempotent

        assertThatThrownBy(() -> model.infer(List.of(solid(4, 4, RED))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aModelAnsweringNanFailsTheImageAsInferenceSayingWhy() throws Exception {
        Path nan = dir.resolve("nan.onnx");
        SyntheticModels.writeNanModel(nan, SIZE);
        try (SegmentationModel model = load(nan, PROFILE)) {
            assertThatThrownBy(() -> model.infer(List.of(solid(8, 8, RED))))
                    .isInstanceOf(NonFiniteOutputException.class)
                    .hasMessageContaining("non-finite")
                    .hasMessageContaining(
                            SIZE * SIZE + " non-finite values (NaN or infinity) of " + SIZE * SIZE)
                    .satisfies(
                            e ->
                                    assertThat(((NonFiniteOutputException) e).code())
                                            .isEqualTo(io.rmbg.core.error.ErrorCode.INFERENCE));
        }
    }

    private static float at(float[] mask, int x, int y) {
        return mask[y * SIZE + x];
    }
}
