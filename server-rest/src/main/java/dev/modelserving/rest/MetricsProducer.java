package dev.modelserving.rest;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.ServingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The Quarkus servers' one {@link ServingMetrics}, on Quarkus' meter registry, and their one {@link Delivery}: the
 * rule for outcomes that cannot be written.
 */
public class MetricsProducer {

    @Produces
    @Singleton
    ServingMetrics metrics(MeterRegistry meters, ServerSettings settings) {
        return new ServingMetrics(meters, settings.maxDataTypes());
    }

    @Produces
    @Singleton
    Delivery delivery(ServingMetrics metrics) {
        return new Delivery(metrics);
    }

    void close(@Disposes Delivery delivery) {
        delivery.close();
    }
}
