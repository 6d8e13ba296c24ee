package dev.modelserving.reactive;

import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.LoadOutcome;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Applies every message of the models topic, in order, on a worker thread (loading a model can take a second),
 * as {@link dev.modelserving.model.ModelRegistry#apply} says: a descriptor is loaded, validated and swapped in (or
 * loaded as the candidate); a tombstone removes its dataType's model or withdraws its version; anything else is
 * counted as a failed load.
 */
@ApplicationScoped
public class ModelUpdates {

    private final ModelHolder models;
    private final ServingMetrics metrics;
    private final StartupCatchUp catchUp;

    ModelUpdates(ModelHolder models, ServingMetrics metrics, StartupCatchUp catchUp) {
        this.models = models;
        this.metrics = metrics;
        this.catchUp = catchUp;
    }

    @Incoming("models")
    @Blocking
    public void apply(ConsumerRecord<String, byte[]> message) {
        try {
            metrics.model(outcome(message));
        } finally {
            catchUp.seen(message.partition(), message.offset());
        }
    }

    private LoadOutcome outcome(ConsumerRecord<String, byte[]> message) {
        return models.registry().apply(message.key(), message.value(),
                Provenance.of(message.topic(), message.partition(), message.offset()));
    }
}
