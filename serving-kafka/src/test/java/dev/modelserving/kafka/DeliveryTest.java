package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.model.ServingStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The write rule against a real broker: what Kafka will never take is given up, what it cannot take yet waits. */
@ExtendWith(EmbeddedKafkaExtension.class)
class DeliveryTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.ACKS_CONFIG, "all",
                // a send fails after a second rather than Kafka's two minutes: the rule retries it
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 500,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 1000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 500,
                ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    private static CompletableFuture<Void> send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value) {
        return send(producer, topic, 0, value);
    }

    private static CompletableFuture<Void> send(KafkaProducer<byte[], byte[]> producer, String topic, int partition,
            byte[] value) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, partition, null, value), (metadata, error) -> {
            if (error == null) {
                written.complete(null);
            } else {
                written.completeExceptionally(error);
            }
        });
        return written;
    }

    private static void create(Admin admin, String topic, Map<String, String> configs) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aMessageTheTopicWillNeverTakeIsGivenUpAfterThreeAttemptsCountedAndTheNextOneIsWritten(
            EmbeddedKafkaBroker kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
                KafkaProducer<byte[], byte[]> producer = producer(kafka);
                Delivery delivery = new Delivery(new ServingMetrics(meters))) {
            create(admin, "delivery-small", Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1024"));
            int[] attempts = {0};

            delivery.write("wine", "models_data[1]@42", () -> {
                attempts[0]++;
                return send(producer, "delivery-small", new byte[4096]);
            }).get(30, TimeUnit.SECONDS);
            delivery.write("wine", "models_data[1]@43", () -> send(producer, "delivery-small", new byte[10]))
                    .get(30, TimeUnit.SECONDS);

            assertThat(attempts[0]).isEqualTo(Delivery.MAX_ATTEMPTS);
            assertThat(delivery.undeliverable()).isEqualTo(1);
            assertThat(meters.counter("modelserving.records.undeliverable").count()).isEqualTo(1);
            assertThat(delivery.stalled()).isFalse();
            ServingStats wine = delivery.addTo(ServingStats.none("wine"));
            assertThat(wine.undeliverable()).isEqualTo(1);
            assertThat(wine.lastUndeliverable().source()).isEqualTo("models_data[1]@42");
            assertThat(wine.lastUndeliverable().reason()).contains("RecordTooLargeException");
            assertThat(TestKafka.readAll(kafka.bootstrapServers(), "delivery-small", false)).hasSize(1);
        }
    }

    @Test
    void aMessageKafkaCannotTakeYetIsRetriedWhileTheServerSaysItIsStalledAndWrittenOnceItCan(
            EmbeddedKafkaBroker kafka) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
                KafkaProducer<byte[], byte[]> producer = producer(kafka);
                Delivery delivery = new Delivery(new ServingMetrics(meters))) {
            // a partition the topic does not have yet: every write times out waiting for it (retriable)
            create(admin, "delivery-later", Map.of());

            CompletableFuture<Void> written = delivery.write("wine", "models_data[0]@7",
                    () -> send(producer, "delivery-later", 1, new byte[10]));

            await().atMost(Duration.ofSeconds(30)).until(delivery::stalled);
            assertThat(written).isNotDone();
            admin.createPartitions(Map.of("delivery-later", NewPartitions.increaseTo(2))).all()
                    .get(30, TimeUnit.SECONDS);
            written.get(60, TimeUnit.SECONDS);

            assertThat(delivery.stalled()).isFalse();
            assertThat(delivery.undeliverable()).isZero();
            assertThat(TestKafka.readAll(kafka.bootstrapServers(), "delivery-later", false)).hasSize(1);
        }
    }
}
