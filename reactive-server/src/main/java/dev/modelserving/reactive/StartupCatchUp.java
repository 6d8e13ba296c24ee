package dev.modelserving.reactive;

import dev.modelserving.kafka.ModelsCatchUp;
import dev.modelserving.kafka.ServerSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The shared {@link ModelsCatchUp} on this server: the models topic's ends are read at start-up, the models channel
 * reports each message it applied, and the scorer waits until the catch-up is done (at most the configured time).
 */
@ApplicationScoped
public class StartupCatchUp {

    private static final Logger LOG = Logger.getLogger(StartupCatchUp.class);

    private final ModelsCatchUp catchUp = new ModelsCatchUp();

    // The Kafka connector's own default when nothing (Dev Services, config) sets it.
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrap;

    @Inject
    ServerSettings settings;

    // The topic the models channel reads (by default model-server.topics.models).
    @ConfigProperty(name = "mp.messaging.incoming.models.topic")
    String modelsTopic;

    void onStart(@Observes StartupEvent event) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            catchUp.start(ModelsCatchUp.ends(admin, modelsTopic, Duration.ofSeconds(30)), Map.of());
        } catch (Exception e) {
            LOG.warnf("cannot read where topic %s ends (%s); scoring starts without waiting for the models",
                    modelsTopic, e.toString());
            catchUp.giveUp();
        }
    }

    /** A model message at this position was applied. */
    void seen(int partition, long offset) {
        catchUp.seen(partition, offset);
    }

    boolean isCaughtUp() {
        return catchUp.isCaughtUp();
    }

    /** Blocks a worker thread until the models are read, at most the configured time. */
    void await() {
        if (catchUp.isCaughtUp()) {
            return;
        }
        try {
            if (!catchUp.await(settings.modelsCatchUp())) {
                LOG.warnf("the models topic was not read to its end within %s; scoring with what is loaded",
                        settings.modelsCatchUp());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
