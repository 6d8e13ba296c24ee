package dev.modelserving.kstreams;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelLifecycleEdge;
import dev.modelserving.kafka.Outcome;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.ResultFormat;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.kafka.SizeCheck;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.LifecycleRules;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.ServingSummary;
import dev.modelserving.rest.ServingState;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The models this instance serves, one registry per active task (per data partition) in the {@code standard} and
 * {@code custom} variants, one registry under {@link #GLOBAL} in {@code memory}. Stores and processors register
 * their registry when their task starts and take it back when it closes; the REST API reads the summary.
 */
// Made at start, not at first use: its model factory readies the PMML loader while the server boots.
@Startup
@ApplicationScoped
public class LocalServing implements ServingState {

    /** The key of the one registry of the {@code memory} variant's global store. */
    public static final int GLOBAL = -1;

    private final ModelFactory factory;
    private final LifecycleRules rules;
    /** Shadow scoring and the registries' requests on the models topic; none in a test of a topology. */
    private final ModelLifecycleEdge lifecycle;
    private final Delivery delivery;
    private final SizeCheck sizeCheck;
    private final RecordFormat defaultFormat;
    private final ResultFormat resultFormat;
    private final Map<Integer, ModelRegistry> tasks = new ConcurrentSkipListMap<>();

    /**
     * The server's: the records Kafka Streams gave up (see {@link UndeliverableHandler}) count here. The size check's
     * admin client takes every {@code kafka.*} property (a secured cluster's too), as Kafka Streams does.
     */
    @Inject
    LocalServing(ServerSettings settings, Delivery delivery,
            @ConfigProperty(name = "quarkus.kafka-streams.bootstrap-servers") String bootstrap,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.factory = new ModelFactory(settings.loadingPolicy());
        this.rules = settings.lifecycleRules();
        this.lifecycle = new ModelLifecycleEdge(KafkaClientProperties.forClient(Map.of(), kafkaConfig, bootstrap),
                settings.topicNames(), settings.results().format(), settings.shadowQueueRecords(), meters);
        this.delivery = delivery;
        this.defaultFormat = settings.data().format();
        this.resultFormat = settings.results().format();
        this.sizeCheck = new SizeCheck(KafkaClientProperties.forClient(Map.of(), kafkaConfig, bootstrap),
                settings.topicNames(), delivery);
        UndeliverableHandler.reportTo(delivery, settings.data().format());
    }

    /** For tests of a topology: no records given up to show. */
    public LocalServing(LoadingPolicy policy) {
        this.factory = new ModelFactory(policy);
        this.rules = LifecycleRules.DEFAULTS;
        this.lifecycle = null;
        this.delivery = null;
        this.sizeCheck = null;
        this.defaultFormat = RecordFormat.WINE;
        this.resultFormat = ResultFormat.PROTOBUF;
    }

    /** The format of a data record without a content-type header. */
    RecordFormat defaultFormat() {
        return defaultFormat;
    }

    /** How results are written. */
    ResultFormat resultFormat() {
        return resultFormat;
    }

    /**
     * Whether an outcome fits its topic (one that does not is given up): under exactly-once a message the broker
     * refuses would abort the task's transaction again and again. Without a server (a test of a topology) all fit.
     */
    boolean fits(Outcome<?> outcome) {
        return sizeCheck == null || sizeCheck.fits(outcome);
    }

    /** Counts the models-topic messages the global store has taken: tasks compare it to know when to sync. */
    private final AtomicLong published = new AtomicLong();

    /** The global store has taken a models-topic message. */
    void published() {
        published.incrementAndGet();
    }

    /** How many models-topic messages the global store has taken (a cheap "anything new?" check). */
    long publishedCount() {
        return published.get();
    }

    /**
     * A new, empty registry for a task (or the global store), with the server's lifecycle rules; its requests go to
     * the models topic.
     */
    public ModelRegistry newRegistry() {
        ModelRegistry registry = new ModelRegistry(factory, rules);
        return lifecycle == null ? registry : lifecycle.attach(registry);
    }

    /** Shadow scoring through the shared Kafka edge; null in a test of a topology. */
    ModelLifecycleEdge lifecycle() {
        return lifecycle;
    }

    @PreDestroy
    void close() {
        if (lifecycle != null) {
            lifecycle.close();
        }
    }

    /** A task (or the global store) serves from this registry from now on. */
    public void serving(int partition, ModelRegistry registry) {
        tasks.put(partition, registry);
    }

    /** The task has closed (revoked, or the instance stops): its registry no longer counts. */
    public void stopped(int partition, ModelRegistry registry) {
        tasks.remove(partition, registry);
    }

    /** Whether a task (or the global store) active here has had a model for the dataType. */
    boolean served(String dataType) {
        for (ModelRegistry r : tasks.values()) {
            if (r.hasHadAModel(dataType)) {
                return true;
            }
        }
        return false;
    }

    /** Partition (or {@link #GLOBAL}) to registry, for every task active here. */
    public Map<Integer, ModelRegistry> registries() {
        return Map.copyOf(tasks);
    }

    @Override
    public Map<String, ServingStats> allStats() {
        Map<String, ServingStats> stats = ServingSummary.stats(tasks.values().stream().map(ModelRegistry::allStats)
                .toList());
        return delivery == null ? stats : delivery.addTo(stats);
    }

    @Override
    public Map<String, CurrentModel> servedModels() {
        List<ModelRegistry> rs = List.copyOf(tasks.values());
        return ServingSummary.models(rs.stream().map(ModelRegistry::servedModels).toList(),
                rs.stream().map(r -> r.allStats().keySet()).toList());
    }
}
