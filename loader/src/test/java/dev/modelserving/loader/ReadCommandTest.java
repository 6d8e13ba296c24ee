package dev.modelserving.loader;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.broker.EmbeddedKafkaExtension;
import dev.modelserving.kafka.Topics;
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
}
