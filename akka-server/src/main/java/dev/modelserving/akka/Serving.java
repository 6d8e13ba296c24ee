package dev.modelserving.akka;

import akka.Done;
import akka.NotUsed;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.CoordinatedShutdown;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.japi.function.Creator;
import akka.kafka.ConsumerMessage.CommittableOffset;
import akka.kafka.javadsl.Committer;
import akka.kafka.javadsl.Consumer;
import akka.pattern.Patterns;
import akka.stream.Attributes;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.SourceShape;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.GraphDSL;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.modelserving.dashboard.DashboardFeed;
import dev.modelserving.kafka.DataRecord;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelLifecycleEdge;
import dev.modelserving.kafka.RecordScoring;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.Features;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * The running server: the chosen processor between Alpakka Kafka's sources and sinks, and the REST API. Each
 * stream runs inside a restart-with-backoff, so a broker outage, a rebalance or a failed commit restarts it
 * instead of stopping it. Records go through the data stream in batches (read, scored, written, committed);
 * a batch's offsets are committed after all its results and dead letters are written (at-least-once).
 */
final class Serving {

    private static final Duration ASK = Duration.ofSeconds(30);
    /** Batches being scored by the actors at once. */
    private static final int SCORING_PARALLELISM = 4;

    private final ActorSystem system;
    private final ServerConfig config;
    private final KafkaIO kafka;
    private final ServingMetrics metrics;
    private final RecordScoring scoring;
    private final Delivery delivery;
    private final OutcomeWriter writer;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ModelFactory factory;
    private final ModelLifecycleEdge lifecycle;
    /** The actor processor's registries by dataType, while their actors run. */
    private final Map<String, ModelRegistry> actorRegistries = new ConcurrentHashMap<>();
    private final Executor blocking;
    private final List<UniqueKillSwitch> switches = new ArrayList<>();
    private final List<CompletionStage<Done>> streams = new ArrayList<>();
    private Supplier<ServingView> view;
    private ServerBinding binding;

    private Serving(ActorSystem system, ServerConfig config) {
        this.system = system;
        this.config = config;
        this.kafka = new KafkaIO(system, config, meters);
        this.metrics = new ServingMetrics(meters, config.loading().maxDataTypes());
        this.lifecycle = new ModelLifecycleEdge(KafkaClientProperties.forClient(Map.of(), config.kafkaProperties(),
                config.bootstrapServers()), config.topics(), config.resultsFormat(), config.shadowQueueRecords(), meters);
        this.scoring = new RecordScoring(metrics, config.dataFormat(), config.resultsFormat()).withLifecycle(lifecycle);
        this.delivery = new Delivery(metrics);
        this.writer = kafka.writer(delivery);
        this.factory = new ModelFactory(config.loading());
        this.blocking = system.dispatchers().lookup("akka.actor.default-blocking-io-dispatcher");
    }

    /** What the dashboard shows ({@link DashboardFeed}), from the REST API's view and the meters. */
    private CompletionStage<DashboardFeed.Feed> feed() {
        ServingView v = view.get();
        return v.allStats().thenCombine(v.models(), (stats, models) -> DashboardFeed.of("akka-server ("
                + config.processor().name().toLowerCase(Locale.ROOT) + ")", config.topics().data(), stats, models,
                meters));
    }

