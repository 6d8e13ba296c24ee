package dev.modelserving.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients' own metrics as meters, the same way on every server (Micrometer's Kafka binders): among them
 * the consumer's lag per partition, {@code kafka.consumer.fetch.manager.records.lag} with {@code topic} and
 * {@code partition} tags ({@code kafka_consumer_fetch_manager_records_lag} in Prometheus). A client's metrics are
 * looked up again every {@link #REFRESH}, so a partition's lag shows within that of the client's first fetch from
 * it (Micrometer's default is a minute). Closing what {@code bind} returns removes the client's meters and stops
 * its lookups (each binding has a thread of its own for them, as Micrometer's binder does by default: its close
 * stops only a thread it made itself).
 */
public final class KafkaClientMeters {

    /** How often a client's metrics are looked up again for ones it has added (a newly fetched partition's). */
    public static final Duration REFRESH = Duration.ofSeconds(5);

    private KafkaClientMeters() {}

    /** Binds a consumer's metrics; close the result when the consumer closes. */
    public static AutoCloseable bind(Consumer<?, ?> consumer, MeterRegistry meters) {
        return bind(lookups -> new KafkaClientMetrics(consumer, List.of(), lookups, REFRESH), meters);
    }

    /** Binds a producer's metrics; close the result when the producer closes. */
    public static AutoCloseable bind(Producer<?, ?> producer, MeterRegistry meters) {
        return bind(lookups -> new KafkaClientMetrics(producer, List.of(), lookups, REFRESH), meters);
    }

    /**
     * Binds what a Micrometer Kafka binder built on the given lookup thread sees (Kafka Streams' binder, on its
     * server); close the result when the client closes.
     */
    public static <B extends MeterBinder & AutoCloseable> AutoCloseable bind(
            Function<ScheduledExecutorService, B> binder, MeterRegistry meters) {
        ScheduledExecutorService lookups = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-client-meters");
            t.setDaemon(true);
            return t;
        });
        B bound = binder.apply(lookups);
        bound.bindTo(meters);
        return () -> {
            lookups.shutdownNow();
            bound.close();
        };
    }
}
