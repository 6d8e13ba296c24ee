package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.SizeCheck;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.ModelDigest;
import dev.modelserving.proto.ModelDescriptor;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(EmbeddedKafkaExtension.class)
class PublishModelCommandTest {

    @TempDir
    Path tmp;

    @Test
    void publishesAValidatedModelKeyedByItsDataTypeAndVersion(EmbeddedKafkaBroker kafka) throws Exception {
        byte[] tree = ProjectModel.DECISION_TREE.bytes();
        Path file = Files.write(tmp.resolve("tree.pmml"), tree);

        Cli cli = Cli.run("publish-model", file.toString(), "--data-type", "red", "--description", "my tree",
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "pm1_");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        String version = ModelDigest.sha256(tree).substring(0, 12);
        assertThat(cli.out().strip()).isEqualTo("published model 'tree' v" + version + " PMML, " + tree.length
                + " bytes, dataType=red (my tree) as red/" + version + " to pm1_models[0]@0");
        List<ConsumerRecord<String, byte[]>> models = TestKafka.readAll(kafka.bootstrapServers(), "pm1_models", false);
        assertThat(models).hasSize(1);
        assertThat(models.get(0).key()).isEqualTo("red/" + version);
        ModelDescriptor d = ModelDescriptor.parseFrom(models.get(0).value());
        assertThat(d.getModeltype()).isEqualTo(ModelDescriptor.ModelType.PMML);
        assertThat(d.getData().toByteArray()).isEqualTo(tree);
        assertThat(d.getVersion()).isEqualTo(version);
    }

