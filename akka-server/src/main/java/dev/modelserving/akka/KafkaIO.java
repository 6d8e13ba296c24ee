package dev.modelserving.akka;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.kafka.CommitterSettings;
import akka.kafka.ConsumerMessage.CommittableMessage;
import akka.kafka.ConsumerMessage.CommittableOffset;
import akka.kafka.ConsumerSettings;
import akka.kafka.ProducerMessage;
import akka.kafka.ProducerSettings;
import akka.kafka.Subscriptions;
import akka.kafka.javadsl.Consumer;
import akka.kafka.javadsl.Producer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The server's Kafka, through Alpakka Kafka: the models and data sources and the results/dead-letter output. */
final class KafkaIO {

    /** Room for 64 MiB models, as the loader's producer. */
    static final int MAX_MODEL_MESSAGE_BYTES = 64 * 1024 * 1024 + 1024 * 1024;

    private final ActorSystem system;
    private final ServerConfig config;
    private final AtomicReference<Consumer.Control> dataControl = new AtomicReference<>(Consumer.createNoopControl());

    KafkaIO(ActorSystem system, ServerConfig config) {
        this.system = system;
        this.config = config;
    }

    /**
     * Every message of the models topic from its beginning, or from the given next offset of each partition (no
     * group, no commits: every instance reads them all), with {@link ModelMessage#CAUGHT_UP} once it has read up to
     * where the topic ended when the source started, or after the catch-up timeout, whichever comes first.
     */
    Source<ModelMessage, NotUsed> models(Executor blocking, Map<Integer, Long> from) {
        ConsumerSettings<String, byte[]> settings = ConsumerSettings
                .create(system, new StringDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId("akka-server-models-" + UUID.randomUUID())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_MODEL_MESSAGE_BYTES))
                .withProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(MAX_MODEL_MESSAGE_BYTES));
        return Source.completionStage(CompletableFuture.supplyAsync(() -> start(settings, from), blocking))
                .flatMapConcat(start -> {
                    Source<ModelMessage, NotUsed> first = start.unread().isEmpty()
                            ? Source.single(ModelMessage.CAUGHT_UP) : Source.empty();
                    Source<ModelMessage, NotUsed> timeout = Source.single(ModelMessage.CAUGHT_UP)
                            .initialDelay(config.modelsCatchUp());
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    start.partitions().forEach(tp -> offsets.put(tp, from.getOrDefault(tp.partition(), 0L)));
                    Source<ModelMessage, ?> messages = Consumer.plainSource(settings,
                                    Subscriptions.assignmentWithOffset(offsets))
                            .statefulMapConcat(() -> catchUp(start.unread()));
                    return first.concat(messages.merge(timeout));
                });
    }

    /** The models topic's partitions, and the offset of the last message of each that has messages now. */
    private record ModelsStart(Set<TopicPartition> partitions, Map<TopicPartition, Long> unread) {}

    private ModelsStart start(ConsumerSettings<String, byte[]> settings, Map<Integer, Long> from) {
        try (org.apache.kafka.clients.consumer.Consumer<String, byte[]> c = settings.createKafkaConsumer()) {
            Set<TopicPartition> ps = new HashSet<>();
            c.partitionsFor(config.topics().models(), Duration.ofSeconds(30))
                    .forEach(p -> ps.add(new TopicPartition(p.topic(), p.partition())));
            if (ps.isEmpty()) {
                throw new IllegalStateException("the models topic " + config.topics().models() + " does not exist");
            }
            Map<TopicPartition, Long> begin = c.beginningOffsets(ps, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = c.endOffsets(ps, Duration.ofSeconds(30));
            Map<TopicPartition, Long> unread = new HashMap<>();
            end.forEach((tp, e) -> {
                if (e > Math.max(begin.get(tp), from.getOrDefault(tp.partition(), 0L))) {
                    unread.put(tp, e - 1);
                }
            });
            return new ModelsStart(ps, unread);
        }
    }

    /** Passes messages on, and adds CAUGHT_UP after the last of the messages that were there at the start. */
    private static akka.japi.function.Function<ConsumerRecord<String, byte[]>, Iterable<ModelMessage>> catchUp(
            Map<TopicPartition, Long> unread) {
        Map<TopicPartition, Long> left = new HashMap<>(unread);
        return r -> {
            List<ModelMessage> out = new ArrayList<>(2);
            out.add(new ModelMessage(r.key(), r.value(), r.partition(), r.offset()));
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Long last = left.get(tp);
            if (last != null && r.offset() >= last) {
                left.remove(tp);
                if (left.isEmpty()) {
                    out.add(ModelMessage.CAUGHT_UP);
                }
            }
            return out;
        };
    }

    /** The data topic, in the servers' consumer group, with offsets to commit once the results are written. */
    Source<DataRecord<CommittableOffset>, NotUsed> data() {
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId(config.groupId())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000")
                .withStopTimeout(Duration.ZERO);
        return Consumer.committableSource(settings, Subscriptions.topics(config.topics().data()))
                .mapMaterializedValue(control -> {
                    dataControl.set(control);
                    return NotUsed.getInstance();
                })
                .map(KafkaIO::incoming);
    }

    private static DataRecord<CommittableOffset> incoming(CommittableMessage<byte[], byte[]> m) {
        ConsumerRecord<byte[], byte[]> r = m.record();
        return new DataRecord<>(r.key(), r.value(), r.topic(), r.partition(), r.offset(), m.committableOffset());
    }

    /** The consumer of the data topic now (a restart replaces it): stopping it ends the data stream. */
    Consumer.Control dataControl() {
        return dataControl.get();
    }

    /** Writes each outcome (result, dead letter, or nothing) and hands its offset on once written. */
    Flow<Outcome<CommittableOffset>, CommittableOffset, NotUsed> output() {
        ProducerSettings<byte[], byte[]> settings = ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withBootstrapServers(config.bootstrapServers())
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
                .withProperty(ProducerConfig.ACKS_CONFIG, "all");
        return Flow.<Outcome<CommittableOffset>>create()
                .map(this::envelope)
                .via(Producer.flexiFlow(settings))
                .map(ProducerMessage.Results::passThrough);
    }

    CommitterSettings committer() {
        return CommitterSettings.create(system).withMaxInterval(Duration.ofMillis(200));
    }

    <P> ProducerMessage.Envelope<byte[], byte[], P> envelope(Outcome<P> o) {
        if (o instanceof Outcome.Result<P> r) {
            return ProducerMessage.single(new ProducerRecord<>(config.topics().results(), r.key(), r.result()),
                    r.passThrough());
        }
        if (o instanceof Outcome.DeadLetter<P> d) {
            return ProducerMessage.single(new ProducerRecord<>(config.topics().deadLetters(), null, d.key(),
                    d.valueOrEmpty(), d.headers()), d.passThrough());
        }
        return ProducerMessage.passThrough(o.passThrough());
    }
}
