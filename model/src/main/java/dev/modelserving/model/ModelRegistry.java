package dev.modelserving.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.proto.ModelDescriptor;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The models being served: dataType to the current model, swapped atomically. A new model is fully loaded and
 * has scored sample records before it replaces the old one; a refused model changes nothing but the failure
 * counters. Thread-safe: any number of threads may score while another offers models.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    /** Records of more dataTypes than this are still skipped and counted, but under {@link #OTHER_DATA_TYPES}. */
    public static final int MAX_DATA_TYPES = 1_000;
    public static final String OTHER_DATA_TYPES = "*";

    private final ModelFactory factory;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public ModelRegistry(ModelFactory factory) {
        this.factory = factory;
    }

    /** Loads the model and, if it is sound, makes it the one serving its dataType. Never throws for a bad model. */
    public LoadOutcome offer(ModelDescriptor d) {
        String dataType = d.getDataType();
        Slot slot = slot(dataType.isBlank() ? OTHER_DATA_TYPES : dataType);
        synchronized (slot.loading) {
            try {
                LoadOutcome outcome = swapIn(slot, new ServedModel(factory.load(d)), "");
                slot.swaps.incrementAndGet();
                return outcome;
            } catch (ModelLoadException e) {
                return refused(slot, dataType, d, e.getMessage());
            }
        }
    }

    /** Makes a loaded model the slot's current one (unless the registry closed meanwhile) and retires the old one. */
    private LoadOutcome swapIn(Slot slot, ServedModel next, String logPrefix) throws ModelLoadException {
        if (closed) {
            retire(next); // loaded while the registry closed: it would never be closed otherwise
            throw new ModelLoadException("the registry was closed while the model loaded");
        }
        ServedModel previous = slot.current.getAndSet(next);
        if (previous != null) {
            retire(previous);
        }
        // a candidate is compared with the live model: a new live model starts a new comparison
        slot.candidate.updateAndGet(c -> c == null ? null
                : new Candidate(c.model, new ShadowComparison(next.info, c.model.info, Instant.now())));
        LoadOutcome outcome = new LoadOutcome.Loaded(next.info, Optional.ofNullable(previous).map(p -> p.info));
        LOG.log(Level.INFO, logPrefix + outcome.message());
        return outcome;
    }

    /** Counts and shows a model that was not loaded; what is served does not change. */
    private LoadOutcome refused(Slot slot, String dataType, ModelDescriptor d, String reason) {
        LoadFailure failure = new LoadFailure(d.getName(), d.getVersion(), reason, Instant.now());
        slot.failedLoads.incrementAndGet();
        slot.lastFailure.set(failure);
        LoadOutcome outcome = new LoadOutcome.Rejected(dataType, failure, slot.currentInfo());
        LOG.log(Level.WARNING, outcome.message());
        return outcome;
    }

    /**
     * Applies a message of the models topic, keyed by dataType: a descriptor is offered, a tombstone ({@code null})
     * removes the dataType's model; anything else is refused (counted, with the reason): bytes that are not a
     * ModelDescriptor, or a descriptor for another dataType than its key (a tombstone for the key would not reach it).
     *
     * @param source where the message came from, for the refusal's reason (may be null)
     */
    public LoadOutcome apply(String dataType, byte[] message, String source) {
        if (message == null) {
            return remove(dataType);
        }
        ModelDescriptor d;
        try {
            d = ModelDescriptor.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            return refuse(dataType, "(undecodable)", (source == null ? "the message" : "message " + source)
                    + " is not a ModelDescriptor: " + e.getMessage());
        }
        if (dataType != null && !dataType.isBlank() && !d.getDataType().isBlank() && !d.getDataType().equals(dataType)) {
            return refuse(dataType, d.getName(), (source == null ? "the message" : "message " + source)
                    + " is keyed '" + dataType + "' but its descriptor is for dataType '" + d.getDataType() + "'");
        }
        return offer(d);
    }

    /**
     * Brings a dataType back as a restarted server saved it: its counters, and its model (loaded again from the
     * descriptor, checked as any offered model) with the model's statistics and since, when the saved statistics
     * are of that model. Without a descriptor only the counters come back. A model that no longer loads is refused
     * (counted, with its reason) and nothing serves until the next model arrives.
     */
    public LoadOutcome restore(String dataType, ModelDescriptor d, ServingStats saved) {
        Slot slot = slot(dataType.isBlank() ? OTHER_DATA_TYPES : dataType);
        synchronized (slot.loading) {
            slot.skipped.add(saved.skipped());
            slot.scoringErrors.add(saved.scoringErrors());
            slot.swaps.set(saved.modelSwaps());
            slot.failedLoads.set(saved.failedLoads());
            slot.lastFailure.set(saved.lastLoadFailure());
            if (d == null) {
                return new LoadOutcome.Removed(dataType, Optional.empty());
            }
            try {
                Model model = factory.load(d);
                boolean same = Objects.equals(model.info().name(), saved.name())
                        && Objects.equals(model.info().version(), saved.version());
                return swapIn(slot, same ? new ServedModel(model, saved) : new ServedModel(model), "restored: ");
            } catch (ModelLoadException e) {
                return refused(slot, dataType, d, "could not be restored: " + e.getMessage());
            }
        }
    }

    /**
     * Records a model that could not even be read as a descriptor (for example undecodable bytes on the models
     * topic): counted and shown like any refused model; what is served does not change.
     */
    public LoadOutcome refuse(String dataType, String modelName, String reason) {
        Slot slot = slot(dataType == null || dataType.isBlank() ? OTHER_DATA_TYPES : dataType);
        return refused(slot, dataType, ModelDescriptor.newBuilder().setName(Objects.requireNonNullElse(modelName, ""))
                .build(), reason);
    }

    /** Stops serving a dataType (its records are skipped from now on). */
    public LoadOutcome remove(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return new LoadOutcome.Removed(dataType, Optional.empty());
        }
        synchronized (slot.loading) {
            ServedModel previous = slot.current.getAndSet(null);
            slot.removed = true;
            if (previous != null) {
                retire(previous);
            }
            Candidate candidate = slot.candidate.getAndSet(null);
            if (candidate != null) {
                retire(candidate.model); // nothing left to compare it with
            }
            LoadOutcome outcome = new LoadOutcome.Removed(dataType, Optional.ofNullable(previous).map(p -> p.info));
            LOG.log(Level.INFO, outcome.message());
            return outcome;
        }
    }

    /**
     * Loads the model and, if it is sound, makes it its dataType's candidate: it scores the records the live model
     * scores ({@link #scoreCandidates}), compared with the live model's outputs, without being served. A dataType
     * without a live model has nothing to compare with: its candidate is refused. A newer candidate replaces the
     * older; a refused one leaves the candidate (and the live model) as they were.
     */
    public LoadOutcome offerCandidate(ModelDescriptor d) {
        String dataType = d.getDataType();
        Slot slot = slot(dataType.isBlank() ? OTHER_DATA_TYPES : dataType);
        synchronized (slot.loading) {
            ServedModel live = slot.current.get();
            if (live == null) {
                return refused(slot, dataType, d, "a candidate needs a live model to be compared with, and dataType '"
                        + dataType + "' has none");
            }
            ServedModel candidate;
            try {
                candidate = new ServedModel(factory.load(d));
            } catch (ModelLoadException e) {
                return refused(slot, dataType, d, "as a candidate: " + e.getMessage());
            }
            if (closed) {
                retire(candidate);
                return refused(slot, dataType, d, "the registry was closed while the candidate loaded");
            }
            Candidate previous = slot.candidate.getAndSet(new Candidate(candidate,
                    new ShadowComparison(live.info, candidate.info, Instant.now())));
            if (previous != null) {
                retire(previous.model);
            }
            slot.candidates.incrementAndGet();
            LoadOutcome outcome = new LoadOutcome.CandidateLoaded(candidate.info, live.info,
                    Optional.ofNullable(previous).map(p -> p.model.info));
            LOG.log(Level.INFO, outcome.message());
            return outcome;
        }
    }

    /**
     * Makes a dataType's candidate its live model (the live model is closed); the comparison ends with it. Empty
     * when the dataType has no candidate.
     */
    public Optional<LoadOutcome> promoteCandidate(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return Optional.empty();
        }
        synchronized (slot.loading) {
            Candidate c = slot.candidate.getAndSet(null);
            if (c == null) {
                return Optional.empty();
            }
            try {
                LoadOutcome outcome = swapIn(slot, c.model, "promoted: ");
                slot.swaps.incrementAndGet();
                slot.promotions.incrementAndGet();
                return Optional.of(outcome);
            } catch (ModelLoadException e) {
                return Optional.of(refused(slot, dataType, ModelDescriptor.newBuilder().setName(c.model.info.name())
                        .setVersion(c.model.info.version()).build(), e.getMessage()));
            }
        }
    }

    /** Stops a dataType's candidate (closed; its comparison ends); whether there was one. */
    public boolean dropCandidate(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return false;
        }
        synchronized (slot.loading) {
            Candidate c = slot.candidate.getAndSet(null);
            if (c != null) {
                retire(c.model);
                LOG.log(Level.INFO, "candidate " + c.model.info.label() + " of dataType '" + dataType + "' dropped");
            }
            return c != null;
        }
    }

    /** The comparison of a dataType's candidate with its live model, as of now, if it has a candidate. */
    public Optional<ShadowComparison.Figures> comparison(String dataType) {
        Slot slot = slots.get(dataType);
        Candidate c = slot == null ? null : slot.candidate.get();
        return c == null ? Optional.empty() : Optional.of(c.comparison.figures());
    }

    /** A record the live model scored, and what the candidate made of it (scored, or failed with the reason). */
    public record Shadowed(Scored live, Scored candidate) {}

    /**
     * Scores, with their dataTypes' candidates, the records the live models have scored (one candidate call per
     * dataType), and compares each output with the live one. Skipped and failed live outcomes, and records of a
     * dataType without a candidate, are left out. Meant to run off the result path: an engine hands it the live
     * outcomes once they are on their way, so a slow or failing candidate never delays or fails a result.
     */
    public List<Shadowed> scoreCandidates(List<Scored> live) {
        Map<String, List<Scored>> byType = new LinkedHashMap<>();
        for (Scored s : live) {
            if (!s.isSkipped() && !s.isFailed()) {
                byType.computeIfAbsent(s.record().dataType(), t -> new ArrayList<>()).add(s);
            }
        }
        List<Shadowed> out = new ArrayList<>();
        byType.forEach((dataType, scored) -> {
            Slot slot = slots.get(dataType);
            Candidate c = slot == null ? null : slot.candidate.get();
            if (c != null) {
                shadow(c, scored, out);
            }
        });
        return out;
    }

    private static void shadow(Candidate c, List<Scored> live, List<Shadowed> out) {
        List<Features> records = new ArrayList<>(live.size());
        live.forEach(s -> records.add(s.record()));
        long start = System.nanoTime();
        List<Prediction> predictions;
        try {
            predictions = c.model.scoreBatch(records);
            if (predictions == null) {
                return; // replaced or dropped while it scored: there is no comparison to add to
            }
        } catch (RuntimeException e) {
            predictions = null;
        }
        if (predictions != null) {
            long nanos = System.nanoTime() - start;
            long share = nanos / records.size();
            c.model.record(records.size(), nanos);
            for (int i = 0; i < live.size(); i++) {
                Scored l = live.get(i);
                c.comparison.compared(l.prediction(), l.durationNanos(), predictions.get(i), share);
                out.add(new Shadowed(l, new Scored(l.record(), c.model.info, predictions.get(i), share, null)));
            }
            return;
        }
        // the batch failed: each record on its own, to find the ones the candidate cannot score
        for (Scored l : live) {
            long one = System.nanoTime();
            try {
                List<Prediction> p = c.model.scoreBatch(List.of(l.record()));
                if (p == null) {
                    return; // replaced or dropped meanwhile
                }
                long nanos = System.nanoTime() - one;
                c.model.record(1, nanos);
                c.comparison.compared(l.prediction(), l.durationNanos(), p.get(0), nanos);
                out.add(new Shadowed(l, new Scored(l.record(), c.model.info, p.get(0), nanos, null)));
            } catch (RuntimeException e) {
                long nanos = System.nanoTime() - one;
                c.comparison.candidateFailed(l.durationNanos(), nanos);
                out.add(new Shadowed(l, new Scored(l.record(), c.model.info, null, nanos,
                        "candidate " + c.model.info.label() + " could not score the record: " + e.getMessage())));
            }
        }
    }

    /** Closes a replaced model; a model that fails to close is reported, it no longer serves either way. */
    private static void retire(ServedModel previous) {
        try {
            previous.retire();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "model " + previous.info.label() + " was replaced but did not close cleanly: " + e);
        }
    }

    /** Scores one record with its dataType's model. */
    public Scored score(Features record) {
        return scoreBatch(List.of(record)).get(0);
    }

    /**
     * Scores records, each with its own dataType's model, one model call per dataType (the fast path for
     * TensorFlow). The result has one entry per record, in order.
     */
    public List<Scored> scoreBatch(List<? extends Features> records) {
        Scored[] out = new Scored[records.size()];
        DataTypeGroup.of(records).forEach(g -> scoreGroup(g.dataType(), g.indexes(), records, g.records(), out));
        return Arrays.asList(out);
    }

    private void scoreGroup(String dataType, List<Integer> indexes, List<? extends Features> records, List<Features> group,
            Scored[] out) {
        Slot slot = slots.get(dataType);
        while (true) {
            ServedModel served = slot == null ? null : slot.current.get();
            if (served == null) {
                slot(dataType).skipped.add(group.size());
                indexes.forEach(i -> out[i] = Scored.skipped(records.get(i)));
                return;
            }
            long start = System.nanoTime();
            List<Prediction> predictions;
            try {
                predictions = served.scoreBatch(group);
            } catch (RuntimeException e) {
                scoreOneByOne(slot, served, indexes, records, out);
                return;
            }
            if (predictions == null) {
                continue; // retired while we looked: score with the model that replaced it
            }
            long nanos = System.nanoTime() - start;
            served.record(group.size(), nanos);
            long share = nanos / group.size();
            for (int k = 0; k < indexes.size(); k++) {
                out[indexes.get(k)] = new Scored(group.get(k), served.info, predictions.get(k), share, null);
            }
            return;
        }
    }

    /** A batch failed: find the records that fail on their own, score the rest. */
    private void scoreOneByOne(Slot slot, ServedModel served, List<Integer> indexes, List<? extends Features> records,
            Scored[] out) {
        for (int i : indexes) {
            Features r = records.get(i);
            long start = System.nanoTime();
            try {
                List<Prediction> p = served.scoreBatch(List.of(r));
                if (p == null) {
                    out[i] = score(r);
                    continue;
                }
                long nanos = System.nanoTime() - start;
                served.record(1, nanos);
                out[i] = new Scored(r, served.info, p.get(0), nanos, null);
            } catch (RuntimeException e) {
                slot.scoringErrors.increment();
                out[i] = new Scored(r, served.info, null, System.nanoTime() - start,
                        "model " + served.info.label() + " could not score the record: " + e.getMessage());
            }
        }
    }

    /**
     * Whether the model serving this dataType {@linkplain Model#scoresBatchesFaster scores batches faster}; false
     * without one.
     */
    public boolean scoresBatchesFaster(String dataType) {
        Slot slot = slots.get(dataType);
        ServedModel served = slot == null ? null : slot.current.get();
        return served != null && served.model.scoresBatchesFaster();
    }

    /** The model serving a dataType, if any. */
    public Optional<ModelInfo> current(String dataType) {
        Slot slot = slots.get(dataType);
        return slot == null ? Optional.empty() : slot.currentInfo();
    }

    /** dataType to the model serving it, for every dataType that has one. */
    public Map<String, ModelInfo> currentModels() {
        Map<String, ModelInfo> out = new TreeMap<>();
        slots.forEach((type, slot) -> slot.currentInfo().ifPresent(info -> out.put(type, info)));
        return out;
    }

    /** dataType to the model serving it and since when, sorted by dataType. */
    public Map<String, CurrentModel> servedModels() {
        Map<String, CurrentModel> out = new TreeMap<>();
        slots.forEach((type, slot) -> {
            ServedModel s = slot.current.get();
            if (s != null) {
                out.put(type, new CurrentModel(s.info, s.since));
            }
        });
        return out;
    }

    /**
     * Statistics of a dataType that has had a model, a refused model, a removal or a record. A dataType whose first
     * model is still loading has had none of these yet, so it is not reported as "seen without a model" (merged
     * with other registries, which a Kafka Streams task's records wait for, that would hide the model they serve).
     */
    public Optional<ServingStats> stats(String dataType) {
        Slot slot = slots.get(dataType);
        return slot == null || !slot.seen() ? Optional.empty() : Optional.of(slot.stats(dataType));
    }

    /** Statistics of every dataType seen (as {@link #stats(String)} says), sorted by dataType. */
    public Map<String, ServingStats> allStats() {
        Map<String, ServingStats> out = new TreeMap<>();
        slots.forEach((type, slot) -> {
            if (slot.seen()) {
                out.put(type, slot.stats(type));
            }
        });
        return out;
    }

    /** Closes every model; the registry serves nothing afterwards. */
    @Override
    public void close() {
        closed = true;
        slots.keySet().forEach(this::remove);
    }

    private Slot slot(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot != null) {
            return slot;
        }
        if (slots.size() >= MAX_DATA_TYPES) {
            return slots.computeIfAbsent(OTHER_DATA_TYPES, t -> new Slot());
        }
        return slots.computeIfAbsent(dataType, t -> new Slot());
    }

    /** A dataType's candidate and its comparison with the live model. */
    private record Candidate(ServedModel model, ShadowComparison comparison) {}

    /** Everything the registry keeps for one dataType. */
    private static final class Slot {
        final Object loading = new Object();
        final AtomicReference<ServedModel> current = new AtomicReference<>();
        final LongAdder skipped = new LongAdder();
        final LongAdder scoringErrors = new LongAdder();
        final AtomicLong swaps = new AtomicLong();
        final AtomicLong failedLoads = new AtomicLong();
        final AtomicReference<LoadFailure> lastFailure = new AtomicReference<>();
        final AtomicReference<Candidate> candidate = new AtomicReference<>();
        final AtomicLong candidates = new AtomicLong();
        final AtomicLong promotions = new AtomicLong();
        volatile boolean removed;

        /** Whether anything has happened to the dataType: a model served or removed, a refusal, a record. */
        boolean seen() {
            return current.get() != null || removed || swaps.get() > 0 || failedLoads.get() > 0
                    || skipped.sum() > 0 || scoringErrors.sum() > 0;
        }

        Optional<ModelInfo> currentInfo() {
            return Optional.ofNullable(current.get()).map(s -> s.info);
        }

        ServingStats stats(String dataType) {
            ServedModel s = current.get();
            return new ServingStats(dataType,
                    s == null ? null : s.info.name(),
                    s == null ? null : s.info.description(),
                    s == null ? null : s.info.version(),
                    s == null ? null : s.since,
                    s == null ? 0 : s.invocations(),
                    s == null ? 0 : s.meanMs(),
                    s == null ? 0 : s.minMs(),
                    s == null ? 0 : s.maxMs(),
                    skipped.sum(), scoringErrors.sum(), swaps.get(), failedLoads.get(), lastFailure.get(), 0, null);
        }
    }
}
