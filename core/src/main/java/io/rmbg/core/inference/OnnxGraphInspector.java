package io.rmbg.core.inference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Answers "which operator produces this graph output?" by reading the ONNX protobuf directly.
 *
 * <p>ONNX Runtime's Java API exposes inputs and outputs but not the graph, and whether a model ends
 * in a Sigmoid (probabilities) or not (logits) decides how its output must be read. The file is
 * read as a stream through a small buffer, seeking over the large parts (initializers, node
 * attributes): a 900 MB RMBG-2.0 model costs a few hundred KB of reads and no large allocations,
 * and the 2 GB {@code MappedByteBuffer} limit does not apply.
 *
 * <p>Only {@code ModelProto.graph} is visited, not subgraphs of control-flow nodes. Every failure
 * (unreadable, not ONNX, no such output) yields {@link Optional#empty()}: callers then fall back to
 * probing the model. Stateless and thread-safe.
 */
public final class OnnxGraphInspector {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxGraphInspector.class);

    /**
     * Operators that move or resample values without changing what they mean; {@link
     * #activationOpType} looks through them (via their first input) to the operator that decides
     * the value range.
     */
    private static final Set<String> PASS_THROUGH =
            Set.of(
                    "Identity",
                    "Cast",
                    "Reshape",
                    "Squeeze",
                    "Unsqueeze",
                    "Flatten",
                    "Transpose",
                    "Resize",
                    "Upsample",
                    "Slice",
                    "Expand");

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int VALUE_INFO_NAME = 1;
    private static final int MAX_NAME_BYTES = 1 << 16;

    private OnnxGraphInspector() {}

    /**
     * The op type of the node that produces graph output {@code outputName}.
     *
     * @param outputName a graph output, or {@code null} for the first one
     * @return the op type, e.g. {@code "Sigmoid"}; empty if the file cannot be read as ONNX, there
     *     is no such output, or the output is produced by no node (an input or initializer)
     */
    public static Optional<String> producerOpType(Path model, String outputName) {
        return inspect(model, outputName, false);
    }

    /**
     * Like {@link #producerOpType}, but looks through layout and resampling operators such as
     * Reshape or Resize, so a {@code Sigmoid → Resize} tail still reports {@code "Sigmoid"}.
     */
    public static Optional<String> activationOpType(Path model, String outputName) {
        return inspect(model, outputName, true);
    }

    private static Optional<String> inspect(Path model, String outputName, boolean lookThrough) {
        Graph graph;
        try {
            graph = Graph.read(model);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot read the ONNX graph of {}: {}", model, e.toString());
            return Optional.empty();
        }
        String output =
                outputName != null
                        ? outputName
                        : graph.outputs.isEmpty() ? null : graph.outputs.get(0);
        if (output == null || !graph.outputs.contains(output)) {
            return Optional.empty();
        }
        Node node = graph.producers.get(output);
        // Bounded by the node count, so a malformed cyclic graph cannot loop forever.
        for (int hops = 0; lookThrough && node != null && hops < graph.producers.size(); hops++) {
            if (!PASS_THROUGH.contains(node.opType) || node.firstInput == null) {
                break;
            }
            Node upstream = graph.producers.get(node.firstInput);
            if (upstream == null) {
                break;
            }
            node = upstream;
        }
        return node == null ? Optional.empty() : Optional.of(node.opType);
    }

    private record Node(String opType, String firstInput) {}

    /** The graph's output names and, for every tensor name, the node producing it. */
    private static final class Graph {
        final List<String> outputs = new ArrayList<>();
        final Map<String, Node> producers = new HashMap<>();

        static Graph read(Path file) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                ProtoStreamReader in = new ProtoStreamReader(channel);
                long end = channel.size();
                while (in.position() < end) {
                    long tag = in.readVarint();
                    if (fieldOf(tag) == MODEL_GRAPH
                            && wireOf(tag) == ProtoStreamReader.LENGTH_DELIMITED) {
                        Graph graph = new Graph();
                        graph.readGraph(in, in.messageEnd(end));
                        return graph;
                    }
                    in.skipField(wireOf(tag), end);
                }
                throw new IOException("no graph in " + file);
            }
        }

        private void readGraph(ProtoStreamReader in, long end) throws IOException {
            while (in.position() < end) {
                long tag = in.readVarint();
                int field = fieldOf(tag);
                int wire = wireOf(tag);
                if (wire == ProtoStreamReader.LENGTH_DELIMITED && field == GRAPH_NODE) {
                    readNode(in, in.messageEnd(end));
                } else if (wire == ProtoStreamReader.LENGTH_DELIMITED && field == GRAPH_OUTPUT) {
                    readOutput(in, in.messageEnd(end));
                } else {
                    in.skipField(wire, end); // initializers: seek over their data
                }
            }
        }

        private void readNode(ProtoStreamReader in, long end) throws IOException {
            String opType = null;
            String firstInput = null;
            List<String> nodeOutputs = new ArrayList<>(1);
            while (in.position() < end) {
                long tag = in.readVarint();
                int field = fieldOf(tag);
                int wire = wireOf(tag);
                if (wire != ProtoStreamReader.LENGTH_DELIMITED) {
                    in.skipField(wire, end);
                } else if (field == NODE_INPUT) {
                    String input = in.readString(end, MAX_NAME_BYTES);
                    if (firstInput == null) {
                        firstInput = input;
                    }
                } else if (field == NODE_OUTPUT) {
                    nodeOutputs.add(in.readString(end, MAX_NAME_BYTES));
                } else if (field == NODE_OP_TYPE) {
                    opType = in.readString(end, MAX_NAME_BYTES);
                } else {
                    in.skipField(wire, end); // attributes may hold whole tensors or subgraphs
                }
            }
            if (opType != null) {
                Node node =
                        new Node(
                                opType,
                                firstInput == null || firstInput.isEmpty() ? null : firstInput);
                for (String output : nodeOutputs) {
                    if (!output.isEmpty()) {
                        producers.put(output, node);
                    }
                }
            }
        }

        private void readOutput(ProtoStreamReader in, long end) throws IOException {
            while (in.position() < end) {
                long tag = in.readVarint();
                if (fieldOf(tag) == VALUE_INFO_NAME
                        && wireOf(tag) == ProtoStreamReader.LENGTH_DELIMITED) {
                    outputs.add(in.readString(end, MAX_NAME_BYTES));
                } else {
                    in.skipField(wireOf(tag), end);
                }
            }
        }

        private static int fieldOf(long tag) {
            return (int) (tag >>> 3);
        }

        private static int wireOf(long tag) {
            return (int) (tag & 7);
        }
    }
}
