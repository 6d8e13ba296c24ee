package dev.modelserving.kstreams;

import dev.modelserving.kafka.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * Kafka Streams' metrics as meters, its embedded clients' included (among them the consumer's lag per partition,
 * as on the other servers: {@link KafkaClientMeters}). Quarkus announces the Kafka Streams client it creates; its
 * metrics are looked up again every {@link KafkaClientMeters#REFRESH}. This replaces Quarkus' own Kafka binder
 * (turned off in application.properties), which looks them up only every minute.
 */
@ApplicationScoped
class KafkaStreamsMetricsBinder {

    private static final Logger LOG = Logger.getLogger(KafkaStreamsMetricsBinder.class);

    private final MeterRegistry meters;
    private AutoCloseable bound;

    KafkaStreamsMetricsBinder(MeterRegistry meters) {
        this.meters = meters;
    }

    synchronized void streams(@Observes KafkaStreams streams) {
        close();
        bound = KafkaClientMeters.bind(lookups -> new KafkaStreamsMetrics(streams, List.of(), lookups,
                KafkaClientMeters.REFRESH), meters);
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        close();
    }

    private void close() {
        if (bound != null) {
            try {
                bound.close();
            } catch (Exception e) {
                LOG.debugf("closing Kafka Streams' meters: %s", e);
            }
            bound = null;
        }
    }
}
