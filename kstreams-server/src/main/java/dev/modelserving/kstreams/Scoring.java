package dev.modelserving.kstreams;

import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.RecordScoring.Decoded;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.ModelRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A task's scoring of its data records, the same in every variant, through the shared {@link RecordScoring}: a result
 * is forwarded with its input record's key; a dead letter is forwarded as the record came (key and value) with the
 * {@link Provenance} headers, which {@link #output} sends to the dead-letter topic; a skipped record forwards nothing,
 * and neither does an outcome larger than its topic takes (given up: see {@link LocalServing#fits}).
 *
 * <p>A record whose dataType's model {@linkplain ModelRegistry#scoresBatchesFaster scores batches faster}
 * (TensorFlow) is held back and scored with the ones after it, in one model call, once {@link Batching#records} are
 * held or at the next tick of {@link Batching#maxWait} (a wall-clock punctuation), whichever comes first. Any other
 * record first scores what is held, so outcomes leave in their records' order. The held records are also in a store
 * of the task with a changelog ({@value #HELD_STORE}), which Kafka Streams writes in the same transaction as the
 * input offsets it commits: a record whose offset is committed has either been scored or is in that store, and a task
 * that starts (after a crash, on another instance) scores what its store holds. The store is cached, so a slot
 * written many times between two commits goes to the changelog once.
 */
final class Scoring {

    static final String HELD_STORE = "held-records";
    /** The store's key for how many slots (0, 1, ...) hold records now. */
    private static final int HELD_COUNT = -1;

    private final RecordScoring scoring;
    private final LocalServing serving;
    private final Batching batching;
    private final List<Decoded<Long>> held = new ArrayList<>();
    private ProcessorContext<byte[], byte[]> context;
    private Supplier<ModelRegistry> registry;
    /** Null when batches are off. */
    private KeyValueStore<Integer, byte[]> store;

    Scoring(ServingMetrics metrics, LocalServing serving, Batching batching) {
        this.scoring = new RecordScoring(metrics, serving.defaultFormat(), serving.resultFormat())
                .withLifecycle(serving.lifecycle());
        this.serving = serving;
        this.batching = batching;
    }

    /** The store of held records, which a topology with batches on adds for its scoring processor. */
    static StoreBuilder<KeyValueStore<Integer, byte[]>> heldStore() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(HELD_STORE), Serdes.Integer(),
                Serdes.ByteArray()).withCachingEnabled();
    }

    /** Called from the processor's {@code init}: takes back what the task's store holds, and starts the ticks. */
    void init(ProcessorContext<byte[], byte[]> context, Supplier<ModelRegistry> registry) {
        this.context = context;
        this.registry = registry;
        held.clear();
        if (batching.enabled()) {
            store = context.getStateStore(HELD_STORE);
            restore();
            context.schedule(batching.maxWait(), PunctuationType.WALL_CLOCK_TIME, now -> flush());
        }
    }

    void process(Record<byte[], byte[]> record) {
        RecordMetadata m = context.recordMetadata().orElseThrow();
        Decoded<Long> d = scoring.decode(new DataRecord<>(record.key(), record.value(),
                RecordFormat.contentType(record.headers()), m.topic(), m.partition(), m.offset(), record.timestamp()));
        ModelRegistry models = registry.get();
        if (store != null && !d.isDeadLetter() && models.scoresBatchesFaster(d.record().dataType())) {
            store.put(held.size(), write(d.in()));
            held.add(d);
            store.put(HELD_COUNT, count(held.size()));
            if (held.size() >= batching.records()) {
                flush();
            }
            return;
        }
        flush();
        forward(List.of(d), models);
    }

    /** Scores and forwards the held records, in order. */
    void flush() {
        if (held.isEmpty()) {
            return;
        }
        List<Decoded<Long>> batch = List.copyOf(held);
        held.clear();
        store.put(HELD_COUNT, count(0));
        forward(batch, registry.get());
    }

    private void forward(List<Decoded<Long>> batch, ModelRegistry models) {
        for (Outcome<Long> o : scoring.outcomes(batch, models.scoreBatch(RecordScoring.records(batch)), models)) {
            if (!serving.fits(o)) {
                continue; // given up: larger than its topic takes
            }
            if (o instanceof Outcome.Result<Long> r) {
                context.forward(new Record<>(r.key(), r.result(), r.passThrough(), r.headers()));
            } else if (o instanceof Outcome.DeadLetter<Long> dl) {
                context.forward(new Record<>(dl.key(), dl.valueOrEmpty(), dl.passThrough(), dl.headers()));
            }
        }
    }

    /** The records the store holds (restored from its changelog), decoded again, in their order. */
    private void restore() {
        byte[] count = store.get(HELD_COUNT);
        int n = count == null ? 0 : ByteBuffer.wrap(count).getInt();
        for (int slot = 0; slot < n; slot++) {
            byte[] record = store.get(slot);
            if (record == null) {
                throw new IllegalStateException("the store " + HELD_STORE + " counts " + n + " held records but has no "
                        + "record " + slot + ": its changelog was changed by something other than this server");
            }
            held.add(scoring.decode(read(record)));
        }
    }

    /** Sends results to the results topic and dead letters (the records with an error header) to theirs. */
    static TopicNameExtractor<byte[], byte[]> output(String results, String deadLetters) {
        return (key, value, ctx) -> Provenance.isDeadLetter(ctx.headers()) ? deadLetters : results;
    }

    private static byte[] count(int n) {
        return ByteBuffer.allocate(Integer.BYTES).putInt(n).array();
    }

    /** A held record in its store: key, value, content type, source and timestamp. */
    private static byte[] write(DataRecord<Long> r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + (r.value() == null ? 0 : r.value().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeBytes(out, r.key());
            writeBytes(out, r.value());
            out.writeBoolean(r.contentType() != null);
            if (r.contentType() != null) {
                out.writeUTF(r.contentType());
            }
            out.writeUTF(r.topic());
            out.writeInt(r.partition());
            out.writeLong(r.offset());
            out.writeLong(r.passThrough());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static DataRecord<Long> read(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte[] key = readBytes(in);
            byte[] value = readBytes(in);
            String contentType = in.readBoolean() ? in.readUTF() : null;
            return new DataRecord<>(key, value, contentType, in.readUTF(), in.readInt(), in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }
}
