package dev.modelserving.akka;

/**
 * A data record as it came from Kafka, with what travels along to the end of the stream (its committable offset
 * in the server, anything in tests).
 */
record Incoming<P>(byte[] value, String topic, int partition, long offset, P passThrough) {

    String source() {
        return topic + "[" + partition + "]@" + offset;
    }
}
