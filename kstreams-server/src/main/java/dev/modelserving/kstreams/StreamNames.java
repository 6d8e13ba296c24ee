package dev.modelserving.kstreams;

/** Topic and store names of the topology; tests import them. */
public final class StreamNames {

    public static final String DATA_TOPIC = "models_data";
    public static final String MODELS_TOPIC = "models_models";
    public static final String RESULTS_TOPIC = "models_results";
    public static final String DEAD_LETTER_TOPIC = "models_data_dlq";
    /** The global store of live models (the custom variant). */
    public static final String MODEL_STORE = "model-store";

    private StreamNames() {}
}
