package io.rmbg.core.inference;

import io.rmbg.testkit.OnnxModelWriter;
import io.rmbg.testkit.OnnxModelWriter.Attribute;
import io.rmbg.testkit.OnnxModelWriter.Dim;
import io.rmbg.testkit.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OnnxGraphInspectorTest {
    @TempDir Path dir;

    @Test
    void findsTheSigmoidOfTheColourKeyModel() throws Exception {
        Path model = dir.resolve("colour-key.onnx");
        SyntheticModels.writeColourKeyModel(model, 32);

        assertThat(OnnxGraphInspector.producerOpType(model, "alphas")).contains("Sigmoid");
        assertThat(OnnxGraphInspector.producerOpType(model, null)).contains("Sigmoid");
        assertThat(OnnxGraphInspector.activationOpType(model, null)).contains("Sigmoid");
    }

    @Test
    void findsTheConvOfTheLogitsModel() throws Exception {
        Path model = dir.resolve("colour-key-logits.onnx");
        SyntheticModels.writeColourKeyLogitsModel(model, 32);

        assertThat(OnnxGraphInspector.producerOpType(model, "alphas")).contains("Conv");
    }

    @Test
    void seeksOverLargeInitializers() throws Exception {
        Path model = dir.resolve("conv-stack.onnx");
        SyntheticModels.writeConvStackModel(
                model, 32, 6, 48); // ~400 KB of weights before the outputs
        assertThat(Files.size(model)).isGreaterThan(300_000);

        assertThat(OnnxGraphInspector.producerOpType(model, "alphas")).contains("Sigmoid");
    }

    @Test
    void looksThroughLayoutOperatorsOnlyWhenAskedTo() throws Exception {
        Path model = dir.resolve("sigmoid-reshape.onnx");
        new OnnxModelWriter("tail")
                .input("x", Dim.symbolic("batch"), Dim.of(1), Dim.of(4), Dim.of(4))
                .output("y", Dim.symbolic("batch"), Dim.of(4), Dim.of(4))
                .int64Initializer("shape", new long[] {-1, 4, 4}, 3)
                .node("Sigmoid", List.of("x"), List.of("p"))
                .node("Identity", List.of("p"), List.of("q"))
                .node("Reshape", List.of("q", "shape"), List.of("y"))
                .write(model);

        assertThat(OnnxGraphInspector.producerOpType(model, "y")).contains("Reshape");
        assertThat(OnnxGraphInspector.activationOpType(model, "y")).contains("Sigmoid");
    }

    @Test
    void picksTheRequestedOutputAmongSeveral() throws Exception {
        Path model = dir.resolve("two-outputs.onnx");
        new OnnxModelWriter("two")
                .input("x", Dim.of(1), Dim.of(2))
                .output("logits", Dim.of(1), Dim.of(2))
                .output("probabilities", Dim.of(1), Dim.of(2))
                .node("Relu", List.of("x"), List.of("logits"))
                .node("Sigmoid", List.of("logits"), List.of("probabilities"))
                .write(model);

        assertThat(OnnxGraphInspector.producerOpType(model, null)).contains("Relu");
        assertThat(OnnxGraphInspector.producerOpType(model, "probabilities")).contains("Sigmoid");
        assertThat(OnnxGraphInspector.producerOpType(model, "x"))
                .isEmpty(); // an input, not an output
        assertThat(OnnxGraphInspector.producerOpType(model, "nope")).isEmpty();
    }

    @Test
    void skipsNodeAttributes() throws Exception {
        Path model = dir.resolve("attributes.onnx");
        new OnnxModelWriter("attrs")
                .input("x", Dim.of(1), Dim.of(3), Dim.of(8), Dim.of(8))
                .output("y", Dim.of(1), Dim.of(3), Dim.of(8), Dim.of(8))
                .node(
                        "LeakyRelu",
                        List.of("x"),
                        List.of("y"),
                        Attribute.f("alpha", 0.2f),
                        Attribute.ints("unused", 1, 2, 3),
                        Attribute.s("note", "x".repeat(100_000)))
                .write(model);

        assertThat(OnnxGraphInspector.producerOpType(model, "y")).contains("LeakyRelu");
    }

    @Test
    void answersEmptyForFilesThatAreNotOnnx() throws Exception {
        Path garbage = dir.resolve("garbage.onnx");
        byte[] bytes = new byte[4096];
        Arrays.fill(bytes, (byte) 0xFF);
        Files.write(garbage, bytes);
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        Path truncated = dir.resolve("truncated.onnx");
        byte[] model = SyntheticModels.colourKey(32, true, true).toByteArray();
        Files.write(truncated, Arrays.copyOf(model, model.length / 2));

        assertThat(OnnxGraphInspector.producerOpType(garbage, null)).isEmpty();
        assertThat(OnnxGraphInspector.producerOpType(empty, null)).isEmpty();
        assertThat(OnnxGraphInspector.producerOpType(truncated, null)).isEmpty();
        assertThat(OnnxGraphInspector.producerOpType(dir.resolve("missing.onnx"), null)).isEmpty();
    }
}
