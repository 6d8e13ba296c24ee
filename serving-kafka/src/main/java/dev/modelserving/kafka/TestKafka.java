package dev.modelserving.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * For tests and benchmarks: a broker as a test sees it. Creates the system's topics, sends a message and waits for
 * the broker's acknowledgement (its {@link Position}), reads a topic to the end it has now, and says whether a topic
 * exists and how many messages it has been written. Every call has a deadline. Every client it makes takes the Kafka
 * client properties it was given (a secured listener's).
 */
public final class TestKafka implements AutoCloseable {

    /** Partitions of the data and results topics the tests create. */
    public static final int DATA_PARTITIONS = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final String bootstrap;
    private final Map<String, String> clientProperties;
    private final KafkaProducer<String, byte[]> producer;

    /** Where a message landed; results name their record's position. */
    public record Position(int partition, long offset) implements Comparable<Position> {
        public static Position of(RecordMetadata m) {
            return new Position(m.partition(), m.offset());
        }

        @Override
        public int compareTo(Position o) {
            return partition != o.partition ? Integer.compare(partition, o.partition) : Long.compare(offset, o.offset);
        }
    }

    public TestKafka(String bootstrap) {
        this(bootstrap, Map.of());
    }

    /** With Kafka client properties for every client it makes (a secured listener's, say). */
    public TestKafka(String bootstrap, Map<String, String> clientProperties) {
        this.bootstrap = bootstrap;
        this.clientProperties = Map.copyOf(clientProperties);
        this.producer = new KafkaProducer<>(KafkaClientProperties.forClient(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES,
                ProducerConfig.BUFFER_MEMORY_CONFIG, Topics.PRODUCER_BUFFER_BYTES), this.clientProperties, bootstrap));
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /** Creates whichever of the topics do not exist yet ({@value #DATA_PARTITIONS} data partitions). */
    public void createTopics(Topics topics) throws Exception {
        try (Admin admin = admin()) {
            topics.ensure(admin, DATA_PARTITIONS);
        }
    }

    /** Sends and waits for the broker's acknowledgement. */
    public Position send(String topic, String key, byte[] value) throws Exception {
        return Position.of(producer.send(new ProducerRecord<>(topic, key, value)).get(DEADLINE.toSeconds(),
                TimeUnit.SECONDS));
    }

    /**
     * Sends with a {@value RecordFormat#HEADER} header (none when {@code contentType} is null) and waits for the
     * broker's acknowledgement.
     */
    public Position send(String topic, String key, byte[] value, String contentType) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        if (contentType != null) {
            record.headers().add(RecordFormat.HEADER, contentType.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Position.of(producer.send(record).get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    /** Sends to one partition, without a key, and waits for the broker's acknowledgement. */
    public Position send(String topic, int partition, byte[] value) throws Exception {
        return Position.of(producer.send(new ProducerRecord<>(topic, partition, null, value))
                .get(DEADLINE.toSeconds(), TimeUnit.SECONDS));
    }

    /**
     * Sends the values round-robin over the topic's first {@code partitions} partitions, without keys, all at once
     * (Kafka's own partitioner keeps a few kilobytes on one partition); their positions, in order.
     */
    public List<Position> sendRoundRobin(String topic, int partitions, List<byte[]> values) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i))));
        }
        List<Position> sent = new ArrayList<>(acks.size());
        for (Future<RecordMetadata> ack : acks) {
            sent.add(Position.of(ack.get(DEADLINE.toSeconds() * 2, TimeUnit.SECONDS)));
        }
        return sent;
    }

    /** Everything on the topic now. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return readAll(bootstrap, clientProperties, topic, false);
    }

    /** Everything committed on the topic now (read_committed: no message of an open or aborted transaction). */
    public List<ConsumerRecord<String, byte[]>> readCommitted(String topic) {
        return readAll(bootstrap, clientProperties, topic, true);
    }

    /** Whether the topic exists. */
    public boolean exists(String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(DEADLINE.toSeconds(), TimeUnit.SECONDS).contains(topic);
        }
    }

    /** The sum of the topic's end offsets: messages written, committed or not (cheap to ask). */
    public long written(String topic) throws Exception {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get(DEADLINE.toSeconds(), TimeUnit.SECONDS)
                    .get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(DEADLINE.toSeconds(), TimeUnit.SECONDS).values().stream()
                    .mapToLong(o -> o.offset()).sum();
        }
    }

    /** The sum of the offsets a consumer group has committed on a topic (0 for a partition it has not committed). */
    public long committed(String group, String topic) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(DEADLINE.toSeconds(), TimeUnit.SECONDS).entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    /**
     * Reads every partition of a topic from its beginning to the end it has when called, with a plain consumer
     * that joins no group; at most 30 s. With {@code committedOnly} it reads as a {@code read_committed} consumer:
     * to the last stable offset, without the messages of aborted transactions.
     */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic,
            boolean committedOnly) {
        return readAll(bootstrap, Map.of(), topic, committedOnly);
    }

    /** The same, with these Kafka client properties. */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, Map<String, String> clientProperties,
            String topic, boolean committedOnly) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.forClient(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class),
                clientProperties, bootstrap))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + DEADLINE);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
            return out;
        }
    }

    private Admin admin() {
        return Admin.create(KafkaClientProperties.forClient(Map.of(), clientProperties, bootstrap));
    }

    @Override
    public void close() {
        producer.close();
    }
}
