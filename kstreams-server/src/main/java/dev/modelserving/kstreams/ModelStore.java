package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.proto.ModelDescriptor;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;

/**
 * The custom store: the live models themselves (the model library's registry), fed by the models topic. As a
 * global store its changelog is the compacted models topic: on start, and whenever a task moves, Kafka Streams
 * replays that topic into {@link #apply(String, byte[])} through the restore callback, so every instance rebuilds
 * every model without a republish.
 */
public final class ModelStore implements StateStore {

    private final String name;
    private final ModelRegistry registry;
    private volatile boolean open;

    public ModelStore(String name, ModelRegistry registry) {
        this.name = name;
        this.registry = registry;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** A message of the models topic: a descriptor to load and swap in, or a tombstone (null) to remove. */
    public LoadOutcome apply(String dataType, byte[] value) {
        if (value == null) {
            return registry.remove(dataType);
        }
        try {
            return registry.offer(ModelDescriptor.parseFrom(value));
        } catch (InvalidProtocolBufferException e) {
            return registry.refuse(dataType, "(undecodable)", "not a ModelDescriptor: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> apply(key == null ? null : new String(key,
                java.nio.charset.StandardCharsets.UTF_8), value));
        open = true;
    }

    @Override
    public void flush() {
        // nothing buffered: every model is applied as it arrives
    }

    @Override
    public void close() {
        open = false;
        registry.close();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
