package dev.modelserving.kafka;

import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The counters and the scoring-latency histogram every server exports under the same names (the Quarkus servers
 * produce it as a bean, the Akka server constructs it).
 */
public final class ServingMetrics {

    private final MeterRegistry meters;
    private final Counter in;
    private final Counter deadLettered;
    private final Counter undeliverable;
    private final Map<String, PerType> perType = new ConcurrentHashMap<>();

    public ServingMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.in = meters.counter("modelserving.records.in");
        this.deadLettered = meters.counter("modelserving.records.dead_lettered");
        this.undeliverable = meters.counter("modelserving.records.undeliverable");
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
        PerType m = meters(s.record().dataType());
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
            meters.counter("modelserving.model.swaps", "dataType", loaded.model().dataType()).increment();
            if (loaded.event().equals("promoted")) {
                meters.counter("modelserving.model.promotions", "dataType", loaded.model().dataType()).increment();
            } else if (loaded.event().equals("rolled back")) {
                meters.counter("modelserving.model.rollbacks", "dataType", loaded.model().dataType()).increment();
            }
        } else if (outcome instanceof LoadOutcome.CandidateLoaded c) {
            meters.counter("modelserving.model.candidates", "dataType", c.candidate().dataType()).increment();
        } else if (outcome instanceof LoadOutcome.Rejected rejected) {
            meters.counter("modelserving.model.failed_loads", "dataType", String.valueOf(rejected.dataType()))
                    .increment();
        }
    }

    /** The meters of a dataType; past the registry's cap of dataTypes they are shared, as its counters are. */
    private PerType meters(String dataType) {
        PerType m = perType.get(dataType);
        if (m != null) {
            return m;
        }
        String key = perType.size() >= ModelRegistry.MAX_DATA_TYPES ? ModelRegistry.OTHER_DATA_TYPES : dataType;
        return perType.computeIfAbsent(key, this::register);
    }

    private PerType register(String dataType) {
        return new PerType(
                meters.counter("modelserving.records.scored", "dataType", dataType),
                meters.counter("modelserving.records.skipped", "dataType", dataType),
                meters.counter("modelserving.records.failed", "dataType", dataType),
                Timer.builder("modelserving.scoring.latency").tag("dataType", dataType)
                        .description("time the model took per record").publishPercentileHistogram()
                        .register(meters));
    }
}
