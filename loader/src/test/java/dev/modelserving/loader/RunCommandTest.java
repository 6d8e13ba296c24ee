package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.RecordDecoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.Features;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.WineRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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

        assertThat(cli.exitCode()).as(cli.out() + cli.err()).isZero();
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
        assertThat(cli.out()).contains("publishing 2 records (2 lines skipped) as wine");
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

    @Test
    void anyCsvWithAHeaderIsSentAsJsonOrFeatureRecordsTypedByColumn(EmbeddedKafkaBroker kafka) throws Exception {
        Path csv = Files.writeString(tmp.resolve("churn.csv"), "customer,plan,region,tenure,monthly charges,paperless\n"
                + "\"Smith, J.\",gold,north,12,70.5,true\n"
                + "Lee,basic,,3,20,FALSE\n"
                + "Ng,gold,south,abc,30,true\n"
                + "Ito,standard,east,40,55.25,maybe\n"
                + "Kim,standard,west,7,\"1e1\",false\n");

        Cli json = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run5_",
                "--data", csv.toString(), "--format", "json", "--data-type", "churn", "--rate", "max", "--count", "3",
                "--max-models", "0");
        Cli features = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run6_",
                "--data", csv.toString(), "--format", "FEATURES", "--data-type", "churn", "--rate", "max", "--count",
                "3", "--max-models", "0");
        Cli wine = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run7_",
                "--data", csv.toString(), "--rate", "max", "--count", "3");
        Cli strict = Cli.run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "run8_",
                "--data", csv.toString(), "--format", "json", "--strict", "--rate", "max", "--count", "3");

        for (Cli cli : List.of(json, features)) {
            assertThat(cli.exitCode()).as(cli.err()).isZero();
            assertThat(cli.err()).contains("skipped " + csv + ":4:4: 'abc' (tenure) is not a number")
                    .contains("skipped " + csv + ":5:6: 'maybe' (paperless) is not true or false");
            assertThat(cli.out()).contains("publishing 3 records (2 lines skipped)");
        }
        for (String topic : List.of("run5_data", "run6_data")) {
            List<ConsumerRecord<String, byte[]>> sent = TestKafka.readAll(kafka.bootstrapServers(), topic, false);
            assertThat(sent).hasSize(3);
            Map<Object, Features> byCustomer = new HashMap<>();
            for (ConsumerRecord<String, byte[]> m : sent) {
                String contentType = RecordFormat.contentType(m.headers());
                Features r = RecordDecoder.decode(m.value(), RecordFormat.ofContentType(contentType).orElseThrow());
                assertThat(r.dataType()).isEqualTo("churn");
                byCustomer.put(r.value("customer"), r);
            }
            Features smith = byCustomer.get("Smith, J.");
            assertThat(smith.value("plan")).isEqualTo("gold");
            assertThat(smith.value("tenure")).isEqualTo(12.0);
            assertThat(smith.value("monthlycharges")).isEqualTo(70.5);
            assertThat(smith.value("paperless")).isEqualTo(true);
            Features lee = byCustomer.get("Lee");
            assertThat(lee.value("region")).as("an empty cell is an absent feature").isNull();
            assertThat(lee.names()).doesNotContain("region");
            assertThat(lee.value("paperless")).isEqualTo(false);
            assertThat(byCustomer.get("Kim").value("monthlycharges")).isEqualTo(10.0);
        }
        assertThat(wine.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(wine.err()).contains(csv + ":1: the header has no column 'fixed acidity'")
                .contains("--format features or json take any columns");
        assertThat(strict.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(strict.err().strip()).isEqualTo("loader: nothing published: " + csv
                + ":4:4: 'abc' (tenure) is not a number");
        assertThat(exists(kafka, "run8_data")).isFalse();
    }

    @Test
    void everyOptionIsCheckedBeforeAnythingIsStartedOrSent(EmbeddedKafkaBroker kafka) throws Exception {
        Map<List<String>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(List.of("--model-interval", "0s"), "--model-interval must be at least 50ms, not 0ms");
        refused.put(List.of("--progress-interval", "0s"), "--progress-interval must be at least 100ms, not 0ms");
        refused.put(List.of("--count", "-1"), "--count must be 0 (no end) or more, not -1");
        refused.put(List.of("--max-models", "-2"), "--max-models must be 0 (no limit) or more, not -2");
        refused.put(List.of("--partitions", "0"), "--partitions must be 1 or more, not 0");
        int i = 0;
        for (Map.Entry<List<String>, String> option : refused.entrySet()) {
            String prefix = "bad" + i++ + "_";
            List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic-prefix", prefix, "--rate", "max"));
            args.addAll(option.getKey());
            if (!option.getKey().contains("--count")) {
                args.addAll(List.of("--count", "5"));
            }
            Cli cli = Cli.run(args.toArray(String[]::new));
            assertThat(cli.exitCode()).as(option.getKey().toString()).isEqualTo(2); // picocli's usage error
            assertThat(cli.err()).as(option.getKey().toString()).startsWith(option.getValue());
            assertThat(exists(kafka, prefix + "data")).as("nothing is created or sent").isFalse();
            assertThat(exists(kafka, prefix + "models")).isFalse();
        }
        // without --bootstrap-servers the broker is not started either
        Cli port = Cli.run("run", "--broker-port", "70000", "--broker-data", tmp.resolve("never").toString());
        assertThat(port.err()).startsWith("--broker-port must be a port (1 to 65535), not 70000");
        assertThat(tmp.resolve("never")).doesNotExist();
        Cli read = Cli.run("read", "--bootstrap-servers", kafka.bootstrapServers(), "--idle", "0s");
        assertThat(read.err()).startsWith("--idle must be longer than 0");
    }

    /**
     * A CSV many times the loader's heap is read as it is sent: a loader given a 32 MiB heap reads a 120 MB file
     * (every row, once, to check it, before sending) and sends its records.
     */
    @Test
    void aFileLargerThanTheHeapIsStreamed(EmbeddedKafkaBroker kafka) throws Exception {
        Path csv = tmp.resolve("large.csv");
        String row = "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4;5\n";
        try (var out = new java.io.BufferedWriter(Files.newBufferedWriter(csv), 1 << 20)) {
            out.write(UCI_HEADER + "\n");
            for (long written = 0; written < 120_000_000L; written += row.length()) {
                out.write(row);
            }
        }
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process loader = new ProcessBuilder(javaBin.toString(), "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                LoaderMain.class.getName(), "run", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "large_", "--data", csv.toString(), "--rate", "max", "--count", "1000",
                "--max-models", "1").redirectErrorStream(true).redirectOutput(tmp.resolve("loader.log").toFile())
                .start();
        assertThat(loader.waitFor(5, java.util.concurrent.TimeUnit.MINUTES)).as("the loader ends").isTrue();
        String log = Files.readString(tmp.resolve("loader.log"));
        assertThat(loader.exitValue()).as(log).isZero();
        assertThat(log).doesNotContain("OutOfMemoryError").contains("done: 1000 records sent");
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "large_data", false)).hasSize(1000);
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
