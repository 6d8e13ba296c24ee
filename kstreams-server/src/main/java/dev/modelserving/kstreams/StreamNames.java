package dev.modelserving.kstreams;

/** Topic, store and node names of the topologies; tests import them. */
public final class StreamNames {

    public static final String DATA_TOPIC = "models_data";
    public static final String MODELS_TOPIC = "models_models";
    public static final String RESULTS_TOPIC = "models_results";
    public static final String DEAD_LETTER_TOPIC = "models_data_dlq";
    /** The store of live models: global in {@code memory}, per task with a changelog in {@code custom}. */
    public static final String MODEL_STORE = "model-store";
    /** Kafka Streams' key-value store of the live descriptors ({@code standard}). */
    public static final String MODEL_STATE_STORE = "model-state";
    /** The global store of published descriptors, fed by the models topic ({@code standard}, {@code custom}). */
    public static final String PUBLISHED_MODELS = "published-models";

    private StreamNames() {}
}
