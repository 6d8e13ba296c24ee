package dev.modelserving.model;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A live model with its statistics. Scoring holds the read lock and {@link #retire()} takes the write lock, so a
 * model is never closed while it scores; a call that finds it retired returns null and the registry retries with
 * the model that replaced it.
 */
final class ServedModel {

    final Model model;
    final ModelInfo info;
    volatile Instant since;

    private final LongAdder invocations = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final AtomicLong minNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong maxNanos = new AtomicLong();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean retired;

    ServedModel(Model model) {
        this.model = model;
        this.info = model.info();
        this.since = Instant.now();
    }

    /** A model brought back by a restarted server, with the statistics it had when they were saved. */
    ServedModel(Model model, ServingStats saved) {
        this.model = model;
        this.info = model.info();
        this.since = saved.since() == null ? Instant.now() : saved.since();
        if (saved.invocations() > 0) {
            invocations.add(saved.invocations());
            totalNanos.add(Math.round(saved.meanMs() * 1e6 * saved.invocations()));
            minNanos.set(Math.round(saved.minMs() * 1e6));
            maxNanos.set(Math.round(saved.maxMs() * 1e6));
        }
    }

    /** A candidate promoted: it is live from now on. */
    void wentLive() {
        since = Instant.now();
    }

    /** Predictions for the records, in order; null when this model was retired meanwhile. */
    List<Prediction> scoreBatch(List<? extends Features> records) {
        Lock read = lock.readLock();
        read.lock();
        try {
            if (retired) {
                return null;
            }
            return records.size() == 1 ? List.of(model.score(records.get(0))) : model.scoreBatch(records);
        } finally {
            read.unlock();
        }
    }

    /**
     * One call that scored {@code records} records in {@code nanos}. A record's share is rounded down for the
     * minimum and up for the maximum, so the mean always lies between them.
     */
    void record(int records, long nanos) {
        invocations.add(records);
        totalNanos.add(nanos);
        minNanos.accumulateAndGet(nanos / records, Math::min);
        maxNanos.accumulateAndGet((nanos + records - 1) / records, Math::max);
    }

    /** Waits for in-flight scoring to end, then closes the model. */
    void retire() {
        Lock write = lock.writeLock();
        write.lock();
        try {
            retired = true;
            model.close();
        } finally {
            write.unlock();
        }
    }

    long invocations() {
        return invocations.sum();
    }

    double meanMs() {
        long n = invocations.sum();
        return n == 0 ? 0 : totalNanos.sum() / 1e6 / n;
    }

    double minMs() {
        long min = minNanos.get();
        return min == Long.MAX_VALUE ? 0 : min / 1e6;
    }

    double maxMs() {
        return maxNanos.get() / 1e6;
    }
}
