package dev.modelserving.model;

import dev.modelserving.proto.WineRecord;
import java.util.List;

/**
 * Plausible red wines that every new model must score before it goes live: the published column means and a
 * step of one standard deviation below and above them (UCI red-wine statistics).
 */
public final class SampleWines {

    private static final double[] MEAN = {8.3196, 0.5278, 0.2710, 2.5388, 0.0875, 15.8749, 46.4678, 0.9967, 3.3111,
            0.6581, 10.4230};
    private static final double[] STD = {1.7411, 0.1791, 0.1948, 1.4099, 0.0471, 10.4602, 32.8953, 0.0019, 0.1544,
            0.1695, 1.0657};

    private SampleWines() {}

    /** Three sample records for the given dataType. */
    public static List<WineRecord> forDataType(String dataType) {
        return List.of(shifted(dataType, 0), shifted(dataType, -1), shifted(dataType, 1));
    }

    private static WineRecord shifted(String dataType, double stds) {
        double[] v = new double[WineFeatures.COUNT];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(0, MEAN[i] + stds * STD[i]);
        }
        return WineFeatures.record(dataType, v);
    }
}
