package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outcomes are compared with their topic's limit as the broker has it. */
@ExtendWith(EmbeddedKafkaExtension.class)
class SizeCheckTest {

    @Test
    void anOutcomeLargerThanItsTopicTakesIsGivenUpBeforeItIsSentAndASmallOneFits(EmbeddedKafkaBroker kafka)
            throws Exception {
        Topics topics = Topics.withPrefix("size-check_");
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin client = Admin.create(admin);
                Delivery delivery = new Delivery(new ServingMetrics(new SimpleMeterRegistry()))) {
            client.createTopics(List.of(new NewTopic(topics.deadLetters(), 1, (short) 1)
                            .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2048")),
                    new NewTopic(topics.results(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            SizeCheck check = new SizeCheck(admin, topics, delivery);

            Outcome<Void> big = new Outcome.DeadLetter<>(null, new byte[4096], "not a WineRecord", null,
                    "size-check_data[2]@9", null);
            Outcome<Void> small = new Outcome.DeadLetter<>(null, new byte[100], "not a WineRecord", null,
                    "size-check_data[2]@10", null);
            Outcome<Void> result = new Outcome.Result<>(null, new byte[4096], ResultFormat.PROTOBUF, "wine", "size-check_data[0]@1", null);

            assertThat(check.fits(big)).isFalse();
            assertThat(check.fits(small)).isTrue();
            assertThat(check.fits(result)).as("the results topic has the broker's default limit").isTrue();
            assertThat(delivery.undeliverable()).isEqualTo(1);
            assertThat(delivery.undeliverable(Delivery.UNDECODABLE).orElseThrow().last().source())
                    .isEqualTo("size-check_data[2]@9");
        }
    }

    @Test
    void aLimitThatCouldNotBeAskedIsAskedAgainWithinSeconds(EmbeddedKafkaBroker kafka) throws Exception {
        Topics topics = Topics.withPrefix("size-late_");
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin client = Admin.create(admin);
                Delivery delivery = new Delivery(new ServingMetrics(new SimpleMeterRegistry()))) {
            SizeCheck check = new SizeCheck(admin, topics, delivery);
            Outcome<Void> big = new Outcome.DeadLetter<>(null, new byte[4096], "not a WineRecord", null,
                    "size-late_data[0]@3", null);
            assertThat(check.fits(big)).as("the topic is not there yet: its limit cannot be asked").isTrue();

            client.createTopics(List.of(new NewTopic(topics.deadLetters(), 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2048")))).all().get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> !check.fits(big));
            assertThat(delivery.undeliverable()).isEqualTo(1);
        }
    }
}
