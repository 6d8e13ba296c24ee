package dev.modelserving.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** What a Quarkus test gets from the resource: the shared broker's address and a working KafkaCompanion. */
class KafkaBrokerTestResourceTest {

    @InjectKafkaCompanion
    KafkaCompanion companion;

    @Test
    void pointsQuarkusAtTheSharedBrokerAndInjectsACompanionThatTalksToIt() throws Exception {
        KafkaBrokerTestResource resource = new KafkaBrokerTestResource();
        Map<String, String> config = resource.start();
        try {
            resource.inject((target, matches) -> injectInto(this, target, matches));
            String topic = "companion-" + UUID.randomUUID();

            companion.produceStrings().fromRecords(new ProducerRecord<>(topic, "k", "v")).awaitCompletion();
            var consumed = companion.consumeStrings().fromTopics(topic, 1).awaitCompletion(Duration.ofSeconds(30));

            assertThat(config).containsEntry("kafka.bootstrap.servers", SharedBroker.get().bootstrapServers())
                    .containsEntry("quarkus.kafka.devservices.enabled", "false");
            assertThat(consumed.getRecords()).extracting(r -> r.value()).containsExactly("v");
        } finally {
            resource.stop();
        }
    }

    /** Quarkus's injector: set every field of the test that the predicate accepts. */
    private static void injectInto(Object test, Object value, java.util.function.Predicate<Field> matches) {
        for (Field f : test.getClass().getDeclaredFields()) {
            if (matches.test(f)) {
                try {
                    f.setAccessible(true);
                    f.set(test, value);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
