package dev.modelserving.kstreams;

/** Store names of the topologies (the topics are the shared {@code Topics}); tests import them. */
public final class StreamNames {

    /** The store of live models: global in {@code memory}, per task with a changelog in {@code custom}. */
    public static final String MODEL_STORE = "model-store";
    /** Kafka Streams' key-value store of the live descriptors ({@code standard}). */
    public static final String MODEL_STATE_STORE = "model-state";
    /** The global store of published descriptors, fed by the models topic ({@code standard}, {@code custom}). */
    public static final String PUBLISHED_MODELS = "published-models";

    private StreamNames() {}
}
