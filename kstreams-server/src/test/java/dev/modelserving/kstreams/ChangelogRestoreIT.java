package dev.modelserving.kstreams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.broker.SharedBroker;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.kafka.TestKafka;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The per-task stores rebuild their models from their changelog alone: a real broker, a real Kafka Streams client;
 * after the first client stops and its local state is wiped, the models topic is emptied, so the second client can
 * only get the model from the store's changelog.
 */
class ChangelogRestoreIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int PARTITIONS = 2;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = StoreVariant.class, names = {"STANDARD", "CUSTOM"})
    void aTaskRebuildsItsModelsFromTheChangelogAloneAfterItsStateIsWiped(StoreVariant variant) throws Exception {
        String bootstrap = SharedBroker.get().bootstrapServers();
        String prefix = "restore-" + variant.configName() + "-" + UUID.randomUUID().toString().substring(0, 8) + "_";
        Topics topics = Topics.withPrefix(prefix);
        ModelDescriptor tree = ProjectModel.DECISION_TREE.descriptor("1");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            topics.ensure(admin, PARTITIONS);
            producer.send(new ProducerRecord<>(topics.models(), tree.getDataType(), tree.toByteArray())).get();

            LocalServing first = new LocalServing(LoadingPolicy.defaults().withWorkDir(tmp));
            KafkaStreams streams = start(variant, first, topics, prefix, bootstrap);
            awaitEveryTaskServes(first, tree);
            // a task writes what its start loaded to its store once it runs: a record per task, scored (its result
            // is committed in the same transaction as those writes), before the client stops
            List<WineRow> wines = ProjectData.wines();
            sendAndAwaitResults(producer, topics, tree, wines.subList(0, PARTITIONS), bootstrap, PARTITIONS);
            assertThat(streams.close(Duration.ofSeconds(60))).as("Kafka Streams closed within 60 s").isTrue();
            streams.cleanUp();

            // Records can only be deleted from a topic whose policy includes delete.
            ConfigResource modelsTopic = new ConfigResource(ConfigResource.Type.TOPIC, topics.models());
            admin.incrementalAlterConfigs(Map.of(modelsTopic, List.of(new AlterConfigOp(new ConfigEntry(
                    TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete"), AlterConfigOp.OpType.SET)))).all().get();
            TopicPartition models = new TopicPartition(topics.models(), 0);
            long end = admin.listOffsets(Map.of(models, OffsetSpec.latest())).all().get().get(models).offset();
            admin.deleteRecords(Map.of(models, RecordsToDelete.beforeOffset(end))).all().get();
            assertThat(TestKafka.readAll(bootstrap, topics.models(), false)).isEmpty();

            LocalServing second = new LocalServing(LoadingPolicy.defaults().withWorkDir(tmp));
            streams = start(variant, second, topics, prefix, bootstrap);
            try {
                awaitEveryTaskServes(second, tree);
                sendAndAwaitResults(producer, topics, tree, wines.subList(PARTITIONS, PARTITIONS + 10), bootstrap,
                        PARTITIONS + 10);
                assertThat(second.stats(tree.getDataType()).orElseThrow().skipped()).isZero();
            } finally {
                streams.close(Duration.ofSeconds(30));
            }
        }
    }

    /** Sends the wines over the partitions in turn and waits until the results topic holds {@code total}. */
    private static void sendAndAwaitResults(KafkaProducer<String, byte[]> producer, Topics topics,
            ModelDescriptor model, List<WineRow> wines, String bootstrap, int total) throws Exception {
        for (int i = 0; i < wines.size(); i++) {
            producer.send(new ProducerRecord<>(topics.data(), i % PARTITIONS, null,
                    wines.get(i).toRecord(model.getDataType()).toByteArray())).get();
        }
        ServerFixture.waitUpTo(WAIT).untilAsserted(() -> assertThat(TestKafka.readAll(bootstrap,
                topics.results(), true)).hasSize(total).allSatisfy(m -> assertThat(
                ServingResult.parseFrom(m.value()).getModelName()).isEqualTo(model.getName())));
    }

    private KafkaStreams start(StoreVariant variant, LocalServing serving, Topics topics, String prefix,
            String bootstrap) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "app");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.STATE_DIR_CONFIG, tmp.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
        KafkaStreams streams = new KafkaStreams(TopologyProducer.build(variant, serving,
                new ServingMetrics(new SimpleMeterRegistry()), topics), props);
        streams.start();
        return streams;
    }

    private static void awaitEveryTaskServes(LocalServing serving, ModelDescriptor d) {
        ServerFixture.waitUpTo(WAIT).untilAsserted(() -> {
            Map<Integer, ModelRegistry> tasks = serving.registries();
            assertThat(tasks).hasSize(PARTITIONS);
            assertThat(tasks.values()).allSatisfy(r -> assertThat(r.current(d.getDataType()))
                    .hasValueSatisfying(m -> assertThat(m.name()).isEqualTo(d.getName())));
        });
    }
}
