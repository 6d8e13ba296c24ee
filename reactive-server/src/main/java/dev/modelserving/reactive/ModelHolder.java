package dev.modelserving.reactive;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingState;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The models this instance serves: the model library's registry, built from the {@code model-server.*} settings. */
// Made at start, not at first use: its model factory readies the PMML loader while the server boots.
@Startup
@ApplicationScoped
public class ModelHolder {

    private final ModelRegistry registry;
    private final Delivery delivery;

    ModelHolder(ServerSettings settings, Delivery delivery) {
        this.registry = new ModelRegistry(new ModelFactory(settings.loadingPolicy()));
        this.delivery = delivery;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** What the shared REST API shows: this registry, and the records whose outcome could not be written. */
    @Produces
    @Singleton
    ServingState servingState() {
        return ServingState.of(registry).with(delivery);
    }

    @PreDestroy
    void close() {
        registry.close();
    }
}
