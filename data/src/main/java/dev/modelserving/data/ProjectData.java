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

/** The data set and the models this project generates and trains, as class-path resources of this module. */
public final class ProjectData {

    public static final String WINE_CSV = "wine/winequality-red-synthetic.csv";
    public static final String DATA_TYPE = "wine";
    /** How many wines the CSV holds (as many as the UCI red wines) and the generator's seed that drew them. */
    public static final int WINES = 1599;
    public static final long DATA_SEED = 20261125L;

    /** A model the project trains: its resource, type and description. */
    public enum ProjectModel {
        LINEAR_REGRESSION("models/wine-linear-regression.pmml", ModelType.PMML, TensorflowFormat.TF_FORMAT_UNSPECIFIED,
                "PMML linear regression of quality (OLS on the 11 measurements)"),
        DECISION_TREE("models/wine-decision-tree.pmml", ModelType.PMML, TensorflowFormat.TF_FORMAT_UNSPECIFIED,
                "PMML decision tree classifier of quality (CART, Gini)"),
        MLP_FROZEN_GRAPH("models/wine-mlp.pb", ModelType.TENSORFLOW, TensorflowFormat.FROZEN_GRAPH,
                "TensorFlow MLP classifier of quality, frozen graph (tutorial input/output names)"),
        MLP_SAVED_MODEL("models/wine-mlp-savedmodel.zip", ModelType.TENSORFLOW, TensorflowFormat.SAVED_MODEL_ZIP,
                "TensorFlow MLP classifier of quality, zipped SavedModel (serving_default)");

        public final String resource;
        public final ModelType type;
        public final TensorflowFormat tfFormat;
        public final String description;

        ProjectModel(String resource, ModelType type, TensorflowFormat tfFormat, String description) {
            this.resource = resource;
            this.type = type;
            this.tfFormat = tfFormat;
            this.description = description;
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

        /** A by-value descriptor for the wine dataType. */
        public ModelDescriptor descriptor(String version) {
            return ModelDescriptor.newBuilder().setName(modelName()).setDescription(description)
                    .setDataType(DATA_TYPE).setModeltype(type).setTfFormat(tfFormat).setVersion(version)
                    .setData(ByteString.copyFrom(bytes())).build();
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
