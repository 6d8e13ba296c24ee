package dev.modelserving.model;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * How a candidate model (shadow scoring) compares with the live model on the same records: how many were compared,
 * how often their labels agree, how far apart their values are, each model's scoring latency, and the candidate's
 * errors. Thread-safe; each figure is read as of the call.
 */
public final class ShadowComparison {

    /** Latencies are kept up to 60 s (longer ones as 60 s), with 2 significant digits. */
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ModelInfo live;
    private final ModelInfo candidate;
    private final Instant since;
    private final LongAdder compared = new LongAdder();
    private final LongAdder labelled = new LongAdder();
    private final LongAdder agreed = new LongAdder();
    private final LongAdder valued = new LongAdder();
    private final DoubleAdder absoluteDifferences = new DoubleAdder();
    private final AtomicLong maxAbsoluteDifferenceBits = new AtomicLong(Double.doubleToLongBits(0));
    private final LongAdder candidateErrors = new LongAdder();
    private final LongAdder notCompared = new LongAdder();
    private final Histogram liveNanos = histogram();
    private final Histogram candidateNanos = histogram();

    public ShadowComparison(ModelInfo live, ModelInfo candidate, Instant since) {
        this.live = Objects.requireNonNull(live, "live");
        this.candidate = Objects.requireNonNull(candidate, "candidate");
        this.since = Objects.requireNonNull(since, "since");
    }

    /** The live model and the candidate both scored a record. */
    public void compared(Prediction live, long liveNanos, Prediction candidate, long candidateNanos) {
        compared.increment();
        if (live.label() != null && candidate.label() != null) {
            labelled.increment();
            if (live.label().equals(candidate.label())) {
                agreed.increment();
            }
        }
        if (live.value() != null && candidate.value() != null) {
            double difference = Math.abs(live.value() - candidate.value());
            if (!Double.isNaN(difference)) {
                valued.increment();
                absoluteDifferences.add(difference);
                maxAbsoluteDifferenceBits.accumulateAndGet(Double.doubleToLongBits(difference),
                        (a, b) -> Double.longBitsToDouble(a) >= Double.longBitsToDouble(b) ? a : b);
            }
        }
        record(this.liveNanos, liveNanos);
        record(this.candidateNanos, candidateNanos);
    }

    /** The live model scored a record the candidate could not. */
    public void candidateFailed(long liveNanos, long candidateNanos) {
        candidateErrors.increment();
        record(this.liveNanos, liveNanos);
        record(this.candidateNanos, candidateNanos);
    }

    /** Records the candidate did not score, because its scoring had fallen behind (they are not compared). */
    public void notCompared(long records) {
        notCompared.add(records);
    }

    public ModelInfo live() {
        return live;
    }

    public ModelInfo candidate() {
        return candidate;
    }

    /** The figures as of now. */
    public Figures figures() {
        long n = compared.sum();
        long withLabels = labelled.sum();
        long withValues = valued.sum();
        return Figures.of(live.label(), candidate.label(), since, n, withLabels, agreed.sum(), withValues,
                absoluteDifferences.sum(),
                withValues == 0 ? null : Double.longBitsToDouble(maxAbsoluteDifferenceBits.get()),
                millis(liveNanos, 50), millis(liveNanos, 99), millis(candidateNanos, 50), millis(candidateNanos, 99),
                candidateErrors.sum(), notCompared.sum());
    }

    /**
     * A comparison as of one moment.
     *
     * @param live the live model's label (name and version)
     * @param candidate the candidate's
     * @param since when this comparison started: the candidate loaded, or a new live model went live beside it
     * @param compared records both scored
     * @param labelAgreement the share of compared records with labels whose labels are equal; null without labels
     * @param meanAbsoluteDifference the mean of |live value - candidate value| over compared records with values;
     *     null without values
     * @param maxAbsoluteDifference the largest such difference; null without values
     * @param liveP50Ms the live model's scoring time per record, median (null before any record)
     * @param liveP99Ms the live model's 99th percentile
     * @param candidateP50Ms the candidate's median
     * @param candidateP99Ms the candidate's 99th percentile
     * @param candidateErrors records the live model scored and the candidate could not
     * @param notCompared records the candidate did not score because it had fallen behind
     * @param labelled compared records with a label from both models (what the agreement is a share of)
     * @param agreed those whose labels are equal
     * @param valued compared records with a value from both models (what the mean difference is over)
     * @param absoluteDifferenceSum the sum of their absolute differences
     */
    public record Figures(String live, String candidate, Instant since, long compared, Double labelAgreement,
            Double meanAbsoluteDifference, Double maxAbsoluteDifference, Double liveP50Ms, Double liveP99Ms,
            Double candidateP50Ms, Double candidateP99Ms, long candidateErrors, long notCompared, long labelled,
            long agreed, long valued, double absoluteDifferenceSum) {

        /** Figures with the agreement and the mean difference worked out from the counts. */
        public static Figures of(String live, String candidate, Instant since, long compared, long labelled,
                long agreed, long valued, double absoluteDifferenceSum, Double maxAbsoluteDifference,
                Double liveP50Ms, Double liveP99Ms, Double candidateP50Ms, Double candidateP99Ms, long candidateErrors,
                long notCompared) {
            return new Figures(live, candidate, since, compared, labelled == 0 ? null : (double) agreed / labelled,
                    valued == 0 ? null : absoluteDifferenceSum / valued, maxAbsoluteDifference, liveP50Ms, liveP99Ms,
                    candidateP50Ms, candidateP99Ms, candidateErrors, notCompared, labelled, agreed, valued,
                    absoluteDifferenceSum);
        }
    }

    private static Histogram histogram() {
        return new ConcurrentHistogram(HIGHEST_NANOS, 2);
    }

    private static void record(Histogram h, long nanos) {
        h.recordValue(Math.max(0, Math.min(HIGHEST_NANOS, nanos)));
    }

    private static Double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) / 1e6;
    }
}
