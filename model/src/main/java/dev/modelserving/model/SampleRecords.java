package dev.modelserving.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records that every new model must score before it goes live. A model of the 11 wine measurements gets plausible
 * red wines: the published column means and a step of one standard deviation below and above them (UCI red-wine
 * statistics). Any other model gets three records made from its declared inputs: its listed categories in turn,
 * else the numbers 0, 1 and 2, an empty string, and false, true, false.
 */
public final class SampleRecords {

    private static final double[] WINE_MEAN = {8.3196, 0.5278, 0.2710, 2.5388, 0.0875, 15.8749, 46.4678, 0.9967,
            3.3111, 0.6581, 10.4230};
    private static final double[] WINE_STD = {1.7411, 0.1791, 0.1948, 1.4099, 0.0471, 10.4602, 32.8953, 0.0019,
            0.1544, 0.1695, 1.0657};
    private static final double[] NUMBERS = {0, 1, 2};
    private static final boolean[] BOOLEANS = {false, true, false};

    private SampleRecords() {}

    /** Three sample records for a model of these inputs, of the given dataType. */
    public static List<Features> forInputs(List<ModelInput> inputs, String dataType) {
        if (!inputs.isEmpty() && inputs.stream().allMatch(i -> WineFeatures.indexOf(i.name()).isPresent())) {
            return wines(dataType);
        }
        List<Features> out = new ArrayList<>(3);
        for (int k = 0; k < 3; k++) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (ModelInput input : inputs) {
                values.put(input.name(), switch (input.kind()) {
                    case NUMBER -> input.categories().isEmpty() ? (Object) NUMBERS[k]
                            : number(input.categories().get(k % input.categories().size()));
                    case BOOLEAN -> BOOLEANS[k];
                    case TEXT -> input.categories().isEmpty() ? ""
                            : input.categories().get(k % input.categories().size());
                });
            }
            out.add(Features.of(dataType, values));
        }
        return out;
    }

    private static Object number(String category) {
        try {
            return Double.parseDouble(category);
        } catch (NumberFormatException e) {
            return category;
        }
    }

    /** Three plausible red wines of the given dataType. */
    public static List<Features> wines(String dataType) {
        return List.of(shifted(dataType, 0), shifted(dataType, -1), shifted(dataType, 1));
    }

    private static Features shifted(String dataType, double stds) {
        double[] v = new double[WineFeatures.COUNT];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, WINE_MEAN[i] + stds * WINE_STD[i]);
        }
        return WineFeatures.of(WineFeatures.record(dataType, v));
    }
}
