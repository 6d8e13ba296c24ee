package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.proto.ModelDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle commands against a real broker: shadow, promote, rollback, models, and the versions publish-model
 * keeps (README, "Model lifecycle").
 */
@ExtendWith(EmbeddedKafkaExtension.class)
class LifecycleCommandsTest {

    @TempDir
    Path tmp;

    private static ModelDescriptor descriptor(ConsumerRecord<String, byte[]> m) throws Exception {
        return ModelDescriptor.parseFrom(m.value());
    }

    @Test
    void shadowPromoteRollbackAndModelsWorkOnTheTopicAsServersReadIt(EmbeddedKafkaBroker kafka) throws Exception {
        String[] at = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "lc1_"};
        Path tree = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        Path linear = Files.write(tmp.resolve("linear.pmml"), ProjectModel.LINEAR_REGRESSION.bytes());

        assertThat(run("promote", "--data-type", "wine", at[0], at[1], at[2], at[3]).exitCode())
                .as("no models topic yet").isNotZero();
        assertThat(run("publish-model", tree.toString(), "--model-version", "1", at[0], at[1], at[2], at[3])
                .exitCode()).isZero();
        Cli noCandidate = run("promote", "--data-type", "wine", at[0], at[1], at[2], at[3]);
        assertThat(noCandidate.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(noCandidate.err()).contains("dataType 'wine' has no candidate");
        Cli noPrevious = run("rollback", "--data-type", "wine", at[0], at[1], at[2], at[3]);
        assertThat(noPrevious.err()).contains("has no previous version to go back to");

        Cli shadow = run("shadow", linear.toString(), "--model-version", "2", "--promote-after", "100",
                "--max-mean-difference", "0.5", at[0], at[1], at[2], at[3]);
        assertThat(shadow.exitCode()).as(shadow.err()).isZero();
        assertThat(shadow.out()).contains("published candidate model 'linear' v2", "as wine/2");
        Cli listed = run("models", at[0], at[1], at[2], at[3]);
        assertThat(listed.out()).contains("wine:", "live: 'tree' v1, candidate: 'linear' v2, previous: none");

        Cli promote = run("promote", "--data-type", "wine", at[0], at[1], at[2], at[3]);
        assertThat(promote.exitCode()).as(promote.err()).isZero();
        assertThat(promote.out()).startsWith("promoted 'linear' v2 over 'tree' v1 for dataType 'wine': published wine/2");
        Cli rollback = run("rollback", "--data-type", "wine", at[0], at[1], at[2], at[3]);
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(rollback.out()).startsWith("rolled back dataType 'wine' from 'linear' v2 to 'tree' v1");
        Cli toTwo = run("rollback", "--data-type", "wine", "--to", "2", at[0], at[1], at[2], at[3]);
        assertThat(toTwo.exitCode()).as(toTwo.err()).isZero();
        assertThat(run("rollback", "--data-type", "wine", "--to", "9", at[0], at[1], at[2], at[3]).err())
                .contains("version 9 of dataType 'wine' is not on lc1_models");

        List<ConsumerRecord<String, byte[]>> topic = TestKafka.readAll(kafka.bootstrapServers(), "lc1_models", false);
        assertThat(topic.stream().map(ConsumerRecord::key)).containsExactly("wine/1", "wine/2", "wine/2", "wine/1",
                "wine/2");
        ModelDescriptor candidate = descriptor(topic.get(1));
        assertThat(candidate.getCandidate()).isTrue();
        assertThat(candidate.getPromotionRule().getAfterRecords()).isEqualTo(100);
        assertThat(candidate.getPromotionRule().getMaxMeanAbsoluteDifference()).isEqualTo(0.5);
        ModelDescriptor promoted = descriptor(topic.get(2));
        assertThat(promoted.getCandidate()).isFalse();
        assertThat(promoted.hasPromotionRule()).isFalse();
        assertThat(promoted.getEvent()).isEqualTo(ModelDescriptor.LifecycleEvent.PROMOTED);
        assertThat(promoted.getData()).isEqualTo(candidate.getData());
        ModelDescriptor back = descriptor(topic.get(3));
        assertThat(back.getEvent()).isEqualTo(ModelDescriptor.LifecycleEvent.ROLLED_BACK);
        assertThat(back.getEventReason()).startsWith("from 'linear' v2, by ");
        assertThat(back.getVersion()).isEqualTo("1");

        Cli after = run("models", "--data-type", "wine", at[0], at[1], at[2], at[3]);
        assertThat(after.out()).contains("live: 'linear' v2, candidate: none, previous: 'tree' v1");
        assertThat(run("models", "--data-type", "beer", at[0], at[1], at[2], at[3]).exitCode()).isEqualTo(1);
    }

    @Test
    void publishModelKeepsTheNewestVersionsAndNeverWithdrawsTheLiveOrPreviousOne(EmbeddedKafkaBroker kafka)
            throws Exception {
        String[] at = {"--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "lc2_"};
        Path tree = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        for (int v = 1; v <= 4; v++) {
            Cli cli = run("publish-model", tree.toString(), "--model-version", String.valueOf(v), "--keep-versions",
                    "2", at[0], at[1], at[2], at[3]);
            assertThat(cli.exitCode()).as(cli.err()).isZero();
        }
        List<ConsumerRecord<String, byte[]>> topic = TestKafka.readAll(kafka.bootstrapServers(), "lc2_models", false);
        assertThat(topic.stream().map(m -> m.key() + (m.value() == null ? " withdrawn" : ""))).containsExactly(
                "wine/1", "wine/2", "wine/3", "wine/1 withdrawn", "wine/4", "wine/2 withdrawn");
        assertThat(run("models", at[0], at[1], at[2], at[3]).out())
                .contains("live: 'tree' v4, candidate: none, previous: 'tree' v3");

        Cli badRule = run("publish-model", tree.toString(), "--promote-after", "10", at[0], at[1], at[2], at[3]);
        assertThat(badRule.exitCode()).isEqualTo(2);
        assertThat(badRule.err()).contains("a promotion rule (--promote-after, --min-agreement, ...) is for a "
                + "candidate: add --candidate");
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "lc2_models", false)).hasSize(6);
    }

    private static Cli run(String... args) {
        return Cli.run(args);
    }
}
