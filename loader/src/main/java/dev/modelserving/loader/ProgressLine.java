package dev.modelserving.loader;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Prints the run's progress every few seconds. */
final class ProgressLine implements AutoCloseable {

    private final Progress progress;
    private final PrintWriter out;
    private final Duration every;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loader-progress");
        t.setDaemon(true);
        return t;
    });

    ProgressLine(Progress progress, PrintWriter out, Duration every) {
        this.progress = progress;
        this.out = out;
        this.every = every;
    }

    void start() {
        long ms = every.toMillis();
        timer.scheduleAtFixedRate(() -> out.println(progress.summary()), ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
