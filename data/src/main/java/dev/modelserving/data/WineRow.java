package dev.modelserving.data;

import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;

/**
 * One row of a wine CSV: the 11 measurements in UCI order and, when the file has it, the quality.
 *
 * @param features the 11 values, UCI column order
 * @param quality the quality score (0-10), or {@link #NO_QUALITY}
 */
public record WineRow(double[] features, int quality) {

    public static final int NO_QUALITY = -1;

    public WineRow {
        if (features.length != WineFeatures.COUNT) {
            throw new IllegalArgumentException("a wine row has " + WineFeatures.COUNT + " features");
        }
    }

    public boolean hasQuality() {
        return quality != NO_QUALITY;
    }

    public WineRecord toRecord(String dataType) {
        return WineFeatures.record(dataType, features);
    }
}
