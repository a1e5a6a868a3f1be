package io.rmbg.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Builds small ONNX models without the onnx/protobuf libraries, so tests and benchmarks can make
 * models with a known behaviour on the fly instead of shipping binaries (a real RMBG-2.0 model is
 * ~900 MB and its masks are not predictable).
 *
 * <p>It encodes just the subset of {@code onnx.proto} a feed-forward graph needs: {@code
 * ModelProto}, {@code GraphProto}, {@code NodeProto}, {@code AttributeProto}, {@code TensorProto}
 * (raw little-endian data) and {@code ValueInfoProto}. Models declare IR version {@value
 * #IR_VERSION} and default-domain opset {@value #OPSET_VERSION}, which ONNX Runtime 1.29 loads.
 *
 * <pre>{@code
 * byte[] model = new OnnxModelWriter("identity")
 *         .input("x", Dim.symbolic("batch"), Dim.of(3))
 *         .output("y", Dim.symbolic("batch"), Dim.of(3))
 *         .node("Identity", List.of("x"), List.of("y"))
 *         .toByteArray();
 * }</pre>
 *
 * <p>Not thread-safe; a builder is meant to be used once.
 */
public final class OnnxModelWriter {
    public static final long IR_VERSION = 10;
    public static final long OPSET_VERSION = 21;

    /** {@code TensorProto.DataType.FLOAT}. */
    public static final int FLOAT = 1;

    /** {@code TensorProto.DataType.INT64}. */
    public static final int INT64 = 7;

    /** {@code TensorProto.DataType.FLOAT16}. */
    public static final int FLOAT16 = 10;

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION_FIELD = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    // ValueInfoProto / TypeProto / TypeProto.Tensor / TensorShapeProto / Dimension
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    private final String graphName;
    private String producerName = "rmbg-flink";
    private final List<ProtoOutput> nodes = new ArrayList<>();
    private final List<ProtoOutput> initializers = new ArrayList<>();
    private final List<ProtoOutput> inputs = new ArrayList<>();
    private final List<ProtoOutput> outputs = new ArrayList<>();

    public OnnxModelWriter(String graphName) {
        this.graphName = requireNonNull(graphName, "graphName cannot be null");
    }

    /** One dimension of a graph input or output: a fixed size or a named symbolic size. */
    public record Dim(long value, String param) {
        public Dim {
            if (param == null && value < 0) {
                throw new IllegalArgumentException("dimension must be >= 0: " + value);
            }
        }

        public static Dim of(long value) {
            return new Dim(value, null);
        }

        /** A dynamic dimension, e.g. {@code "batch"}; ONNX Runtime reports it as -1. */
        public static Dim symbolic(String name) {
            return new Dim(-1, requireNonNull(name, "name cannot be null"));
        }

        ProtoOutput encode() {
            ProtoOutput dim = new ProtoOutput();
            return param == null
                    ? dim.varintField(DIM_VALUE, value)
                    : dim.stringField(DIM_PARAM, param);
        }
    }

    /** A node attribute ({@code AttributeProto}); only the kinds the synthetic models use. */
    public static final class Attribute {
        // AttributeProto fields and AttributeType values
        private static final int NAME = 1;
        private static final int F = 2;
        private static final int I = 3;
        private static final int S = 4;
        private static final int FLOATS = 7;
        private static final int INTS = 8;
        private static final int TYPE = 20;
        private static final int TYPE_FLOAT = 1;
        private static final int TYPE_INT = 2;
        private static final int TYPE_STRING = 3;
        private static final int TYPE_FLOATS = 6;
        private static final int TYPE_INTS = 7;

        private final ProtoOutput proto;

        private Attribute(String name, int type) {
            this.proto =
                    new ProtoOutput()
                            .stringField(NAME, requireNonNull(name, "name cannot be null"))
                            .varintField(TYPE, type);
        }

        public static Attribute f(String name, float value) {
            Attribute a = new Attribute(name, TYPE_FLOAT);
            a.proto.floatField(F, value);
            return a;
        }

        public static Attribute i(String name, long value) {
            Attribute a = new Attribute(name, TYPE_INT);
            a.proto.varintField(I, value);
            return a;
        }

        public static Attribute s(String name, String value) {
            Attribute a = new Attribute(name, TYPE_STRING);
            a.proto.stringField(S, value);
            return a;
        }

        public static Attribute floats(String name, float... values) {
            Attribute a = new Attribute(name, TYPE_FLOATS);
            for (float v : values) {
                a.proto.floatField(FLOATS, v); // unpacked, the proto2 default
            }
            return a;
        }

        public static Attribute ints(String name, long... values) {
            Attribute a = new Attribute(name, TYPE_INTS);
            for (long v : values) {
                a.proto.varintField(INTS, v);
            }
            return a;
        }
    }

    public OnnxModelWriter producer(String name) {
        this.producerName = requireNonNull(name, "name cannot be null");
        return this;
    }

    /** Declares a float graph input. */
    public OnnxModelWriter input(String name, Dim... dims) {
        return input(name, FLOAT, dims);
    }

    /** Declares a graph input of the given {@code TensorProto.DataType}. */
    public OnnxModelWriter input(String name, int elemType, Dim... dims) {
        inputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** Declares a float graph output. */
    public OnnxModelWriter output(String name, Dim... dims) {
        return output(name, FLOAT, dims);
    }

    public OnnxModelWriter output(String name, int elemType, Dim... dims) {
        outputs.add(valueInfo(name, elemType, dims));
        return this;
    }

    /** Adds a constant float tensor (weights, biases). */
    public OnnxModelWriter initializer(String name, float[] values, long... dims) {
        checkCount(name, values.length, dims);
        ByteBuffer raw =
                ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        initializers.add(tensor(name, FLOAT, raw.array(), dims));
        return this;
    }

    /** Adds a constant int64 tensor (shapes, axes). */
    public OnnxModelWriter int64Initializer(String name, long[] values, long... dims) {
        checkCount(name, values.length, dims);
        ByteBuffer raw =
                ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(tensor(name, INT64, raw.array(), dims));
        return this;
    }

    /**
     * Appends a node of the default ONNX domain. Nodes must be added in topological order, as ONNX
     * requires. The node is named after its op type and position.
     */
    public OnnxModelWriter node(
            String opType,
            List<String> nodeInputs,
            List<String> nodeOutputs,
            Attribute... attributes) {
        ProtoOutput node = new ProtoOutput();
        for (String in : nodeInputs) {
            node.stringField(NODE_INPUT, in);
        }
        for (String out : nodeOutputs) {
            node.stringField(NODE_OUTPUT, out);
        }
        node.stringField(NODE_NAME, opType + "_" + nodes.size());
        node.stringField(NODE_OP_TYPE, opType);
        for (Attribute attribute : attributes) {
            node.messageField(NODE_ATTRIBUTE, attribute.proto);
        }
        nodes.add(node);
        return this;
    }

    /** Encodes the model as an ONNX {@code ModelProto}. */
    public byte[] toByteArray() {
        ProtoOutput graph = new ProtoOutput();
        nodes.forEach(n -> graph.messageField(GRAPH_NODE, n));
        graph.stringField(GRAPH_NAME, graphName);
        initializers.forEach(t -> graph.messageField(GRAPH_INITIALIZER, t));
        inputs.forEach(v -> graph.messageField(GRAPH_INPUT, v));
        outputs.forEach(v -> graph.messageField(GRAPH_OUTPUT, v));

        ProtoOutput opset =
                new ProtoOutput()
                        .stringField(OPSET_DOMAIN, "")
                        .varintField(OPSET_VERSION_FIELD, OPSET_VERSION);
        return new ProtoOutput()
                .varintField(MODEL_IR_VERSION, IR_VERSION)
                .stringField(MODEL_PRODUCER_NAME, producerName)
                .messageField(MODEL_GRAPH, graph)
                .messageField(MODEL_OPSET_IMPORT, opset)
                .toByteArray();
    }

    /** Writes the model to {@code file}, creating parent directories. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, toByteArray());
    }

    private static ProtoOutput valueInfo(String name, int elemType, Dim... dims) {
        ProtoOutput shape = new ProtoOutput();
        for (Dim dim : dims) {
            shape.messageField(SHAPE_DIM, dim.encode());
        }
        ProtoOutput tensorType =
                new ProtoOutput()
                        .varintField(TENSOR_TYPE_ELEM_TYPE, elemType)
                        .messageField(TENSOR_TYPE_SHAPE, shape);
        ProtoOutput type = new ProtoOutput().messageField(TYPE_TENSOR_TYPE, tensorType);
        return new ProtoOutput()
                .stringField(VALUE_INFO_NAME, requireNonNull(name, "name cannot be null"))
                .messageField(VALUE_INFO_TYPE, type);
    }

    private static ProtoOutput tensor(String name, int dataType, byte[] raw, long... dims) {
        ProtoOutput tensor = new ProtoOutput();
        for (long dim : dims) {
            tensor.varintField(TENSOR_DIMS, dim);
        }
        return tensor.varintField(TENSOR_DATA_TYPE, dataType)
                .stringField(TENSOR_NAME, requireNonNull(name, "name cannot be null"))
                .bytesField(TENSOR_RAW_DATA, raw);
    }

    private static void checkCount(String name, int count, long... dims) {
        long expected = 1;
        for (long dim : dims) {
            expected *= dim;
        }
        if (expected != count) {
            throw new IllegalArgumentException(
                    "initializer '"
                            + name
                            + "' has "
                            + count
                            + " values but its dims hold "
                            + expected);
        }
    }
}
