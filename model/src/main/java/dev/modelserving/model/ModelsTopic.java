package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;
import java.util.Optional;

/**
 * The keys of the models topic and the messages the lifecycle publishes on it (README, "Model lifecycle").
 *
 * <p>A message is keyed by its dataType ({@code wine}, as the tutorial's publisher does) or by its dataType and
 * version ({@code wine/3}). Compaction keeps the newest message of each key, so with versioned keys the topic keeps
 * every version of a dataType; what a server serves is decided by the messages in topic order: the newest version
 * message it accepts is live. A rollback or a promotion publishes a version's descriptor again, so it is the newest.
 */
public final class ModelsTopic {

    /** Between a dataType and a version in a key. A dataType with this character is keyed by itself. */
    public static final char VERSION_SEPARATOR = '/';

    private ModelsTopic() {}

    /** A message to publish on the models topic. */
    public record Message(String key, byte[] value) {}

    /**
     * A key read back: the dataType and, for a versioned key, the version.
     *
     * @param version empty for a key that is only a dataType
     */
    public record Key(String dataType, Optional<String> version) {}

    /**
     * Reads a key. A key that is a dataType the descriptor names ({@code descriptorDataType}, null for a tombstone)
     * is that dataType even if it holds the separator; otherwise the part before the first separator is the
     * dataType and the rest its version.
     */
    public static Key parse(String key, String descriptorDataType) {
        int at = key.indexOf(VERSION_SEPARATOR);
        if (at < 0 || key.equals(descriptorDataType)) {
            return new Key(key, Optional.empty());
        }
        return new Key(key.substring(0, at), Optional.of(key.substring(at + 1)));
    }

    /**
     * The key a descriptor is published under: {@code dataType/version}, or the dataType alone without a version or
     * when the dataType holds the separator (a versioned key could not be read back).
     */
    public static String key(ModelDescriptor d) {
        return d.getVersion().isEmpty() || d.getDataType().indexOf(VERSION_SEPARATOR) >= 0 ? d.getDataType()
                : d.getDataType() + VERSION_SEPARATOR + d.getVersion();
    }

    /**
     * The model a descriptor describes, without its lifecycle fields (candidate, rule, event) or when it was
     * published: two messages of the same model compare equal.
     */
    public static ModelDescriptor model(ModelDescriptor d) {
        return d.toBuilder().clearCandidate().clearPromotionRule().clearEvent().clearEventReason()
                .clearPublishedAtMs().build();
    }

    /** A descriptor published again to serve, for a promotion or a rollback, with why. */
    public static Message publishAgain(ModelDescriptor d, ModelDescriptor.LifecycleEvent event, String reason) {
        ModelDescriptor again = model(d).toBuilder().setEvent(event).setEventReason(reason)
                .setPublishedAtMs(System.currentTimeMillis()).build();
        return new Message(key(again), again.toByteArray());
    }
}
