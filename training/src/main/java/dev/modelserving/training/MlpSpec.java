package dev.modelserving.training;

/**
 * The shape of an MLP the project trains: units per layer, input first (relu between the dense layers), and what
 * its last layer gives.
 *
 * @param layerSizes units per layer, input first
 * @param output what the last dense layer's units give
 * @param label what the classes are, as the trainer's messages name them
 */
public record MlpSpec(int[] layerSizes, Output output, String label) {

    /** The last layer: its op's name in the exported graph and the loss it is trained with. */
    public enum Output {
        /** One sigmoid per class, trained with sigmoid cross-entropy against the one-hot class (Keras' way). */
        SIGMOID("Sigmoid"),
        /** Class probabilities that sum to 1, trained with softmax cross-entropy against the one-hot class. */
        SOFTMAX("Softmax");

        final String op;

        Output(String op) {
            this.op = op;
        }
    }

    /** The tutorial's wine-quality model: 11 → 32 relu → 16 relu → 9 sigmoid, one output per quality 0..8. */
    public static final MlpSpec WINE = new MlpSpec(new int[] {11, 32, 16, 9}, Output.SIGMOID, "quality");

    /**
     * The churn model: tenure, monthly_charges, support_calls, paperless → 16 relu → 8 relu → 2 softmax, the
     * probabilities of no (column 0) and yes (column 1).
     */
    public static final MlpSpec CHURN = new MlpSpec(new int[] {4, 16, 8, 2}, Output.SOFTMAX, "class");

    public MlpSpec {
        layerSizes = layerSizes.clone();
    }

    @Override
    public int[] layerSizes() {
        return layerSizes.clone();
    }

    public int inputs() {
        return layerSizes[0];
    }

    public int classes() {
        return layerSizes[layerSizes.length - 1];
    }

    /** The number of dense layers. */
    public int layers() {
        return layerSizes.length - 1;
    }

    /** The output tensor of the exported graphs, e.g. {@code dense_3/Sigmoid}. */
    public String outputName() {
        return "dense_" + layers() + "/" + output.op;
    }
}
