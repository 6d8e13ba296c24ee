package dev.modelserving.training;

import dev.modelserving.data.ChurnRow;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded train / held-out split of the churn table, made as {@link Split} makes the wines'.
 *
 * @param train customers to learn from
 * @param test customers held out to measure on
 */
public record ChurnSplit(List<ChurnRow> train, List<ChurnRow> test) {

    public static ChurnSplit of(List<ChurnRow> rows, double testFraction, long seed) {
        List<ChurnRow> shuffled = new ArrayList<>(rows);
        Collections.shuffle(shuffled, new Random(seed));
        int testSize = (int) Math.round(rows.size() * testFraction);
        return new ChurnSplit(List.copyOf(shuffled.subList(testSize, shuffled.size())),
                List.copyOf(shuffled.subList(0, testSize)));
    }
}
