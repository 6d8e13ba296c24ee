package dev.modelserving.model;

import java.time.Instant;

/**
 * Serving statistics of one dataType: the tutorial's ModelServingInfo (name, description, since, invocations,
 * mean/min/max duration of the current model) plus counters that outlive a model swap.
 *
 * @param dataType the dataType
 * @param name current model's name; null when no model serves it
 * @param description current model's description
 * @param version current model's version
 * @param since when the current model went live
 * @param invocations records scored by the current model
 * @param meanMs mean scoring time per record, milliseconds
 * @param minMs fastest scoring call, per record, milliseconds (a batch counts as its mean, rounded down to the
 *     nanosecond; 0 before the first)
 * @param maxMs slowest scoring call, per record, milliseconds (a batch counts as its mean, rounded up)
 * @param skipped records that arrived while no model served this dataType
 * @param scoringErrors records the model could not score
 * @param modelSwaps models that went live for this dataType
 * @param failedLoads models refused for this dataType
 * @param lastLoadFailure the most recent refusal, null when none
 * @param undeliverable records of this dataType whose result or dead letter could not be written (given up, their
 *     offsets committed)
 * @param lastUndeliverable the most recent of them, null when none
 * @param lifecycle the previous version, the candidate and its comparison, the lifecycle's counters and recent
 *     events (README, "Model lifecycle"); null when the server keeps none
 */
public record ServingStats(
        String dataType,
        String name,
        String description,
        String version,
        Instant since,
        long invocations,
        double meanMs,
        double minMs,
        double maxMs,
        long skipped,
        long scoringErrors,
        long modelSwaps,
        long failedLoads,
        LoadFailure lastLoadFailure,
        long undeliverable,
        Undeliverable lastUndeliverable,
        Lifecycle lifecycle) {

    /** The statistics of a dataType with nothing served, counted or refused yet. */
    public static ServingStats none(String dataType) {
        return new ServingStats(dataType, null, null, null, null, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, null,
                Lifecycle.none());
    }

    /** These statistics with another lifecycle (null: the server keeps none). */
    public ServingStats withLifecycle(Lifecycle lifecycle) {
        return new ServingStats(dataType, name, description, version, since, invocations, meanMs, minMs, maxMs,
                skipped, scoringErrors, modelSwaps, failedLoads, lastLoadFailure, undeliverable, lastUndeliverable,
                lifecycle);
    }

    /** These statistics with the undeliverable records of their dataType. */
    public ServingStats withUndeliverable(long records, Undeliverable last) {
        return new ServingStats(dataType, name, description, version, since, invocations, meanMs, minMs, maxMs,
                skipped, scoringErrors, modelSwaps, failedLoads, lastLoadFailure, records, last, lifecycle);
    }
}
