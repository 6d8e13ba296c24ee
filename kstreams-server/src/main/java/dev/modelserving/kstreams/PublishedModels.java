package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.proto.ModelDescriptor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The global store of published models ({@code standard}, {@code custom}): per dataType, the messages of the models
 * topic in topic order (whatever their key: {@code wine} or a version's {@code wine/3}), keyed
 * {@code dataType NUL offset}. It keeps the last {@value #HISTORY} messages of each dataType and, older than those,
 * the newest message of each key, as the compacted topic does: a task that is a few messages behind applies each
 * in order, so a model refused after a good one leaves the good one serving in every task, even one that had not
 * taken the good one yet, and a rollback or promotion comes after the version it goes back from; and a task that
 * starts with an empty store (a new instance, a reset) still finds the messages behind the live version, the one
 * before it and the candidate. At most {@value #MAX_ENTRIES} entries are kept per dataType: past that the oldest
 * go. In all it keeps at most {@value #MAX_TOTAL_ENTRIES} entries and {@link Limits#maxBytes()} bytes of messages
 * (every instance holds the store whole): past either, never the message just taken, first what a newer message of
 * its key replaces, then the oldest, those of dataTypes no task on this instance has had a model for before any
 * other. A value is a tag byte (removed, or message), the message's key (its
 * length, then its UTF-8 bytes) and the message's bytes, so a tombstone ("removed") is never confused with an
 * empty message; a dataType the store does not have (never published, or compacted away) changes nothing in the
 * tasks. Reading the entries copies no message: a task copies a descriptor only when it applies it.
 */
final class PublishedModels {

    static final int HISTORY = 8;
    static final int MAX_ENTRIES = 32;
    static final int MAX_TOTAL_ENTRIES = 4_096;

    /** The bytes of messages the store keeps at most ({@code model-server.published-models-max-bytes}). */
    record Limits(long maxBytes) {
        static final Limits DEFAULT = new Limits(256L * 1024 * 1024);

        /** Checked against the largest message: the store must hold at least one. */
        Limits checkedAgainst(long maxMessageBytes) {
            if (maxBytes < maxMessageBytes) {
                throw new IllegalArgumentException("model-server.published-models-max-bytes (" + maxBytes
                        + ") must be at least model-server.max-message-bytes (" + maxMessageBytes + ")");
            }
            return this;
        }
    }
    private static final char SEPARATOR = '\u0000';
    private static final byte REMOVED = 0;
    private static final byte MESSAGE = 1;

    /**
     * One published message: its dataType, its key on the models topic, its offset there, and the stored value
     * (the descriptor's bytes start at {@code from}; none for a tombstone).
     */
    record Entry(String dataType, String key, long offset, byte[] value, int from) {

        /** An entry as the store keeps it (a null descriptor: a tombstone). */
        static Entry of(String dataType, String key, long offset, byte[] descriptor) {
            byte[] value = tagged(key, descriptor);
            return new Entry(dataType, key, offset, value, value.length - (descriptor == null ? 0 : descriptor.length));
        }

        boolean removed() {
            return value[0] == REMOVED;
        }

        /** A copy of the descriptor's bytes; null for a tombstone. */
        byte[] descriptor() {
            return removed() ? null : Arrays.copyOfRange(value, from, value.length);
        }

        /** Whether the entry is this descriptor (no copy made). */
        boolean holds(byte[] descriptor) {
            return !removed() && Arrays.equals(value, from, value.length, descriptor, 0, descriptor.length);
        }

        /** The bytes the entry takes in the store. */
        int size() {
            return value.length;
        }
    }

    private PublishedModels() {}

    static String key(String dataType, long offset) {
        return dataType + SEPARATOR + String.format(Locale.ROOT, "%019d", offset);
    }

    private static Entry entry(KeyValue<String, byte[]> kv) {
        int sep = kv.key.lastIndexOf(SEPARATOR);
        ByteBuffer value = ByteBuffer.wrap(kv.value);
        byte tag = value.get();
        byte[] key = new byte[value.getInt()];
        value.get(key);
        return new Entry(kv.key.substring(0, sep), new String(key, StandardCharsets.UTF_8),
                Long.parseLong(kv.key.substring(sep + 1)), kv.value, tag == REMOVED ? kv.value.length
                        : value.position());
    }

    /** Every entry, grouped by dataType, oldest first. */
    static List<Entry> all(ReadOnlyKeyValueStore<String, byte[]> store) {
        List<Entry> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(kv -> add(out, kv));
        }
        return out;
    }

    /** An entry pruned by the global thread while a task iterated is gone: left out. */
    private static void add(List<Entry> out, KeyValue<String, byte[]> kv) {
        if (kv.value != null) {
            out.add(entry(kv));
        }
    }

    /** The entries of one dataType, oldest first. */
    static List<Entry> of(ReadOnlyKeyValueStore<String, byte[]> store, String dataType) {
        List<Entry> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(dataType + SEPARATOR, new StringSerializer())) {
            it.forEachRemaining(kv -> add(out, kv));
        }
        return out;
    }

    private static byte[] tagged(String messageKey, byte[] message) {
        byte[] key = messageKey.getBytes(StandardCharsets.UTF_8);
        ByteBuffer value = ByteBuffer.allocate(1 + 4 + key.length + (message == null ? 0 : message.length));
        value.put(message == null ? REMOVED : MESSAGE).putInt(key.length).put(key);
        if (message != null) {
            value.put(message);
        }
        return value.array();
    }

    /** The dataType a models-topic message is for ({@link ModelsTopic}): of its key, or its descriptor's own. */
    static String dataTypeOf(String key, byte[] message) {
        String own = null;
        if (message != null) {
            try {
                own = ModelDescriptor.parseFrom(message).getDataType();
            } catch (InvalidProtocolBufferException e) {
                // not a descriptor: the key says, and the tasks' registries refuse it with the reason
            }
        }
        return ModelsTopic.parse(key, own).dataType();
    }

    /** The global processor of the models topic (also run when the store is restored): records each message. */
    static final class Updater implements Processor<String, byte[], Void, Void> {
        private final LocalServing serving;
        private final Limits limits;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, byte[]> store;

        Updater(LocalServing serving, Limits limits) {
            this.serving = serving;
            this.limits = limits;
        }

        /** The entries and bytes in the store (kept as entries come and go; counted once when it opens). */
        private long count;
        private long bytes;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore(StreamNames.PUBLISHED_MODELS);
            count = 0;
            bytes = 0;
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                it.forEachRemaining(kv -> {
                    count++;
                    bytes += kv.value.length;
                });
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null || record.key().indexOf(SEPARATOR) >= 0) {
                return; // the models topic is keyed by dataType (and version); anything else names nothing to serve
            }
            long offset = context.recordMetadata().orElseThrow().offset();
            String dataType = dataTypeOf(record.key(), record.value());
            byte[] value = tagged(record.key(), record.value());
            store.put(key(dataType, offset), value);
            count++;
            bytes += value.length;
            for (Entry gone : pruned(of(store, dataType))) {
                delete(gone);
            }
            if (count > MAX_TOTAL_ENTRIES || bytes > limits.maxBytes()) {
                for (Entry gone : overLimits(all(store), limits, serving::served, offset)) {
                    delete(gone);
                }
            }
            serving.published();
        }

        private void delete(Entry e) {
            if (store.delete(key(e.dataType(), e.offset())) != null) {
                count--;
                bytes -= e.size();
            }
        }
    }

    /**
     * Of all entries, those to drop to be within {@value #MAX_TOTAL_ENTRIES} entries and the limits' bytes, never
     * the one just written ({@code newest}): first the ones a newer message of their key replaces, and tombstones;
     * then the newest of each key, the oldest first, those of dataTypes not {@code served} before any other.
     */
    static List<Entry> overLimits(List<Entry> entries, Limits limits, Predicate<String> served, long newest) {
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.size();
        }
        if (entries.size() <= MAX_TOTAL_ENTRIES && bytes <= limits.maxBytes()) {
            return List.of();
        }
        Map<String, Long> newestOfKey = new HashMap<>();
        for (Entry e : entries) {
            newestOfKey.merge(e.dataType() + SEPARATOR + e.key(), e.offset(), Math::max);
        }
        Map<String, Boolean> isServed = new HashMap<>();
        List<Entry> byAge = new ArrayList<>(entries);
        byAge.removeIf(e -> e.offset() == newest);
        byAge.sort(Comparator.comparing((Entry e) -> !e.removed()
                        && newestOfKey.get(e.dataType() + SEPARATOR + e.key()) == e.offset())
                .thenComparing(e -> isServed.computeIfAbsent(e.dataType(), served::test))
                .thenComparingLong(Entry::offset));
        List<Entry> drop = new ArrayList<>();
        int count = entries.size();
        for (Entry e : byAge) {
            if (count <= MAX_TOTAL_ENTRIES && bytes <= limits.maxBytes()) {
                break;
            }
            drop.add(e);
            count--;
            bytes -= e.size();
        }
        return drop;
    }

    /**
     * Of one dataType's entries (oldest first), those to drop: of the ones older than the last {@value #HISTORY},
     * each that a newer message of its key replaces (as compaction would) and each tombstone (its key's message is
     * gone already); then the oldest of the rest past {@value #MAX_ENTRIES}.
     */
    static List<Entry> pruned(List<Entry> entries) {
        List<Entry> drop = new ArrayList<>();
        Set<String> newer = new HashSet<>();
        int old = entries.size() - HISTORY;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (i < old && (e.removed() || newer.contains(e.key()))) {
                drop.add(e);
            }
            newer.add(e.key());
        }
        List<Entry> rest = new ArrayList<>(entries);
        rest.removeAll(drop);
        drop.addAll(rest.subList(0, Math.max(0, rest.size() - MAX_ENTRIES)));
        return drop;
    }
}
