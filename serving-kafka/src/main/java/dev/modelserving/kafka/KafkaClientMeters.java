package dev.modelserving.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The Kafka clients' own metrics as meters, the same way on every server (Micrometer's Kafka binders): among them
 * the consumer's lag per partition, {@code kafka.consumer.fetch.manager.records.lag} with {@code topic} and
 * {@code partition} tags ({@code kafka_consumer_fetch_manager_records_lag} in Prometheus). A client's metrics are
 * looked up again every {@link #REFRESH}, so a partition's lag shows within that of the partition's first fetch
 * (Micrometer's default is a minute); closing the binder removes the client's meters.
 */
public final class KafkaClientMeters {

    /** How often a client's metrics are looked up again for ones it has added (a newly assigned partition's). */
    public static final Duration REFRESH = Duration.ofSeconds(5);

    /** One thread looks up the metrics of every client of the process (a lookup is a map copy). */
    private static final ScheduledExecutorService LOOKUPS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kafka-client-meters");
        t.setDaemon(true);
        return t;
    });

    private KafkaClientMeters() {}

    /** The thread that looks the metrics up again, for a binder built elsewhere (Kafka Streams'). */
    public static ScheduledExecutorService lookups() {
        return LOOKUPS;
    }

    /** Binds a consumer's metrics; close the result when the consumer closes. */
    public static AutoCloseable bind(Consumer<?, ?> consumer, MeterRegistry meters) {
        KafkaClientMetrics binder = new KafkaClientMetrics(consumer, List.of(), LOOKUPS, REFRESH);
        binder.bindTo(meters);
        return binder;
    }

    /** Binds a producer's metrics; close the result when the producer closes. */
    public static AutoCloseable bind(Producer<?, ?> producer, MeterRegistry meters) {
        KafkaClientMetrics binder = new KafkaClientMetrics(producer, List.of(), LOOKUPS, REFRESH);
        binder.bindTo(meters);
        return binder;
    }
}
