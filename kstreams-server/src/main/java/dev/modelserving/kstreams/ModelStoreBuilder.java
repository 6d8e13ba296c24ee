package dev.modelserving.kstreams;

import dev.modelserving.model.ModelRegistry;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.streams.state.StoreBuilder;

/** Builds the {@link ModelStore}; global stores restore from their source topic, so there is no changelog of its own. */
public final class ModelStoreBuilder implements StoreBuilder<ModelStore> {

    private final String name;
    private final Supplier<ModelRegistry> registries;

    public ModelStoreBuilder(String name, Supplier<ModelRegistry> registries) {
        this.name = name;
        this.registries = registries;
    }

    @Override
    public StoreBuilder<ModelStore> withCachingEnabled() {
        return this;
    }

    @Override
    public StoreBuilder<ModelStore> withCachingDisabled() {
        return this;
    }

    @Override
    public StoreBuilder<ModelStore> withLoggingEnabled(Map<String, String> config) {
        throw new UnsupportedOperationException("the model store restores from the models topic, not a changelog");
    }

    @Override
    public StoreBuilder<ModelStore> withLoggingDisabled() {
        return this;
    }

    @Override
    public ModelStore build() {
        return new ModelStore(name, registries.get());
    }

    @Override
    public Map<String, String> logConfig() {
        return Map.of();
    }

    @Override
    public boolean loggingEnabled() {
        return false;
    }

    @Override
    public String name() {
        return name;
    }
}
