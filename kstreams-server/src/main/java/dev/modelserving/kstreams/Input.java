package dev.modelserving.kstreams;

/** What reaches a DSL variant's serving processor: a data record or a (broadcast) models-topic message. */
record Input(boolean isModel, byte[] value) {

    static Input record(byte[] value) {
        return new Input(false, value);
    }

    static Input model(byte[] value) {
        return new Input(true, value);
    }
}
