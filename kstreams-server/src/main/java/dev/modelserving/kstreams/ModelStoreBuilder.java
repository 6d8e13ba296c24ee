package dev.modelserving.kstreams;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * Builds the {@link ModelStore}. Logging is on by default (the {@code custom} variant's changelog); a global store
 * ({@code memory}) is built with logging disabled, as Kafka Streams requires, and restores from its source topic.
 * Caching does not apply: the store holds models, not bytes.
 */
public final class ModelStoreBuilder implements StoreBuilder<ModelStore> {

    private final String name;
    private final LocalServing serving;
    private boolean logging = true;
    private Map<String, String> logConfig = new HashMap<>();

    public ModelStoreBuilder(String name, LocalServing serving) {
        this.name = name;
        this.serving = serving;
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
        logging = true;
        logConfig = new HashMap<>(config);
        return this;
    }

    @Override
    public StoreBuilder<ModelStore> withLoggingDisabled() {
        logging = false;
        logConfig.clear();
        return this;
    }

    @Override
    public ModelStore build() {
        return new ModelStore(name, serving, logging);
    }

    @Override
    public Map<String, String> logConfig() {
        return logConfig;
    }

    @Override
    public boolean loggingEnabled() {
        return logging;
    }

    @Override
    public String name() {
        return name;
    }
}
