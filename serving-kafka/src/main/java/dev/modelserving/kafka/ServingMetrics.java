package dev.modelserving.kafka;

import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Scored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The counters and the scoring-latency histogram every server exports under the same names (the Quarkus servers
 * produce it as a bean, the Akka server constructs it).
 *
 * <p>Their {@code dataType} tag names only dataTypes that have had a model here (at most the server's
 * {@code model-server.max-data-types} of them); everything else (records of a dataType without a model,
 * models refused for one) is tagged {@value #OTHER}: records or models of made-up dataTypes add no meters.
 */
public final class ServingMetrics {

    /** The tag of the dataTypes that have had no model here. */
    public static final String OTHER = "other";
    /** The meters' names (Prometheus writes them with underscores and a unit: {@code modelserving_records_in_total}). */
    public static final String RECORDS_IN = "modelserving.records.in";
    public static final String DEAD_LETTERED = "modelserving.records.dead_lettered";
    public static final String UNDELIVERABLE = "modelserving.records.undeliverable";
    public static final String SCORED = "modelserving.records.scored";
    public static final String SKIPPED = "modelserving.records.skipped";
    public static final String FAILED = "modelserving.records.failed";
    public static final String LATENCY = "modelserving.scoring.latency";
    public static final String SWAPS = "modelserving.model.swaps";
    public static final String FAILED_LOADS = "modelserving.model.failed_loads";
    public static final String PROMOTIONS = "modelserving.model.promotions";
    public static final String ROLLBACKS = "modelserving.model.rollbacks";
    public static final String CANDIDATES = "modelserving.model.candidates";

    private final MeterRegistry meters;
    /** The dataTypes with a tag of their own: those that have had a model here. */
    private final Set<String> tagged = ConcurrentHashMap.newKeySet();
    private final Counter in;
    private final Counter deadLettered;
    private final Counter undeliverable;
    private final Map<String, PerType> perType = new ConcurrentHashMap<>();

    /** The most dataTypes with a tag of their own: the server's {@code model-server.max-data-types}. */
    private final int maxTagged;

    public ServingMetrics(MeterRegistry meters) {
        this(meters, LoadingPolicy.DEFAULT_MAX_DATA_TYPES);
    }

    public ServingMetrics(MeterRegistry meters, int maxTagged) {
        this.meters = meters;
        this.maxTagged = maxTagged;
        this.in = meters.counter(RECORDS_IN);
        this.deadLettered = meters.counter(DEAD_LETTERED);
        this.undeliverable = meters.counter(UNDELIVERABLE);
        registerAll(OTHER);
    }

    /**
     * Registers every meter of a tag at once, at 0: a series that appears only with its first increment loses that
     * increment to Prometheus' {@code rate()}, and a dashboard querying it finds nothing until then.
     */
    private void registerAll(String tag) {
        if (tag.equals(OTHER)) {
            // records of dataTypes without a model: skipped. Past the tag cap, other dataTypes' models score under
            // this tag too, and its other meters appear with their first record then.
            meters.counter(SKIPPED, "dataType", tag);
        } else {
            meters(tag);
        }
        for (String name : List.of(SWAPS, FAILED_LOADS, PROMOTIONS, ROLLBACKS, CANDIDATES)) {
            meters.counter(name, "dataType", tag);
        }
    }

    /** The meters of one dataType, registered once. */
    private record PerType(Counter scored, Counter skipped, Counter failed, Timer latency) {}

    public void received(int records) {
        in.increment(records);
    }

    public void deadLettered() {
        deadLettered.increment();
    }

    /** A record whose result or dead letter could not be written, given up ({@link Delivery}). */
    public void undeliverable() {
        undeliverable.increment();
    }

    public void served(List<Scored> batch) {
        batch.forEach(this::served);
    }

    public void served(Scored s) {
        PerType m = meters(tag(s.record().dataType(), s.model() != null));
        if (s.isSkipped()) {
            m.skipped().increment();
        } else if (s.isFailed()) {
            m.failed().increment();
        } else {
            m.scored().increment();
            m.latency().record(s.durationNanos(), TimeUnit.NANOSECONDS);
        }
    }

    public void model(LoadOutcome outcome) {
        if (outcome instanceof LoadOutcome.Loaded loaded) {
            String tag = tag(loaded.model().dataType(), true);
            meters.counter(SWAPS, "dataType", tag).increment();
            if (loaded.event().equals("promoted")) {
                meters.counter(PROMOTIONS, "dataType", tag).increment();
            } else if (loaded.event().equals("rolled back")) {
                meters.counter(ROLLBACKS, "dataType", tag).increment();
            }
        } else if (outcome instanceof LoadOutcome.CandidateLoaded c) {
            meters.counter(CANDIDATES, "dataType", tag(c.candidate().dataType(), true))
                    .increment();
        } else if (outcome instanceof LoadOutcome.Rejected rejected) {
            meters.counter(FAILED_LOADS, "dataType", tag(rejected.dataType(), false))
                    .increment();
        }
    }

    /**
     * The tag of a dataType: its own once it has had a model here ({@code served}: a model has it now), while
     * fewer than {@code maxTagged} have; else {@value #OTHER}.
     */
    private String tag(String dataType, boolean served) {
        if (dataType == null || dataType.isBlank()) {
            return OTHER;
        }
        if (tagged.contains(dataType)) {
            return dataType;
        }
        if (served) {
            synchronized (tagged) {
                if (tagged.contains(dataType)) {
                    return dataType;
                }
                if (tagged.size() < maxTagged && tagged.add(dataType)) {
                    registerAll(dataType);
                    return dataType;
                }
            }
        }
        return OTHER;
    }

    /** How many dataTypes may have a tag of their own. */
    int maxTagged() {
        return maxTagged;
    }

    /** The meters of a tag, registered once. */
    private PerType meters(String tag) {
        PerType m = perType.get(tag);
        return m != null ? m : perType.computeIfAbsent(tag, this::register);
    }

    private PerType register(String dataType) {
        return new PerType(
                meters.counter(SCORED, "dataType", dataType),
                meters.counter(SKIPPED, "dataType", dataType),
                meters.counter(FAILED, "dataType", dataType),
                Timer.builder(LATENCY).tag("dataType", dataType)
                        .description("time the model took per record").publishPercentileHistogram()
                        // 1 µs to 10 s: a PMML record scores in microseconds, which the default 1 ms floor
                        // would put all in the first bucket (the dashboard works its p50/p99 out of these buckets)
                        .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10))
                        .register(meters));
    }
}
