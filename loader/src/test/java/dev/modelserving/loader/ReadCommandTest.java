package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.FeatureRecord;
import dev.modelserving.proto.FeatureValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedKafkaExtension.class)
class ReadCommandTest {

    @Test
    void printsRecordsModelsResultsAndDeadLettersDecoded(EmbeddedKafkaBroker kafka) throws Exception {
        Topics topics = Topics.withPrefix("read1_");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            p.send(new ProducerRecord<>(topics.data(), WineFeatures.record("wine",
                    7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4).toByteArray())).get();
            p.send(new ProducerRecord<>(topics.models(), "wine", ModelDescriptor.newBuilder().setName("tree")
                    .setVersion("3").setDataType("wine").setModeltype(ModelDescriptor.ModelType.PMML)
                    .setData(ByteString.copyFrom(new byte[42])).build().toByteArray())).get();
            p.send(new ProducerRecord<>(topics.results(), ServingResult.newBuilder().setDataType("wine")
                    .setModelName("tree").setModelVersion("3").setLabel("6").putProbabilities("6", 0.625)
                    .setDurationNs(12_300).setSourceTopic(topics.data()).setSourcePartition(0).setSourceOffset(0)
                    .build().toByteArray())).get();
            ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topics.deadLetters(), new byte[] {9, 9, 9});
            dead.headers().add("error", "not a WineRecord".getBytes());
            p.send(dead).get();
        }

        Cli cli = Cli.run("read", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "read1_",
                "--max", "4");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        assertThat(cli.out().lines()).containsExactlyInAnyOrder(
                "read1_data[0]@0 record dataType=wine fixed_acidity=7.4 volatile_acidity=0.7 citric_acid=0"
                        + " residual_sugar=1.9 chlorides=0.076 free_sulfur_dioxide=11 total_sulfur_dioxide=34"
                        + " density=0.9978 pH=3.51 sulphates=0.56 alcohol=9.4",
                "read1_models[0]@0 model 'tree' v3 PMML, 42 bytes, dataType=wine",
                "read1_results[0]@0 result dataType=wine by 'tree' v3: label 6 (p=0.625) in 12.3 µs"
                        + " <- read1_data[0]@0",
                "read1_data_dlq[0]@0 dead letter (3 bytes) error=not a WineRecord");
        assertThat(cli.err()).contains("4 messages read");
    }

    @Test
    void printsEveryTopicAsJsonLinesWhateverTheRecordAndResultFormats(EmbeddedKafkaBroker kafka) throws Exception {
        Topics topics = Topics.withPrefix("read2_");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            ProducerRecord<String, byte[]> json = new ProducerRecord<>(topics.data(), 0, "c-1",
                    "{\"dataType\":\"churn\",\"features\":{\"plan\":\"gold\",\"tenure\":12,\"paperless\":true}}"
                            .getBytes(StandardCharsets.UTF_8));
            json.headers().add("Content-Type", "application/json".getBytes(StandardCharsets.UTF_8));
            p.send(json).get();
            ProducerRecord<String, byte[]> features = new ProducerRecord<>(topics.data(), 0, null,
                    FeatureRecord.newBuilder().setDataType("churn")
                            .putFeatures("region", FeatureValue.newBuilder().setText("north").build()).build()
                            .toByteArray());
            features.headers().add("content-type", RecordFormat.FEATURES.contentType.getBytes(StandardCharsets.UTF_8));
            p.send(features).get();
            p.send(new ProducerRecord<>(topics.models(), "churn", ModelDescriptor.newBuilder().setName("tree")
                    .setVersion("3").setDataType("churn").setModeltype(ModelDescriptor.ModelType.PMML)
                    .setData(ByteString.copyFrom(new byte[42])).build().toByteArray())).get();
            ServingResult result = ServingResult.newBuilder().setDataType("churn").setModelName("tree")
                    .setLabel("yes").putProbabilities("yes", 0.75).setSourceTopic(topics.data()).setSourceOffset(1)
                    .build();
            ProducerRecord<String, byte[]> jsonResult = new ProducerRecord<>(topics.results(), "c-1",
                    ResultFormat.JSON.encode(result));
            jsonResult.headers().add("content-type", ResultFormat.JSON.contentType.getBytes(StandardCharsets.UTF_8));
            p.send(jsonResult).get();
            p.send(new ProducerRecord<>(topics.results(), ResultFormat.PROTOBUF.encode(result))).get();
        }

        Cli cli = Cli.run("read", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "read2_",
                "--max", "5", "--output", "json");

        assertThat(cli.exitCode()).as(cli.err()).isZero();
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : cli.out().lines().toList()) {
            lines.add(mapper.readTree(line));
        }
        assertThat(lines).hasSize(5);
        JsonNode jsonRecord = only(lines, "read2_data", 0);
        assertThat(jsonRecord.path("key").asText()).isEqualTo("c-1");
        assertThat(jsonRecord.path("headers").path("Content-Type").asText()).isEqualTo("application/json");
        assertThat(jsonRecord.path("value").toString())
                .isEqualTo("{\"dataType\":\"churn\",\"features\":{\"plan\":\"gold\",\"tenure\":12.0,\"paperless\":true}}");
        assertThat(only(lines, "read2_data", 1).path("value").toString())
                .isEqualTo("{\"dataType\":\"churn\",\"features\":{\"region\":\"north\"}}");
        JsonNode model = only(lines, "read2_models", 0).path("value");
        assertThat(model.path("name").asText()).isEqualTo("tree");
        assertThat(model.path("dataBytes").asInt()).isEqualTo(42);
        assertThat(model.has("data")).isFalse();
        for (long offset : new long[] {0, 1}) {
            JsonNode r = only(lines, "read2_results", offset).path("value");
            assertThat(r.path("modelName").asText()).isEqualTo("tree");
            assertThat(r.path("label").asText()).isEqualTo("yes");
            assertThat(r.path("probabilities").path("yes").asDouble()).isEqualTo(0.75);
            assertThat(r.path("sourceOffset").asLong()).isEqualTo(1);
        }
    }

    private static JsonNode only(List<JsonNode> lines, String topic, long offset) {
        return lines.stream().filter(l -> l.path("topic").asText().equals(topic) && l.path("offset").asLong() == offset)
                .findFirst().orElseThrow(() -> new AssertionError("no line for " + topic + "@" + offset + " in " + lines));
    }
}
