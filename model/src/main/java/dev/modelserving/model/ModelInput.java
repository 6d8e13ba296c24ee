package dev.modelserving.model;

import java.util.List;

/**
 * A feature a model reads.
 *
 * @param name the name the model gives it
 * @param kind what value it takes
 * @param categories its valid values when the model lists them (PMML categorical fields), else empty
 */
public record ModelInput(String name, Kind kind, List<String> categories) {

    /** What value an input takes. */
    public enum Kind {
        NUMBER, TEXT, BOOLEAN
    }

    public ModelInput {
        categories = List.copyOf(categories);
    }

    public static ModelInput number(String name) {
        return new ModelInput(name, Kind.NUMBER, List.of());
    }

    /** {@link FeatureNames#key} of the name: how a record's value for it is found. */
    public String key() {
        return FeatureNames.key(name);
    }
}
