package dev.modelserving.model;

import dev.modelserving.proto.ServingResult;

/** The wire form of a scored record, the same from every server. */
public final class ServingResults {

    private ServingResults() {}

    /**
     * The result of a scored (not skipped, not failed) record, traced back to where the record came from.
     *
     * @param s the scored record
     * @param topic the record's topic
     * @param partition its partition
     * @param offset its offset
     * @param scoredAtMs when the result was made, epoch milliseconds
     */
    public static ServingResult of(Scored s, String topic, int partition, long offset, long scoredAtMs) {
        ServingResult.Builder r = ServingResult.newBuilder()
                .setDataType(s.record().dataType())
                .setModelName(s.model().name())
                .setModelVersion(s.model().version())
                .putAllProbabilities(s.prediction().probabilities())
                .setDurationNs(s.durationNanos())
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setScoredAtMs(scoredAtMs);
        if (s.prediction().value() != null) {
            r.setValue(s.prediction().value());
        }
        if (s.prediction().label() != null) {
            r.setLabel(s.prediction().label());
        }
        return r.build();
    }
}
