package dev.modelserving.model;

/**
 * The outcome of serving one record: a prediction by a model, or skipped (no model for its dataType), or failed
 * (the model could not score this record; {@code error} says why).
 *
 * @param record the input
 * @param model the model that scored it; null when skipped
 * @param prediction what the model said; null when skipped or failed
 * @param durationNanos time spent scoring (for a batch, its share of the batch time)
 * @param error why scoring failed; null otherwise
 */
public record Scored(Features record, ModelInfo model, Prediction prediction, long durationNanos, String error) {

    static Scored skipped(Features record) {
        return new Scored(record, null, null, 0, null);
    }

    public boolean isSkipped() {
        return model == null;
    }

    public boolean isFailed() {
        return error != null;
    }
}
