package io.rmbg.core.inference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.rmbg.core.error.ErrorCode;
import io.rmbg.core.error.ProcessingException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Runs packed input tensors through one ONNX Runtime session and copies the raw output maps out.
 * Owns the session and a reused output buffer: one thread at a time, like {@link
 * SegmentationModel}.
 */
final class SessionRunner implements AutoCloseable {
    private final Path file;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final ModelSignature signature;
    private final int width;
    private final int height;
    private FloatBuffer outputBuffer;

    SessionRunner(
            Path file,
            OrtEnvironment environment,
            OrtSession session,
            ModelSignature signature,
            ModelProfile profile) {
        this.file = file;
        this.environment = environment;
        this.session = session;
        this.signature = signature;
        this.width = profile.inputWidth();
        this.height = profile.inputHeight();
    }

    /**
     * Runs {@code count} packed images (the buffer's remaining floats) and stores their raw outputs
     * at {@code maps[to ..]}. When the model declares its output size, the output is pinned to a
     * reused direct buffer, so ONNX Runtime writes it where the maps are copied from (no per-call
     * output allocation and copy); otherwise the shape is only known after the run and ONNX Runtime
     * allocates it. Tensors and the result are closed before returning.
     *
     * @throws ProcessingException with {@link ErrorCode#INFERENCE} if ONNX Runtime fails or returns
     *     an unexpected shape
     */
    void run(FloatBuffer buffer, int count, float[][] maps, int to) throws ProcessingException {
        int plane = width * height;
        long[] shape = {count, 3, height, width};
        String inputName = signature.inputName();
        String outputName = signature.outputName();
        try (OnnxTensor input = OnnxTensor.createTensor(environment, buffer, shape)) {
            if (signature.staticOutputSize()) {
                long[] outShape =
                        signature.outputRank() == 4
                                ? new long[] {count, 1, height, width}
                                : new long[] {count, height, width};
                FloatBuffer out = outputBuffer(count);
                try (OnnxTensor pinned = OnnxTensor.createTensor(environment, out, outShape);
                        OrtSession.Result result =
                                session.run(Map.of(inputName, input), Map.of(outputName, pinned))) {
                    for (int i = 0; i < count; i++) {
                        float[] map = new float[plane];
                        out.get(i * plane, map);
                        maps[to + i] = map;
                    }
                }
                return;
            }
            try (OrtSession.Result result =
                    session.run(Map.of(inputName, input), Set.of(outputName))) {
                OnnxValue value = result.get(outputName).orElse(null);
                if (!(value instanceof OnnxTensor output)
                        || output.getInfo().type != OnnxJavaType.FLOAT) {
                    throw new ProcessingException(
                            ErrorCode.INFERENCE,
                            "model "
                                    + file.getFileName()
                                    + " returned no float tensor '"
                                    + outputName
                                    + "'");
                }
                checkOutputShape(output.getInfo().getShape(), count);
                FloatBuffer data = output.getFloatBuffer();
                for (int i = 0; i < count; i++) {
                    float[] map = new float[plane];
                    data.get(map);
                    maps[to + i] = map;
                }
            }
        } catch (OrtException e) {
            throw new ProcessingException(
                    ErrorCode.INFERENCE,
                    "ONNX Runtime failed on "
                            + count
                            + " image(s) with model "
                            + file.getFileName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private void checkOutputShape(long[] shape, int count) throws ProcessingException {
        long h = height;
        long w = width;
        boolean ok =
                shape.length == 4
                        ? shape[0] == count && shape[1] == 1 && shape[2] == h && shape[3] == w
                        : shape.length == 3 && shape[0] == count && shape[1] == h && shape[2] == w;
        if (!ok) {
            throw new ProcessingException(
                    ErrorCode.INFERENCE,
                    "model "
                            + file.getFileName()
                            + " returned "
                            + "output '"
                            + signature.outputName()
                            + "' of shape "
                            + Arrays.toString(shape)
                            + ", expected ["
                            + count
                            + ", 1, "
                            + h
                            + ", "
                            + w
                            + "]");
        }
    }

    /** The reused direct output buffer, grown to hold {@code count} maps, limit set to them. */
    private FloatBuffer outputBuffer(int count) {
        int floats = count * width * height;
        if (outputBuffer == null || outputBuffer.capacity() < floats) {
            outputBuffer =
                    ByteBuffer.allocateDirect(floats * Float.BYTES)
                            .order(ByteOrder.nativeOrder())
                            .asFloatBuffer();
        }
        outputBuffer.clear().limit(floats);
        return outputBuffer;
    }

    /** Releases the native session and the output buffer. Call once. */
    @Override
    public void close() {
        outputBuffer = null;
        SessionFactory.closeQuietly(session);
    }
}
