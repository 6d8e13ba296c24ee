package dev.modelserving.reactive;

import dev.modelserving.kafka.Delivery;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down while results cannot be written (the broker is away: the writes are retried and no offset moves); lists the
 * records given up because Kafka would never take their outcome.
 */
@Readiness
@ApplicationScoped
public class DeliveryHealthCheck implements HealthCheck {

    private final Delivery delivery;

    DeliveryHealthCheck(Delivery delivery) {
        this.delivery = delivery;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("delivery").status(!delivery.stalled())
                .withData("writes-failing", delivery.stalled())
                .withData("undeliverable", delivery.undeliverable())
                .build();
    }
}
