package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {

    @TempDir
    Path tmp;

    @Test
    void theFileThenThePairsWhichWin() throws Exception {
        Path file = Files.writeString(tmp.resolve("client.properties"), """
                security.protocol=SSL
                ssl.truststore.location=/etc/kafka/truststore.p12
                # a comment
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\
                    username="u" password="p";
                """);

        Map<String, String> all = KafkaClientProperties.of(file, Map.of("security.protocol", "SASL_SSL"));

        assertThat(all).containsOnly(Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("ssl.truststore.location", "/etc/kafka/truststore.p12"),
                Map.entry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"));
        assertThat(KafkaClientProperties.of(null, Map.of("acks", "1"))).containsOnly(Map.entry("acks", "1"));
    }

    @Test
    void aFileThatCannotBeReadIsNamedWithTheReason() throws Exception {
        Path missing = tmp.resolve("missing.properties");
        Path bad = Files.writeString(tmp.resolve("bad.properties"), "key=\\u00zz\n");

        assertThatThrownBy(() -> KafkaClientProperties.of(missing, Map.of()))
                .isInstanceOf(KafkaClientProperties.Unreadable.class)
                .hasMessage("cannot read --kafka-config " + missing + ": no such file");
        assertThatThrownBy(() -> KafkaClientProperties.of(bad, Map.of()))
                .isInstanceOf(KafkaClientProperties.Unreadable.class)
                .hasMessageStartingWith("cannot read --kafka-config " + bad + ": Malformed \\uxxxx encoding");
    }

    @Test
    void passedPropertiesOverrideTheClientsOwnButNotItsDeserializersOrAddress() {
        Map<String, Object> own = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "mine",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, String> passed = Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "com.example.Other",
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "elsewhere:9092",
                "security.protocol", "SSL");

        Map<String, Object> config = KafkaClientProperties.forClient(own, passed, "here:9093");

        assertThat(config).containsOnly(Map.entry(ConsumerConfig.GROUP_ID_CONFIG, "mine"),
                Map.entry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                Map.entry(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class),
                Map.entry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "here:9093"),
                Map.entry("security.protocol", "SSL"));
    }
}
