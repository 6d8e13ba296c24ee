package dev.modelserving.reactive;

import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingState;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The models this instance serves: the model library's registry, built from the {@code model-server.*} settings. */
@ApplicationScoped
public class ModelHolder {

    private final ModelRegistry registry;

    ModelHolder(ServerSettings settings) {
        this.registry = new ModelRegistry(new ModelFactory(settings.loadingPolicy()));
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** What the shared REST API shows: this registry. */
    @Produces
    @Singleton
    ServingState servingState() {
        return ServingState.of(registry);
    }

    @PreDestroy
    void close() {
        registry.close();
    }
}
