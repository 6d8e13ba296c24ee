package dev.modelserving.kafka;

import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.Undeliverable;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The rule every server applies to a result or dead letter it could not write.
 *
 * <ul>
 *   <li>A retriable failure (Kafka's {@link RetriableException}: the broker is away, a leader moves, a request timed
 *       out) is tried again every {@link #BACKOFF} for as long as it lasts: giving up would lose the records behind
 *       it too. Meanwhile the server cannot make progress, and says so ({@link #stalled()}).</li>
 *   <li>Any other failure (the message is larger than the topic takes, the broker refuses it as invalid, ...) is
 *       tried {@link #MAX_ATTEMPTS} times in all. Then the record is given up: logged with where it came from and
 *       why, counted as undeliverable (per dataType, and in {@code modelserving.records.undeliverable}), and its
 *       offset committed, so one bad record never stops the records behind it.</li>
 * </ul>
 */
public final class Delivery implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Delivery.class.getName());

    public static final int MAX_ATTEMPTS = 3;
    public static final Duration BACKOFF = Duration.ofSeconds(1);
    /** Records without a readable dataType (they did not decode) are counted under this name. */
    public static final String UNDECODABLE = "(undecodable)";

    /** The undeliverable records of one dataType. */
    public record Count(long records, Undeliverable last) {}

    private final ServingMetrics metrics;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "delivery-retries");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger retrying = new AtomicInteger();
    private final AtomicLong undeliverable = new AtomicLong();
    private final Map<String, Count> byDataType = new ConcurrentHashMap<>();

    public Delivery(ServingMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Writes with the rule above. The returned stage completes normally once the message is written or the record
     * given up; it never completes exceptionally.
     *
     * @param dataType the record's dataType, null when it did not decode
     * @param source where the record came from ({@link Provenance#of})
     * @param send one attempt to write the message; completes when the broker has it
     */
    public CompletableFuture<Void> write(String dataType, String source, Supplier<? extends CompletionStage<?>> send) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(dataType, source, send, 1, false, done);
        return done;
    }

    /**
     * Writes every result and dead letter of a batch with the rule above, each as a message to its topic (results to
     * {@code topics.results()}, dead letters to {@code topics.deadLetters()}), keyed and with headers as its outcome
     * says; a skipped record has nothing to write. The returned stage completes once each is written or given up;
     * it never completes exceptionally.
     *
     * @param send one attempt to write a message; completes when the broker has it
     */
    public CompletableFuture<Void> writeAll(List<? extends Outcome<?>> batch, Topics topics,
            Function<ProducerRecord<byte[], byte[]>, ? extends CompletionStage<?>> send) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        // One count for the batch (the loop's own share released after it), not a future combining the writes'.
        AtomicInteger pending = new AtomicInteger(1);
        Runnable oneDone = () -> {
            if (pending.decrementAndGet() == 0) {
                all.complete(null);
            }
        };
        for (Outcome<?> o : batch) {
            ProducerRecord<byte[], byte[]> m;
            String dataType;
            String source;
            if (o instanceof Outcome.Result<?> r) {
                m = new ProducerRecord<>(topics.results(), null, r.key(), r.result(), r.headers());
                dataType = r.dataType();
                source = r.source();
            } else if (o instanceof Outcome.DeadLetter<?> d) {
                m = new ProducerRecord<>(topics.deadLetters(), null, d.key(), d.valueOrEmpty(), d.headers());
                dataType = d.dataType();
                source = d.source();
            } else {
                continue;
            }
            pending.incrementAndGet();
            write(dataType, source, () -> send.apply(m)).whenComplete((ok, never) -> oneDone.run());
        }
        oneDone.run();
        return all;
    }

    private void attempt(String dataType, String source, Supplier<? extends CompletionStage<?>> send, int attempt,
            boolean wasRetrying, CompletableFuture<Void> done) {
        CompletionStage<?> sent;
        try {
            sent = send.get();
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, error) -> {
            Throwable cause = unwrap(error);
            if (cause == null) {
                if (wasRetrying && retrying.decrementAndGet() == 0) {
                    LOG.log(Level.INFO, "writes succeed again");
                }
                done.complete(null);
            } else if (cause instanceof RetriableException) {
                if (!wasRetrying && retrying.getAndIncrement() == 0) {
                    LOG.log(Level.WARNING, "cannot write the outcome of " + source + " (" + cause
                            + "); retrying every " + BACKOFF.toMillis() + " ms until Kafka takes it");
                }
                retries.schedule(() -> attempt(dataType, source, send, attempt + 1, true, done),
                        BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                if (wasRetrying) {
                    retrying.decrementAndGet();
                }
                if (attempt < MAX_ATTEMPTS) {
                    retries.schedule(() -> attempt(dataType, source, send, attempt + 1, false, done),
                            BACKOFF.toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    givenUp(dataType, source, MAX_ATTEMPTS + " attempts to write its outcome failed", cause);
                    done.complete(null);
                }
            }
        });
    }

    /**
     * A record given up by an engine whose own Kafka client did the attempts (Kafka Streams): logged, counted and
     * shown as the rule above gives up its own.
     *
     * @param why what was tried, for the log ("3 attempts to write its outcome failed")
     */
    public void givenUp(String dataType, String source, String why, Throwable cause) {
        String type = dataType == null || dataType.isBlank() ? UNDECODABLE : dataType;
        Undeliverable u = new Undeliverable(source, cause.toString(), Instant.now());
        undeliverable.incrementAndGet();
        metrics.undeliverable();
        String key = byDataType.containsKey(type) || byDataType.size() < metrics.maxTagged() ? type
                : ModelRegistry.OTHER_DATA_TYPES;
        byDataType.merge(key, new Count(1, u), (a, b) -> new Count(a.records() + 1, u));
        LOG.log(Level.ERROR, "record " + source + " (dataType " + type + ") given up, " + why + ": " + cause
                + "; its offset is committed, the records behind it go on");
    }

    /** Whether a write is failing now and being retried: the server is not making progress. */
    public boolean stalled() {
        return retrying.get() > 0;
    }

    /** Records given up since start. */
    public long undeliverable() {
        return undeliverable.get();
    }

    /** The undeliverable records of each dataType that had any, sorted by dataType. */
    public Map<String, Count> undeliverableByDataType() {
        return new TreeMap<>(byDataType);
    }

    public Optional<Count> undeliverable(String dataType) {
        return Optional.ofNullable(byDataType.get(dataType));
    }

    /** Serving statistics with the undeliverable records of their dataType. */
    public ServingStats addTo(ServingStats stats) {
        Count c = byDataType.get(stats.dataType());
        return c == null ? stats : stats.withUndeliverable(c.records(), c.last());
    }

    /**
     * Every dataType's serving statistics with its undeliverable records; a dataType seen only through them (such
     * as {@value #UNDECODABLE}) is added.
     */
    public Map<String, ServingStats> addTo(Map<String, ServingStats> all) {
        Map<String, ServingStats> out = new TreeMap<>(all);
        out.replaceAll((type, stats) -> addTo(stats));
        byDataType.forEach((type, c) -> out.computeIfAbsent(type,
                t -> ServingStats.none(t).withUndeliverable(c.records(), c.last())));
        return out;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        // a client may wrap Kafka's exception in its own (SmallRye, Alpakka): the Kafka one decides
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KafkaException) {
                return c;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return t;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
