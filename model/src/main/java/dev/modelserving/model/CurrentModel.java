package dev.modelserving.model;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model serving a dataType and when it went live.
 *
 * @param model what the model is
 * @param since when it went live
 * @param liveFrom input partition to the first offset this model scored there (records before it were scored by
 *     the model before); a partition it has not scored yet is not listed
 * @param candidate the dataType's candidate compared with this model (shadow scoring), null without one
 */
public record CurrentModel(ModelInfo model, Instant since, Map<Integer, Long> liveFrom,
        ShadowComparison.Figures candidate) {

    public CurrentModel {
        liveFrom = Collections.unmodifiableMap(new TreeMap<>(liveFrom));
    }
}
