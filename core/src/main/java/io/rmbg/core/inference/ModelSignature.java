package io.rmbg.core.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's input and output as checked against its {@link ModelProfile}: one float input {@code
 * [N, 3, H, W]} and a float output {@code [N, 1, H, W]} or {@code [N, H, W]}, where N may be
 * dynamic or 1 and H, W dynamic or the profile's. Checking at load time turns a wrong file or
 * profile into one message saying what was expected and found, instead of a native error per image.
 *
 * @param inputName the input fed (the profile's, or the model's only input)
 * @param outputName the output read (the profile's, or the model's first output)
 * @param dynamicBatch whether one call can take several images (input and output batch symbolic)
 * @param outputRank 4 for {@code [N, 1, H, W]}, 3 for {@code [N, H, W]}
 * @param staticOutputSize whether the output declares every dimension but N, so it can be pinned to
 *     a buffer before the run
 */
record ModelSignature(
        String inputName,
        String outputName,
        boolean dynamicBatch,
        int outputRank,
        boolean staticOutputSize) {
    private static final long DYNAMIC = -1;

    /**
     * @throws IllegalArgumentException if the model does not fit {@code profile}, saying what was
     *     expected and found
     * @throws OrtException if ONNX Runtime cannot describe the session's inputs or outputs
     */
    static ModelSignature check(OrtSession session, Path file, ModelProfile profile)
            throws OrtException {
        long h = profile.inputHeight();
        long w = profile.inputWidth();
        Map<String, NodeInfo> inputs = session.getInputInfo();
        String expectedInput =
                (profile.inputName() == null
                                ? "one input"
                                : "one input '" + profile.inputName() + "'")
                        + " of float [N, 3, "
                        + h
                        + ", "
                        + w
                        + "]";
        if (inputs.size() != 1) {
            throw mismatch(
                    file, profile, expectedInput, inputs.size() + " inputs: " + describe(inputs));
        }
        NodeInfo input = inputs.values().iterator().next();
        if (profile.inputName() != null && !profile.inputName().equals(input.getName())) {
            throw mismatch(file, profile, expectedInput, describe(inputs));
        }
        long[] in = floatShape(input);
        if (in == null
                || in.length != 4
                || in[1] != 3
                || !fits(in[2], h)
                || !fits(in[3], w)
                || !(in[0] == DYNAMIC || in[0] == 1)) {
            throw mismatch(
                    file,
                    profile,
                    expectedInput + " (N dynamic or 1; H, W may be dynamic)",
                    describe(inputs));
        }

        Map<String, NodeInfo> outputs = session.getOutputInfo();
        String wanted = profile.outputName();
        NodeInfo output =
                wanted != null
                        ? outputs.get(wanted)
                        : outputs.isEmpty() ? null : outputs.values().iterator().next();
        String expectedOutput =
                (wanted == null ? "a first output" : "an output '" + wanted + "'")
                        + " of float [N, 1, "
                        + h
                        + ", "
                        + w
                        + "] or [N, "
                        + h
                        + ", "
                        + w
                        + "]";
        long[] out = output == null ? null : floatShape(output);
        boolean outputOk =
                out != null
                        && (out.length == 4
                                ? fits(out[1], 1) && fits(out[2], h) && fits(out[3], w)
                                : out.length == 3 && fits(out[1], h) && fits(out[2], w));
        if (!outputOk) {
            throw mismatch(
                    file,
                    profile,
                    expectedOutput,
                    outputs.isEmpty() ? "no outputs" : describe(outputs));
        }
        boolean dynamicBatch = in[0] == DYNAMIC && out[0] == DYNAMIC;
        boolean staticOutputSize = Arrays.stream(out, 1, out.length).allMatch(d -> d >= 0);
        return new ModelSignature(
                input.getName(), output.getName(), dynamicBatch, out.length, staticOutputSize);
    }

    private static boolean fits(long dim, long expected) {
        return dim == DYNAMIC || dim == expected;
    }

    private static long[] floatShape(NodeInfo node) {
        ValueInfo info = node.getInfo();
        return info instanceof TensorInfo tensor && tensor.type == OnnxJavaType.FLOAT
                ? tensor.getShape()
                : null;
    }

    private static IllegalArgumentException mismatch(
            Path file, ModelProfile profile, String expected, String found) {
        return new IllegalArgumentException(
                "model "
                        + file
                        + " does not fit profile '"
                        + profile.name()
                        + "': expected "
                        + expected
                        + ", found "
                        + found);
    }

    private static String describe(Map<String, NodeInfo> nodes) {
        List<String> parts = new ArrayList<>();
        for (NodeInfo node : nodes.values()) {
            parts.add("'" + node.getName() + "' " + describe(node.getInfo()));
        }
        return String.join(", ", parts);
    }

    private static String describe(ValueInfo info) {
        if (!(info instanceof TensorInfo tensor)) {
            return String.valueOf(info);
        }
        long[] shape = tensor.getShape();
        String[] names = tensor.getDimensionNames();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            boolean named =
                    names != null && i < names.length && names[i] != null && !names[i].isEmpty();
            dims.add(shape[i] >= 0 ? Long.toString(shape[i]) : named ? names[i] : "?");
        }
        return tensor.type.toString().toLowerCase(Locale.ROOT) + " " + dims;
    }
}
