package dev.modelserving.model.tensorflow;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelBytes;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ModelInput;
import dev.modelserving.model.WineFeatures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.ModelLoader;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ModelDescriptor.TensorflowFormat;

/**
 * Loads TensorFlow models in two layouts, chosen by the descriptor's {@code tf_format} or, when unspecified, by the
 * bytes (a zip is a SavedModel): a frozen {@code GraphDef} (the tutorial's format: feed {@value #DEFAULT_INPUT},
 * fetch {@value #DEFAULT_OUTPUT}) and a zipped SavedModel (tag {@value #SERVE_TAG}, signature
 * {@value #DEFAULT_SIGNATURE}). Graphs whose operations touch files are refused before TensorFlow sees them.
 */
public final class TensorflowModelLoader implements ModelLoader {

    static {
        TensorflowRuntime.configureNativeCache();
    }

    public static final String DEFAULT_INPUT = "dense_1_input";
    public static final String DEFAULT_OUTPUT = "dense_3/Sigmoid";
    public static final String DEFAULT_SIGNATURE = "serving_default";
    public static final String SERVE_TAG = "serve";

    @Override
    public ModelDescriptor.ModelType type() {
        return ModelDescriptor.ModelType.TENSORFLOW;
    }

    @Override
    public Model load(ModelDescriptor d, ModelBytes bytes, LoadingPolicy policy) throws ModelLoadException {
        TensorflowRuntime.ensureLoaded();
        TensorflowFormat format = format(d, bytes);
        return switch (format) {
            case FROZEN_GRAPH -> FrozenGraphLoader.load(d, bytes, policy);
            case SAVED_MODEL_ZIP -> SavedModelZipLoader.load(d, bytes, policy);
            default -> throw new ModelLoadException("unknown TensorFlow format " + d.getTfFormatValue());
        };
    }

    /** The format the descriptor names, or the one the bytes look like. */
    static TensorflowFormat format(ModelDescriptor d, ModelBytes bytes) throws ModelLoadException {
        return switch (d.getTfFormat()) {
            case FROZEN_GRAPH, SAVED_MODEL_ZIP -> d.getTfFormat();
            case TF_FORMAT_UNSPECIFIED -> SavedModelArchive.looksLikeZip(bytes.content())
                    ? TensorflowFormat.SAVED_MODEL_ZIP : TensorflowFormat.FROZEN_GRAPH;
            case UNRECOGNIZED -> throw new ModelLoadException("unknown TensorFlow format " + d.getTfFormatValue()
                    + " (known: FROZEN_GRAPH, SAVED_MODEL_ZIP)");
        };
    }

    static ModelInfo info(ModelDescriptor d, ModelBytes bytes, String details) {
        return new ModelInfo(d.getName(), d.getDescription(), d.getDataType(), ModelDescriptor.ModelType.TENSORFLOW,
                d.getVersion(), bytes.size(), bytes.origin(), details, bytes.sha256());
    }

    /**
     * The features the descriptor names as the input tensor's columns, in order; the 11 wine measurements when it
     * names none.
     */
    static List<ModelInput> inputs(ModelDescriptor d) throws ModelLoadException {
        if (d.getInputFeaturesCount() == 0) {
            return WineFeatures.inputs();
        }
        Map<String, String> byKey = new HashMap<>();
        List<ModelInput> inputs = new ArrayList<>(d.getInputFeaturesCount());
        for (String name : d.getInputFeaturesList()) {
            ModelInput input = ModelInput.number(name.trim());
            if (input.key().isEmpty()) {
                throw new ModelLoadException("input feature name '" + name + "' has no letter or digit");
            }
            String other = byKey.putIfAbsent(input.key(), input.name());
            if (other != null) {
                throw new ModelLoadException("input features '" + other + "' and '" + input.name()
                        + "' are the same feature (names match ignoring case, spaces and punctuation)");
            }
            inputs.add(input);
        }
        return List.copyOf(inputs);
    }

    static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
