package dev.modelserving.akka;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.kafka.CommitterSettings;
import akka.kafka.ConsumerMessage.CommittableMessage;
import akka.kafka.ConsumerMessage.CommittableOffset;
import akka.kafka.ConsumerSettings;
import akka.kafka.ProducerSettings;
import akka.kafka.Subscriptions;
import akka.kafka.javadsl.Consumer;
import akka.kafka.javadsl.SendProducer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelsCatchUp;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.RecordFormat;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The server's Kafka, through Alpakka Kafka: the models and data sources and the results/dead-letter output. Every
 * client (the two consumers, the producer, the admin client that reads where the models topic ends) takes the
 * server's own settings, then the passed Kafka client properties over them ({@code --kafka-config}, {@code -X}),
 * then the address, the group and the (de)serializers, which they cannot change.
 */
final class KafkaIO {

    /** Results and dead letters on their way at once; they are handed on in order. */
    private static final int WRITES_IN_FLIGHT = 512;

    private final ActorSystem system;
    private final ServerConfig config;
    /** The data consumer's group session timeout: a consumer silent for longer is out of the group. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
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
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(config.maxMessageBytes()))
                .withProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(config.maxMessageBytes()))
                .withProperties(config.kafkaProperties())
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId("akka-server-models-" + UUID.randomUUID());
        return Source.completionStage(CompletableFuture.supplyAsync(this::modelsEnds, blocking))
                .flatMapConcat(ends -> {
                    ModelsCatchUp catchUp = new ModelsCatchUp();
                    catchUp.start(ends, from);
                    Source<ModelMessage, NotUsed> first = catchUp.isCaughtUp()
                            ? Source.single(ModelMessage.CAUGHT_UP) : Source.empty();
                    Source<ModelMessage, NotUsed> timeout = Source.single(ModelMessage.CAUGHT_UP)
                            .initialDelay(config.modelsCatchUp());
                    Map<TopicPartition, Long> offsets = new HashMap<>();
                    ends.end().keySet().forEach(p -> offsets.put(new TopicPartition(config.topics().models(), p),
                            from.getOrDefault(p, 0L)));
                    Source<ModelMessage, ?> messages = Consumer.plainSource(settings,
                                    Subscriptions.assignmentWithOffset(offsets))
                            .mapConcat(r -> {
                                ModelMessage m = new ModelMessage(r.key(), r.value(), r.partition(), r.offset());
                                return catchUp.seen(r.partition(), r.offset()) ? List.of(m, ModelMessage.CAUGHT_UP)
                                        : List.of(m);
                            });
                    return first.concat(messages.merge(timeout));
                });
    }

    /**
     * Where the models topic begins and ends now (it must exist: a missing one fails the source, which restarts),
     * asked by an admin client with the passed Kafka client properties (a secured cluster's too).
     */
    private ModelsCatchUp.Ends modelsEnds() {
        try (Admin client = Admin.create(KafkaClientProperties.forClient(Map.of(), config.kafkaProperties(),
                config.bootstrapServers()))) {
            return ModelsCatchUp.ends(client, config.topics().models(), Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read where " + config.topics().models() + " ends: " + e, e);
        }
    }

    /** The data topic, in the servers' consumer group, with offsets to commit once the results are written. */
    Source<DataRecord<CommittableOffset>, NotUsed> data() {
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT.toMillis()))
                .withProperties(config.kafkaProperties())
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId(config.groupId())
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
        return new DataRecord<>(r.key(), r.value(), RecordFormat.contentType(r.headers()), r.topic(), r.partition(),
                r.offset(), m.committableOffset());
    }

    /** The consumer of the data topic now (a restart replaces it): stopping it ends the data stream. */
    Consumer.Control dataControl() {
        return dataControl.get();
    }

    /**
     * The producer of results and dead letters, shared by every (re)start of the data stream, so a restart does
     * not lose what is on its way.
     */
    SendProducer<byte[], byte[]> producer() {
        return new SendProducer<>(ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperties(config.kafkaProperties())
                .withBootstrapServers(config.bootstrapServers()), system);
    }

    /**
     * Writes each outcome (result, dead letter, or nothing) by the shared {@link Delivery} rule and hands its offset
     * on once it is written or given up, in order.
     */
    Flow<Outcome<CommittableOffset>, CommittableOffset, NotUsed> output(SendProducer<byte[], byte[]> producer,
            Delivery delivery) {
        return Flow.<Outcome<CommittableOffset>>create()
                .mapAsync(WRITES_IN_FLIGHT, o -> write(producer, delivery, o).thenApply(done -> o.passThrough()));
    }

    private CompletionStage<Void> write(SendProducer<byte[], byte[]> producer, Delivery delivery,
            Outcome<CommittableOffset> o) {
        if (o instanceof Outcome.Result<CommittableOffset> r) {
            return delivery.write(r.dataType(), r.source(), () -> producer.send(
                    new ProducerRecord<>(config.topics().results(), null, r.key(), r.result(), r.headers())));
        }
        if (o instanceof Outcome.DeadLetter<CommittableOffset> d) {
            return delivery.write(d.dataType(), d.source(), () -> producer.send(new ProducerRecord<>(
                    config.topics().deadLetters(), null, d.key(), d.valueOrEmpty(), d.headers())));
        }
        return CompletableFuture.completedFuture(null);
    }

    CommitterSettings committer() {
        return CommitterSettings.create(system).withMaxInterval(Duration.ofMillis(200));
    }
}
