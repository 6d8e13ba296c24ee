package dev.modelserving.kstreams;

import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * The serving topology: a global model store fed by the models topic (so every instance holds every model),
 * and a scorer over the data topic writing results and dead letters.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    public Topology buildTopology(ModelHolder models,
            @ConfigProperty(name = "model-server.topics.data", defaultValue = StreamNames.DATA_TOPIC) String data,
            @ConfigProperty(name = "model-server.topics.models", defaultValue = StreamNames.MODELS_TOPIC) String modelsTopic,
            @ConfigProperty(name = "model-server.topics.results", defaultValue = StreamNames.RESULTS_TOPIC) String results,
            @ConfigProperty(name = "model-server.topics.dead-letters", defaultValue = StreamNames.DEAD_LETTER_TOPIC) String dead) {
        return build(models::registry, data, modelsTopic, results, dead);
    }

    /** The topology with the standard topics and a registry of its own (tests). */
    public static Topology build(LoadingPolicy policy) {
        ModelRegistry registry = new ModelRegistry(new ModelFactory(policy));
        return build(() -> registry, StreamNames.DATA_TOPIC, StreamNames.MODELS_TOPIC, StreamNames.RESULTS_TOPIC,
                StreamNames.DEAD_LETTER_TOPIC);
    }

    static Topology build(Supplier<ModelRegistry> registry, String data, String models, String results, String dead) {
        Topology t = new Topology();
        t.addGlobalStore(new ModelStoreBuilder(StreamNames.MODEL_STORE, registry).withLoggingDisabled(),
                "models-source", new StringDeserializer(), new ByteArrayDeserializer(), models,
                "models-updater", ModelUpdater::new);
        t.addSource("data-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), data);
        t.addProcessor("scorer", ScoringProcessor::new, "data-source");
        t.addSink(ScoringProcessor.RESULTS_SINK, results, new StringSerializer(), new ByteArraySerializer(), "scorer");
        t.addSink(ScoringProcessor.DEAD_LETTER_SINK, dead, new StringSerializer(), new ByteArraySerializer(), "scorer");
        return t;
    }
}
