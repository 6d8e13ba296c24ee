package dev.modelserving.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class EmbeddedKafkaBrokerTest {

    @Test
    void servesAProduceConsumeRoundTripOnLoopback(EmbeddedKafkaBroker broker) throws Exception {
        String topic = "round-trip-" + UUID.randomUUID();

        produce(broker.bootstrapServers(), topic, List.of("a", "b", "c"));
        List<String> read = consume(broker.bootstrapServers(), topic, 3);

        assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
        assertThat(read).containsExactly("a", "b", "c");
    }

    @Test
    void createsCompactedAndPartitionedTopics(EmbeddedKafkaBroker broker) throws Exception {
        String topic = "compacted-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all().get();

            var description = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
            var config = admin.describeConfigs(Set.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic))).all().get();

            assertThat(description.partitions()).hasSize(3);
            assertThat(config.values().iterator().next().get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        }
    }

    @Test
    void aKafkaHaltBecomesARecordedErrorInsteadOfAVanishedJvm(EmbeddedKafkaBroker broker) {
        try {
            assertThatThrownBy(() -> Exit.halt(3, "simulated fatal fault"))
                    .isInstanceOf(EmbeddedKafkaBroker.FatalBrokerError.class)
                    .hasMessage("Kafka halted with status 3: simulated fatal fault");
            assertThat(EmbeddedKafkaBroker.fatalError()).contains("Kafka halted with status 3: simulated fatal fault");
        } finally {
            EmbeddedKafkaBroker.clearFatalError();
        }
    }

    static void produce(String bootstrap, String topic, List<String> values) throws Exception {
        produce(bootstrap, Map.of(), topic, values);
    }

    static void produce(String bootstrap, Map<String, String> clientProperties, String topic, List<String> values)
            throws Exception {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, v)).get();
            }
        }
    }

    static List<String> consume(String bootstrap, String topic, int count) {
        return consume(bootstrap, Map.of(), topic, count);
    }

    static List<String> consume(String bootstrap, Map<String, String> clientProperties, String topic, int count) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            List<String> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
            return out;
        }
    }
}
