package dev.modelserving.model;

import java.util.List;
import java.util.Map;

/**
 * One record to score: its dataType and its named values, whatever shape it came in (a tutorial {@code WineRecord},
 * a {@code FeatureRecord}, a JSON object). A value is a {@link Double}, a {@link String} or a {@link Boolean}; a
 * feature the record does not have is absent. Names match by {@link FeatureNames#key}: {@code monthly_charges},
 * {@code Monthly Charges} and {@code monthlyCharges} are one feature.
 */
public interface Features {

    /** Which model serves this record. */
    String dataType();

    /** The value of the feature whose name has this {@link FeatureNames#key}, or null when the record lacks it. */
    Object value(String key);

    /** The record's feature names as it gave them, in its order. */
    List<String> names();

    /**
     * A record of these values, by name in any spelling.
     *
     * @throws IllegalArgumentException when a value is not a number, a string or a boolean, or two names are one
     *     feature (e.g. {@code plan} and {@code Plan})
     */
    static Features of(String dataType, Map<String, ?> values) {
        return MapFeatures.of(dataType, values);
    }
}
