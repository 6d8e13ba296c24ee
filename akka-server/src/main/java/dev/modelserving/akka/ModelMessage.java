package dev.modelserving.akka;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.proto.ModelDescriptor;

/**
 * A message of the models topic: a descriptor (or bytes that should be one) keyed by dataType or dataType/version,
 * or a tombstone ({@code value == null}) that stops serving the dataType or withdraws the version, and where it is
 * on the topic. {@link #CAUGHT_UP} is no
 * message: it says the models topic has been read up to where it ended when the server started.
 */
record ModelMessage(String dataType, byte[] value, int partition, long offset) {

    static final ModelMessage CAUGHT_UP = new ModelMessage(null, null, -1, -1);

    /** A message that comes from no topic (tests). */
    ModelMessage(String dataType, byte[] value) {
        this(dataType, value, -1, -1);
    }

    boolean isCaughtUp() {
        return this == CAUGHT_UP;
    }

    /**
     * The dataType the message is for: the descriptor's own, else the message key's ({@code wine} of {@code wine}
     * or {@code wine/3}, {@link ModelsTopic}).
     */
    String routingKey() {
        String own = null;
        if (value != null) {
            try {
                own = ModelDescriptor.parseFrom(value).getDataType();
                if (!own.isBlank()) {
                    return own;
                }
            } catch (InvalidProtocolBufferException e) {
                // not a descriptor: the key decides, and the registry refuses it with the reason
            }
        }
        return dataType == null || dataType.isBlank() ? ModelRegistry.OTHER_DATA_TYPES
                : ModelsTopic.parse(dataType, own).dataType();
    }

    /** Applies the message to a registry: offers the model, removes it, or refuses what is not a descriptor. */
    LoadOutcome applyTo(ModelRegistry registry) {
        return registry.apply(dataType, value, partition < 0 ? null : "[" + partition + "]@" + offset);
    }
}
