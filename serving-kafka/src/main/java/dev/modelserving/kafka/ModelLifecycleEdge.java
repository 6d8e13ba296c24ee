package dev.modelserving.kafka;

import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.proto.ServingResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The model lifecycle's side of a server's Kafka edge, the same in every engine (README, "Model lifecycle"):
 * <ul>
 *   <li><b>Shadow scoring.</b> Once a batch's live outcomes are made, {@link #shadow} hands the records a candidate
 *       model has to score to a thread of its own, which takes everything waiting at once, scores it with the
 *       candidates ({@link ModelRegistry#scoreCandidates}, one model call per registry and dataType, however small
 *       the engine's batches) and writes each candidate's output to the shadow topic: a
 *       {@code ServingResult} marked {@code candidate}, in the results' format, keyed as its input record was; one
 *       the candidate could not score carries no prediction and says why in a {@value #ERROR_HEADER} header. The
 *       result path never waits for it: at most {@code queueRecords} records wait for the candidates, and a batch
 *       that does not fit is not shadowed (counted as not compared). Shadow results are written once, without a
 *       transaction and without retrying what Kafka refuses: a comparison, not a result.</li>
 *   <li><b>The comparison in metrics</b>, per dataType: {@code modelserving.shadow.compared}, {@code .labelled},
 *       {@code .agreed} (the agreement is agreed ÷ labelled), {@code .candidate_errors}, the
 *       {@code .absolute_difference} of values and the candidate's {@code .candidate_latency}.</li>
 *   <li><b>The registry's requests.</b> {@link #requests()} publishes on the models topic what a registry decides
 *       (an automatic rollback, a promotion by rule), so every server applies it in topic order.</li>
 * </ul>
 * One producer does both; its client takes the server's Kafka properties (a secured cluster's too).
 */
public final class ModelLifecycleEdge implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelLifecycleEdge.class.getName());

    /** A shadow result of a record the candidate could not score: why. */
    public static final String ERROR_HEADER = "modelserving.error";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaProducer<byte[], byte[]> producer;
    private final Topics topics;
    private final ResultFormat format;
    private final int queueRecords;
    private final AtomicInteger queued = new AtomicInteger();
    private final LinkedBlockingQueue<Pending> pending = new LinkedBlockingQueue<>();
    private final ExecutorService requestSender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lifecycle-requests");
        t.setDaemon(true);
        return t;
    });
    private final Thread shadowThread;
    private final Counter shadowResults;
    private final Counter notShadowed;
    private final Counter requested;
    private final MeterRegistry meters;
    private final Map<String, Comparison> comparisons = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param clientProperties the server's Kafka client properties (bootstrap servers and any security settings)
     * @param topics where models and shadow results go
     * @param format the results' format, which shadow results share
     * @param queueRecords at most this many records wait for the candidates (at least 1)
     */
    public ModelLifecycleEdge(Map<String, Object> clientProperties, Topics topics, ResultFormat format,
            int queueRecords, MeterRegistry meters) {
        if (queueRecords < 1) {
            throw new IllegalArgumentException("model-server.shadow-queue-records must be at least 1, got "
                    + queueRecords);
        }
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // a request published again carries a whole model: as large as the models topic takes
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(Topics.PRODUCER_BUFFER_BYTES));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "model-lifecycle");
        config.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        this.producer = new KafkaProducer<>(config);
        this.topics = topics;
        this.format = format;
        this.queueRecords = queueRecords;
        this.shadowThread = new Thread(this::shadowLoop, "shadow-scoring");
        shadowThread.setDaemon(true);
        this.meters = meters;
        this.shadowResults = meters.counter("modelserving.shadow.results");
        this.notShadowed = meters.counter("modelserving.shadow.not_compared");
        this.requested = meters.counter("modelserving.model.lifecycle_requests");
        shadowThread.start(); // last: it reads the fields above
    }

    /** Lets a registry publish its requests through this edge; returns the registry. */
    public ModelRegistry attach(ModelRegistry registry) {
        registry.publishRequestsTo(requests());
        return registry;
    }

    /** Publishes a registry's request on the models topic; a failure is logged (the registry asks only once). */
    public Consumer<ModelsTopic.Message> requests() {
        // sent from a thread of their own: a request carries a whole model, and a full producer buffer blocks the
        // sender, which must not be the scoring thread that asked
        return m -> requestSender.execute(() -> send(m));
    }

    private void send(ModelsTopic.Message m) {
        requested.increment();
        producer.send(new ProducerRecord<>(topics.models(), m.key().getBytes(StandardCharsets.UTF_8), m.value()),
                (meta, failure) -> {
                    if (failure != null) {
                        LOG.log(Level.ERROR, "could not publish " + m.key() + " on " + topics.models() + ": "
                                + failure + "; what it asked for does not happen");
                    } else {
                        LOG.log(Level.INFO, "published " + m.key() + " on " + topics.models() + " at "
                                + meta.partition() + "@" + meta.offset());
                    }
                });
    }

    /**
     * Shadows a batch once its live outcomes are made: the records a candidate has to score go to the shadow
     * thread, unless more than {@code queueRecords} would wait (then they are counted as not compared). Returns at
     * once; never throws for the candidates' sake.
     *
     * @param decoded the batch as {@link RecordScoring#decode} gave it
     * @param scored the live scorings of its decoded records, in order
     */
    public <P> void shadow(ModelRegistry registry, List<RecordScoring.Decoded<P>> decoded, List<Scored> scored) {
        if (closed || !registry.hasCandidates()) {
            return;
        }
        List<Scored> live = new ArrayList<>(scored.size());
        IdentityHashMap<Scored, DataRecord<P>> inputs = new IdentityHashMap<>();
        int k = 0;
        for (RecordScoring.Decoded<P> d : decoded) {
            if (d.isDeadLetter()) {
                continue;
            }
            Scored s = scored.get(k++);
            if (!s.isSkipped() && !s.isFailed() && registry.hasCandidate(s.record().dataType())) {
                live.add(s);
                inputs.put(s, d.in());
            }
        }
        if (live.isEmpty()) {
            return;
        }
        if (queued.addAndGet(live.size()) > queueRecords) {
            queued.addAndGet(-live.size());
            notShadowed.increment(live.size());
            countNotCompared(registry, live);
            return;
        }
        pending.add(new Pending(registry, live, inputs));
    }

    /** Records handed to the shadow thread: the registry that scored them, their live scorings and inputs. */
    private record Pending(ModelRegistry registry, List<Scored> live, IdentityHashMap<Scored, ?> inputs) {}

    /**
     * The shadow thread: takes what waits, all of it at once, and scores each registry's records with one call
     * (one model call per dataType), so that the candidates score in batches however small the engine's are.
     */
    private void shadowLoop() {
        List<Pending> batch = new ArrayList<>();
        while (!closed || !pending.isEmpty()) {
            try {
                Pending first = pending.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                pending.drainTo(batch);
                Map<ModelRegistry, List<Pending>> byRegistry = new IdentityHashMap<>();
                batch.forEach(p -> byRegistry.computeIfAbsent(p.registry(), r -> new ArrayList<>()).add(p));
                byRegistry.forEach(this::shadowNow);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "shadow scoring failed: " + e + "; the live results are not affected");
            } finally {
                batch.forEach(p -> queued.addAndGet(-p.live().size()));
                batch.clear();
            }
        }
    }

    private void shadowNow(ModelRegistry registry, List<Pending> parts) {
        List<Scored> live = new ArrayList<>();
        IdentityHashMap<Scored, DataRecord<?>> inputs = new IdentityHashMap<>();
        for (Pending p : parts) {
            live.addAll(p.live());
            p.inputs().forEach((s, in) -> inputs.put(s, (DataRecord<?>) in));
        }
        write(registry.scoreCandidates(live), inputs);
    }

    private static void countNotCompared(ModelRegistry registry, List<Scored> live) {
        Map<String, Long> byType = new HashMap<>();
        live.forEach(s -> byType.merge(s.record().dataType(), 1L, Long::sum));
        byType.forEach(registry::notShadowed);
    }

    /** The comparison's meters of one dataType (the registry's cap of dataTypes bounds them). */
    private record Comparison(Counter compared, Counter labelled, Counter agreed, Counter errors,
            DistributionSummary difference, Timer latency) {}

    private Comparison comparison(String dataType) {
        return comparisons.computeIfAbsent(dataType, t -> new Comparison(
                meters.counter("modelserving.shadow.compared", "dataType", t),
                meters.counter("modelserving.shadow.labelled", "dataType", t),
                meters.counter("modelserving.shadow.agreed", "dataType", t),
                meters.counter("modelserving.shadow.candidate_errors", "dataType", t),
                DistributionSummary.builder("modelserving.shadow.absolute_difference").tag("dataType", t)
                        .register(meters),
                Timer.builder("modelserving.shadow.candidate_latency").tag("dataType", t).register(meters)));
    }

    /** Counts a shadowed record in the comparison's meters, as {@link dev.modelserving.model.ShadowComparison} does. */
    private void count(ModelRegistry.Shadowed s) {
        Comparison m = comparison(s.live().record().dataType());
        Scored c = s.candidate();
        m.latency().record(c.durationNanos(), TimeUnit.NANOSECONDS);
        if (c.isFailed()) {
            m.errors().increment();
            return;
        }
        m.compared().increment();
        String liveLabel = s.live().prediction().label();
        if (liveLabel != null && c.prediction().label() != null) {
            m.labelled().increment();
            if (liveLabel.equals(c.prediction().label())) {
                m.agreed().increment();
            }
        }
        Double liveValue = s.live().prediction().value();
        if (liveValue != null && c.prediction().value() != null) {
            double d = Math.abs(liveValue - c.prediction().value());
            if (!Double.isNaN(d)) {
                m.difference().record(d);
            }
        }
    }

    private void write(List<ModelRegistry.Shadowed> shadowed, IdentityHashMap<Scored, DataRecord<?>> inputs) {
        long now = System.currentTimeMillis();
        for (ModelRegistry.Shadowed s : shadowed) {
            count(s);
            DataRecord<?> in = inputs.get(s.live());
            Scored c = s.candidate();
            Headers headers = format.headers();
            ServingResult.Builder r;
            if (c.isFailed()) {
                r = ServingResult.newBuilder().setDataType(c.record().dataType()).setModelName(c.model().name())
                        .setModelVersion(c.model().version()).setModelSha256(c.model().sha256())
                        .setSourceTopic(in.topic()).setSourcePartition(in.partition()).setSourceOffset(in.offset())
                        .setDurationNs(c.durationNanos()).setScoredAtMs(now);
                headers.add(ERROR_HEADER, c.error().getBytes(StandardCharsets.UTF_8));
            } else {
                r = ServingResults.of(c, in.topic(), in.partition(), in.offset(), now).toBuilder();
            }
            r.setCandidate(true);
            producer.send(new ProducerRecord<>(topics.shadow(), null, in.key(), format.encode(r.build()), headers),
                    (meta, failure) -> {
                        if (failure != null) {
                            LOG.log(Level.WARNING, "a shadow result of " + in.source() + " was not written: "
                                    + failure);
                        }
                    });
            shadowResults.increment();
        }
    }

    /** Records waiting for the candidates now. */
    public int queued() {
        return queued.get();
    }

    /** Lets the shadow thread finish what waits (a few seconds at most), then closes the producer. */
    @Override
    public void close() {
        closed = true;
        try {
            shadowThread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shadowThread.interrupt();
        requestSender.shutdown();
        try {
            requestSender.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(CLOSE_TIMEOUT);
    }
}
