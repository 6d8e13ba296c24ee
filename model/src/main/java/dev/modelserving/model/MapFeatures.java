package dev.modelserving.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A record of named values held in a map by {@link FeatureNames#key}. */
final class MapFeatures implements Features {

    private final String dataType;
    private final Map<String, Object> byKey;
    private final List<String> names;

    private MapFeatures(String dataType, Map<String, Object> byKey, List<String> names) {
        this.dataType = dataType;
        this.byKey = byKey;
        this.names = names;
    }

    static Features of(String dataType, Map<String, ?> values) {
        Map<String, Object> byKey = new HashMap<>(values.size() * 2);
        Map<String, String> nameByKey = new HashMap<>(values.size() * 2);
        List<String> names = new ArrayList<>(values.size());
        values.forEach((name, value) -> {
            if (value == null) {
                return; // absent
            }
            Object v = value instanceof Number n && !(value instanceof Double) ? n.doubleValue() : value;
            if (!(v instanceof Double || v instanceof String || v instanceof Boolean)) {
                throw new IllegalArgumentException("feature '" + name + "' is a " + value.getClass().getSimpleName()
                        + "; a value is a number, a string or a boolean");
            }
            String key = FeatureNames.key(name);
            String other = nameByKey.putIfAbsent(key, name);
            if (other != null) {
                throw new IllegalArgumentException("features '" + other + "' and '" + name + "' are the same feature"
                        + " (names match ignoring case, spaces and punctuation)");
            }
            byKey.put(key, v);
            names.add(name);
        });
        return new MapFeatures(dataType, byKey, List.copyOf(names));
    }

    @Override
    public String dataType() {
        return dataType;
    }

    @Override
    public Object value(String key) {
        return byKey.get(key);
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public String toString() {
        return dataType + " " + names;
    }
}
