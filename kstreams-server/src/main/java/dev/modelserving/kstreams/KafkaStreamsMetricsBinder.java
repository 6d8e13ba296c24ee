package dev.modelserving.kstreams;

import dev.modelserving.kafka.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Kafka Streams' metrics as meters, its embedded clients' included (among them the consumer's lag per partition,
 * as on the other servers: {@link KafkaClientMeters}). Quarkus announces the Kafka Streams client it creates; its
 * metrics are looked up again every {@link KafkaClientMeters#REFRESH}. This replaces Quarkus' own Kafka binder
 * (turned off in application.properties), which looks them up only every minute.
 */
@ApplicationScoped
class KafkaStreamsMetricsBinder {

    private final MeterRegistry meters;
    private KafkaStreamsMetrics bound;

    KafkaStreamsMetricsBinder(MeterRegistry meters) {
        this.meters = meters;
    }

    synchronized void streams(@Observes KafkaStreams streams) {
        bound = new KafkaStreamsMetrics(streams, List.of(), KafkaClientMeters.lookups(), KafkaClientMeters.REFRESH);
        bound.bindTo(meters);
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        if (bound != null) {
            bound.close();
            bound = null;
        }
    }
}
