package dev.modelserving.akka;

import akka.NotUsed;
import akka.actor.ActorSystem;
import akka.kafka.CommitterSettings;
import akka.kafka.ConsumerMessage;
import akka.kafka.ConsumerMessage.CommittableMessage;
import akka.kafka.ConsumerMessage.CommittableOffset;
import akka.kafka.ConsumerMessage.CommittableOffsetBatch;
import akka.kafka.ConsumerSettings;
import akka.kafka.ProducerSettings;
import akka.kafka.Subscriptions;
import akka.kafka.javadsl.Consumer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.KafkaClientMeters;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelsCatchUp;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.RecordFormat;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
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

    /** Records in a batch of the data stream, at most: scored, written and committed together. */
    static final int MAX_BATCH = 256;
    /**
     * Batches of outcomes being written at once. A batch holds a single record when the server keeps up, so this
     * many writes can overlap before records wait for one to finish (and meanwhile gather into larger batches).
     */
    static final int BATCHES_IN_FLIGHT = 16;
    static final long COMMIT_MAX_OFFSETS = 1_000;
    static final int COMMIT_INTERVAL_MS = 200;
    static final int COMMITS_IN_FLIGHT = 4;

    private final ActorSystem system;
    private final ServerConfig config;
    /** The data consumer's group session timeout: a consumer silent for longer is out of the group. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    private final AtomicReference<Consumer.Control> dataControl = new AtomicReference<>(Consumer.createNoopControl());

    /** The data consumer's meters ({@link KafkaClientMeters}), bound when a (re)start creates the consumer. */
    private final MeterRegistry meters;
    private AutoCloseable dataConsumerMeters;

    KafkaIO(ActorSystem system, ServerConfig config, MeterRegistry meters) {
        this.system = system;
        this.config = config;
        this.meters = meters;
    }

    /**
     * The data consumer, its Kafka client metrics bound as meters (its lag per partition among them); a restart's
     * new consumer takes the place of the last one's meters.
     */
    private synchronized org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> dataConsumer(
            ConsumerSettings<byte[], byte[]> settings) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.getProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        closeDataConsumerMeters();
        dataConsumerMeters = KafkaClientMeters.bind(consumer, meters);
        return consumer;
    }

    /** Removes the data consumer's meters and stops their lookups (at a restart, and once the server has drained). */
    synchronized void closeDataConsumerMeters() {
        if (dataConsumerMeters != null) {
            try {
                dataConsumerMeters.close();
            } catch (Exception e) {
                system.log().debug("closing the data consumer's meters: {}", e.toString());
            }
            dataConsumerMeters = null;
        }
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

    /**
     * The data topic, in the servers' consumer group, with offsets to commit once the results are written: its
     * records in batches of up to {@value #MAX_BATCH}, in order. A batch is handed on as soon as the next step takes
     * one, with what has come since the last (a single record while the next step keeps up, more while it is busy),
     * so batching adds no wait of its own.
     */
    Source<List<DataRecord<CommittableOffset>>, NotUsed> data() {
        ConsumerSettings<byte[], byte[]> settings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT.toMillis()))
                .withProperties(config.kafkaProperties())
                .withBootstrapServers(config.bootstrapServers())
                .withGroupId(config.groupId())
                .withStopTimeout(Duration.ZERO)
                .withConsumerFactory(this::dataConsumer);
        return Consumer.committableSource(settings, Subscriptions.topics(config.topics().data()))
                .mapMaterializedValue(control -> {
                    dataControl.set(control);
                    return NotUsed.getInstance();
                })
                .batch(MAX_BATCH, KafkaIO::firstOfBatch, KafkaIO::addToBatch);
    }

    private static List<DataRecord<CommittableOffset>> firstOfBatch(CommittableMessage<byte[], byte[]> m) {
        return addToBatch(new ArrayList<>(), m);
    }

    private static List<DataRecord<CommittableOffset>> addToBatch(List<DataRecord<CommittableOffset>> batch,
            CommittableMessage<byte[], byte[]> m) {
        ConsumerRecord<byte[], byte[]> r = m.record();
        batch.add(new DataRecord<>(r.key(), r.value(), RecordFormat.contentType(r.headers()), r.topic(),
                r.partition(), r.offset(), m.committableOffset()));
        return batch;
    }

    /** The consumer of the data topic now (a restart replaces it): stopping it ends the data stream. */
    Consumer.Control dataControl() {
        return dataControl.get();
    }

    /**
     * The writer of results and dead letters, with a producer shared by every (re)start of the data stream, so a
     * restart does not lose what is on its way.
     */
    OutcomeWriter writer(Delivery delivery) {
        ProducerSettings<byte[], byte[]> settings = ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperties(config.kafkaProperties())
                .withBootstrapServers(config.bootstrapServers());
        return new OutcomeWriter(settings::createKafkaProducer, Duration.ofNanos(settings.closeTimeout().toNanos()),
                delivery, config.topics());
    }

    /**
     * Writes the outcomes of each batch ({@link OutcomeWriter#write}) and, once every one of them is written or
     * given up, hands on the batch's offsets as one {@link CommittableOffsetBatch}; up to {@value #BATCHES_IN_FLIGHT}
     * batches are on their way at once, and their offsets are handed on in the batches' order.
     */
    Flow<List<Outcome<CommittableOffset>>, CommittableOffsetBatch, NotUsed> output(OutcomeWriter writer) {
        return Flow.<List<Outcome<CommittableOffset>>>create().mapAsync(BATCHES_IN_FLIGHT, batch -> {
            CommittableOffsetBatch offsets = offsets(batch);
            return writer.write(batch).thenApply(written -> offsets);
        });
    }

    /**
     * The offsets of a batch's records as one batch to commit. A {@link CommittableOffsetBatch} keeps the last
     * offset it was given of each partition, so of each run of consecutive records of one partition only the last
     * is folded in: the same offsets as folding in every record, for a fraction of the work (its batch size counts
     * the runs, about one per partition in the batch).
     */
    static CommittableOffsetBatch offsets(List<Outcome<CommittableOffset>> batch) {
        CommittableOffsetBatch offsets = ConsumerMessage.emptyCommittableOffsetBatch();
        for (Outcome<CommittableOffset> last : lastOfEachRun(batch, o -> o.passThrough().partitionOffset().key())) {
            offsets = offsets.updated(last.passThrough());
        }
        return offsets;
    }

    /** Of each run of consecutive items with equal keys, the last, in order. */
    static <T> List<T> lastOfEachRun(List<T> items, Function<? super T, ?> key) {
        List<T> out = new ArrayList<>(4);
        T previous = null;
        Object previousKey = null;
        for (T item : items) {
            Object k = key.apply(item);
            if (previous != null && !k.equals(previousKey)) {
                out.add(previous);
            }
            previous = item;
            previousKey = k;
        }
        if (previous != null) {
            out.add(previous);
        }
        return out;
    }

    /**
     * How offsets are committed, after their batches are written: every {@value #COMMIT_INTERVAL_MS} ms while
     * records come, or as soon as {@value #COMMIT_MAX_OFFSETS} offsets (of {@link #offsets}: about one per partition
     * of each batch) have gathered; up to {@value #COMMITS_IN_FLIGHT} commits await Kafka's answer at once. A commit
     * takes no part in a record's way to its result; its interval bounds what a crash scores again.
     */
    CommitterSettings committer() {
        return CommitterSettings.create(system)
                .withMaxBatch(COMMIT_MAX_OFFSETS)
                .withMaxInterval(Duration.ofMillis(COMMIT_INTERVAL_MS))
                .withParallelism(COMMITS_IN_FLIGHT);
    }
}
