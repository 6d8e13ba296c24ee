package dev.modelserving.kafka;

/**
 * A data record as it came from Kafka (its key, which its result and dead letter carry on, may be null; its
 * {@value RecordFormat#HEADER} header, null when it has none), with what an engine needs back with its outcome
 * ({@code passThrough}: a committable offset, the engine's own message, or anything in tests).
 */
public record DataRecord<P>(byte[] key, byte[] value, String contentType, String topic, int partition, long offset,
        P passThrough) {

    /** A record without a {@value RecordFormat#HEADER} header. */
    public DataRecord(byte[] key, byte[] value, String topic, int partition, long offset, P passThrough) {
        this(key, value, null, topic, partition, offset, passThrough);
    }

    /** {@code topic[partition]@offset}. */
    public String source() {
        return Provenance.of(topic, partition, offset);
    }
}
