package dev.modelserving.suite;

import dev.modelserving.loader.TopicContents;
import dev.modelserving.loader.Topics;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The suite's side of Kafka: topics, sending, and reading a topic to its end. */
final class SuiteKafka implements AutoCloseable {

    static final int DATA_PARTITIONS = 3;

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;

    SuiteKafka(String bootstrap) {
        this.bootstrap = bootstrap;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024));
    }

    void createTopics(Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics.ensure(admin, DATA_PARTITIONS);
        }
    }

    /** Sends and waits for the broker's acknowledgement: the position of the message. */
    RecordMetadata send(String topic, String key, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    /** Sends to one partition and waits for the broker's acknowledgement. */
    RecordMetadata send(String topic, int partition, byte[] value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, partition, null, value)).get(30, TimeUnit.SECONDS);
    }

    /** Everything on the topic now. */
    List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return TopicContents.readAll(bootstrap, topic);
    }

    @Override
    public void close() {
        producer.close();
    }
}
