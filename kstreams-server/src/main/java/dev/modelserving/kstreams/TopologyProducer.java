package dev.modelserving.kstreams;

import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.kafka.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The serving topology of the configured variant ({@code model-server.store}).
 *
 * <p>{@code memory}: Processor API; a global store fed by the models topic (every instance holds every model) and a
 * scorer over the data topic.
 *
 * <p>Either way, a task holds TensorFlow's records back to score them in batches, in a store of its own
 * ({@link Scoring}).
 *
 * <p>{@code standard} and {@code custom}: DSL; the live models are in a store of each task (with a changelog), and
 * the models topic feeds a global store of published descriptors that every instance holds in full (restored before
 * any task runs): each task's {@link ServingProcessor} brings its models in line with it.
 */
@ApplicationScoped
public class TopologyProducer {

    @Produces
    @Singleton
    StoreVariant variant(KafkaStreamsSettings settings) {
        return StoreVariant.parse(settings.store());
    }

    @Produces
    public Topology buildTopology(StoreVariant variant, LocalServing serving, ServingMetrics metrics,
            ServerSettings settings, KafkaStreamsSettings own) {
        Batching batching = new Batching(own.batchRecords(), own.batchWait());
        return build(variant, serving, metrics, settings.topicNames(), batching,
                new PublishedModels.Limits(own.publishedModelsMaxBytes()).checkedAgainst(settings.maxMessageBytes()));
    }

    /** The topology with the default {@link Batching}. */
    public static Topology build(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics) {
        return build(variant, serving, metrics, topics, Batching.DEFAULT);
    }

    static Topology build(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics,
            Batching batching) {
        return build(variant, serving, metrics, topics, batching, PublishedModels.Limits.DEFAULT);
    }

    static Topology build(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics,
            Batching batching, PublishedModels.Limits limits) {
        return variant == StoreVariant.MEMORY
                ? memory(serving, metrics, topics, batching)
                : dsl(variant, serving, metrics, topics, batching, limits);
    }

    private static Topology memory(LocalServing serving, ServingMetrics metrics, Topics topics, Batching batching) {
        Topology t = new Topology();
        t.addGlobalStore(new ModelStoreBuilder(StreamNames.MODEL_STORE, serving).withLoggingDisabled(),
                "models-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.models(),
                "models-updater", () -> new ModelUpdater(metrics));
        t.addSource("data-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.data());
        t.addProcessor("scorer", () -> new ScoringProcessor(metrics, serving, batching), "data-source");
        if (batching.enabled()) {
            t.addStateStore(Scoring.heldStore(), "scorer");
        }
        t.addSink("output", Scoring.output(topics.results(), topics.deadLetters()), new ByteArraySerializer(),
                new ByteArraySerializer(), "scorer");
        return t;
    }

    private static Topology dsl(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics,
            Batching batching, PublishedModels.Limits limits) {
        StreamsBuilder b = new StreamsBuilder();
        String store = variant.storeName();
        if (variant == StoreVariant.CUSTOM) {
            b.addStateStore(new ModelStoreBuilder(StreamNames.MODEL_STORE, serving));
        } else {
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StreamNames.MODEL_STATE_STORE),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled());
        }
        if (batching.enabled()) {
            b.addStateStore(Scoring.heldStore());
        }
        b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StreamNames.PUBLISHED_MODELS),
                        Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled(),
                topics.models(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("models-source"),
                () -> new PublishedModels.Updater(serving, limits));
        b.stream(topics.data(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("data-source"))
                .process(() -> new ServingProcessor(variant, serving, metrics, batching), Named.as("serving"),
                        batching.enabled() ? new String[] {store, Scoring.HELD_STORE} : new String[] {store})
                .to(Scoring.output(topics.results(), topics.deadLetters()),
                        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("output"));
        return b.build();
    }
}
