package dev.modelserving.training;

import dev.modelserving.data.WineRow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded train / held-out split.
 *
 * @param train rows to learn from
 * @param test rows held out to measure on
 */
public record Split(List<WineRow> train, List<WineRow> test) {

    public static Split of(List<WineRow> rows, double testFraction, long seed) {
        List<WineRow> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(seed));
        int testSize = (int) Math.round(rows.size() * testFraction);
        return new Split(List.copyOf(shuffled.subList(testSize, shuffled.size())),
                List.copyOf(shuffled.subList(0, testSize)));
    }

    public static double[][] features(List<WineRow> rows) {
        return rows.stream().map(WineRow::features).toArray(double[][]::new);
    }

    public static int[] qualities(List<WineRow> rows) {
        return rows.stream().mapToInt(WineRow::quality).toArray();
    }
}
