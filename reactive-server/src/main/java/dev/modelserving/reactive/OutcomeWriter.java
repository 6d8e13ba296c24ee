package dev.modelserving.reactive;

import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.Topics;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The server's one Kafka producer: results to {@code model-server.topics.results}, dead letters to
 * {@code model-server.topics.dead-letters}, each keyed as its input record was, with its headers. Its client takes
 * every {@code kafka.*} property (a secured cluster's {@code security.protocol}, {@code ssl.*}, {@code sasl.*} too),
 * as the channels' clients and the models catch-up's admin client do; over its own settings ({@link #OWN}) they win,
 * except the serializers and the address. It is made at start-up and closed at shutdown once what was sent is
 * written (at most {@link #CLOSE_TIMEOUT}). A write asked for after that is not made and never completes: its batch
 * is not acknowledged, so its records are read again on the next start.
 */
@Startup
@ApplicationScoped
public class OutcomeWriter {

    /** How long closing waits for what was sent to be written (SmallRye's own close timeout for its producers). */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The producer's own settings. Results and dead letters carry their input record's key and value byte for byte;
     * a batch's results go out together (5 ms linger); a write counts once every in-sync replica has it. The largest
     * request stays Kafka's default (1 MiB): a dead letter of a larger record is refused, tried 3 times and given up.
     */
    static final Map<String, Object> OWN = Map.of(
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
            ProducerConfig.LINGER_MS_CONFIG, "5",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.CLIENT_ID_CONFIG, "kafka-producer-outcomes");

    private final KafkaProducer<byte[], byte[]> producer;
    private final Topics topics;
    private volatile boolean closed;

    /**
     * @param bootstrap the broker, as the channels get it (the Kafka connector's own default when nothing sets it)
     * @param kafkaConfig every {@code kafka.*} property, as the channels get them
     * @param created tells Quarkus' Kafka metrics binder about the producer, as SmallRye does for its clients
     */
    @Inject
    OutcomeWriter(ServerSettings settings,
            @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092") String bootstrap,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, Event<Producer<?, ?>> created) {
        this.topics = settings.topicNames();
        this.producer = new KafkaProducer<>(KafkaClientProperties.forClient(OWN, kafkaConfig, bootstrap),
                new ByteArraySerializer(), new ByteArraySerializer());
        created.fire(producer);
    }

    /** Where results and dead letters go. */
    Topics topics() {
        return topics;
    }

    /** Whether the producer is closed (the server is stopping): writes are no longer made. */
    boolean isClosed() {
        return closed;
    }

    /** One attempt to write a message; completes when Kafka has it. */
    CompletableFuture<Void> send(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        if (closed) {
            return written;
        }
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure == null) {
                    written.complete(null);
                } else if (!closed) {
                    written.completeExceptionally(failure);
                }
                // else: aborted by the close (its time was up); never completes, so its batch is not acknowledged
            });
        } catch (IllegalStateException e) {
            if (!closed) {
                throw e;
            }
            // closed while sending: never completes, as above
        }
        return written;
    }

    @PreDestroy
    void close() {
        closed = true;
        producer.close(CLOSE_TIMEOUT);
    }
}
