package dev.modelserving.kstreams;

import dev.modelserving.rest.ServingMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The serving topology of the configured variant ({@code model-server.store}).
 *
 * <p>{@code memory}: Processor API; a global store fed by the models topic (every instance holds every model) and a
 * scorer over the data topic.
 *
 * <p>{@code standard} and {@code custom}: DSL; the models live in a store of each task. A task sees only its own
 * partition of each input topic, so every models message is first copied to every partition of a repartition topic
 * (the {@link #MODEL_BROADCAST broadcast}) with as many partitions as the data topic: each task then reads every
 * model next to its records, in order, and a swap reaches each task between two of its records.
 */
@ApplicationScoped
public class TopologyProducer {

    /** The topics a topology reads and writes. */
    public record Topics(String data, String models, String results, String deadLetters) {
        public static final Topics DEFAULT = new Topics(StreamNames.DATA_TOPIC, StreamNames.MODELS_TOPIC,
                StreamNames.RESULTS_TOPIC, StreamNames.DEAD_LETTER_TOPIC);
    }

    static final String MODEL_BROADCAST = StreamNames.MODEL_BROADCAST;

    @Produces
    @Singleton
    StoreVariant variant(@ConfigProperty(name = "model-server.store", defaultValue = "custom") String store) {
        return StoreVariant.parse(store);
    }

    @Produces
    public Topology buildTopology(StoreVariant variant, LocalServing serving, ServingMetrics metrics,
            @ConfigProperty(name = "model-server.topics.data", defaultValue = StreamNames.DATA_TOPIC) String data,
            @ConfigProperty(name = "model-server.topics.models", defaultValue = StreamNames.MODELS_TOPIC) String models,
            @ConfigProperty(name = "model-server.topics.results", defaultValue = StreamNames.RESULTS_TOPIC) String results,
            @ConfigProperty(name = "model-server.topics.dead-letters", defaultValue = StreamNames.DEAD_LETTER_TOPIC) String dead) {
        return build(variant, serving, metrics, new Topics(data, models, results, dead));
    }

    public static Topology build(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics) {
        return variant == StoreVariant.MEMORY ? memory(serving, metrics, topics) : dsl(variant, serving, metrics, topics);
    }

    private static Topology memory(LocalServing serving, ServingMetrics metrics, Topics topics) {
        Topology t = new Topology();
        t.addGlobalStore(new ModelStoreBuilder(StreamNames.MODEL_STORE, serving).withLoggingDisabled(),
                "models-source", new StringDeserializer(), new ByteArrayDeserializer(), topics.models(),
                "models-updater", () -> new ModelUpdater(metrics));
        t.addSource("data-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.data());
        t.addProcessor("scorer", () -> new ScoringProcessor(metrics), "data-source");
        t.addSink("output", Scoring.output(topics.results(), topics.deadLetters()), new StringSerializer(),
                new ByteArraySerializer(), "scorer");
        return t;
    }

    private static Topology dsl(StoreVariant variant, LocalServing serving, ServingMetrics metrics, Topics topics) {
        StreamsBuilder b = new StreamsBuilder();
        String store = variant.storeName();
        if (variant == StoreVariant.CUSTOM) {
            b.addStateStore(new ModelStoreBuilder(StreamNames.MODEL_STORE, serving));
        } else {
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StreamNames.MODEL_STATE_STORE),
                    Serdes.String(), Serdes.ByteArray()).withCachingDisabled());
        }
        KStream<byte[], byte[]> data = b.stream(topics.data(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("data-source"));
        KStream<byte[], Input> models = b.stream(topics.models(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("models-source"))
                // Connected to the model store only to put the models source in the data partitions' sub-topology:
                // Kafka Streams then gives the broadcast topic as many partitions as the larger of the two topics.
                .processValues(PassThrough::new, Named.as("models-in"), store)
                .repartition(Repartitioned.<byte[], byte[]>with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName(MODEL_BROADCAST).withStreamPartitioner(new EveryPartition()))
                .mapValues(Input::model, Named.as("as-model"));
        data.mapValues(Input::record, Named.as("as-record"))
                .merge(models, Named.as("records-and-models"))
                .process(() -> new ServingProcessor(variant, serving, metrics), Named.as("serving"), store)
                .to(Scoring.output(topics.results(), topics.deadLetters()),
                        Produced.with(Serdes.String(), Serdes.ByteArray()).withName("output"));
        return b.build();
    }

    /** Sends each record to every partition of its topic. */
    static final class EveryPartition implements StreamPartitioner<byte[], byte[]> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, byte[] key, byte[] value, int numPartitions) {
            return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
        }
    }

    private static final class PassThrough implements FixedKeyProcessor<byte[], byte[], byte[]> {
        private FixedKeyProcessorContext<byte[], byte[]> context;

        @Override
        public void init(FixedKeyProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<byte[], byte[]> record) {
            context.forward(record);
        }
    }
}
