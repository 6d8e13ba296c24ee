package dev.modelserving.loader;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What a run has done so far, shared by the record and model publishers and the progress line. */
final class Progress {

    private final long start = System.nanoTime();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong models = new AtomicLong();
    private final AtomicReference<String> lastModel = new AtomicReference<>("none yet");
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile boolean stopping;

    void recordSent() {
        sent.incrementAndGet();
    }

    void recordFailed(Exception e) {
        failed.incrementAndGet();
        lastError.set(e.getMessage());
    }

    void modelSent(String description) {
        models.incrementAndGet();
        lastModel.set(description);
    }

    long sent() {
        return sent.get();
    }

    long failed() {
        return failed.get();
    }

    long models() {
        return models.get();
    }

    /** Ctrl-C: publishers finish what they hold and return. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    String summary() {
        double seconds = (System.nanoTime() - start) / 1e9;
        String error = lastError.get();
        return String.format(Locale.ROOT, "%d records sent (%.0f/s over %.1f s)%s, %d models published, last: %s",
                sent.get(), sent.get() / Math.max(seconds, 1e-9), seconds,
                failed.get() == 0 ? "" : ", " + failed.get() + " failed (last error: " + error + ")",
                models.get(), lastModel.get());
    }
}