    @Test
    void aTensorflowModelCarriesItsInputFeatureNamesWhichMustFitItsInputTensor(EmbeddedKafkaBroker kafka)
            throws Exception {
        Path file = Files.write(tmp.resolve("mlp.pb"), ProjectModel.MLP_FROZEN_GRAPH.bytes());
        String inputs = "Fixed Acidity,volatileAcidity,citric_acid,residual sugar,chlorides,free sulfur dioxide,"
                + "total sulfur dioxide,density,PH,sulphates,alcohol";

        Cli named = Cli.run("publish-model", file.toString(), "--inputs", inputs, "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "pm10_");
        Cli tooFew = Cli.run("publish-model", file.toString(), "--inputs", "tenure,plan", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "pm10_");
        Path tree = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        Cli pmml = Cli.run("publish-model", tree.toString(), "--inputs", "a,b", "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "pm10_");

        assertThat(named.exitCode()).as(named.err()).isZero();
        ModelDescriptor d = ModelDescriptor.parseFrom(
                TestKafka.readAll(kafka.bootstrapServers(), "pm10_models", false).get(0).value());
        assertThat(d.getInputFeaturesList()).containsExactly(inputs.split(","));
        assertThat(tooFew.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(tooFew.err()).contains("expected [-1, 2] (one column per input feature)");
        assertThat(pmml.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(pmml.err()).contains("a PMML model declares its own inputs");
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "pm10_models", false)).hasSize(1);
    }

    @Test
    void aModelIsScoredOnTheRowsOfASampleFileBeforeItIsSent(EmbeddedKafkaBroker kafka) throws Exception {
        Path linear = Files.write(tmp.resolve("linear.pmml"), ProjectModel.LINEAR_REGRESSION.bytes());
        String header = "fixed acidity;volatile acidity;citric acid;residual sugar;chlorides;free sulfur dioxide;"
                + "total sulfur dioxide;density;pH;sulphates";
        Path wines = Files.writeString(tmp.resolve("wines.csv"), header + ";alcohol\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56;9.4\n"
                + "7.8;0.88;0;2.6;0.098;25;67;0.9968;3.2;0.68;9.8\n");
        Path noAlcohol = Files.writeString(tmp.resolve("no-alcohol.csv"), header + "\n"
                + "7.4;0.7;0;1.9;0.076;11;34;0.9978;3.51;0.56\n"
                + "7.8;0.88;0;2.6;0.098;25;67;0.9968;3.2;0.68\n");

        Cli good = Cli.run("publish-model", linear.toString(), "--sample", wines.toString(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "pm11_");
        Cli bad = Cli.run("publish-model", linear.toString(), "--sample", noAlcohol.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "pm11_");
        Cli missing = Cli.run("publish-model", linear.toString(), "--sample", tmp.resolve("none.csv").toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "pm11_");

        assertThat(good.exitCode()).as(good.err()).isZero();
        assertThat(bad.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(bad.err()).contains("not published: the model failed on 2 of the 2 sample rows; the first: "
                + noAlcohol + ":2: ")
                .contains("lacks the model's inputs [alcohol]");
        assertThat(missing.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(missing.err()).contains("cannot read the sample " + tmp.resolve("none.csv"));
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "pm11_models", false)).hasSize(1);
    }

    @Test
    void publishesATensorflowModelByReferenceWithItsDigest(EmbeddedKafkaBroker kafka) throws Exception {
        byte[] zip = ProjectModel.MLP_SAVED_MODEL.bytes();
        Path file = Files.write(tmp.resolve("mlp.zip"), zip);

        Cli cli = Cli.run("publish-model", file.toString(), "--type", "tf", "--by-reference", "--name", "mlp",
                "--model-version", "7", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "pm2_");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        ModelDescriptor d = ModelDescriptor.parseFrom(TestKafka.readAll(kafka.bootstrapServers(), "pm2_models", false).get(0).value());
        assertThat(d.getMessageContentCase()).isEqualTo(ModelDescriptor.MessageContentCase.LOCATION);
        assertThat(d.getLocation()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(d.getSha256()).isEqualTo(ModelDigest.sha256(zip));
        assertThat(d.getTfFormat()).isEqualTo(ModelDescriptor.TensorflowFormat.SAVED_MODEL_ZIP);
        assertThat(d.getName()).isEqualTo("mlp");
        assertThat(d.getVersion()).isEqualTo("7");
    }

    @Test
    void aBadModelFileFailsWithoutSendingAnything(EmbeddedKafkaBroker kafka) throws Exception {
        Path garbage = Files.write(tmp.resolve("garbage.pmml"), new byte[] {1, 2, 3, 4});
        Path graph = Files.writeString(tmp.resolve("graph.pb"), "not a graph");

        Cli bad = Cli.run("publish-model", garbage.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm3_");
        Cli badTf = Cli.run("publish-model", graph.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm3_");
        Cli missing = Cli.run("publish-model", tmp.resolve("nothing.pmml").toString(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--topic-prefix", "pm3_");

        assertThat(bad.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(bad.err()).startsWith("loader: model " + garbage + " not published: not a usable PMML document");
        assertThat(badTf.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(badTf.err()).contains("not published: not a TensorFlow frozen graph");
        assertThat(missing.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(missing.err()).contains("does not exist or is not a file");
        assertThat(exists(kafka, "pm3_models")).isFalse();
    }

    @Test
    void anUnreachableBrokerGivesOneClearLine() throws Exception {
        Path file = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }

        Cli cli = Cli.run("publish-model", file.toString(), "--bootstrap-servers", "127.0.0.1:" + closedPort);

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.UNREACHABLE);
        assertThat(cli.err().strip().lines()).hasSize(1).first().asString()
                .startsWith("loader: cannot reach Kafka at 127.0.0.1:" + closedPort + " (no answer within 10 s)");
        assertThat(cli.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 50})
    void aModelOfFiveOrFiftyMebibytesTravelsInlineOnTheModelsTopicTheLoaderCreates(int mebibytes,
            EmbeddedKafkaBroker kafka) throws Exception {
        byte[] big = ProjectModel.DECISION_TREE.paddedTo(mebibytes << 20);
        Path file = Files.write(tmp.resolve("big-tree.pmml"), big);
        String prefix = "pm5_" + mebibytes + "_";

        Cli cli = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", prefix);

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            assertThat(SizeCheck.maxMessageBytes(admin, prefix + "models")).isEqualTo(Topics.MAX_MESSAGE_BYTES);
        }
        List<ConsumerRecord<String, byte[]>> models = TestKafka.readAll(kafka.bootstrapServers(), prefix + "models",
                false);
        assertThat(models).hasSize(1);
        assertThat(ModelDescriptor.parseFrom(models.get(0).value()).getData().toByteArray()).isEqualTo(big);
    }

    @Test
    void aModelLargerThanAnExistingModelsTopicTakesIsRefusedWithAdviceAndNothingSent(EmbeddedKafkaBroker kafka)
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("pm6_models", 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(1024 * 1024)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Path file = Files.write(tmp.resolve("big-tree.pmml"), ProjectModel.DECISION_TREE.paddedTo(2 * 1024 * 1024));

        Cli cli = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm6_");

        assertThat(cli.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(cli.err()).startsWith("loader: model " + file + " not published: its message of about ")
                .contains("is larger than pm6_models takes (1048576 bytes)").contains("--by-reference");
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "pm6_models", false)).isEmpty();
    }

    @Test
    void topicsGetTheReplicationFactorAskedForOrTheBrokersDefault(EmbeddedKafkaBroker kafka) throws Exception {
        Path file = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());

        Cli byDefault = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm7_");
        Cli two = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm8_", "--replication-factor", "2");
        Cli zero = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pm9_", "--replication-factor", "0");

        assertThat(byDefault.exitCode()).as(byDefault.err()).isZero();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            assertThat(admin.describeTopics(List.of("pm7_models")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("pm7_models").partitions().get(0).replicas()).hasSize(1);
        }
        assertThat(two.exitCode()).isNotZero();
        assertThat(two.err()).as("a single broker cannot hold two replicas").contains("eplication factor");
        assertThat(zero.exitCode()).isNotZero();
        assertThat(zero.err()).contains("--replication-factor must be 1 or more, not 0");
        assertThat(exists(kafka, "pm8_models")).isFalse();
        assertThat(exists(kafka, "pm9_models")).isFalse();
    }

    @Test
    void kafkaClientPropertiesReachEveryClientAndDashXOverridesTheFile(EmbeddedKafkaBroker kafka) throws Exception {
        Path file = Files.write(tmp.resolve("tree.pmml"), ProjectModel.DECISION_TREE.bytes());
        Path ssl = Files.writeString(tmp.resolve("ssl.properties"), "security.protocol=SSL\n");

        Cli fromFile = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pmx1_", "--kafka-config", ssl.toString());
        Cli overridden = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pmx2_", "--kafka-config", ssl.toString(), "-X", "security.protocol=PLAINTEXT");
        Cli noFile = Cli.run("publish-model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic-prefix", "pmx3_", "--kafka-config", tmp.resolve("nothing.properties").toString());

        assertThat(fromFile.exitCode()).as("TLS against a plaintext listener: no answer")
                .isEqualTo(LoaderMain.UNREACHABLE);
        assertThat(overridden.exitCode()).as(overridden.err()).isZero();
        assertThat(TestKafka.readAll(kafka.bootstrapServers(), "pmx2_models", false)).hasSize(1);
        assertThat(noFile.exitCode()).isEqualTo(LoaderMain.BAD_INPUT);
        assertThat(noFile.err().strip())
                .startsWith("loader: cannot read --kafka-config " + tmp.resolve("nothing.properties"));
        assertThat(exists(kafka, "pmx1_models")).isFalse();
        assertThat(exists(kafka, "pmx3_models")).isFalse();
    }

    private static boolean exists(EmbeddedKafkaBroker kafka, String topic) throws Exception {
        try (TestKafka client = new TestKafka(kafka.bootstrapServers())) {
            return client.exists(topic);
        }
    }
}
