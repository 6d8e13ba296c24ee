package dev.modelserving.kstreams;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where a server keeps its live models ({@code model-server.store}); each is a complete server. */
public enum StoreVariant {
    /** Processor API; a global in-memory store on every instance, rebuilt by replaying the models topic. */
    MEMORY,
    /** DSL; per task, Kafka Streams' key-value store of the live descriptors, restored from its changelog. */
    STANDARD,
    /** DSL; per task, our own store of the live models, logging accepted models to its changelog. */
    CUSTOM;

    /** The variant named by the configuration, or an error listing the names it accepts. */
    public static StoreVariant parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model-server.store='" + name + "' is not a store variant; use one of "
                    + Arrays.stream(values()).map(StoreVariant::configName).collect(Collectors.joining("|")), e);
        }
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The store the REST API queries for this variant. */
    public String storeName() {
        return this == STANDARD ? StreamNames.MODEL_STATE_STORE : StreamNames.MODEL_STORE;
    }
}
