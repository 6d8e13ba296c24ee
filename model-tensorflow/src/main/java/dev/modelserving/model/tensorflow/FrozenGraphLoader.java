package dev.modelserving.model.tensorflow;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelBytes;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelInput;
import dev.modelserving.proto.ModelDescriptor;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** Loads a frozen {@link GraphDef}: checked for file operations and for its feed and fetch before import. */
final class FrozenGraphLoader {

    private FrozenGraphLoader() {}

    static Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
        GraphDef def = parse(bytes.content());
        FileOpGuard.checkGraph(def);
        String input = TensorflowModelLoader.orDefault(d.getTfInput(), TensorflowModelLoader.DEFAULT_INPUT);
        String output = TensorflowModelLoader.orDefault(d.getTfOutput(), TensorflowModelLoader.DEFAULT_OUTPUT);
        Set<String> nodes = def.getNodeList().stream().map(NodeDef::getName).collect(Collectors.toSet());
        requireNode(nodes, input, "input", "tf_input");
        requireNode(nodes, output, "output", "tf_output");
        List<ModelInput> inputs = TensorflowModelLoader.inputs(d);

        Graph graph = new Graph();
        Session session = null;
        try {
            graph.importGraphDef(def);
            TensorShapes.checkInput(graph, input, inputs.size());
            int columns = TensorShapes.outputColumns(graph, output);
            session = new Session(graph);
            String details = "frozen graph: '" + input + "' [-1," + inputs.size()
                    + "] -> '" + output + "' [-1," + (columns < 0 ? "?" : columns) + "], " + def.getNodeCount()
                    + " nodes";
            return new TensorflowModel(session, input, output, inputs, TensorflowModelLoader.info(d, bytes, details),
                    policy.loadTimeout(), session, graph);
        } catch (ModelLoadException e) {
            closeQuietly(session, graph);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(session, graph);
            throw new ModelLoadException("TensorFlow cannot import the graph: " + e.getMessage(), e);
        }
    }

    private static GraphDef parse(byte[] content) throws ModelLoadException {
        GraphDef def;
        try {
            def = GraphDef.parseFrom(content);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("not a TensorFlow frozen graph (GraphDef): " + e.getMessage(), e);
        }
        if (def.getNodeCount() == 0) {
            throw new ModelLoadException("not a TensorFlow frozen graph (GraphDef): it holds no nodes");
        }
        return def;
    }

    private static void requireNode(Set<String> nodes, String tensor, String role, String field)
            throws ModelLoadException {
        String op = FileOpGuard.nodeName(tensor);
        if (!nodes.contains(op)) {
            throw new ModelLoadException("the graph has no " + role + " operation '" + op + "' (set " + field
                    + " in the descriptor to name another one)");
        }
    }

    static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // Already failing: the load error is the one to report.
                }
            }
        }
    }
}
