package dev.modelserving.reactive;

import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelsCatchUp;
import dev.modelserving.kafka.ServerSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The shared {@link ModelsCatchUp} on this server: the models topic's ends are read at start-up (from a thread of its
 * own, again and again while the broker cannot be reached: a server may start before its broker) by an admin client
 * with the same {@code kafka.*} properties as the channels' clients, the models channel reports each message it
 * applied, and the scorer waits until the catch-up is done: without limit until the ends are known (no record can be
 * scored right before then), and at most {@code model-server.models-catch-up} after.
 */
@ApplicationScoped
public class StartupCatchUp {

    private static final Logger LOG = Logger.getLogger(StartupCatchUp.class);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final ModelsCatchUp catchUp = new ModelsCatchUp();
    private final CountDownLatch endsKnown = new CountDownLatch(1);
    private volatile Thread reader;

    // The Kafka connector's own default when nothing (Dev Services, config) sets it.
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrap;

    // Every kafka.* property (a secured cluster's security.protocol, ssl.*, sasl.* too), as the channels get them.
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    ServerSettings settings;

    // The topic the models channel reads (by default model-server.topics.models).
    @ConfigProperty(name = "mp.messaging.incoming.models.topic")
    String modelsTopic;

    void onStart(@Observes StartupEvent event) {
        reader = new Thread(this::readTheEnds, "models-catch-up");
        reader.setDaemon(true);
        reader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        Thread t = reader;
        if (t != null) {
            t.interrupt();
        }
    }

    private void readTheEnds() {
        boolean warned = false;
        try (Admin admin = Admin.create(KafkaClientProperties.forClient(Map.of(), kafkaConfig, bootstrap))) {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    catchUp.start(ModelsCatchUp.ends(admin, modelsTopic, Duration.ofSeconds(10)), Map.of());
                    if (warned) {
                        LOG.infof("read where topic %s ends: catching up with the models", modelsTopic);
                    }
                    break;
                } catch (IllegalStateException noTopic) {
                    LOG.warnf("%s; records are scored without waiting for models", noTopic.getMessage());
                    catchUp.giveUp();
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    if (!warned) {
                        LOG.warnf("cannot read where topic %s ends (%s); records wait, trying again every %d s",
                                modelsTopic, e.toString(), RETRY.toSeconds());
                        warned = true;
                    }
                    Thread.sleep(RETRY.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            endsKnown.countDown();
        }
    }

    /** A model message at this position was applied. */
    void seen(int partition, long offset) {
        catchUp.seen(partition, offset);
    }

    boolean isCaughtUp() {
        return catchUp.isCaughtUp();
    }

    /** Blocks a worker thread until the models are read: the ends known, then at most the configured time. */
    void await() {
        if (catchUp.isCaughtUp()) {
            return;
        }
        try {
            endsKnown.await();
            if (!catchUp.await(settings.modelsCatchUp())) {
                LOG.warnf("the models topic was not read to its end within %s; scoring with what is loaded",
                        settings.modelsCatchUp());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
