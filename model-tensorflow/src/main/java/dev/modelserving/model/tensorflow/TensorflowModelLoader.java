package dev.modelserving.model.tensorflow;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelBytes;
import dev.modelserving.model.ModelInfo;
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
                d.getVersion(), bytes.size(), bytes.origin(), details);
    }

    static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
