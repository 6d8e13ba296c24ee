package dev.modelserving.data;

import com.google.protobuf.ByteString;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.ModelType;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The data sets and the models this project generates and trains, as class-path resources of this module. */
public final class ProjectData {

    public static final String WINE_CSV = "wine/winequality-red-synthetic.csv";
    public static final String DATA_TYPE = "wine";
    /** How many wines the CSV holds (as many as the UCI red wines) and the generator's seed that drew them. */
    public static final int WINES = 1599;
    public static final long DATA_SEED = 20261125L;

    /** The customer-churn table ({@link ChurnCsv}'s format), drawn by {@link ChurnGenerator}. */
    public static final String CHURN_CSV = "churn/churn-synthetic.csv";
    public static final String CHURN_DATA_TYPE = "churn";
    /** How many customers the churn CSV holds and the generator's seed that drew them. */
    public static final int CHURN_ROWS = 5000;
    public static final long CHURN_SEED = 20260301L;

    /** The inputs of the churn MLP, in the order of its input tensor's columns (paperless as 1.0 or 0.0). */
    public static final List<String> CHURN_MLP_INPUTS = List.of(ChurnRow.TENURE, ChurnRow.MONTHLY_CHARGES,
            ChurnRow.SUPPORT_CALLS, ChurnRow.PAPERLESS);

    /**
     * A model the project trains: its resource, type, dataType and description, and for a TensorFlow model that
     * does not take the wine features, the inputs its input tensor's columns hold and the name of its output.
     */
    public enum ProjectModel {
        LINEAR_REGRESSION("models/wine-linear-regression.pmml", ModelType.PMML, TensorflowFormat.TF_FORMAT_UNSPECIFIED,
                "PMML linear regression of quality (OLS on the 11 measurements)"),
        DECISION_TREE("models/wine-decision-tree.pmml", ModelType.PMML, TensorflowFormat.TF_FORMAT_UNSPECIFIED,
                "PMML decision tree classifier of quality (CART, Gini)"),
        MLP_FROZEN_GRAPH("models/wine-mlp.pb", ModelType.TENSORFLOW, TensorflowFormat.FROZEN_GRAPH,
                "TensorFlow MLP classifier of quality, frozen graph (tutorial input/output names)"),
        MLP_SAVED_MODEL("models/wine-mlp-savedmodel.zip", ModelType.TENSORFLOW, TensorflowFormat.SAVED_MODEL_ZIP,
                "TensorFlow MLP classifier of quality, zipped SavedModel (serving_default)"),
        CHURN_DECISION_TREE("models/churn-decision-tree.pmml", ModelType.PMML, TensorflowFormat.TF_FORMAT_UNSPECIFIED,
                CHURN_DATA_TYPE, List.of(), "",
                "PMML decision tree classifier of churn (CART, Gini, categorical and numeric splits)"),
        CHURN_LOGISTIC_REGRESSION("models/churn-logistic-regression.pmml", ModelType.PMML,
                TensorflowFormat.TF_FORMAT_UNSPECIFIED, CHURN_DATA_TYPE, List.of(), "",
                "PMML logistic regression of churn (IRLS; a missing support_calls is replaced by the median)"),
        CHURN_MLP("models/churn-mlp.pb", ModelType.TENSORFLOW, TensorflowFormat.FROZEN_GRAPH, CHURN_DATA_TYPE,
                CHURN_MLP_INPUTS, "dense_3/Softmax",
                "TensorFlow MLP classifier of churn, frozen graph (tenure, monthly_charges, support_calls, paperless"
                        + " -> probabilities of no, yes)");

        public final String resource;
        public final ModelType type;
        public final TensorflowFormat tfFormat;
        /** The dataType of the records it scores: "wine" or "churn". */
        public final String dataType;
        /** The graph's output tensor, or empty for the tutorial's {@code dense_3/Sigmoid}. */
        public final String tfOutput;
        public final String description;
        private final List<String> inputs;

        ProjectModel(String resource, ModelType type, TensorflowFormat tfFormat, String description) {
            this(resource, type, tfFormat, DATA_TYPE, List.of(), "", description);
        }

        ProjectModel(String resource, ModelType type, TensorflowFormat tfFormat, String dataType, List<String> inputs,
                String tfOutput, String description) {
            this.resource = resource;
            this.type = type;
            this.tfFormat = tfFormat;
            this.dataType = dataType;
            this.inputs = inputs;
            this.tfOutput = tfOutput;
            this.description = description;
        }

        /**
         * The record fields a TensorFlow model's input tensor takes, in column order:
         * {@link ProjectData#CHURN_MLP_INPUTS} for {@link #CHURN_MLP}. Empty for the wine models, which take the
         * tutorial's 11 wine fields, and for the PMML models, whose documents name their own inputs.
         */
        public List<String> inputs() {
            return inputs;
        }

        /** A short name for the model, e.g. wine-decision-tree. */
        public String modelName() {
            String file = resource.substring(resource.lastIndexOf('/') + 1);
            return file.substring(0, file.indexOf('.'));
        }

        public byte[] bytes() {
            return ProjectData.bytes(resource);
        }

        /**
         * This PMML model grown to exactly {@code size} bytes by an {@code Extension} of padding in its header: the
         * same model, for tests of large models.
         */
        public byte[] paddedTo(int size) {
            if (type != ModelType.PMML) {
                throw new IllegalArgumentException(this + " is not PMML");
            }
            byte[] pmml = bytes();
            String open = "<Extension name=\"padding\" value=\"";
            String close = "\"/>";
            int room = size - pmml.length - open.length() - close.length();
            if (room < 0) {
                throw new IllegalArgumentException(this + " is larger than " + size + " bytes with its padding");
            }
            return new String(pmml, StandardCharsets.UTF_8).replaceFirst("(<Header[^>]*>)",
                    "$1" + open + "x".repeat(room) + close).getBytes(StandardCharsets.UTF_8);
        }

        /**
         * A by-value descriptor for the model's dataType (and its output tensor, when not the tutorial's, and its
         * input feature names, when not the 11 wine measurements).
         */
        public ModelDescriptor descriptor(String version) {
            return ModelDescriptor.newBuilder().setName(modelName()).setDescription(description)
                    .setDataType(dataType).setModeltype(type).setTfFormat(tfFormat).setTfOutput(tfOutput)
                    .addAllInputFeatures(inputs()).setVersion(version).setData(ByteString.copyFrom(bytes())).build();
        }
    }

    private ProjectData() {}

    /** The generated wine rows, read from the committed CSV. */
    public static List<WineRow> wines() {
        try (InputStream in = stream(WINE_CSV)) {
            return WineCsv.read(new InputStreamReader(in, StandardCharsets.UTF_8), WINE_CSV, true).rows();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The generated customers, read from the committed churn CSV. */
    public static List<ChurnRow> churnRows() {
        try (InputStream in = stream(CHURN_CSV)) {
            return ChurnCsv.read(new InputStreamReader(in, StandardCharsets.UTF_8), CHURN_CSV);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String resource) {
        try (InputStream in = stream(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream stream(String resource) {
        InputStream in = ProjectData.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("resource " + resource + " is missing: run the regenerate command in"
                    + " data/README.md");
        }
        return in;
    }
}
