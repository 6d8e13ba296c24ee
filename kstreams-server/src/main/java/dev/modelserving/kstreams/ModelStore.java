package dev.modelserving.kstreams;

import dev.modelserving.model.Lifecycle;
import dev.modelserving.model.LifecycleCodec;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.query.Position;

/**
 * Our own store: the live models themselves (a model library registry), not their bytes.
 *
 * <p>With logging ({@code custom}, one store per task) every models-topic message it does not refuse (a model that
 * went live, a candidate, a removal, a version withdrawn) is written to the store's changelog topic under its key;
 * a refused model is not. After each message, refused or not, the dataType's lifecycle counters and events
 * ({@link LifecycleCodec}) are written under a key of their own, when the dataType has had a model here.
 * When a task starts (a restart, or a task moved from another instance) Kafka Streams replays that changelog into
 * the restore callback and the store applies those messages again, in order, before the task scores a record.
 *
 * <p>Without logging ({@code memory}, one global store) Kafka Streams restores a global store from its source,
 * the compacted models topic, through the same callback.
 *
 * <p>The global store shows itself to the REST API ({@link LocalServing}) as soon as it opens; a task's store is
 * shown by the task's processor, which only active tasks run (a standby replica's store stays out of the view).
 */
public final class ModelStore implements StateStore {

    private static final System.Logger LOG = System.getLogger(ModelStore.class.getName());
    /** Keys of the lifecycle records: a NUL first, which no models-topic key the tasks apply has. */
    private static final String LIFECYCLE_PREFIX = "\u0000lifecycle\u0000";

    private final String name;
    private final LocalServing serving;
    private final boolean logged;
    private ModelRegistry registry;
    private final Map<String, byte[]> live = new ConcurrentHashMap<>();
    private InternalProcessorContext<?, ?> context;
    private volatile boolean open;

    ModelStore(String name, LocalServing serving, boolean logged) {
        this.name = name;
        this.serving = serving;
        this.logged = logged;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * A message of the models topic, applied as {@link ModelRegistry#apply} says; what was not refused is logged to
     * the changelog.
     */
    public LoadOutcome apply(String key, byte[] value) {
        LoadOutcome outcome = load(key, value);
        logChange(key, value, outcome);
        return outcome;
    }

    /**
     * Loads and swaps in (or removes) without logging: safe on any thread, so a task's processor can load off its
     * stream thread and {@link #logChange log} on it once the load is done.
     */
    public LoadOutcome load(String key, byte[] value) {
        if (key == null && value == null) {
            throw new IllegalArgumentException("a tombstone needs the dataType (or version) as its key");
        }
        LoadOutcome outcome = apply(registry, key, value);
        if (key != null && outcome instanceof LoadOutcome.Loaded loaded) {
            // a version's tombstone that gave the live model back to the previous version: that one's descriptor
            String dataType = loaded.model().dataType();
            live.put(dataType, value != null ? value : registry.savedModels(dataType).live().toByteArray());
        } else if (key != null && outcome instanceof LoadOutcome.Removed) {
            live.remove(PublishedModels.dataTypeOf(key, value));
        }
        return outcome;
    }

    /**
     * Logs a message the registry did not refuse to the changelog, under its models-topic key; on the task's stream
     * thread.
     */
    public void logChange(String key, byte[] value, LoadOutcome outcome) {
        if (!logged) {
            return;
        }
        if (!(outcome instanceof LoadOutcome.Rejected)) {
            context.logChange(name, Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)), value, context.timestamp(),
                    Position.emptyPosition());
        }
        // the dataType's lifecycle counters and events after it, refusals too, under a key no models message has;
        // only for a dataType that has had a model here (made-up dataTypes' refusals leave no key behind)
        String dataType = PublishedModels.dataTypeOf(key, value);
        if (!registry.hasHadAModel(dataType)) {
            return;
        }
        registry.stats(dataType).ifPresent(stats -> context.logChange(name,
                Bytes.wrap(lifecycleKey(dataType).getBytes(StandardCharsets.UTF_8)),
                LifecycleCodec.encode(stats.lifecycle()), context.timestamp(), Position.emptyPosition()));
    }

    /** The key under which a dataType's lifecycle counters and events are kept ({@link LifecycleCodec}). */
    static String lifecycleKey(String dataType) {
        return LIFECYCLE_PREFIX + dataType;
    }

    /** The dataType of a {@link #lifecycleKey}, or null for any other key. */
    static String lifecycleOf(String key) {
        return key.startsWith(LIFECYCLE_PREFIX) ? key.substring(LIFECYCLE_PREFIX.length()) : null;
    }

    /** Whether a key is one of the stores' own (a NUL first), not a models-topic key the tasks apply. */
    static boolean ownKey(String key) {
        return !key.isEmpty() && key.charAt(0) == '\u0000';
    }

    /** Brings back a dataType's saved lifecycle; bytes that are not one are left out with a warning. */
    static void restoreLifecycle(ModelRegistry registry, String dataType, byte[] value) {
        Lifecycle saved = decodeLifecycle(dataType, value);
        if (saved != null) {
            registry.restoreLifecycle(dataType, saved);
        }
    }

    /** A dataType's saved lifecycle, or null (with a warning) when the bytes are not one. */
    static Lifecycle decodeLifecycle(String dataType, byte[] value) {
        try {
            return LifecycleCodec.decode(value);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "the saved lifecycle of dataType '" + dataType + "' is unreadable ("
                    + e.getMessage() + "): its counters and events start again from what its models say");
            return null;
        }
    }

    /** The descriptor of each dataType's live model, as logged. */
    public Map<String, byte[]> live() {
        return Map.copyOf(live);
    }

    /** A models-topic message applied to a registry ({@link ModelRegistry#apply}). */
    static LoadOutcome apply(ModelRegistry registry, String key, byte[] value) {
        return registry.apply(key, value, null);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        if (logged) {
            if (!(context instanceof InternalProcessorContext<?, ?> internal)) {
                throw new IllegalStateException("the model store needs Kafka Streams' own processor context");
            }
            this.context = internal;
        }
        this.registry = serving.newRegistry();
        live.clear(); // a store re-initialised (a revived task) holds only what its changelog restores
        context.register(root, (BatchingStateRestoreCallback) this::restore);
        if (!logged) {
            serving.serving(LocalServing.GLOBAL, registry);
        }
        open = true;
    }

    /**
     * Brings back the models of a restored batch (a changelog, or the models topic for the global store) as the
     * running server left them, by applying each message in order as it was applied when it arrived
     * ({@link ModelRegistry#apply}): versions that went live, were withdrawn, refused (leaving the one before
     * serving), candidates and rollbacks alike. What compaction removed from the topic is gone: it keeps the newest
     * message of each key (of each version, with versioned keys).
     */
    void restore(Collection<KeyValue<byte[], byte[]>> batch) {
        for (KeyValue<byte[], byte[]> r : batch) {
            if (r.key == null) {
                continue;
            }
            String key = new String(r.key, StandardCharsets.UTF_8);
            String lifecycle = lifecycleOf(key);
            if (lifecycle == null) {
                load(key, r.value);
            } else if (r.value != null) {
                restoreLifecycle(registry, lifecycle, r.value);
            }
        }
    }

    @Override
    public void flush() {
        // nothing buffered: every model is applied (and logged) as it arrives
    }

    @Override
    public void close() {
        open = false;
        if (registry != null) {
            if (!logged) {
                serving.stopped(LocalServing.GLOBAL, registry);
            }
            registry.close();
        }
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