    /** Starts the processor's streams and the REST API; returns once the API listens. */
    static Serving start(ActorSystem system, ServerConfig config) throws Exception {
        Serving s = new Serving(system, config);
        if (config.processor() == ServerConfig.Processor.STAGE) {
            s.startStage();
        } else {
            s.startActors();
        }
        s.binding = Http.get(system).newServerAt(config.host(), config.port())
                .bind(new StateRoutes(s.view, s::health, s.meters::scrape, s::feed).routes())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-rest",
                () -> s.binding.unbind().thenApply(x -> Done.getInstance()));
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "drain-streams", s::drain);
        system.log().info("akka-server ({} processor) serving on {}, REST on {}", config.processor()
                .name().toLowerCase(Locale.ROOT), config.bootstrapServers(), s.binding.localAddress());
        return s;
    }

    /**
     * A graceful stop: the data consumer stops taking records, the records already read are scored, written and
     * their offsets committed (the stream completes), and only then do the consumer, the models stream and the
     * producer close. A restart after it scores nothing twice. Bounded by the shutdown phase's 30 s.
     */
    private CompletionStage<Done> drain() {
        Consumer.Control control = kafka.dataControl();
        CompletableFuture<?>[] running;
        synchronized (this) {
            running = streams.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
        }
        return control.stop()
                .thenCompose(stopped -> CompletableFuture.allOf(running).orTimeout(25, TimeUnit.SECONDS))
                .handle((drained, error) -> {
                    if (error != null) {
                        system.log().warning("the data stream did not drain ({}): records read but not yet"
                                + " committed are scored again after the restart", error.toString());
                    }
                    return Done.getInstance();
                })
                .thenCompose(done -> control.shutdown())
                .thenCompose(done -> {
                    kafka.closeDataConsumerMeters();
                    synchronized (this) {
                        switches.forEach(UniqueKillSwitch::shutdown);
                    }
                    return writer.close(blocking);
                })
                .thenApply(done -> {
                    delivery.close();
                    lifecycle.close();
                    return Done.getInstance();
                });
    }

    private RestartSettings restart() {
        return RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
    }

    // ---- stage: one GraphStage between the models and the data ----------------------------------------------

    private void startStage() {
        AtomicReference<ServingView> current = new AtomicReference<>(ServingView.none());
        // The stage asks its island's source for one batch at a time (not the default 16), so that each batch holds
        // everything that came while the stage scored the last one.
        run(() -> Source.fromGraph(GraphDSL.create(new ModelServingStage<CommittableOffset>(this::newRegistry,
                        metrics, scoring, blocking).withAttributes(Attributes.inputBuffer(1, 1)), (b, stage) -> {
                    b.from(b.add(kafka.models(blocking, Map.of()))).toInlet(stage.in0());
                    // An island of its own: records gather into a batch while the stage scores the last one
                    // (fused with the stage, the source would hand it a record at a time).
                    b.from(b.add(kafka.data().async())).toInlet(stage.in1());
                    return SourceShape.of(stage.out());
                }))
                .mapMaterializedValue(v -> {
                    current.set(v);
                    return NotUsed.getInstance();
                }));
        view = () -> current.get().with(delivery);
    }

    // ---- actor: a router and one serving actor per dataType -------------------------------------------------

    private void startActors() {
        ActorRef manager = system.actorOf(ModelServingManager.props(this::newRegistry, actorRegistries,
                config.stateDir(), metrics), "models");
        CompletableFuture<Done> modelsCaughtUp = new CompletableFuture<>();
        ModelsPosition position = new ModelsPosition(config.stateDir());
        // an update is answered once its load (bounded by the model load timeout) is done and saved
        Duration modelAsk = config.loading().loadTimeout().plusMinutes(1);
        // The actors keep their models on disk: the models topic is read on from where they left it.
        Source<Object, NotUsed> models = RestartSource.onFailuresWithBackoff(restart(), () -> kafka
                .models(blocking, position.next())
                .mapAsync(1, m -> {
                    if (m.isCaughtUp()) {
                        modelsCaughtUp.complete(Done.getInstance());
                        return CompletableFuture.completedFuture(m);
                    }
                    return Patterns.ask(manager, new ModelServingActor.Update(m), modelAsk).thenApply(outcome -> {
                        position.applied(m.partition(), m.offset());
                        return outcome;
                    });
                }));
        UniqueKillSwitch modelsSwitch = models.viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.ignore(), Keep.left()).run(system);
        switches.add(modelsSwitch);
        // Records wait for the models: none is skipped for want of a model the topic holds.
        // One ask per batch of records (what came while the asks in flight were busy, up to 256), split by dataType
        // by the router; the outcomes stay together as the batch to write.
        modelsCaughtUp.thenRun(() -> run(() -> kafka.data()
                .mapAsync(SCORING_PARALLELISM, batch -> score(manager, batch))));
        ServingView actors = ServingView.of(manager, ASK, modelsCaughtUp::isDone).with(delivery);
        view = () -> actors;
    }

    /** The outcomes of a batch, in order: what does not decode as its dead letter, the rest scored by the actors. */
    @SuppressWarnings("unchecked")
    private CompletionStage<List<Outcome<CommittableOffset>>> score(ActorRef manager,
            List<DataRecord<CommittableOffset>> in) {
        List<RecordScoring.Decoded<CommittableOffset>> batch = new ArrayList<>(in.size());
        for (DataRecord<CommittableOffset> r : in) {
            batch.add(scoring.decode(r));
        }
        List<Features> records = RecordScoring.records(batch);
        CompletionStage<List<Scored>> scored = records.isEmpty() ? CompletableFuture.completedFuture(List.of())
                : Patterns.ask(manager, new ModelServingActor.ScoreBatch(records), ASK)
                        .thenApplyAsync(a -> (List<Scored>) a, SameThread.EXECUTOR);
        return scored.thenApply(list -> scoring.outcomes(batch, list, actorRegistries::get));
    }

    /** A registry with the server's lifecycle rules, whose requests go to the models topic. */
    private ModelRegistry newRegistry() {
        return lifecycle.attach(new ModelRegistry(factory, config.lifecycle()));
    }

    /**
     * Runs a data stream of batches of outcomes: the results and dead letters of each batch are written, then its
     * offsets committed, batch after batch in order; on a failure the whole stream (a new consumer and committer,
     * and for the stage a new stage; the writer and its producer stay) starts again after a backoff.
     */
    private synchronized void run(Creator<Source<List<Outcome<CommittableOffset>>, NotUsed>> outcomes) {
        var running = RestartSource.onFailuresWithBackoff(restart(), () -> outcomes.create()
                        .via(kafka.output(writer))
                        .via(Committer.flow(kafka.committer())))
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.ignore(), Keep.both()).run(system);
        switches.add(running.first());
        streams.add(running.second());
    }

    /**
     * Seconds since the data consumer last heard from its group coordinator, read when asked: the younger of its
     * {@code last-heartbeat-seconds-ago} and {@code last-rebalance-seconds-ago} (Kafka's consumer-coordinator
     * metrics), so that a consumer counts as in its group as soon as it has joined, not only from its first heartbeat
     * (a heartbeat interval later). One that has heard nothing for longer than its session timeout is out of the group
     * and reads nothing, whether the broker is away or the consumer is still joining (-1: neither has happened yet;
     * infinite: the consumer did not answer within a second, e.g. while the data stream restarts).
     */
    private CompletionStage<Double> groupContactSecondsAgo() {
        return kafka.dataControl().getMetrics().toCompletableFuture()
                .thenApply(Serving::groupContactSecondsAgo)
                .completeOnTimeout(Double.POSITIVE_INFINITY, 1, TimeUnit.SECONDS)
                .exceptionally(error -> Double.POSITIVE_INFINITY);
    }

    static double groupContactSecondsAgo(Map<MetricName, ? extends Metric> metrics) {
        double[] ages = metrics.entrySet().stream()
                .filter(e -> e.getKey().group().equals("consumer-coordinator-metrics")
                        && (e.getKey().name().equals("last-heartbeat-seconds-ago")
                                || e.getKey().name().equals("last-rebalance-seconds-ago")))
                .map(e -> e.getValue().metricValue())
                .filter(Number.class::isInstance)
                .mapToDouble(v -> ((Number) v).doubleValue())
                .toArray();
        if (ages.length == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return Arrays.stream(ages).filter(a -> a >= 0).min().orElse(-1);
    }

    private CompletionStage<StateRoutes.Health> health() {
        return groupContactSecondsAgo().thenApply(this::health);
    }

    private synchronized StateRoutes.Health health(double groupContactSecondsAgo) {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean models = view.get().caughtUp();
        boolean data = !streams.isEmpty() && streams.stream().noneMatch(s -> s.toCompletableFuture().isDone());
        boolean inGroup = groupContactSecondsAgo >= 0
                && groupContactSecondsAgo <= KafkaIO.SESSION_TIMEOUT.toSeconds(); // -1: not joined yet
        checks.put("processor", config.processor().name().toLowerCase(Locale.ROOT));
        checks.put("models-caught-up", models);
        checks.put("data-stream-running", data);
        checks.put("data-consumer-in-group", inGroup);
        checks.put("writes-failing", delivery.stalled());
        checks.put("undeliverable", delivery.undeliverable());
        return new StateRoutes.Health(models && data && inGroup && !delivery.stalled() ? "UP" : "DOWN", checks);
    }
}
