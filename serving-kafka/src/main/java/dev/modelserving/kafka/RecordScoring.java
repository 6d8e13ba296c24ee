package dev.modelserving.kafka;

import dev.modelserving.model.Features;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The step every server takes for its data records, whatever its engine: decode (by the {@link RecordFormat} rule),
 * score, and turn each record into its {@link Outcome} (a result in the configured {@link ResultFormat}, a dead
 * letter with the reason, or skipped), counted in the {@link ServingMetrics}. An engine only feeds it its
 * consumer's records and writes the outcomes with its producer.
 */
public final class RecordScoring {

    private final ServingMetrics metrics;
    private final RecordFormat defaultFormat;
    private final ResultFormat resultFormat;
    private volatile ModelLifecycleEdge lifecycle;

    /**
     * @param defaultFormat the format of a record without a {@value RecordFormat#HEADER} header
     * @param resultFormat how results are written
     */
    public RecordScoring(ServingMetrics metrics, RecordFormat defaultFormat, ResultFormat resultFormat) {
        this.metrics = metrics;
        this.defaultFormat = defaultFormat;
        this.resultFormat = resultFormat;
    }

    /** With the formats of a server's settings. */
    public RecordScoring(ServingMetrics metrics, ServerSettings settings) {
        this(metrics, settings.data().format(), settings.results().format());
    }

    /** A decoded record, or the dead letter of one that is not a record of its format. */
    public record Decoded<P>(DataRecord<P> in, Features record, Outcome.DeadLetter<P> deadLetter) {
        public boolean isDeadLetter() {
            return deadLetter != null;
        }
    }

    /**
     * Shadow scoring and lifecycle requests through this edge (README, "Model lifecycle"): the outcomes of a
     * registry's scorings ({@link #outcomes(List, List, ModelRegistry)}) are shadowed by its candidates.
     */
    public RecordScoring withLifecycle(ModelLifecycleEdge edge) {
        this.lifecycle = edge;
        return this;
    }

    /** Scores a batch with one model call per dataType; the outcomes are in the batch's order. */
    public <P> List<Outcome<P>> score(List<DataRecord<P>> batch, ModelRegistry registry) {
        List<Decoded<P>> decoded = new ArrayList<>(batch.size());
        batch.forEach(in -> decoded.add(decode(in)));
        return outcomes(decoded, registry.scoreBatch(records(decoded)), registry);
    }

    /**
     * The outcomes of a batch scored by {@code registry}, as {@link #outcomes(List, List)} makes them; then each
     * result's input position is noted in the registry (from which offset its model serves each partition), and
     * the batch is handed to the candidates' shadow scoring, if there is a candidate.
     */
    public <P> List<Outcome<P>> outcomes(List<Decoded<P>> decoded, List<Scored> scored, ModelRegistry registry) {
        return outcomes(decoded, scored, dataType -> registry);
    }

    /**
     * As {@link #outcomes(List, List, ModelRegistry)}, for an engine with a registry per dataType (the Akka actor
     * processor): {@code registries} gives the registry that scored a dataType's records (null: none runs now).
     */
    public <P> List<Outcome<P>> outcomes(List<Decoded<P>> decoded, List<Scored> scored,
            Function<String, ModelRegistry> registries) {
        List<Outcome<P>> out = outcomes(decoded, scored);
        ModelLifecycleEdge edge = lifecycle;
        Map<ModelRegistry, List<Decoded<P>>> shadowIn = null;
        Map<ModelRegistry, List<Scored>> shadowScored = null;
        String lastType = null;
        ModelRegistry last = null;
        boolean shadowType = false;
        int k = 0;
        for (Decoded<P> d : decoded) {
            if (d.isDeadLetter()) {
                continue;
            }
            Scored s = scored.get(k++);
            if (s.isSkipped()) {
                continue;
            }
            String type = s.record().dataType();
            if (!type.equals(lastType)) { // looked up once per run of one dataType, not per record
                lastType = type;
                last = registries.apply(type);
                shadowType = edge != null && last != null && last.hasCandidate(type);
            }
            if (last == null) {
                continue;
            }
            last.scoredInput(s, d.in().partition(), d.in().offset());
            if (shadowType && !s.isFailed()) {
                if (shadowIn == null) {
                    shadowIn = new IdentityHashMap<>();
                    shadowScored = new IdentityHashMap<>();
                }
                shadowIn.computeIfAbsent(last, r -> new ArrayList<>()).add(d);
                shadowScored.computeIfAbsent(last, r -> new ArrayList<>()).add(s);
            }
        }
        if (shadowIn != null) {
            Map<ModelRegistry, List<Scored>> scoredBy = shadowScored;
            shadowIn.forEach((registry, in) -> edge.shadow(registry, in, scoredBy.get(registry)));
        }
        return out;
    }

    /**
     * Decodes a record in the format its {@value RecordFormat#HEADER} header names, else the default format; one
     * that is not a record of that format, or names an unknown format, becomes its dead letter (counted).
     */
    public <P> Decoded<P> decode(DataRecord<P> in) {
        metrics.received(1);
        String error;
        Optional<RecordFormat> format = RecordFormat.of(in.contentType(), defaultFormat);
        if (format.isEmpty()) {
            error = "unknown " + RecordFormat.HEADER + " '" + RecordFormat.abbreviated(in.contentType()) + "' (known: "
                    + RecordFormat.known() + ")";
        } else {
            try {
                return new Decoded<>(in, RecordDecoder.decode(in.value(), format.get()), null);
            } catch (RecordDecoder.NotARecordException e) {
                error = e.getMessage();
            }
        }
        metrics.deadLettered();
        return new Decoded<>(in, null, new Outcome.DeadLetter<>(in.key(), in.value(), in.contentType(), error, null,
                in.source(), in.passThrough()));
    }

    /** The records of a batch that decoded, in order: what to score. */
    public static <P> List<Features> records(List<Decoded<P>> decoded) {
        List<Features> out = new ArrayList<>(decoded.size());
        decoded.forEach(d -> {
            if (!d.isDeadLetter()) {
                out.add(d.record());
            }
        });
        return out;
    }

    /**
     * The outcomes of a batch, in order: the dead letters of decoding as they are, the others from {@code scored}
     * (one per decoded record, in order, as {@link #records} gave them).
     */
    public <P> List<Outcome<P>> outcomes(List<Decoded<P>> decoded, List<Scored> scored) {
        long toScore = decoded.stream().filter(d -> !d.isDeadLetter()).count();
        if (toScore != scored.size()) {
            throw new IllegalArgumentException(scored.size() + " scorings for " + toScore + " decoded records");
        }
        List<Outcome<P>> out = new ArrayList<>(decoded.size());
        int k = 0;
        for (Decoded<P> d : decoded) {
            out.add(d.isDeadLetter() ? d.deadLetter() : outcome(d.in(), scored.get(k++)));
        }
        return out;
    }

    /** What one scoring makes of a record (counted). */
    public <P> Outcome<P> outcome(DataRecord<P> in, Scored s) {
        metrics.served(s);
        if (s.isSkipped()) {
            return new Outcome.Skipped<>(in.passThrough());
        }
        if (s.isFailed()) {
            metrics.deadLettered();
            return new Outcome.DeadLetter<>(in.key(), in.value(), in.contentType(), s.error(), s.record().dataType(),
                    in.source(), in.passThrough());
        }
        return new Outcome.Result<>(in.key(), resultFormat.encode(s, in.topic(), in.partition(), in.offset(),
                System.currentTimeMillis()), resultFormat, s.record().dataType(), in.source(),
                in.passThrough());
    }
}
