package io.rmbg.testkit;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SyntheticModelsTest {
    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    @TempDir Path dir;

    @Test
    void colourKeyModelFollowsItsDocumentedRule() throws Exception {
        Path file = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(file, 2);
        int[][] pixels = {{255, 0, 0}, {0, 0, 255}, {128, 255, 128}, {200, 10, 100}};
        float[] input = new float[3 * 4];
        for (int p = 0; p < 4; p++) {
            for (int c = 0; c < 3; c++) {
                input[c * 4 + p] = (pixels[p][c] / 255f - MEAN[c]) / STD[c];
            }
        }

        float[] output = run(file, input, new long[] {1, 3, 2, 2}, new long[] {-1, 1, 2, 2});

        assertThat(output[0]).isCloseTo(1f, within(1e-6f));
        assertThat(output[1]).isCloseTo(0f, within(1e-6f));
        assertThat(output[2]).isCloseTo(0.5f, within(1e-5f));
        assertThat((double) output[3])
                .isCloseTo(SyntheticModels.colourKeyProbability(200, 10, 100), within(1e-5));
    }

    @Test
    void logitsModelOmitsTheSigmoid() throws Exception {
        Path file = dir.resolve("colour-key-logits.onnx");
        SyntheticModels.writeColourKeyLogitsModel(file, 1);
        float[] red = {(1 - MEAN[0]) / STD[0], (0 - MEAN[1]) / STD[1], (0 - MEAN[2]) / STD[2]};

        float[] output = run(file, red, new long[] {1, 3, 1, 1}, new long[] {-1, 1, 1, 1});

        assertThat(output[0]).isCloseTo(SyntheticModels.COLOUR_KEY_GAIN, within(1e-4f));
    }

    @Test
    void convStackIsDeterministicAndRuns() throws Exception {
        Path file = dir.resolve("conv-stack.onnx");
        SyntheticModels.writeConvStackModel(file, 16, 4, 8);
        assertThat(SyntheticModels.convStack(16, 4, 8).toByteArray())
                .isEqualTo(Files.readAllBytes(file));

        float[] input = new float[2 * 3 * 16 * 16];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) Math.sin(i * 0.37);
        }
        float[] output = run(file, input, new long[] {2, 3, 16, 16}, new long[] {-1, 1, 16, 16});

        assertThat(output).hasSize(2 * 16 * 16);
        for (float v : output) {
            assertThat(v).isBetween(0f, 1f);
        }
        assertThatThrownBy(() -> SyntheticModels.convStack(16, 1, 8))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mainWritesANamedModel() throws Exception {
        Path file = dir.resolve("sub/cli.onnx");

        SyntheticModels.main(new String[] {"conv-stack", file.toString(), "8", "3", "4"});

        assertThat(Files.readAllBytes(file))
                .isEqualTo(SyntheticModels.convStack(8, 3, 4).toByteArray());
    }

    /**
     * Runs a model on one float tensor, checking the declared output shape, and returns its output.
     */
    private static float[] run(Path file, float[] input, long[] shape, long[] declaredOutput)
            throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString())) {
            assertThat(session.getInputNames()).containsExactly(SyntheticModels.INPUT);
            assertThat(
                            ((TensorInfo)
                                            session.getOutputInfo()
                                                    .get(SyntheticModels.OUTPUT)
                                                    .getInfo())
                                    .getShape())
                    .containsExactly(declaredOutput);
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                    OrtSession.Result result = session.run(Map.of(SyntheticModels.INPUT, tensor))) {
                return ((OnnxTensor) result.get(0)).getFloatBuffer().array();
            }
        }
    }
}
