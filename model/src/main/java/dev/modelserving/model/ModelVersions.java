package dev.modelserving.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.proto.ModelDescriptor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The models topic read as the servers read it, without loading a model: per dataType, the versions the topic holds
 * (the newest message of each key, as compaction keeps them), which one is live, which is the candidate and which
 * a rollback goes back to. It follows {@link ModelRegistry#apply}'s rules on the assumption that every model loads:
 * a server that refused the newest version serves the one before it (its {@code /state} says why).
 */
public final class ModelVersions {

    /**
     * A message of the topic: the newest under its key.
     *
     * @param key the message's key
     * @param offset where it is on the models topic
     * @param descriptor what it says
     */
    public record Version(String key, long offset, ModelDescriptor descriptor) {

        public String version() {
            return descriptor.getVersion();
        }

        /** Name and version as people read them. */
        public String label() {
            return "'" + descriptor.getName() + "'" + (version().isEmpty() ? "" : " v" + version());
        }
    }

    /**
     * One dataType on the topic.
     *
     * @param versions the newest message of each key, in topic order
     * @param live the version servers serve, if any
     * @param candidate the version scoring beside it, if any
     * @param previous the version a rollback without a target goes back to, if any
     */
    public record DataType(String dataType, List<Version> versions, Optional<Version> live,
            Optional<Version> candidate, Optional<Version> previous) {}

    private static final class State {
        final Map<String, Version> byKey = new LinkedHashMap<>();
        Version live;
        Version candidate;
        Version previous;
    }

    private final Map<String, State> dataTypes = new TreeMap<>();

    /** Applies the next message of the topic; {@code value} null is a tombstone. Undecodable messages are skipped. */
    public void apply(String key, byte[] value, long offset) {
        if (key == null) {
            return;
        }
        if (value == null) {
            ModelsTopic.Key k = ModelsTopic.parse(key, dataTypes.containsKey(key) ? key : null);
            State s = dataTypes.get(k.dataType());
            if (s == null) {
                return;
            }
            s.byKey.remove(key);
            if (k.version().isEmpty()) {
                s.live = null;
                s.candidate = null;
                s.previous = null;
                return;
            }
            String v = k.version().get();
            if (s.candidate != null && s.candidate.version().equals(v)) {
                s.candidate = null;
            } else if (s.live != null && s.live.version().equals(v)) {
                s.live = s.previous;
                s.previous = null;
                if (s.live == null) {
                    s.candidate = null; // nothing left to compare it with: the servers drop it too
                }
            }
            return;
        }
        ModelDescriptor d;
        try {
            d = ModelDescriptor.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            return;
        }
        ModelsTopic.Key k = ModelsTopic.parse(key, d.getDataType());
        if (!d.getDataType().isBlank() && !d.getDataType().equals(k.dataType())
                || k.version().isPresent() && !k.version().get().equals(d.getVersion())) {
            return; // refused by every server
        }
        State s = dataTypes.computeIfAbsent(k.dataType(), t -> new State());
        Version message = new Version(key, offset, d);
        s.byKey.remove(key); // the newest message of a key goes last, in topic order
        s.byKey.put(key, message);
        ModelDescriptor model = ModelsTopic.model(d);
        if (d.getCandidate()) {
            if (s.live != null && !model.equals(ModelsTopic.model(s.live.descriptor()))) {
                s.candidate = message;
            }
            return;
        }
        if (s.live != null && model.equals(ModelsTopic.model(s.live.descriptor()))) {
            s.live = message;
            return;
        }
        if (s.candidate != null && model.equals(ModelsTopic.model(s.candidate.descriptor()))) {
            s.candidate = null;
        }
        if (s.live != null) {
            s.previous = s.live;
        }
        s.live = message;
    }

    /** Every dataType seen, sorted. */
    public List<DataType> dataTypes() {
        List<DataType> out = new ArrayList<>();
        dataTypes.forEach((type, s) -> out.add(view(type, s)));
        return out;
    }

    /** One dataType, if the topic has it. */
    public Optional<DataType> dataType(String dataType) {
        State s = dataTypes.get(dataType);
        return s == null ? Optional.empty() : Optional.of(view(dataType, s));
    }

    private static DataType view(String type, State s) {
        List<Version> versions = new ArrayList<>(s.byKey.values());
        versions.sort(Comparator.comparingLong(Version::offset));
        return new DataType(type, versions, Optional.ofNullable(s.live).map(v -> current(s, v)),
                Optional.ofNullable(s.candidate).map(v -> current(s, v)),
                Optional.ofNullable(s.previous).map(v -> current(s, v)));
    }

    /** The newest message of a version's key (a rollback or promotion publishes it again). */
    private static Version current(State s, Version v) {
        Version newest = s.byKey.get(v.key());
        return newest != null && Objects.equals(newest.version(), v.version()) ? newest : v;
    }
}
