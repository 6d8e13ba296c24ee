package dev.modelserving.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.FeatureRecord;
import dev.modelserving.proto.FeatureValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Named values as a record's bytes in one of the {@link RecordFormat}s, what {@link RecordDecoder} reads back: for
 * producers (the loader, the bench, the tests). A value is a number, a string or a boolean; null is left out.
 */
public final class RecordEncoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordEncoder() {}

    /**
     * @throws IllegalArgumentException for a WineRecord without a number for each of the 11 measurements, or a
     *     value that is not a number, a string or a boolean
     */
    public static byte[] encode(RecordFormat format, String dataType, Map<String, ?> values) {
        return switch (format) {
            case WINE -> wine(dataType, values);
            case FEATURES -> featureRecord(dataType, values);
            case JSON -> json(dataType, values);
        };
    }

    private static byte[] wine(String dataType, Map<String, ?> values) {
        double[] measurements = new double[WineFeatures.COUNT];
        boolean[] given = new boolean[WineFeatures.COUNT];
        values.forEach((name, v) -> WineFeatures.indexOf(name).ifPresent(i -> {
            if (!(v instanceof Number n)) {
                throw new IllegalArgumentException("a WineRecord's '" + name + "' is a number, not " + v);
            }
            measurements[i] = n.doubleValue();
            given[i] = true;
        }));
        for (int i = 0; i < given.length; i++) {
            if (!given[i]) {
                throw new IllegalArgumentException("a WineRecord needs '" + WineFeatures.UCI_NAMES.get(i) + "'");
            }
        }
        return WineFeatures.record(dataType, measurements).toByteArray();
    }

    private static byte[] featureRecord(String dataType, Map<String, ?> values) {
        FeatureRecord.Builder r = FeatureRecord.newBuilder().setDataType(dataType);
        values.forEach((name, v) -> {
            if (v != null) {
                FeatureValue.Builder value = FeatureValue.newBuilder();
                if (v instanceof Number n) {
                    value.setNumber(n.doubleValue());
                } else if (v instanceof Boolean b) {
                    value.setFlag(b);
                } else if (v instanceof String s) {
                    value.setText(s);
                } else {
                    throw notAValue(name, v);
                }
                r.putFeatures(name, value.build());
            }
        });
        return r.build().toByteArray();
    }

    private static byte[] json(String dataType, Map<String, ?> values) {
        ObjectNode record = JSON.createObjectNode().put("dataType", dataType);
        ObjectNode features = record.putObject("features");
        values.forEach((name, v) -> {
            if (v instanceof Number n) {
                features.put(name, n.doubleValue());
            } else if (v instanceof Boolean b) {
                features.put(name, b);
            } else if (v instanceof String s) {
                features.put(name, s);
            } else if (v != null) {
                throw notAValue(name, v);
            }
        });
        return record.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static IllegalArgumentException notAValue(String name, Object v) {
        return new IllegalArgumentException("feature '" + name + "' is a " + v.getClass().getSimpleName()
                + "; a value is a number, a string or a boolean");
    }
}
