package dev.modelserving.loader;

import dev.modelserving.kafka.Topics;
import dev.modelserving.model.ModelVersions;
import dev.modelserving.model.ModelsTopic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What the lifecycle commands share: the Kafka options, reading the whole models topic as the servers read it
 * ({@link ModelVersions}), and publishing on it.
 */
final class ModelsTopicAccess {

    /** How long reading the models topic to its end may take. */
    static final Duration READ_LIMIT = Duration.ofSeconds(60);

    @Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", description = "Kafka (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--topic-prefix", defaultValue = Topics.DEFAULT_PREFIX, description = "Topic names' prefix (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    KafkaConnection kafka() {
        return new KafkaConnection(bootstrap, kafkaOptions.clientProperties());
    }

    String modelsTopic() {
        return Topics.withPrefix(topicPrefix).models();
    }

    /** The models topic from its start to its end now, as the servers read it. */
    ModelVersions read() throws Exception {
        KafkaConnection kafka = kafka();
        String topic = modelsTopic();
        try (Admin admin = kafka.reachableAdmin()) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                throw new IllegalArgumentException("there is no models topic " + topic + " at " + bootstrap);
            }
        }
        ModelVersions versions = new ModelVersions();
        try (KafkaConsumer<String, byte[]> consumer = kafka.consumer(Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within "
                            + READ_LIMIT.toSeconds() + " s");
                }
                for (ConsumerRecord<String, byte[]> m : consumer.poll(Duration.ofMillis(200))) {
                    versions.apply(m.key(), m.value(), m.offset());
                }
            }
        }
        return versions;
    }

    /** Publishes on the models topic and waits for Kafka to have it. */
    RecordMetadata publish(ModelsTopic.Message m) throws Exception {
        try (KafkaProducer<String, byte[]> producer = kafka().producer()) {
            return producer.send(new ProducerRecord<>(modelsTopic(), m.key(), m.value())).get(30, TimeUnit.SECONDS);
        }
    }

    /** Who asked, for the event's reason. */
    static String who() {
        return System.getProperty("user.name", "someone") + " with the loader";
    }
}
