package dev.modelserving.model;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.modelserving.proto.WineRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The 11 measurements of a {@link WineRecord}, in the UCI column order, found by any spelling of their name:
 * {@code fixed acidity}, {@code fixed_acidity} and {@code fixedAcidity} are one feature; so are {@code pH} and
 * {@code ph}.
 */
public final class WineFeatures {

    /** The UCI column names, in order: the order of WineRecord's fields 1-11. */
    public static final List<String> UCI_NAMES = List.of(
            "fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides",
            "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol");

    public static final int COUNT = UCI_NAMES.size();

    private static final List<FieldDescriptor> FIELDS = WineRecord.getDescriptor().getFields().subList(0, COUNT);
    private static final Map<String, Integer> INDEX_BY_KEY = indexByKey();

    private WineFeatures() {}

    /** The index (0-10) of the feature with this name in any supported spelling. */
    public static Optional<Integer> indexOf(String name) {
        return Optional.ofNullable(INDEX_BY_KEY.get(key(name)));
    }

    /** The 11 values of a record in UCI order. */
    public static double[] values(WineRecord r) {
        return new double[] {r.getFixedAcidity(), r.getVolatileAcidity(), r.getCitricAcid(), r.getResidualSugar(),
                r.getChlorides(), r.getFreeSulfurDioxide(), r.getTotalSulfurDioxide(), r.getDensity(), r.getPH(),
                r.getSulphates(), r.getAlcohol()};
    }

    /** The value of feature {@code index} (0-10); plain getters, no reflection: this runs per record. */
    public static double value(WineRecord r, int index) {
        return switch (index) {
            case 0 -> r.getFixedAcidity();
            case 1 -> r.getVolatileAcidity();
            case 2 -> r.getCitricAcid();
            case 3 -> r.getResidualSugar();
            case 4 -> r.getChlorides();
            case 5 -> r.getFreeSulfurDioxide();
            case 6 -> r.getTotalSulfurDioxide();
            case 7 -> r.getDensity();
            case 8 -> r.getPH();
            case 9 -> r.getSulphates();
            case 10 -> r.getAlcohol();
            default -> throw new IndexOutOfBoundsException("a wine record has " + COUNT + " features, no " + index);
        };
    }

    /** A record with these 11 values in UCI order. */
    public static WineRecord record(String dataType, double... values) {
        if (values.length != COUNT) {
            throw new IllegalArgumentException("a wine record has " + COUNT + " values, got " + values.length);
        }
        WineRecord.Builder b = WineRecord.newBuilder().setDataType(dataType);
        for (int i = 0; i < COUNT; i++) {
            b.setField(FIELDS.get(i), values[i]);
        }
        return b.build();
    }

    /** A wine record of these 11 values in UCI order, as a record of named values. */
    public static Features wine(String dataType, double... values) {
        return of(record(dataType, values));
    }

    /** The names of the 11 features, as a model's inputs (what a TensorFlow model without input names reads). */
    public static List<ModelInput> inputs() {
        return UCI_NAMES.stream().map(ModelInput::number).toList();
    }

    /** A wine record as a record of named values: its 11 measurements under their UCI names. */
    public static Features of(WineRecord r) {
        return new Wine(r);
    }

    private static String key(String name) {
        return FeatureNames.key(name);
    }

    /** A WineRecord seen through {@link Features}: a value is found by its key, read by a plain getter. */
    private record Wine(WineRecord record) implements Features {

        @Override
        public String dataType() {
            return record.getDataType();
        }

        @Override
        public Object value(String key) {
            Integer index = INDEX_BY_KEY.get(key);
            return index == null ? null : WineFeatures.value(record, index);
        }

        @Override
        public List<String> names() {
            return UCI_NAMES;
        }

        @Override
        public String toString() {
            return "wine record " + record.getDataType();
        }
    }

    private static Map<String, Integer> indexByKey() {
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < COUNT; i++) {
            map.put(key(FIELDS.get(i).getName()), i);
            map.put(key(UCI_NAMES.get(i)), i);
        }
        return Map.copyOf(map);
    }
}
