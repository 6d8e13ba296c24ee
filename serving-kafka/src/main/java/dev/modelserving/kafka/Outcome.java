package dev.modelserving.kafka;

import org.apache.kafka.common.header.Headers;

/**
 * What became of one data record: a result to publish, a dead letter, or nothing (no model: skipped). Results and
 * dead letters carry their input record's key.
 */
public sealed interface Outcome<P> {

    P passThrough();

    /** A {@code ServingResult}, to the results topic. */
    record Result<P>(byte[] key, byte[] result, P passThrough) implements Outcome<P> {}

    /** The record as it came (key and value), to the dead-letter topic with why and where from. */
    record DeadLetter<P>(byte[] key, byte[] value, String error, String source, P passThrough)
            implements Outcome<P> {

        /** The {@link Provenance} headers. */
        public Headers headers() {
            return Provenance.deadLetterHeaders(error, source);
        }

        /** The value to publish: the record's bytes, empty when it had none. */
        public byte[] valueOrEmpty() {
            return value == null ? new byte[0] : value;
        }
    }

    /** No model served its dataType: counted, nothing published, its offset still committed. */
    record Skipped<P>(P passThrough) implements Outcome<P> {}
}
