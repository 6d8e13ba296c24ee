package dev.modelserving.rest;

import dev.modelserving.kafka.ServingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The Quarkus servers' one {@link ServingMetrics}, on Quarkus' meter registry. */
public class MetricsProducer {

    @Produces
    @Singleton
    ServingMetrics metrics(MeterRegistry meters) {
        return new ServingMetrics(meters);
    }
}
