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
 * Trains an MLP of an {@link MlpSpec} with TF Java: the tutorial's wine-quality model (11 → 32 relu → 16 relu → 9
 * sigmoid, sigmoid cross-entropy against the one-hot quality, like Keras' {@code binary_crossentropy}), or a softmax
 * model (softmax cross-entropy against the one-hot class). Gradients from {@code Graph.addGradients}, Adam updates by
 * {@code ApplyAdam} ops, mini-batches of {@value #BATCH_SIZE}.
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

    private MlpTrainer() {}

    /**
     * Trains the wine model ({@link MlpSpec#WINE}) on raw features.
     *
     * @param features n rows of the 11 raw wine measurements in UCI order
     * @param quality n labels, each 0..8
     * @param seed fixes the initial weights and the batch order
     * @param epochs passes over the data
     */
    public static TrainedMlp train(double[][] features, int[] quality, long seed, int epochs) {
        return train(MlpSpec.WINE, features, quality, seed, epochs);
    }

    /**
     * Trains a model of {@code spec} on raw features.
     *
     * @param features n rows of the spec's inputs
     * @param labels n classes, each from 0 to the spec's classes - 1
     * @param seed fixes the initial weights and the batch order
     * @param epochs passes over the data
     */
    public static TrainedMlp train(MlpSpec spec, double[][] features, int[] labels, long seed, int epochs) {
        validate(spec, features, labels, epochs);
        Random random = new Random(seed);
        float[] mean = new float[spec.inputs()];
        float[] std = new float[spec.inputs()];
        standardisation(features, mean, std);
        float[] x = standardised(features, mean, std);
        float[] y = oneHot(labels, spec.classes());
        ConfigProto oneThread = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build();
        try (Graph graph = new Graph(); Session session = new Session(graph, oneThread)) {
            Network net = new Network(Ops.create(graph), spec, random);
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
        private final MlpSpec spec;
        private final Placeholder<TFloat32> input;
        private final Placeholder<TFloat32> target;
        private final Placeholder<TFloat32> beta1Power;
        private final Placeholder<TFloat32> beta2Power;
        private final List<Variable<TFloat32>> weights = new ArrayList<>();
        private final List<Operand<?>> updates = new ArrayList<>();
        private final Operand<TFloat32> loss;
        private long steps;

        Network(Ops tf, MlpSpec spec, Random random) {
            this.spec = spec;
            input = tf.withName("input").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, spec.inputs())));
            target = tf.withName("target").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, spec.classes())));
            beta1Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            beta2Power = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
            Operand<TFloat32> a = input;
            int[] sizes = spec.layerSizes();
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
            loss = spec.output() == MlpSpec.Output.SOFTMAX ? softmaxCrossEntropy(tf, a, target)
                    : sigmoidCrossEntropy(tf, a, target);
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

        /** mean over rows of -sum(y * logSoftmax(z)), built from ops with gradients. */
        private static Operand<TFloat32> softmaxCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> y) {
            Operand<TFloat32> perRow = tf.math.neg(
                    tf.reduceSum(tf.math.mul(y, tf.nn.logSoftmax(logits)), tf.constant(1)));
            return tf.withName("loss").math.mean(perRow, tf.constant(0));
        }

        void step(Session session, float[] x, float[] y, int[] order, int from, int to) {
            steps++;
            try (TFloat32 xs = rows(x, spec.inputs(), order, from, to);
                    TFloat32 ys = rows(y, spec.classes(), order, from, to);
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
            int n = x.length / spec.inputs();
            try (TFloat32 xs = TFloat32.tensorOf(Shape.of(n, spec.inputs()), DataBuffers.of(x, true, false));
                    TFloat32 ys = TFloat32.tensorOf(Shape.of(n, spec.classes()), DataBuffers.of(y, true, false));
                    Result values = runner.feed(input, xs).feed(target, ys).fetch(loss).run()) {
                for (int layer = 0; layer < layers; layer++) {
                    kernels[layer] = StdArrays.array2dCopyOf((TFloat32) values.get(2 * layer));
                    biases[layer] = StdArrays.array1dCopyOf((TFloat32) values.get(2 * layer + 1));
                }
                double finalLoss = ((TFloat32) values.get(weights.size())).getFloat();
                return new TrainedMlp(spec, mean, std, kernels, biases, finalLoss);
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
        for (int j = 0; j < mean.length; j++) {
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
        int width = mean.length;
        float[] x = new float[features.length * width];
        for (int i = 0; i < features.length; i++) {
            for (int j = 0; j < width; j++) {
                x[i * width + j] = (float) (((double) (float) features[i][j] - mean[j]) / std[j]);
            }
        }
        return x;
    }

    private static float[] oneHot(int[] labels, int classes) {
        float[] y = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            y[i * classes + labels[i]] = 1f;
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

    private static void validate(MlpSpec spec, double[][] features, int[] labels, int epochs) {
        if (features.length == 0 || features.length != labels.length) {
            throw new IllegalArgumentException("need as many " + spec.label() + " labels as feature rows, at least"
                    + " one; got " + features.length + " rows and " + labels.length + " labels");
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        for (int i = 0; i < features.length; i++) {
            if (features[i].length != spec.inputs()) {
                throw new IllegalArgumentException("row " + i + " has " + features[i].length + " features, expected "
                        + spec.inputs());
            }
            if (labels[i] < 0 || labels[i] >= spec.classes()) {
                throw new IllegalArgumentException("row " + i + " has " + spec.label() + " " + labels[i]
                        + ", expected 0.." + (spec.classes() - 1));
            }
        }
    }
}
