package dev.modelserving.training;

import dev.modelserving.model.tensorflow.TensorflowRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A trained network of an {@link MlpSpec} (the wine model: 11 → 32 relu → 16 relu → 9 sigmoid): its weights, the
 * standardisation of its inputs, and exports to the two TensorFlow formats the loader serves.
 * {@link #predict(double[])} is a plain-Java forward pass, independent of TensorFlow, that gives what the exported
 * graphs give.
 *
 * <p>The exported graphs take raw features: standardisation {@code (x - mean) / std} is baked in as constants.
 * They take float32, so {@link #predict(double[])} rounds each feature to float first, as the graphs' input does.
 */
public final class TrainedMlp {

    static {
        TensorflowRuntime.configureNativeCache();
    }

    private final MlpSpec spec;
    private final float[] mean;
    private final float[] std;
    private final float[][][] kernels;
    private final float[][] biases;
    private final double finalLoss;

    TrainedMlp(MlpSpec spec, float[] mean, float[] std, float[][][] kernels, float[][] biases, double finalLoss) {
        this.spec = spec;
        this.mean = mean.clone();
        this.std = std.clone();
        this.kernels = deepCopy(kernels);
        this.biases = deepCopy(biases);
        this.finalLoss = finalLoss;
    }

    /**
     * The outputs for raw features in the spec's input order: for the wine model the 9 sigmoids (one per quality
     * 0..8) of 11 features in UCI order; for a softmax model the class probabilities.
     */
    public double[] predict(double[] features) {
        if (features.length != spec.inputs()) {
            throw new IllegalArgumentException("expected " + spec.inputs() + " features, got " + features.length);
        }
        double[] activation = new double[features.length];
        for (int i = 0; i < features.length; i++) {
            activation[i] = ((double) (float) features[i] - mean[i]) / std[i];
        }
        for (int layer = 0; layer < kernels.length - 1; layer++) {
            activation = relu(dense(activation, kernels[layer], biases[layer]));
        }
        double[] last = dense(activation, kernels[kernels.length - 1], biases[kernels.length - 1]);
        return spec.output() == MlpSpec.Output.SOFTMAX ? softmax(last) : sigmoid(last);
    }

    /** The argmax of {@link #predict(double[])}: the predicted quality. */
    public int predictQuality(double[] features) {
        return predictClass(features);
    }

    /** The argmax of {@link #predict(double[])}: the predicted class (the first on a tie). */
    public int predictClass(double[] features) {
        double[] out = predict(features);
        int best = 0;
        for (int c = 1; c < out.length; c++) {
            if (out[c] > out[best]) {
                best = c;
            }
        }
        return best;
    }

    private static double[] dense(double[] in, float[][] kernel, float[] bias) {
        double[] out = new double[bias.length];
        for (int j = 0; j < out.length; j++) {
            double sum = bias[j];
            for (int i = 0; i < in.length; i++) {
                sum += in[i] * kernel[i][j];
            }
            out[j] = sum;
        }
        return out;
    }

    private static double[] relu(double[] z) {
        return Arrays.stream(z).map(v -> Math.max(0.0, v)).toArray();
    }

    private static double[] sigmoid(double[] z) {
        return Arrays.stream(z).map(v -> 1.0 / (1.0 + Math.exp(-v))).toArray();
    }

    private static double[] softmax(double[] z) {
        double max = Arrays.stream(z).max().orElseThrow();
        double[] e = Arrays.stream(z).map(v -> Math.exp(v - max)).toArray();
        double sum = Arrays.stream(e).sum();
        return Arrays.stream(e).map(v -> v / sum).toArray();
    }

    /** The shape it was trained with. */
    public MlpSpec spec() {
        return spec;
    }

    /**
     * Writes a frozen GraphDef: feed {@code dense_1_input} float [-1, inputs], fetch the spec's output (the wine
     * model: {@code dense_3/Sigmoid} [-1,9]).
     */
    public void writeFrozenGraph(Path file) throws IOException {
        MlpExport.writeFrozenGraph(this, file);
    }

    /** The frozen GraphDef's bytes, as {@link #writeFrozenGraph(Path)} writes them (the same for the same weights). */
    public byte[] frozenGraphBytes() {
        return MlpExport.frozenGraphBytes(this);
    }

    /**
     * Writes a zipped SavedModel (tag {@code serve}, signature {@code serving_default}: input {@code dense_1_input},
     * output {@code dense_3}) exported by TF Java's exporter; entries are {@code saved_model.pb} and
     * {@code variables/...}. The export is staged in a temporary directory beside {@code zip} and deleted.
     */
    public void writeSavedModelZip(Path zip) throws IOException {
        MlpExport.writeSavedModelZip(this, zip);
    }

    /** Per-feature means of the training set (in input order), as the graphs use them. */
    public float[] mean() {
        return mean.clone();
    }

    /** Per-feature standard deviations of the training set (1 where a feature is constant). */
    public float[] std() {
        return std.clone();
    }

    /** The kernel of dense layer {@code layer} (0-2), [inputs][units]. */
    public float[][] kernel(int layer) {
        return deepCopy(kernels[layer]);
    }

    /** The bias of dense layer {@code layer} (0-2). */
    public float[] bias(int layer) {
        return biases[layer].clone();
    }

    /** The training loss (mean sigmoid or softmax cross-entropy, as the spec says) after the last epoch. */
    public double finalLoss() {
        return finalLoss;
    }

    int layers() {
        return kernels.length;
    }

    float[][] kernelRef(int layer) {
        return kernels[layer];
    }

    float[] biasRef(int layer) {
        return biases[layer];
    }

    float[] meanRef() {
        return mean;
    }

    float[] stdRef() {
        return std;
    }

    private static float[][] deepCopy(float[][] a) {
        return Arrays.stream(a).map(float[]::clone).toArray(float[][]::new);
    }

    private static float[][][] deepCopy(float[][][] a) {
        return Arrays.stream(a).map(TrainedMlp::deepCopy).toArray(float[][][]::new);
    }
}
