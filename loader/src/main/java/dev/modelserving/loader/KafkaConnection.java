package dev.modelserving.loader;

import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients for one Kafka address, and the check that it answers before anything else is tried. */
final class KafkaConnection {

    static final int REACH_TIMEOUT_SECONDS = 10;

    private final String bootstrap;
    private final Map<String, String> passed;

    KafkaConnection(String bootstrap) {
        this(bootstrap, Map.of());
    }

    /** With client properties passed to every client ({@link KafkaOptions}); they override the loader's own. */
    KafkaConnection(String bootstrap, Map<String, String> passed) {
        this.bootstrap = bootstrap;
        this.passed = Map.copyOf(passed);
    }

    /** The client's own settings, the passed ones over them, then the address and the (de)serializers it needs. */
    private Map<String, Object> with(Map<String, Object> own) {
        return KafkaClientProperties.forClient(own, passed, bootstrap);
    }

    String bootstrap() {
        return bootstrap;
    }

    /**
     * An admin client, once the broker has answered; otherwise one clear {@link UnreachableBroker}, or
     * {@link RefusedClient} when the broker answered but refused the client's TLS handshake or SASL login.
     */
    Admin reachableAdmin() throws InterruptedException {
        Admin admin = Admin.create(with(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, REACH_TIMEOUT_SECONDS * 1000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REACH_TIMEOUT_SECONDS * 1000)));
        try {
            admin.describeCluster().clusterId().get(REACH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return admin;
        } catch (ExecutionException e) {
            admin.close(Duration.ZERO);
            if (e.getCause() instanceof AuthenticationException refused) {
                throw new RefusedClient(bootstrap, refused);
            }
            throw new UnreachableBroker(bootstrap);
        } catch (TimeoutException e) {
            admin.close(Duration.ZERO);
            throw new UnreachableBroker(bootstrap);
        }
    }

    KafkaProducer<String, byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Topics.PRODUCER_BUFFER_BYTES);
        return new KafkaProducer<>(with(config));
    }

    /** A consumer without a group (for assigned partitions), with the loader's own settings over its defaults. */
    KafkaConsumer<String, byte[]> consumer(Map<String, Object> own) {
        Map<String, Object> config = new HashMap<>(own);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(with(config));
    }

    KafkaConsumer<String, byte[]> consumer(String group, String offsetReset) {
        return new KafkaConsumer<>(with(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, offsetReset,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class)));
    }

    /**
     * The broker answered but did not let the client in (a TLS handshake that failed, a SASL login refused): said
     * once, with Kafka's reason and where the client's security settings come from.
     */
    static final class RefusedClient extends RuntimeException {
        RefusedClient(String bootstrap, AuthenticationException e) {
            super("Kafka at " + bootstrap + " refused this client: " + e.getMessage() + " (the client's"
                    + " security.protocol, ssl.* and sasl.* come from --kafka-config and -X)");
        }
    }

    /** The broker did not answer: said once, without a stack trace. */
    static final class UnreachableBroker extends RuntimeException {
        UnreachableBroker(String bootstrap) {
            super("cannot reach Kafka at " + bootstrap + " (no answer within " + REACH_TIMEOUT_SECONDS
                    + " s); is the broker running? Start one with `java -jar broker/target/broker.jar`, or leave out"
                    + " --bootstrap-servers so that `run` starts its own");
        }
    }
}
