package dev.modelserving.reactive;

import dev.modelserving.kafka.KafkaClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

/**
 * The Kafka clients' metrics as meters ({@link KafkaClientMeters}): the messaging connector announces each client
 * it creates, and each is bound as it comes. This replaces Quarkus' own Kafka binder (turned off in
 * application.properties), which looks a client's metrics up again only every minute, so a newly assigned
 * partition's lag took up to a minute to show.
 */
@ApplicationScoped
class KafkaClientMetricsBinder {

    private static final Logger LOG = Logger.getLogger(KafkaClientMetricsBinder.class);

    private final MeterRegistry meters;
    private final List<AutoCloseable> bound = new CopyOnWriteArrayList<>();

    KafkaClientMetricsBinder(MeterRegistry meters) {
        this.meters = meters;
    }

    void consumer(@Observes Consumer<?, ?> consumer) {
        bound.add(KafkaClientMeters.bind(consumer, meters));
    }

    void producer(@Observes Producer<?, ?> producer) {
        bound.add(KafkaClientMeters.bind(producer, meters));
    }

    void onStop(@Observes ShutdownEvent event) {
        for (AutoCloseable b : bound) {
            try {
                b.close();
            } catch (Exception e) {
                LOG.debugf("closing a Kafka client's meters: %s", e);
            }
        }
        bound.clear();
    }
}
