package dev.modelserving.model;

import java.util.ArrayList;
import java.util.List;

/**
 * A loaded model, ready to score. Implementations are thread-safe; {@link #close()} releases native resources
 * and is called once, after the last scoring call has returned (the {@link ModelRegistry} guarantees that).
 */
public interface Model extends AutoCloseable {

    /** What this model is: name, version, type, where it came from. */
    ModelInfo info();

    /**
     * The features this model reads, in its order. A record may carry more; one that lacks an input the model
     * cannot do without fails to score, and the {@link ScoringException} names what it lacks.
     */
    List<ModelInput> inputs();

    /** Scores one record. Throws {@link ScoringException} when this record cannot be scored. */
    Prediction score(Features record);

    /** Scores records in one go; the result has one prediction per record, in order. */
    default List<Prediction> scoreBatch(List<? extends Features> records) {
        List<Prediction> out = new ArrayList<>(records.size());
        for (Features r : records) {
            out.add(score(r));
        }
        return out;
    }

    /**
     * Whether one {@link #scoreBatch} call over many records costs much less per record than scoring them one at a
     * time (a TensorFlow session run has a fixed cost per call). An engine that would otherwise score record by
     * record holds such a model's records back to score them together.
     */
    default boolean scoresBatchesFaster() {
        return false;
    }

    @Override
    default void close() {}
}
