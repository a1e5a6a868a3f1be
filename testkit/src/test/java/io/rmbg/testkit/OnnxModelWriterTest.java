package io.rmbg.testkit;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.rmbg.testkit.OnnxModelWriter.Attribute;
import io.rmbg.testkit.OnnxModelWriter.Dim;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnnxModelWriterTest {

    @Test
    void encodesProtobufFieldsByTheBook() {
        byte[] bytes = new OnnxModelWriter("g").producer("p").toByteArray();

        assertThat(bytes)
                .startsWith(
                        0x08, 10, // ir_version = 10
                        0x12, 1, 'p', // producer_name = "p"
                        0x3A, 3, 0x12, 1, 'g', // graph { name = "g" }
                        0x42, 4, 0x0A, 0, 0x10, 21); // opset_import { domain = "", version = 21 }
        assertThat(bytes).hasSize(16);
    }

    @Test
    void encodesNegativeVarintsInTenBytes() {
        byte[] bytes = new ProtoOutput().varintField(1, -1).toByteArray();

        assertThat(bytes)
                .hasSize(11)
                .startsWith(0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    }

    @Test
    void buildsModelsOnnxRuntimeRuns() throws Exception {
        // y = Gemm(x, W) + b then Relu, with a symbolic batch: checks initializers, attributes,
        // dims.
        byte[] model =
                new OnnxModelWriter("gemm")
                        .input("x", Dim.symbolic("batch"), Dim.of(2))
                        .output("y", Dim.symbolic("batch"), Dim.of(3))
                        .initializer("W", new float[] {1, 2, 3, 4, 5, 6}, 3, 2)
                        .initializer("b", new float[] {0.5f, -100f, 0f}, 3)
                        .node(
                                "Gemm",
                                List.of("x", "W", "b"),
                                List.of("g"),
                                Attribute.i("transB", 1),
                                Attribute.f("alpha", 2f))
                        .node("Relu", List.of("g"), List.of("y"))
                        .toByteArray();
        OrtEnvironment env = OrtEnvironment.getEnvironment();

        try (OrtSession session = env.createSession(model)) {
            NodeInfo input = session.getInputInfo().get("x");
            assertThat(((TensorInfo) input.getInfo()).getShape()).containsExactly(-1, 2);
            assertThat(((TensorInfo) input.getInfo()).getDimensionNames()[0]).isEqualTo("batch");

            try (OnnxTensor x =
                            OnnxTensor.createTensor(
                                    env,
                                    FloatBuffer.wrap(new float[] {1, 1, 2, 0}),
                                    new long[] {2, 2});
                    OrtSession.Result result = session.run(Map.of("x", x))) {
                float[] y = ((OnnxTensor) result.get(0)).getFloatBuffer().array();
                // row 1: 2*[3, 7, 11] + b; row 2: 2*[2, 6, 10] + b; then Relu
                assertThat(y)
                        .containsExactly(new float[] {6.5f, 0f, 22f, 4.5f, 0f, 20f}, within(1e-6f));
            }
        }
    }

    @Test
    void rejectsInitializersWhoseDimsDoNotMatchTheData() {
        OnnxModelWriter writer = new OnnxModelWriter("g");

        assertThatThrownBy(() -> writer.initializer("w", new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'");
        assertThatThrownBy(() -> Dim.of(-2)).isInstanceOf(IllegalArgumentException.class);
    }
}
