package dev.modelserving.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one dataType in a batch, with where each stood in the batch: a batch is scored with one model call
 * per group, and the answers are put back in the batch's order.
 *
 * @param dataType the records' dataType
 * @param indexes where each record stood in the batch, ascending
 * @param records the records, in batch order
 */
public record DataTypeGroup(String dataType, List<Integer> indexes, List<Features> records) {

    /** A batch split by dataType, the groups in the order their dataType first appears. */
    public static List<DataTypeGroup> of(List<? extends Features> batch) {
        Map<String, List<Integer>> byType = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            byType.computeIfAbsent(batch.get(i).dataType(), t -> new ArrayList<>()).add(i);
        }
        List<DataTypeGroup> out = new ArrayList<>(byType.size());
        byType.forEach((dataType, indexes) -> out.add(new DataTypeGroup(dataType, List.copyOf(indexes),
                indexes.size() == batch.size() ? Collections.unmodifiableList(batch) : indexes.stream().<Features>map(batch::get).toList())));
        return out;
    }
}
