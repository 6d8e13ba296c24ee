package dev.modelserving.reactive;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Start-up order: records are scored only once the models topic has been read to the end it had when this
 * instance started, so a restarted server scores the records that arrived while it was down with the model it
 * served before, instead of skipping them.
 */
@ApplicationScoped
public class ModelsCatchUp {

    private static final Logger LOG = Logger.getLogger(ModelsCatchUp.class);

    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    /** Partition to the end offset still to be reached; known once the start-up query answered. */
    private final Map<Integer, Long> remaining = new ConcurrentHashMap<>();
    /** Partition to the next offset after the last model message handled (the models channel may run first). */
    private final Map<Integer, Long> handled = new ConcurrentHashMap<>();
    private volatile boolean known;

    // The Kafka connector's own default when nothing (Dev Services, config) sets it.
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrap;

    @ConfigProperty(name = "mp.messaging.incoming.models.topic")
    String modelsTopic;

    @Inject
    ModelServerConfig config;

    void onStart(@Observes StartupEvent event) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<TopicPartition> partitions = admin.describeTopics(Set.of(modelsTopic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(modelsTopic).partitions().stream()
                    .map(p -> new TopicPartition(modelsTopic, p.partition())).collect(Collectors.toSet());
            var start = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.earliest())))
                    .all().get(30, TimeUnit.SECONDS);
            admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                    .all().get(30, TimeUnit.SECONDS)
                    .forEach((p, end) -> {
                        boolean empty = end.offset() <= start.get(p).offset();
                        boolean alreadyRead = handled.getOrDefault(p.partition(), 0L) >= end.offset();
                        if (!empty && !alreadyRead) {
                            remaining.put(p.partition(), end.offset());
                        }
                    });
        } catch (Exception e) {
            LOG.warnf("cannot read where topic %s ends (%s); scoring starts without waiting for the models",
                    modelsTopic, e.toString());
        }
        known = true;
        // A message handled between the query and now has been recorded in handled: apply it.
        handled.forEach(this::reached);
        if (remaining.isEmpty()) {
            caughtUp.complete(null);
        }
    }

    /** A model message at this position was handled. */
    void seen(int partition, long offset) {
        handled.merge(partition, offset + 1, Math::max);
        reached(partition, offset + 1);
        if (known && remaining.isEmpty()) {
            caughtUp.complete(null);
        }
    }

    private void reached(int partition, long next) {
        remaining.computeIfPresent(partition, (p, end) -> next >= end ? null : end);
    }

    boolean isCaughtUp() {
        return caughtUp.isDone();
    }

    /** Blocks a worker thread until the models are read, at most the configured time. */
    void await() {
        if (caughtUp.isDone()) {
            return;
        }
        try {
            caughtUp.get(config.modelsCatchUpSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("the models topic was not read to its end within %d s; scoring with what is loaded",
                    config.modelsCatchUpSeconds());
            caughtUp.complete(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            caughtUp.complete(null);
        }
    }
}
