package dev.modelserving.bench;

import dev.modelserving.kafka.ServingMetrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Nanoseconds to record one record's scoring time in the per-dataType latency timer, on a Prometheus registry, as
 * every scored record does: {@code default} is Micrometer's 1 ms to 30 s histogram, {@code buckets} the histogram
 * from 1 µs to 10 s that {@link ServingMetrics} registers, {@code percentiles} that histogram with client-side
 * p50/p99 over 30 s as well (what the dashboard read at first, before it worked them out of the buckets).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class LatencyRecordingBenchmark {

    @Param({"default", "buckets", "percentiles"})
    public String timer;

    private Timer latency;
    private long next;

    @Setup(Level.Trial)
    public void register() {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Timer.Builder b = Timer.builder(ServingMetrics.LATENCY).tag("dataType", "wine").publishPercentileHistogram();
        if (!timer.equals("default")) {
            b = b.minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(10));
        }
        if (timer.equals("percentiles")) {
            b = b.publishPercentiles(0.5, 0.99).distributionStatisticExpiry(Duration.ofSeconds(30))
                    .distributionStatisticBufferLength(3);
        }
        latency = b.register(meters);
    }

    /** A PMML record's scoring time: 10 to 110 µs. */
    @Benchmark
    public void record() {
        next = (next + 7_919) % 100_000;
        latency.record(10_000 + next, TimeUnit.NANOSECONDS);
    }
}
