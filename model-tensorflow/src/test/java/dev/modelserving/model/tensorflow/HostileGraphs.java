package dev.modelserving.model.tensorflow;

import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Graphs that pass every check a load makes and misbehave when they run; for tests here and in the fault suite. */
public final class HostileGraphs {

    private HostileGraphs() {}

    /**
     * A frozen graph with the tutorial's feed and fetch ({@code dense_1_input} [-1,11] to {@code dense_3/Sigmoid}
     * [-1,9]) whose input goes round a {@code While} loop that never ends: its first run (the sample records of a
     * load) never finishes by itself.
     */
    public static byte[] endlessLoop() {
        TensorflowRuntime.ensureLoaded(); // the fault suite builds it while servers load TensorFlow
        try (Graph g = new Graph()) {
            Ops tf = Ops.create(g);
            Placeholder<TFloat32> x = tf.withName("dense_1_input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, 11)));
            Output<?>[] looped = g.whileLoop(new Output<?>[] {x.asOutput()},
                    (cond, in, out) -> {
                        // any sum is != NaN (NaN too is != NaN): always true
                        Ops c = Ops.create(cond);
                        @SuppressWarnings("unchecked")
                        Output<TFloat32> values = (Output<TFloat32>) in[0];
                        out[0] = c.math.notEqual(c.sum(values, c.constant(new int[] {0, 1})),
                                c.constant(Float.NaN)).asOutput();
                    },
                    (body, in, out) -> {
                        Ops b = Ops.create(body);
                        @SuppressWarnings("unchecked")
                        Output<TFloat32> values = (Output<TFloat32>) in[0];
                        out[0] = b.math.add(values, b.constant(0f)).asOutput();
                    },
                    "forever");
            @SuppressWarnings("unchecked")
            Output<TFloat32> result = (Output<TFloat32>) looped[0];
            tf.withSubScope("dense_3").withName("Sigmoid").math.sigmoid(
                    tf.linalg.matMul(result, tf.constant(new float[11][9])));
            return g.toGraphDef().toByteArray();
        }
    }
}
