package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.WineRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(EmbeddedKafkaExtension.class)
class RunCommandTest {

    private static final String UCI_HEADER = "\"fixed acidity\";\"volatile acidity\";\"citric acid\";\"residual sugar\";"
            + "\"chlorides\";\"free sulfur dioxide\";\"total sulfur dioxide\";\"density\";\"pH\";\"sulphates\";"
            + "\"alcohol\";\"quality\"";

    @TempDir
    Path tmp;

    @Test
    void publishesExactlyTheRecordsAndModelsAskedForFromTheGeneratedFile(EmbeddedKafkaBroker kafka) throws Exception {
        Topics topics = Topics.withPrefix("run1_");
        int n = 40;

        Cli cli = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run1_",
                "--rate", "max", "--count", String.valueOf(n), "--max-models", "4", "--model-interval", "50ms");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out()).contains("done: 40 records sent").contains("4 models published");
        List<WineRecord> published = decode(TestKafka.readAll(kafka.bootstrapServers(), topics.data(), false));
        List<WineRow> wines = ProjectData.wines();
        assertThat(published).hasSize(n);
        assertThat(counts(published)).isEqualTo(counts(wines.subList(0, n).stream().map(w -> w.toRecord("wine")).toList()));
        List<ConsumerRecord<String, byte[]>> models = TestKafka.readAll(kafka.bootstrapServers(), topics.models(), false);
        assertThat(models).extracting(ConsumerRecord::key).containsOnly("wine");
        assertThat(models).extracting(m -> ModelDescriptor.parseFrom(m.value()).getName())
                .containsExactly(Stream.of(ProjectModel.values()).filter(m -> m.dataType.equals(ProjectData.DATA_TYPE))
                        .map(ProjectModel::modelName).toArray(String[]::new));
        assertThat(ModelDescriptor.parseFrom(models.get(0).value()).getData().toByteArray())
                .isEqualTo(ProjectModel.LINEAR_REGRESSION.bytes());
    }

    @Test
    void loopsOverAUciFileAndSkipsBadLinesNamingFileLineAndColumn(EmbeddedKafkaBroker kafka) throws Exception {
        Path csv = Files.writeString(tmp.resolve("uci.csv"), UCI_HEADER + "\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n"
                + "7.8;0.88;0;2.6;0.098;25;67;0.9968;3.2;0.68;9.8\n"
                + "7.8;0.76;0.04;2.3;0.092;15;54;0.997;3.26;0.65;9.8;5\n"
                + "11.2;0.28;x;1.9;0.075;17;60;0.998;3.16;0.58;9.8;6\n");
        Topics topics = Topics.withPrefix("run2_");

        Cli cli = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run2_",
                "--data", csv.toString(), "--rate", "max", "--count", "5", "--max-models", "1");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.err()).contains("skipped " + csv + ":3: expected 12 columns, found 11")
                .contains("skipped " + csv + ":5:3: 'x' (citric acid) is not a number");
        assertThat(cli.out()).contains("publishing 2 wines (2 lines skipped)");
        List<WineRecord> published = decode(TestKafka.readAll(kafka.bootstrapServers(), topics.data(), false));
        WineRecord first = WineFeatures.record("wine", 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4);
        WineRecord second = WineFeatures.record("wine", 7.8, 0.76, 0.04, 2.3, 0.092, 15, 54, 0.997, 3.26, 0.65, 9.8);
        assertThat(counts(published)).isEqualTo(counts(List.of(first, second, first, second, first)));
    }

    @Test
    void aStrictRunStopsAtTheFirstBadLineBeforeSendingAnything(EmbeddedKafkaBroker kafka) throws Exception {
        Path csv = Files.writeString(tmp.resolve("bad.csv"), UCI_HEADER + "\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;five\n");

        Cli cli = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run3_",
                "--data", csv.toString(), "--strict", "--rate", "max", "--count", "5");

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(cli.err().strip()).isEqualTo("loader: nothing published: " + csv
                + ":3:12: 'five' (quality) is not a number");
        assertThat(exists(kafka, "run3_data")).isFalse();
    }

    @Test
    void aModelDirectoryWithAnUnreadableModelFailsBeforeAnythingIsSent(EmbeddedKafkaBroker kafka) throws Exception {
        Path models = Files.createDirectories(tmp.resolve("models"));
        Files.write(models.resolve("a-good.pmml"), ProjectModel.DECISION_TREE.bytes());
        Files.writeString(models.resolve("b-broken.pmml"), "<PMML>not really</PMML>");

        Cli cli = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run4_",
                "--models", models.toString(), "--rate", "max", "--count", "5");

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(cli.err()).startsWith("loader: nothing published: ").contains("not a usable PMML document");
        assertThat(exists(kafka, "run4_data")).isFalse();
    }

    static List<WineRecord> decode(List<ConsumerRecord<String, byte[]>> messages) throws Exception {
        List<WineRecord> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> m : messages) {
            out.add(WineRecord.parseFrom(m.value()));
        }
        return out;
    }

    /** Records as a multiset: partitions keep no order between each other. */
    private static Map<String, Long> counts(List<WineRecord> records) {
        return records.stream().map(r -> r.getDataType() + Arrays.toString(WineFeatures.values(r)))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static boolean exists(EmbeddedKafkaBroker kafka, String topic) throws Exception {
        try (TestKafka client = new TestKafka(kafka.bootstrapServers())) {
            return client.exists(topic);
        }
    }
}
