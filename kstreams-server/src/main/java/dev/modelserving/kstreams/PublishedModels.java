package dev.modelserving.kstreams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The global store of published models ({@code standard}, {@code custom}): per dataType, the last
 * {@value #HISTORY} messages of the models topic in topic order, keyed {@code dataType NUL offset}. A task that is a
 * few messages behind applies each in order, so a model refused after a good one leaves the good one serving in
 * every task, even one that had not taken the good one yet. A value is a tag byte (removed, or message) and the
 * message's bytes, so a tombstone ("removed") is never confused with an empty message; a dataType the store does not
 * have (never published, or compacted away) changes nothing in the tasks.
 */
final class PublishedModels {

    static final int HISTORY = 4;
    private static final char SEPARATOR = '\u0000';
    private static final byte REMOVED = 0;
    private static final byte MESSAGE = 1;

    /** One published message: its offset on the models topic, and the descriptor (null for a removal). */
    record Entry(String dataType, long offset, byte[] descriptor) {}

    private PublishedModels() {}

    static String key(String dataType, long offset) {
        return dataType + SEPARATOR + String.format(Locale.ROOT, "%019d", offset);
    }

    private static Entry entry(KeyValue<String, byte[]> kv) {
        int sep = kv.key.lastIndexOf(SEPARATOR);
        return new Entry(kv.key.substring(0, sep), Long.parseLong(kv.key.substring(sep + 1)),
                kv.value[0] == REMOVED ? null : Arrays.copyOfRange(kv.value, 1, kv.value.length));
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

    private static byte[] tagged(byte[] message) {
        if (message == null) {
            return new byte[] {REMOVED};
        }
        byte[] value = new byte[message.length + 1];
        value[0] = MESSAGE;
        System.arraycopy(message, 0, value, 1, message.length);
        return value;
    }

    /** The global processor of the models topic (also run when the store is restored): records each message. */
    static final class Updater implements Processor<String, byte[], Void, Void> {
        private final LocalServing serving;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, byte[]> store;

        Updater(LocalServing serving) {
            this.serving = serving;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore(StreamNames.PUBLISHED_MODELS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.key() == null || record.key().indexOf(SEPARATOR) >= 0) {
                return; // the models topic is keyed by dataType; anything else names nothing to serve
            }
            long offset = context.recordMetadata().orElseThrow().offset();
            store.put(key(record.key(), offset), tagged(record.value()));
            List<Entry> kept = of(store, record.key());
            for (int i = 0; i < kept.size() - HISTORY; i++) {
                store.delete(key(record.key(), kept.get(i).offset()));
            }
            serving.published();
        }
    }
}
