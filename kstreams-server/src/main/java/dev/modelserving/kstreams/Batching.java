package dev.modelserving.kstreams;

import java.time.Duration;

/**
 * How a task holds back the records of a dataType whose model {@linkplain
 * dev.modelserving.model.Model#scoresBatchesFaster scores batches faster} (TensorFlow), to score them together: up
 * to {@code records} at a time, none held longer than about {@code maxWait}. {@code records} of 1 scores every
 * record on its own.
 */
record Batching(int records, Duration maxWait) {

    /** Unless {@code model-server.batch-records} and {@code model-server.batch-wait} say otherwise. */
    static final Batching DEFAULT = new Batching(256, Duration.ofMillis(5));

    Batching {
        if (records < 1 || records > 10_000) {
            throw new IllegalArgumentException(
                    "model-server.batch-records must be between 1 and 10000 (1: no batches), not " + records);
        }
        if (records > 1 && (maxWait.isNegative() || maxWait.isZero() || maxWait.compareTo(Duration.ofHours(1)) > 0)) {
            throw new IllegalArgumentException(
                    "model-server.batch-wait must be more than 0 and at most 1 hour, not " + maxWait);
        }
    }

    boolean enabled() {
        return records > 1;
    }
}
