package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class ModelsCatchUpTest {

    /** Partition 0 holds offsets 3..5 (0..2 deleted), partition 1 is empty, partition 2 holds 0..1. */
    private static final ModelsCatchUp.Ends ENDS = new ModelsCatchUp.Ends(Map.of(0, 3L, 1, 0L, 2, 0L),
            Map.of(0, 6L, 1, 0L, 2, 2L));

    @Test
    void caughtUpAfterTheLastMessageThatWasThereAtTheStartAndOnlyThen() {
        ModelsCatchUp catchUp = new ModelsCatchUp();
        catchUp.start(ENDS, Map.of());

        assertThat(catchUp.seen(0, 3)).isFalse();
        assertThat(catchUp.seen(2, 1)).isFalse();
        assertThat(catchUp.seen(0, 4)).isFalse();
        assertThat(catchUp.isCaughtUp()).isFalse();
        assertThat(catchUp.seen(0, 5)).as("the last one").isTrue();
        assertThat(catchUp.isCaughtUp()).isTrue();
        assertThat(catchUp.seen(0, 6)).as("later messages do not complete it again").isFalse();
    }

    @Test
    void messagesAppliedBeforeTheEndsWereKnownCount() {
        ModelsCatchUp catchUp = new ModelsCatchUp();
        catchUp.seen(0, 5);
        catchUp.seen(2, 1);
        assertThat(catchUp.isCaughtUp()).as("nothing is known before the start").isFalse();

        catchUp.start(ENDS, Map.of());

        assertThat(catchUp.isCaughtUp()).isTrue();
    }

    @Test
    void aServerThatKeptItsModelsReadsOnlyFromWhereItLeftOff() {
        ModelsCatchUp upToDate = new ModelsCatchUp();
        upToDate.start(ENDS, Map.of(0, 6L, 2, 2L));
        ModelsCatchUp behind = new ModelsCatchUp();
        behind.start(ENDS, Map.of(0, 6L));

        assertThat(upToDate.isCaughtUp()).isTrue();
        assertThat(behind.isCaughtUp()).isFalse();
        assertThat(behind.seen(2, 1)).isTrue();
    }

    @Test
    void awaitGivesUpAfterItsTime() throws Exception {
        ModelsCatchUp catchUp = new ModelsCatchUp();
        catchUp.start(ENDS, Map.of());

        assertThat(catchUp.await(Duration.ofMillis(50))).isFalse();
        assertThat(catchUp.isCaughtUp()).as("scoring goes on with what is loaded").isTrue();
    }

    @Test
    void theEndsOfARealTopic(EmbeddedKafkaBroker kafka) throws Exception {
        Topics topics = Topics.withPrefix("catch-up-ends_");
        try (TestKafka client = new TestKafka(kafka.bootstrapServers());
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers()))) {
            client.createTopics(topics);
            client.send(topics.models(), "wine", "a".getBytes(StandardCharsets.UTF_8));
            client.send(topics.models(), "beer", "b".getBytes(StandardCharsets.UTF_8));

            ModelsCatchUp.Ends ends = ModelsCatchUp.ends(admin, topics.models(), Duration.ofSeconds(30));

            assertThat(ends.earliest()).isEqualTo(Map.of(0, 0L));
            assertThat(ends.end()).isEqualTo(Map.of(0, 2L));
            assertThatThrownBy(() -> ModelsCatchUp.ends(admin, "no-such-topic", Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the models topic no-such-topic does not exist");
        }
    }
}
