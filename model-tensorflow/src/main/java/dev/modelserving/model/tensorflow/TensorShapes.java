package dev.modelserving.model.tensorflow;

import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.WineFeatures;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

/** Checks, at load time, that a graph's feed takes {@code [n, inputs]} floats and its fetch gives floats. */
final class TensorShapes {

    private TensorShapes() {}

    static void checkInput(Graph graph, String name, int width) throws ModelLoadException {
        Output<?> input = floatOutput(graph, name, "input");
        Shape shape = input.shape();
        if (shape.isUnknown()) {
            return;
        }
        if (shape.numDimensions() != 2
                || (shape.size(1) != Shape.UNKNOWN_SIZE && shape.size(1) != width)) {
            throw new ModelLoadException("input '" + name + "' has shape " + shape + ", expected [-1, " + width
                    + "] (" + (width == WineFeatures.COUNT ? "the 11 wine features; a model of other features names"
                    + " them in the descriptor's input_features" : "one column per input feature") + ")");
        }
    }

    /** The number of output columns, or -1 when the graph does not say. */
    static int outputColumns(Graph graph, String name) throws ModelLoadException {
        Shape shape = floatOutput(graph, name, "output").shape();
        if (shape.isUnknown()) {
            return -1;
        }
        return switch (shape.numDimensions()) {
            case 1 -> 1;
            case 2 -> shape.size(1) == Shape.UNKNOWN_SIZE ? -1 : (int) shape.size(1);
            default -> throw new ModelLoadException("output '" + name + "' has shape " + shape
                    + ", expected [-1, k]");
        };
    }

    private static Output<?> floatOutput(Graph graph, String name, String role) throws ModelLoadException {
        Output<?> output;
        try {
            output = graph.output(name);
        } catch (IllegalArgumentException e) {
            output = null;
        }
        if (output == null) {
            throw new ModelLoadException("the graph has no " + role + " tensor '" + name + "'");
        }
        if (output.dataType() != DataType.DT_FLOAT) {
            throw new ModelLoadException(role + " '" + name + "' is " + output.dataType() + ", expected DT_FLOAT");
        }
        return output;
    }
}
