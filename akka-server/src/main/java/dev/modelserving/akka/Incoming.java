package dev.modelserving.akka;

/**
 * A data record as it came from Kafka (its key, which its result and dead letter carry on, may be null), with what
 * travels along to the end of the stream (its committable offset in the server, anything in tests).
 */
record Incoming<P>(byte[] key, byte[] value, String topic, int partition, long offset, P passThrough) {

    String source() {
        return topic + "[" + partition + "]@" + offset;
    }
}
