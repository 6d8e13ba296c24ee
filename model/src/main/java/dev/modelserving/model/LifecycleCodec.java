package dev.modelserving.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a dataType's lifecycle counters and events, for a server that keeps them in a store of its own (the
 * Kafka Streams variants): a version byte, the four counters, the number of events, then each event (its time in
 * epoch seconds and nanoseconds, and three UTF-8 strings). The previous version, the candidate and its comparison are not in it:
 * they come back with the models.
 */
public final class LifecycleCodec {

    private static final byte VERSION = 1;

    private LifecycleCodec() {}

    public static byte[] encode(Lifecycle l) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(l.candidates());
            out.writeLong(l.promotions());
            out.writeLong(l.rollbacks());
            out.writeLong(l.automaticRollbacks());
            out.writeInt(l.events().size());
            for (LifecycleEvent e : l.events()) {
                out.writeLong(e.at().getEpochSecond());
                out.writeInt(e.at().getNano());
                out.writeUTF(clip(e.kind()));
                out.writeUTF(clip(e.model()));
                out.writeUTF(clip(e.detail()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException when the bytes are not a lifecycle this codec wrote */
    public static Lifecycle decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("a lifecycle of version " + version + ", not " + VERSION);
            }
            long candidates = in.readLong();
            long promotions = in.readLong();
            long rollbacks = in.readLong();
            long automatic = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > Lifecycle.MAX_EVENTS) {
                throw new IllegalArgumentException("a lifecycle with " + n + " events");
            }
            List<LifecycleEvent> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(new LifecycleEvent(Instant.ofEpochSecond(in.readLong(), in.readInt()), in.readUTF(),
                        in.readUTF(), in.readUTF()));
            }
            return new Lifecycle(null, null, null, candidates, promotions, rollbacks, automatic, events);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a lifecycle: " + e, e);
        }
    }

    /** writeUTF takes at most 65,535 bytes; an event's words are far shorter, a reason quoting a model may not be. */
    private static String clip(String s) {
        return s.length() > 4096 ? s.substring(0, 4096) + "..." : s;
    }
}
