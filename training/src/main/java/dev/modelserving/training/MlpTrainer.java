package dev.modelserving.training;

import dev.modelserving.model.tensorflow.TensorflowRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * Trains the tutorial's wine-quality MLP (11 → 32 relu → 16 relu → 9 sigmoid, sigmoid cross-entropy against the
 * one-hot quality, like Keras' {@code binary_crossentropy}) with TF Java: gradients from {@code Graph.addGradients},
 * Adam updates by {@code ApplyAdam} ops, mini-batches of {@value #BATCH_SIZE}.
 *
 * <p>Deterministic for a seed: initial weights (Glorot uniform) and the per-epoch shuffles come from a seeded
 * {@link Random} in Java, and the session runs each op on one thread so sums are always added in the same order.
 */
public final class MlpTrainer {

    static {
        TensorflowRuntime.configureNativeCache();
    }

    public static final int BATCH_SIZE = 32;
    public static final float LEARNING_RATE = 0.01f;
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-7f;
    private static final int FEATURES = TrainedMlp.LAYER_SIZES[0];
    private static final int CLASSES = TrainedMlp.LAYER_SIZES[TrainedMlp.LAYER_SIZES.length - 1];

    private MlpTrainer() {}

    /**
     * Trains on raw features.
     *
     * @param features n rows of the 11 raw wine measurements in UCI order
     * @param quality n labels, each 0..8
     * @param seed fixes the initial weights and the batch order
     * @param epochs passes over the data
     */
    public static TrainedMlp train(double[][] features, int[] quality, long seed, int epochs) {
        validate(features, quality, epochs);
        Random random = new Random(seed);
        float[] mean = new float[FEATURES];
        float[] std = new float[FEATURES];
        standardisation(features, mean, std);
        float[] x = standardised(features, mean, std);
        float[] y = oneHot(quality);
        ConfigProto oneThread = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build();
        try (Graph graph = new Graph(); Session session = new Session(graph, oneThread)) {
            Network net = new Network(Ops.create(graph), random);
            session.initialize();
            int[] order = identity(features.length);
            for (int epoch = 1; epoch <= epochs; epoch++) {
                shuffle(order, random);
                for (int start = 0; start < order.length; start += BATCH_SIZE) {
                    net.step(session, x, y, order, start, Math.min(order.length, start + BATCH_SIZE));
                }
            }
            return net.result(session, x, y, mean, std);
        }
    }

    /** The training graph: placeholders for a batch, weights as variables, Adam's slots and update ops. */
    private static final class Network {
        private final Placeholder<TFloat32> input;
        private final Placeholder<TFloat32> target;
        private final Placeholder<TFloat32> beta1Power;
        private final Placeholder<TFloat32> beta2Power;
        private final List<Variable<TFloat32>> weights = new ArrayList<>();
        private final List<Operand<?>> updates = new ArrayList<>();
        private final Operand<TFloat32> loss;
        private long steps;

        Network(Ops tf, Random random) {
            input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, FEATURES)));
            target = tf.withName("target").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
            beta1Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            beta2Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            Operand<TFloat32> a = input;
            int[] sizes = TrainedMlp.LAYER_SIZES;
            for (int layer = 0; layer < sizes.length - 1; layer++) {
                Ops scope = tf.withSubScope("dense_" + (layer + 1));
                Variable<TFloat32> kernel = scope.withName("kernel").variable(
                        scope.constant(StdArrays.ndCopyOf(glorot(sizes[layer], sizes[layer + 1], random))));
                Variable<TFloat32> bias = scope.withName("bias").variable(scope.constant(new float[sizes[layer + 1]]));
                weights.add(kernel);
                weights.add(bias);
                Operand<TFloat32> z = scope.nn.biasAdd(scope.linalg.matMul(a, kernel), bias);
                a = layer == sizes.length - 2 ? z : scope.nn.relu(z);
            }
            loss = sigmoidCrossEntropy(tf, a, target);
            Gradients gradients = tf.gradients(loss, weights);
            List<Op> allGradients = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                allGradients.add(gradients.dy(i));
            }
            Operand<TFloat32> learningRate = tf.constant(LEARNING_RATE);
            Operand<TFloat32> beta1 = tf.constant(BETA1);
            Operand<TFloat32> beta2 = tf.constant(BETA2);
            Operand<TFloat32> epsilon = tf.constant(EPSILON);
            // Ref variables are read in place: no update may start before every gradient (and so every read of the
            // weights in this step) is done, or a step would mix old and new weights, differently from run to run.
            Ops afterGradients = tf.withControlDependencies(allGradients);
            for (int i = 0; i < weights.size(); i++) {
                Variable<TFloat32> w = weights.get(i);
                Variable<TFloat32> m = tf.variable(tf.zerosLike(w));
                Variable<TFloat32> v = tf.variable(tf.zerosLike(w));
                updates.add(afterGradients.train.applyAdam(w, m, v, beta1Power, beta2Power, learningRate, beta1,
                        beta2, epsilon, gradients.<TFloat32>dy(i)));
            }
        }

        /** mean(max(z, 0) - z * y + log(1 + exp(-|z|))): the numerically stable form, built from ops with gradients. */
        private static Operand<TFloat32> sigmoidCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> y) {
            Operand<TFloat32> perElement = tf.math.add(
                    tf.math.sub(tf.nn.relu(logits), tf.math.mul(logits, y)),
                    tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
            return tf.withName("loss").math.mean(perElement, tf.constant(new int[] {0, 1}));
        }

        void step(Session session, float[] x, float[] y, int[] order, int from, int to) {
            steps++;
            try (TFloat32 xs = rows(x, FEATURES, order, from, to); TFloat32 ys = rows(y, CLASSES, order, from, to);
                    TFloat32 p1 = TFloat32.scalarOf((float) Math.pow(BETA1, steps));
                    TFloat32 p2 = TFloat32.scalarOf((float) Math.pow(BETA2, steps))) {
                Session.Runner runner = session.runner().feed(input, xs).feed(target, ys)
                        .feed(beta1Power, p1).feed(beta2Power, p2);
                updates.forEach(runner::addTarget);
                runner.run().close();
            }
        }

        TrainedMlp result(Session session, float[] x, float[] y, float[] mean, float[] std) {
            int layers = weights.size() / 2;
            float[][][] kernels = new float[layers][][];
            float[][] biases = new float[layers][];
            Session.Runner runner = session.runner();
            weights.forEach(runner::fetch);
            int n = x.length / FEATURES;
            try (TFloat32 xs = TFloat32.tensorOf(Shape.of(n, FEATURES), DataBuffers.of(x, true, false));
                    TFloat32 ys = TFloat32.tensorOf(Shape.of(n, CLASSES), DataBuffers.of(y, true, false));
                    Result values = runner.feed(input, xs).feed(target, ys).fetch(loss).run()) {
                for (int layer = 0; layer < layers; layer++) {
                    kernels[layer] = StdArrays.array2dCopyOf((TFloat32) values.get(2 * layer));
                    biases[layer] = StdArrays.array1dCopyOf((TFloat32) values.get(2 * layer + 1));
                }
                double finalLoss = ((TFloat32) values.get(weights.size())).getFloat();
                return new TrainedMlp(mean, std, kernels, biases, finalLoss);
            }
        }
    }

    private static TFloat32 rows(float[] data, int width, int[] order, int from, int to) {
        float[] batch = new float[(to - from) * width];
        for (int r = from; r < to; r++) {
            System.arraycopy(data, order[r] * width, batch, (r - from) * width, width);
        }
        return TFloat32.tensorOf(Shape.of(to - from, width), DataBuffers.of(batch, true, false));
    }

    private static float[][] glorot(int in, int out, Random random) {
        double limit = Math.sqrt(6.0 / (in + out));
        float[][] w = new float[in][out];
        for (float[] row : w) {
            for (int j = 0; j < out; j++) {
                row[j] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
        }
        return w;
    }

    private static void standardisation(double[][] features, float[] mean, float[] std) {
        int n = features.length;
        for (int j = 0; j < FEATURES; j++) {
            double sum = 0;
            for (double[] row : features) {
                sum += row[j];
            }
            double m = sum / n;
            double squares = 0;
            for (double[] row : features) {
                squares += (row[j] - m) * (row[j] - m);
            }
            double s = Math.sqrt(squares / n);
            mean[j] = (float) m;
            std[j] = s > 1e-12 && Float.isFinite((float) s) && (float) s > 0 ? (float) s : 1f;
        }
    }

    /** The same arithmetic as the exported graphs (float input, float mean and std). */
    private static float[] standardised(double[][] features, float[] mean, float[] std) {
        float[] x = new float[features.length * FEATURES];
        for (int i = 0; i < features.length; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i * FEATURES + j] = (float) (((double) (float) features[i][j] - mean[j]) / std[j]);
            }
        }
        return x;
    }

    private static float[] oneHot(int[] quality) {
        float[] y = new float[quality.length * CLASSES];
        for (int i = 0; i < quality.length; i++) {
            y[i * CLASSES + quality[i]] = 1f;
        }
        return y;
    }

    private static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static void validate(double[][] features, int[] quality, int epochs) {
        if (features.length == 0 || features.length != quality.length) {
            throw new IllegalArgumentException("need as many quality labels as feature rows, at least one; got "
                    + features.length + " rows and " + quality.length + " labels");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != FEATURES) {
                throw new IllegalArgumentException("row " + i + " has " + features[i].length + " features, expected "
                        + FEATURES);
            }
            if (quality[i] < 0 || quality[i] >= CLASSES) {
                throw new IllegalArgumentException("row " + i + " has quality " + quality[i] + ", expected 0.."
                        + (CLASSES - 1));
            }
        }
    }
}
