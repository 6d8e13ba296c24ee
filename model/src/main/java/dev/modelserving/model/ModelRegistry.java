package dev.modelserving.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.proto.ModelDescriptor;
import java.lang.System.Logger.Level;
import java.time.Instant;
import dev.modelserving.proto.PromotionRule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Function;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The models being served: dataType to the current model, swapped atomically. A new model is fully loaded and
 * has scored sample records before it replaces the old one; a refused model changes nothing but the failure
 * counters. Thread-safe: any number of threads may score while another offers models.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelRegistry.class.getName());

    /**
     * How many dataTypes without an accepted model (records skipped, models refused) are counted each by name; the
     * least recently seen past this are counted together under {@link #OTHER_DATA_TYPES}.
     */
    public static final int MAX_UNSERVED_DATA_TYPES = 100;
    /** Where what is counted of no dataType of its own goes: a blank dataType, or unserved ones past the cap. */
    public static final String OTHER_DATA_TYPES = "*";

    private final ModelFactory factory;
    private final LifecycleRules rules;
    /**
     * The dataTypes that have had an accepted model (live now, or removed since), at most the policy's
     * {@link LoadingPolicy#maxDataTypes()}: only an accepted model takes a place here, never a record.
     */
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    /** The dataTypes seen without an accepted model, least recently seen first (bounded, see {@link Unserved}). */
    private final Unserved unserved = new Unserved();
    /**
     * Held while a place among {@link #slots} is reserved for a dataType's first model, taken once it is live,
     * handed back when it is not, or given up; never during a load itself.
     */
    private final Object newDataTypes = new Object();
    /**
     * The dataTypes whose first model is loading now, each with the slot it loads in: each holds a place among
     * {@link #slots} while it loads. Under {@link #newDataTypes}.
     */
    private final Map<String, Slot> firstLoads = new HashMap<>();
    private final int maxDataTypes;
    private volatile Consumer<ModelsTopic.Message> requests = m -> LOG.log(Level.WARNING, "no models topic to "
            + "publish " + m.key() + " on: this registry's lifecycle requests are not published");
    private volatile boolean closed;

    public ModelRegistry(ModelFactory factory) {
        this(factory, LifecycleRules.DEFAULTS);
    }

    public ModelRegistry(ModelFactory factory, LifecycleRules rules) {
        this.factory = factory;
        this.maxDataTypes = factory.policy().maxDataTypes();
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /**
     * Where the messages this registry decides to publish on the models topic go: an automatic rollback, a
     * promotion by rule. The registry does not act on them itself: like every message of the topic, they change
     * what is served when they come back through {@link #apply}, on every server alike.
     */
    public void publishRequestsTo(Consumer<ModelsTopic.Message> sink) {
        this.requests = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Loads the model and, if it is sound, makes it the one serving its dataType. Never throws for a bad model.
     * The model the dataType's candidate already runs goes live without loading again; the model already live
     * changes nothing.
     */
    public LoadOutcome offer(ModelDescriptor d) {
        return withModelSlot(d.getDataType(), d, slot -> offer(slot, d));
    }

    /** {@link #offer(ModelDescriptor)} into a slot; null when the slot gave its place up meanwhile. */
    private LoadOutcome offer(Slot slot, ModelDescriptor d) {
        String dataType = d.getDataType();
        synchronized (slot.loading) {
            if (slot.evicted) {
                return null;
            }
            ModelDescriptor model = ModelsTopic.model(d);
            ServedModel current = slot.current.get();
            if (current != null && model.equals(slot.liveDescriptor)) {
                return new LoadOutcome.Unchanged(dataType, Optional.of(current.info),
                        current.info.label() + " is already live");
            }
            Candidate c = slot.candidate.get();
            boolean promoted = c != null && model.equals(c.descriptor);
            ServedModel next;
            if (promoted) {
                slot.candidate.set(null);
                next = c.model;
                next.wentLive();
            } else {
                try {
                    next = new ServedModel(factory.load(d));
                } catch (ModelLoadException e) {
                    return refused(slot, dataType, d, e.getMessage());
                }
            }
            LoadOutcome outcome;
            try {
                outcome = swapIn(slot, next, d.getEvent() == ModelDescriptor.LifecycleEvent.ROLLED_BACK ? "rolled back: "
                        : promoted || d.getEvent() == ModelDescriptor.LifecycleEvent.PROMOTED ? "promoted: " : "");
            } catch (ModelLoadException e) {
                return refused(slot, dataType, d, e.getMessage());
            }
            slot.swaps.incrementAndGet();
            if (slot.liveDescriptor != null) {
                slot.previousDescriptor = slot.liveDescriptor;
            }
            slot.liveDescriptor = model;
            String reason = d.getEventReason();
            switch (d.getEvent()) {
                case ROLLED_BACK -> {
                    slot.rollbacks.incrementAndGet();
                    slot.event("rolled back", next.info, reason.isEmpty() ? "published again" : reason);
                }
                case PROMOTED -> {
                    slot.promotions.incrementAndGet();
                    slot.event("promoted", next.info, reason.isEmpty() ? "promoted" : reason);
                }
                default -> {
                    if (promoted) {
                        slot.promotions.incrementAndGet();
                        slot.event("promoted", next.info, "the candidate published to serve");
                    } else {
                        slot.event("live", next.info, outcome.message());
                    }
                }
            }
            // a new model (not one gone back to) with a version to go back to is watched for errors
            slot.watch.set(rules.rollbackWithinRecords() > 0 && d.getEvent() != ModelDescriptor.LifecycleEvent.ROLLED_BACK
                    && slot.previousDescriptor != null ? new Watch(next, rules) : null);
            return outcome;
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
        slot.candidate.updateAndGet(c -> c == null ? null : c.comparedWith(next));
        LoadOutcome outcome = new LoadOutcome.Loaded(next.info, Optional.ofNullable(previous).map(p -> p.info),
                logPrefix.isEmpty() ? "live" : logPrefix.substring(0, logPrefix.indexOf(':')));
        LOG.log(Level.INFO, logPrefix + outcome.message());
        return outcome;
    }

    /** Counts and shows a model that was not loaded; what is served does not change. */
    private LoadOutcome refused(Slot slot, String dataType, ModelDescriptor d, String reason) {
        LoadFailure failure = new LoadFailure(d.getName(), d.getVersion(), reason, Instant.now());
        slot.failedLoads.incrementAndGet();
        slot.lastFailure.set(failure);
        slot.event("refused", d.getVersion().isEmpty() ? "'" + d.getName() + "'"
                : "'" + d.getName() + "' v" + d.getVersion(), reason);
        LoadOutcome outcome = new LoadOutcome.Rejected(dataType, failure, slot.currentInfo());
        LOG.log(Level.WARNING, outcome.message());
        return outcome;
    }

    /**
     * Applies a message of the models topic ({@link ModelsTopic}), keyed by dataType or by dataType and version:
     * <ul>
     *   <li>a descriptor is offered to serve ({@link #offer}), or as the candidate if it says so
     *       ({@link #offerCandidate});</li>
     *   <li>a tombstone of a dataType removes its model; a tombstone of a version withdraws that version: a
     *       candidate of it stops, and if it is live the previous version serves again (nothing serves without
     *       one; a previous version that no longer loads is refused, and the withdrawn one serves on);</li>
     *   <li>anything else is refused (counted, with the reason): bytes that are not a ModelDescriptor, a descriptor
     *       for another dataType or version than its key says (a tombstone for the key would not reach it).</li>
     * </ul>
     *
     * @param key the message's key; null takes the descriptor's dataType
     * @param source where the message came from, for the refusal's reason (may be null)
     */
    public LoadOutcome apply(String key, byte[] message, String source) {
        String where = source == null ? "the message" : "message " + source;
        if (message == null) {
            if (key == null) {
                throw new IllegalArgumentException("a tombstone needs a key");
            }
            ModelsTopic.Key k = ModelsTopic.parse(key, slots.containsKey(key) ? key : null);
            return k.version().isPresent() ? withdraw(k.dataType(), k.version().get()) : remove(key);
        }
        ModelDescriptor d;
        try {
            d = ModelDescriptor.parseFrom(message);
        } catch (InvalidProtocolBufferException e) {
            return refuse(key == null ? null : ModelsTopic.parse(key, null).dataType(), "(undecodable)",
                    where + " is not a ModelDescriptor: " + e.getMessage());
        }
        if (key != null && !key.isBlank()) {
            ModelsTopic.Key k = ModelsTopic.parse(key, d.getDataType());
            if (!d.getDataType().isBlank() && !d.getDataType().equals(k.dataType())) {
                return refused(anySlot(k.dataType()), k.dataType(), d,
                        where + " is keyed '" + key + "' but its descriptor is for dataType '" + d.getDataType() + "'");
            }
            if (k.version().isPresent() && !k.version().get().equals(d.getVersion())) {
                return refused(anySlot(k.dataType()), k.dataType(), d, where + " is keyed '" + key
                        + "' but its descriptor is version '" + d.getVersion() + "'");
            }
        }
        return d.getCandidate() ? offerCandidate(d) : offer(d);
    }

    /**
     * Withdraws a version of a dataType (a tombstone of its key): a candidate of that version stops; the live
     * model, if it is that version, is replaced by the previous version (published again) or, without one,
     * removed. Any other version was not in use: nothing changes.
     */
    public LoadOutcome withdraw(String dataType, String version) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return new LoadOutcome.Unchanged(dataType, Optional.empty(), "version " + version + " of dataType '"
                    + dataType + "' withdrawn; it was not in use");
        }
        synchronized (slot.loading) {
            Candidate c = slot.candidate.get();
            if (c != null && c.model.info.version().equals(version)) {
                slot.candidate.set(null);
                retire(c.model);
                slot.event("withdrawn", c.model.info, "the candidate's version was withdrawn (a tombstone)");
                return new LoadOutcome.Unchanged(dataType, slot.currentInfo(), "candidate " + c.model.info.label()
                        + " of dataType '" + dataType + "' withdrawn");
            }
            ServedModel live = slot.current.get();
            if (live == null || !live.info.version().equals(version)) {
                return new LoadOutcome.Unchanged(dataType, slot.currentInfo(), "version " + version
                        + " of dataType '" + dataType + "' withdrawn; it was not in use");
            }
            slot.event("withdrawn", live.info, "the live version was withdrawn (a tombstone)");
            ModelDescriptor previous = slot.previousDescriptor;
            if (previous == null) {
                return remove(dataType);
            }
            LoadOutcome outcome = offer(previous.toBuilder().setEvent(ModelDescriptor.LifecycleEvent.ROLLED_BACK)
                    .setEventReason("version " + version + " was withdrawn").build());
            if (outcome instanceof LoadOutcome.Loaded) {
                slot.previousDescriptor = null; // the withdrawn version is not one to go back to
            }
            return outcome;
        }
    }

    /**
     * What a server that keeps its own state saves of a dataType's lifecycle (README, "Model lifecycle"): the live
     * model's descriptor, the one a rollback goes back to, and the candidate's (with its rule); each null when
     * there is none.
     */
    public record SavedModels(ModelDescriptor live, ModelDescriptor previous, ModelDescriptor candidate) {}

    /** A dataType's models as {@link #restore(String, SavedModels, ServingStats)} takes them back. */
    public SavedModels savedModels(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return new SavedModels(null, null, null);
        }
        synchronized (slot.loading) {
            Candidate c = slot.candidate.get();
            ModelDescriptor candidate = null;
            if (c != null) {
                ModelDescriptor.Builder b = c.descriptor.toBuilder().setCandidate(true);
                if (c.rule != null) {
                    b.setPromotionRule(c.rule);
                }
                candidate = b.build();
            }
            return new SavedModels(slot.current.get() == null ? null : slot.liveDescriptor, slot.previousDescriptor,
                    candidate);
        }
    }

    /**
     * Brings a dataType back as a restarted server saved it: its counters, and its model (loaded again from the
     * descriptor, checked as any offered model) with the model's statistics and since, when the saved statistics
     * are of that model. Without a descriptor only the counters come back. A model that no longer loads is refused
     * (counted, with its reason) and nothing serves until the next model arrives.
     */
    public LoadOutcome restore(String dataType, ModelDescriptor d, ServingStats saved) {
        return restore(dataType, new SavedModels(d, null, null), saved);
    }

    /**
     * As {@link #restore(String, ModelDescriptor, ServingStats)}, with the lifecycle: the version a rollback goes
     * back to, the candidate (loaded again; its comparison starts over), and the lifecycle's counters and events.
     */
    public LoadOutcome restore(String dataType, SavedModels models, ServingStats saved) {
        if (models.live() == null) {
            LoadOutcome outcome;
            do {
                outcome = restore(anySlot(dataType), dataType, models, saved);
            } while (outcome == null); // the slot gave its place up meanwhile: the counts go to the new one
            return outcome;
        }
        return withModelSlot(dataType, models.live(), slot -> restore(slot, dataType, models, saved));
    }

    /** {@link #restore(String, SavedModels, ServingStats)} into a slot; null when it gave its place up meanwhile. */
    private LoadOutcome restore(Slot slot, String dataType, SavedModels models, ServingStats saved) {
        synchronized (slot.loading) {
            if (slot.evicted) {
                return null;
            }
            slot.skipped.add(saved.skipped());
            slot.scoringErrors.add(saved.scoringErrors());
            slot.swaps.set(saved.modelSwaps());
            slot.failedLoads.set(saved.failedLoads());
            slot.lastFailure.set(saved.lastLoadFailure());
            Lifecycle l = saved.lifecycle();
            if (l != null) {
                slot.restoreLifecycle(l);
            }
            ModelDescriptor d = models.live();
            if (d == null) {
                return new LoadOutcome.Removed(dataType, Optional.empty());
            }
            LoadOutcome outcome;
            try {
                Model model = factory.load(d);
                boolean same = Objects.equals(model.info().name(), saved.name())
                        && Objects.equals(model.info().version(), saved.version());
                outcome = swapIn(slot, same ? new ServedModel(model, saved) : new ServedModel(model), "restored: ");
            } catch (ModelLoadException e) {
                return refused(slot, dataType, d, "could not be restored: " + e.getMessage());
            }
            slot.liveDescriptor = ModelsTopic.model(d);
            slot.previousDescriptor = models.previous() == null ? null : ModelsTopic.model(models.previous());
            if (models.candidate() != null) {
                long loaded = slot.candidates.get();
                offerCandidate(slot, models.candidate());
                slot.candidates.set(loaded); // loaded again, not a new candidate, nor a new event
                if (l != null) {
                    slot.restoreEvents(l.events());
                }
            }
            return outcome;
        }
    }

    /**
     * Brings back a dataType's lifecycle counters and events as a server saved them ({@link LifecycleCodec}), over
     * what applying its models again counted.
     */
    public void restoreLifecycle(String dataType, Lifecycle saved) {
        Slot slot = anySlot(dataType);
        synchronized (slot.loading) {
            slot.restoreLifecycle(saved);
        }
    }

    /**
     * Records a model that could not even be read as a descriptor (for example undecodable bytes on the models
     * topic): counted and shown like any refused model; what is served does not change.
     */
    public LoadOutcome refuse(String dataType, String modelName, String reason) {
        Slot slot = anySlot(dataType);
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
            slot.liveDescriptor = null;
            slot.previousDescriptor = null;
            slot.watch.set(null);
            LoadOutcome outcome = new LoadOutcome.Removed(dataType, Optional.ofNullable(previous).map(p -> p.info));
            if (previous != null) {
                slot.event("removed", previous.info, "the dataType's model was withdrawn (a tombstone)");
            }
            LOG.log(Level.INFO, outcome.message());
            return outcome;
        }
    }

    /**
     * Loads the model and, if it is sound, makes it its dataType's candidate: it scores the records the live model
     * scores ({@link #scoreCandidates}), compared with the live model's outputs, without being served. A dataType
     * without a live model has nothing to compare with: its candidate is refused. A newer candidate replaces the
     * older; a refused one leaves the candidate (and the live model) as they were; the candidate or the live model
     * offered again changes nothing.
     */
    public LoadOutcome offerCandidate(ModelDescriptor d) {
        return offerCandidate(anySlot(d.getDataType()), d);
    }

    private LoadOutcome offerCandidate(Slot slot, ModelDescriptor d) {
        String dataType = d.getDataType();
        synchronized (slot.loading) {
            ServedModel live = slot.current.get();
            if (live == null) {
                return refused(slot, dataType, d, "a candidate needs a live model to be compared with, and dataType '"
                        + dataType + "' has none");
            }
            ModelDescriptor model = ModelsTopic.model(d);
            Candidate now = slot.candidate.get();
            if (model.equals(slot.liveDescriptor) || now != null && model.equals(now.descriptor)) {
                return new LoadOutcome.Unchanged(dataType, Optional.of(live.info), "'" + d.getName() + "' v"
                        + d.getVersion() + " is already " + (now != null && model.equals(now.descriptor)
                        ? "the candidate" : "live"));
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
            Candidate previous = slot.candidate.getAndSet(new Candidate(candidate, model,
                    d.hasPromotionRule() ? d.getPromotionRule() : null,
                    new ShadowComparison(live.info, candidate.info, Instant.now())));
            if (previous != null) {
                retire(previous.model);
            }
            slot.candidates.incrementAndGet();
            LoadOutcome outcome = new LoadOutcome.CandidateLoaded(candidate.info, live.info,
                    Optional.ofNullable(previous).map(p -> p.model.info));
            slot.event("candidate", candidate.info, outcome.message()
                    + (d.hasPromotionRule() ? "; promoted when " + describe(d.getPromotionRule()) : ""));
            LOG.log(Level.INFO, outcome.message());
            return outcome;
        }
    }

    /**
     * Makes a dataType's candidate its live model here, as its descriptor published again to serve would (a
     * promotion); empty when the dataType has no candidate. Servers promote through the models topic instead, so
     * that every server does.
     */
    public Optional<LoadOutcome> promoteCandidate(String dataType) {
        Slot slot = slots.get(dataType);
        Candidate c = slot == null ? null : slot.candidate.get();
        return c == null ? Optional.empty() : Optional.of(offer(c.descriptor.toBuilder()
                .setEvent(ModelDescriptor.LifecycleEvent.PROMOTED).setEventReason("promoted by the registry's caller")
                .build()));
    }

    /** Stops a dataType's candidate (closed; its comparison ends), as its version's tombstone would; whether there was one. */
    public boolean dropCandidate(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            return false;
        }
        synchronized (slot.loading) {
            Candidate c = slot.candidate.get();
            if (c == null) {
                return false;
            }
            withdraw(dataType, c.model.info.version());
            return true;
        }
    }

    /** The comparison of a dataType's candidate with its live model, as of now, if it has a candidate. */
    public Optional<ShadowComparison.Figures> comparison(String dataType) {
        Slot slot = slots.get(dataType);
        Candidate c = slot == null ? null : slot.candidate.get();
        return c == null ? Optional.empty() : Optional.of(c.comparison.figures());
    }

    /** Whether the dataType has a candidate. */
    public boolean hasCandidate(String dataType) {
        Slot slot = slots.get(dataType);
        return slot != null && slot.candidate.get() != null;
    }

    /** Whether any dataType has a candidate: when none has, there is nothing to shadow. */
    public boolean hasCandidates() {
        for (Slot slot : slots.values()) {
            if (slot.candidate.get() != null) {
                return true;
            }
        }
        return false;
    }

    /** A record the live model scored, and what the candidate made of it (scored, or failed with the reason). */
    public record Shadowed(Scored live, Scored candidate) {}

    /**
     * Scores, with their dataTypes' candidates, the records the live models have scored (one candidate call per
     * dataType), and compares each output with the live one. Skipped and failed live outcomes, and records of a
     * dataType without a candidate, are left out. Meant to run off the result path: an engine hands it the live
     * outcomes once they are made, so a slow or failing candidate never delays or fails a result. A
     * candidate whose promotion rule holds afterwards has its promotion published ({@link #publishRequestsTo}).
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
                if (c.rule != null) {
                    checkRule(slot, c);
                }
            }
        });
        return out;
    }

    /** Records the engine could not shadow (its shadow queue was full): counted in the candidate's comparison. */
    public void notShadowed(String dataType, long records) {
        Slot slot = slots.get(dataType);
        Candidate c = slot == null ? null : slot.candidate.get();
        if (c != null) {
            c.comparison.notCompared(records);
        }
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
            long share = (System.nanoTime() - start) / records.size();
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

    /** Publishes the candidate's promotion once its rule holds (once per candidate). */
    private void checkRule(Slot slot, Candidate c) {
        if (c.promotionRequested.get()) {
            return;
        }
        PromotionRule r = c.rule;
        ShadowComparison.Figures f = c.comparison.figures();
        long seen = f.compared() + f.candidateErrors();
        if (seen < r.getAfterRecords()) {
            c.ruleStatus = "waiting: " + seen + " of " + r.getAfterRecords() + " records compared";
            return;
        }
        List<String> unmet = new ArrayList<>();
        List<String> met = new ArrayList<>();
        if (r.getMinLabelAgreement() > 0) {
            (f.labelAgreement() != null && f.labelAgreement() >= r.getMinLabelAgreement() ? met : unmet)
                    .add("label agreement " + f.labelAgreement() + " (at least " + r.getMinLabelAgreement() + ")");
        }
        if (r.getMaxP99Ratio() > 0) {
            Double ratio = f.liveP99Ms() == null || f.candidateP99Ms() == null || f.liveP99Ms() == 0 ? null
                    : f.candidateP99Ms() / f.liveP99Ms();
            (ratio != null && ratio <= r.getMaxP99Ratio() ? met : unmet)
                    .add("p99 ratio " + ratio + " (at most " + r.getMaxP99Ratio() + ")");
        }
        if (r.getMaxMeanAbsoluteDifference() > 0) {
            (f.meanAbsoluteDifference() != null && f.meanAbsoluteDifference() <= r.getMaxMeanAbsoluteDifference()
                    ? met : unmet).add("mean absolute difference " + f.meanAbsoluteDifference() + " (at most "
                            + r.getMaxMeanAbsoluteDifference() + ")");
        }
        (f.candidateErrors() <= r.getMaxCandidateErrors() ? met : unmet)
                .add(f.candidateErrors() + " candidate errors (at most " + r.getMaxCandidateErrors() + ")");
        if (!unmet.isEmpty()) {
            c.ruleStatus = "not met after " + seen + " records: " + String.join(", ", unmet);
            return;
        }
        if (!c.promotionRequested.compareAndSet(false, true)) {
            return;
        }
        String reason = "rule met after " + seen + " records: " + String.join(", ", met);
        c.ruleStatus = "met, promotion published: " + reason;
        slot.event("promotion requested", c.model.info, reason);
        publish(ModelsTopic.publishAgain(c.descriptor, ModelDescriptor.LifecycleEvent.PROMOTED, reason));
    }

    /** A promotion rule in words. */
    static String describe(PromotionRule r) {
        List<String> parts = new ArrayList<>();
        parts.add(r.getAfterRecords() + " records are compared");
        if (r.getMinLabelAgreement() > 0) {
            parts.add("label agreement ≥ " + r.getMinLabelAgreement());
        }
        if (r.getMaxP99Ratio() > 0) {
            parts.add("candidate p99 ≤ " + r.getMaxP99Ratio() + " × live p99");
        }
        if (r.getMaxMeanAbsoluteDifference() > 0) {
            parts.add("mean absolute difference ≤ " + r.getMaxMeanAbsoluteDifference());
        }
        parts.add("candidate errors ≤ " + r.getMaxCandidateErrors());
        return String.join(", ", parts);
    }

    /** Counts records a newly live model scored or failed; publishes its rollback once it fails too many. */
    private void watch(Slot slot, ServedModel served, int records, int errors) {
        Watch w = slot.watch.get();
        if (w == null || w.model != served) {
            return;
        }
        long before = w.seen.sum();
        if (before >= w.within) {
            slot.watch.compareAndSet(w, null); // past its first records: no longer new
            return;
        }
        // only what falls within the first records counts (a batch's errors taken as its first ones: at most)
        int inWindow = (int) Math.min(records, w.within - before);
        w.seen.add(inWindow);
        int failedInWindow = Math.min(errors, inWindow);
        if (failedInWindow == 0) {
            return;
        }
        w.errors.add(failedInWindow);
        long failed = w.errors.sum();
        if (failed <= w.allowed || !w.requested.compareAndSet(false, true)) {
            return;
        }
        ModelDescriptor previous = slot.previousDescriptor;
        if (previous == null) {
            return;
        }
        String reason = "automatic: " + served.info.label() + " failed " + failed + " of its first "
                + w.seen.sum() + " records (more than " + w.allowed + " of " + w.within + " allowed)";
        slot.automaticRollbacks.incrementAndGet();
        slot.event("rollback requested", served.info, reason);
        LOG.log(Level.WARNING, "dataType '" + served.info.dataType() + "': " + reason
                + "; publishing '" + previous.getName() + "' v" + previous.getVersion() + " again");
        publish(ModelsTopic.publishAgain(previous, ModelDescriptor.LifecycleEvent.ROLLED_BACK, reason));
    }

    private void publish(ModelsTopic.Message m) {
        try {
            requests.accept(m);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "could not publish " + m.key() + " on the models topic: " + e);
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
                (slot != null ? slot : anySlot(dataType)).skipped.add(group.size());
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
            watch(slot, served, group.size(), 0);
            return;
        }
    }

    /** A batch failed: find the records that fail on their own, score the rest. */
    private void scoreOneByOne(Slot slot, ServedModel served, List<Integer> indexes, List<? extends Features> records,
            Scored[] out) {
        int scored = 0;
        int failed = 0;
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
                scored++;
            } catch (RuntimeException e) {
                slot.scoringErrors.increment();
                failed++;
                out[i] = new Scored(r, served.info, null, System.nanoTime() - start,
                        "model " + served.info.label() + " could not score the record: " + e.getMessage());
            }
        }
        watch(slot, served, scored + failed, failed);
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

    /** dataType to the model serving it, since when, and from which input offset of each partition. */
    public Map<String, CurrentModel> servedModels() {
        Map<String, CurrentModel> out = new TreeMap<>();
        slots.forEach((type, slot) -> {
            ServedModel s = slot.current.get();
            if (s != null) {
                Map<Integer, Long> from = new TreeMap<>();
                slot.firstInputs.forEach((partition, first) -> {
                    if (first.model() == s.info) {
                        from.put(partition, first.offset());
                    }
                });
                Candidate c = slot.candidate.get();
                out.put(type, new CurrentModel(s.info, s.since, from, c == null ? null : c.comparison.figures()));
            }
        });
        return out;
    }

    /**
     * Notes where a record the registry scored came from, so that {@link #servedModels()} can say from which input
     * offset of each partition the live model has served: the first offset it scored there. Engines call it for
     * each result, in the partition's order.
     */
    public void scoredInput(Scored s, int partition, long offset) {
        Slot slot = slots.get(s.record().dataType());
        if (slot == null) {
            return;
        }
        FirstInput first = slot.firstInputs.get(partition);
        if (first == null || first.model() != s.model()) {
            slot.firstInputs.put(partition, new FirstInput(s.model(), offset));
        }
    }

    /** The first input offset of a partition a model scored. */
    private record FirstInput(ModelInfo model, long offset) {}

    /**
     * Statistics of a dataType that has had a model, a refused model, a removal or a record. A dataType whose first
     * model is still loading has had none of these yet, so it is not reported as "seen without a model" (merged
     * with other registries, which a Kafka Streams task's records wait for, that would hide the model they serve).
     */
    public Optional<ServingStats> stats(String dataType) {
        Slot slot = slots.get(dataType);
        if (slot == null) {
            slot = unserved.peek(dataType);
        }
        return slot == null || !slot.seen() ? Optional.empty() : Optional.of(slot.stats(dataType));
    }

    /**
     * Statistics of every dataType seen (as {@link #stats(String)} says), sorted by dataType: those with an accepted
     * model, then the ones without (at most {@link #MAX_UNSERVED_DATA_TYPES} by name, the rest under
     * {@link #OTHER_DATA_TYPES}).
     */
    public Map<String, ServingStats> allStats() {
        Map<String, ServingStats> out = new TreeMap<>();
        slots.forEach((type, slot) -> {
            if (slot.seen()) {
                out.put(type, slot.stats(type));
            }
        });
        unserved.snapshot().forEach((type, slot) -> {
            if (slot.seen()) {
                out.putIfAbsent(type, slot.stats(type));
            }
        });
        return out;
    }

    /** How many dataTypes this registry serves at most ({@link LoadingPolicy#maxDataTypes()}). */
    public int maxDataTypes() {
        return maxDataTypes;
    }

    /** The reason a model for one dataType more than {@link #maxDataTypes()} is refused. */
    public String fullReason() {
        return "this server already serves " + maxDataTypes + " dataTypes, as many as it may "
                + "(model-server.max-data-types): remove one (a tombstone of its key) or raise the cap";
    }

    /**
     * Counts a refusal made elsewhere (an engine that routes dataTypes to registries of their own) under the
     * dataType, as {@link #refuse} would, without logging it again.
     */
    public void recordRefusal(String dataType, LoadFailure failure) {
        Slot slot = anySlot(dataType);
        slot.failedLoads.incrementAndGet();
        slot.lastFailure.set(failure);
        slot.event("refused", failure.version().isEmpty() ? "'" + failure.modelName() + "'"
                : "'" + failure.modelName() + "' v" + failure.version(), failure.reason());
    }

    /** Whether a dataType has had an accepted model here (live now, or removed since). */
    public boolean hasHadAModel(String dataType) {
        return slots.containsKey(dataType);
    }

    /** Closes every model; the registry serves nothing afterwards. */
    @Override
    public void close() {
        closed = true;
        slots.keySet().forEach(this::remove);
    }

    /**
     * The slot a dataType's counts go to when no model is loaded for it: its own place if it has had a model,
     * else its entry among the unserved ones (made if needed).
     */
    private Slot anySlot(String dataType) {
        String key = dataType == null || dataType.isBlank() ? OTHER_DATA_TYPES : dataType;
        Slot slot = slots.get(key);
        return slot != null ? slot : unserved.slot(key);
    }

    /**
     * Runs a model load for a dataType in its slot. A dataType without a place among {@link #slots} reserves one
     * (refused with the reason when every place is taken by a dataType that still has a model), loads in its
     * unserved entry without holding up other dataTypes' first models (a load may take up to the load timeout), and
     * takes the place once the model is live, or hands it back. A second load for the same new dataType meanwhile
     * loads in the same slot, after the first. {@code load} returns null when the slot gave its place up while it
     * waited (it is then run again).
     */
    private LoadOutcome withModelSlot(String dataType, ModelDescriptor d, Function<Slot, LoadOutcome> load) {
        String key = dataType.isBlank() ? OTHER_DATA_TYPES : dataType;
        while (true) {
            Slot slot = slots.get(key);
            if (slot != null) {
                LoadOutcome outcome = load.apply(slot);
                if (outcome != null) {
                    return outcome;
                }
                continue;
            }
            Slot waiting;
            synchronized (newDataTypes) {
                if (slots.containsKey(key)) {
                    continue;
                }
                if (key.equals(OTHER_DATA_TYPES)) {
                    return refused(unserved.slot(key), dataType, d, dataType.isBlank()
                            ? "the model names no dataType" : "'" + OTHER_DATA_TYPES + "' is no dataType a model may "
                                    + "serve: it counts the records of dataTypes without one");
                }
                waiting = firstLoads.get(key);
                if (waiting == null) {
                    if (slots.size() + firstLoads.size() >= maxDataTypes && !giveUpAPlace()) {
                        return refused(unserved.slot(key), dataType, d, fullReason());
                    }
                    // out of the unserved list while it loads, so that no flood of made-up dataTypes folds it away
                    waiting = unserved.take(key);
                    firstLoads.put(key, waiting);
                }
                waiting.firstLoaders++;
            }
            LoadOutcome outcome = null;
            try {
                outcome = load.apply(waiting);
            } finally {
                synchronized (newDataTypes) {
                    if (--waiting.firstLoaders == 0) {
                        firstLoads.remove(key);
                    }
                    if (slots.get(key) != waiting) {
                        if (waiting.current.get() != null) {
                            slots.put(key, waiting);
                            waiting.absorb(unserved.take(key)); // records that came during the load
                        } else if (waiting.firstLoaders == 0 && !waiting.evicted) {
                            // (an evicted slot's counts went back to the unserved list when it gave its place up)
                            unserved.putBack(key, waiting);
                        }
                    }
                }
            }
            if (outcome != null) {
                return outcome;
            }
        }
    }

    /**
     * Gives up the place of a dataType whose model was removed, to make room (it goes back among the unserved
     * ones, with its counts); false when every dataType still has a model. Under {@link #newDataTypes}.
     */
    private boolean giveUpAPlace() {
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            Slot slot = e.getValue();
            synchronized (slot.loading) {
                if (slot.current.get() == null && slot.candidate.get() == null) {
                    slot.evicted = true;
                    slots.remove(e.getKey(), slot);
                    Slot fresh = unserved.slot(e.getKey());
                    fresh.absorb(slot);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The dataTypes seen without an accepted model, each with its counts (skipped records, refused models), the
     * least recently seen first: past {@link #MAX_UNSERVED_DATA_TYPES} the oldest is folded into
     * {@link #OTHER_DATA_TYPES}, so records or models of any number of made-up dataTypes hold a bounded memory.
     */
    private static final class Unserved {
        private final LinkedHashMap<String, Slot> byType = new LinkedHashMap<>(16, 0.75f, true);
        private final Slot others = new Slot();

        synchronized Slot slot(String dataType) {
            if (dataType.equals(OTHER_DATA_TYPES)) {
                return others;
            }
            Slot slot = byType.get(dataType);
            if (slot == null) {
                slot = new Slot();
                byType.put(dataType, slot);
                if (byType.size() > MAX_UNSERVED_DATA_TYPES) {
                    Iterator<Map.Entry<String, Slot>> oldest = byType.entrySet().iterator();
                    others.absorb(oldest.next().getValue());
                    oldest.remove();
                }
            }
            return slot;
        }

        /** Takes a dataType's entry out of the list (a new one if it has none). */
        synchronized Slot take(String dataType) {
            Slot slot = byType.remove(dataType);
            return slot != null ? slot : new Slot();
        }

        /** Puts an entry taken out back, with what was counted under its dataType meanwhile. */
        synchronized void putBack(String dataType, Slot slot) {
            Slot meanwhile = byType.remove(dataType);
            if (meanwhile != null) {
                slot.absorb(meanwhile);
            }
            byType.put(dataType, slot);
            if (byType.size() > MAX_UNSERVED_DATA_TYPES) {
                Iterator<Map.Entry<String, Slot>> oldest = byType.entrySet().iterator();
                others.absorb(oldest.next().getValue());
                oldest.remove();
            }
        }

        synchronized Slot peek(String dataType) {
            return dataType.equals(OTHER_DATA_TYPES) ? others : byType.get(dataType);
        }

        synchronized Map<String, Slot> snapshot() {
            Map<String, Slot> out = new LinkedHashMap<>(byType);
            out.put(OTHER_DATA_TYPES, others);
            return out;
        }
    }

    /** A dataType's candidate, the model its descriptor describes, its rule and its comparison with the live model. */
    private static final class Candidate {
        final ServedModel model;
        final ModelDescriptor descriptor;
        final PromotionRule rule;
        final ShadowComparison comparison;
        final AtomicBoolean promotionRequested = new AtomicBoolean();
        volatile String ruleStatus;

        Candidate(ServedModel model, ModelDescriptor descriptor, PromotionRule rule, ShadowComparison comparison) {
            this.model = model;
            this.descriptor = descriptor;
            this.rule = rule;
            this.comparison = comparison;
            this.ruleStatus = rule == null ? null : "waiting: 0 of " + rule.getAfterRecords() + " records compared";
        }

        Candidate comparedWith(ServedModel live) {
            Candidate c = new Candidate(model, descriptor, rule, new ShadowComparison(live.info, model.info, Instant.now()));
            c.promotionRequested.set(promotionRequested.get());
            return c;
        }
    }

    /** A newly live model's first records, watched for errors. */
    private static final class Watch {
        final ServedModel model;
        final long within;
        final long allowed;
        final LongAdder seen = new LongAdder();
        final LongAdder errors = new LongAdder();
        final AtomicBoolean requested = new AtomicBoolean();

        Watch(ServedModel model, LifecycleRules rules) {
            this.model = model;
            this.within = rules.rollbackWithinRecords();
            this.allowed = rules.allowedErrors();
        }
    }

    /** Everything the registry keeps for one dataType. */
    private static final class Slot {
        final Object loading = new Object();
        final AtomicReference<ServedModel> current = new AtomicReference<>();
        final LongAdder skipped = new LongAdder();
        /** Loads of this dataType's first model running or waiting in this slot. Under {@link #newDataTypes}. */
        int firstLoaders;
        final LongAdder scoringErrors = new LongAdder();
        final AtomicLong swaps = new AtomicLong();
        final AtomicLong failedLoads = new AtomicLong();
        final AtomicReference<LoadFailure> lastFailure = new AtomicReference<>();
        final AtomicReference<Candidate> candidate = new AtomicReference<>();
        final ConcurrentHashMap<Integer, FirstInput> firstInputs = new ConcurrentHashMap<>();
        final AtomicLong candidates = new AtomicLong();
        final AtomicLong promotions = new AtomicLong();
        final AtomicLong rollbacks = new AtomicLong();
        final AtomicLong automaticRollbacks = new AtomicLong();
        /** The live model's descriptor and the one before it, without their lifecycle fields. */
        volatile ModelDescriptor liveDescriptor;
        volatile ModelDescriptor previousDescriptor;
        final AtomicReference<Watch> watch = new AtomicReference<>();
        private final ArrayDeque<LifecycleEvent> events = new ArrayDeque<>();
        volatile boolean removed;
        /** Gave its place up (its model removed, the place needed): loads go to the dataType's new slot. */
        volatile boolean evicted;

        /** Adds another slot's counts (skipped, errors, refusals, the last refusal) to this one's. */
        void absorb(Slot other) {
            skipped.add(other.skipped.sum());
            scoringErrors.add(other.scoringErrors.sum());
            failedLoads.addAndGet(other.failedLoads.get());
            swaps.addAndGet(other.swaps.get());
            LoadFailure last = other.lastFailure.get();
            if (last != null) {
                lastFailure.set(last);
            }
            removed |= other.removed;
        }

        void event(String kind, ModelInfo model, String detail) {
            event(kind, model.label(), detail);
        }

        void event(String kind, String model, String detail) {
            synchronized (events) {
                if (events.size() == Lifecycle.MAX_EVENTS) {
                    events.removeFirst();
                }
                events.addLast(new LifecycleEvent(Instant.now(), kind, model, detail));
            }
        }

        /** The lifecycle's counters and events as saved (not its candidate or previous version). */
        void restoreLifecycle(Lifecycle saved) {
            candidates.set(saved.candidates());
            promotions.set(saved.promotions());
            rollbacks.set(saved.rollbacks());
            automaticRollbacks.set(saved.automaticRollbacks());
            restoreEvents(saved.events());
        }

        void restoreEvents(List<LifecycleEvent> saved) {
            synchronized (events) {
                events.clear();
                saved.stream().skip(Math.max(0, saved.size() - Lifecycle.MAX_EVENTS)).forEach(events::addLast);
            }
        }

        Lifecycle lifecycle() {
            List<LifecycleEvent> recent;
            synchronized (events) {
                recent = List.copyOf(events);
            }
            Candidate c = candidate.get();
            ModelDescriptor previous = previousDescriptor;
            return new Lifecycle(previous == null ? null : "'" + previous.getName() + "' v" + previous.getVersion(),
                    c == null ? null : c.comparison.figures(),
                    c == null || c.rule == null ? null : describe(c.rule) + " (" + c.ruleStatus + ")",
                    candidates.get(), promotions.get(), rollbacks.get(), automaticRollbacks.get(), recent);
        }

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
                    skipped.sum(), scoringErrors.sum(), swaps.get(), failedLoads.get(), lastFailure.get(), 0, null,
                    lifecycle());
        }
    }
}
