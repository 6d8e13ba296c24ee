package dev.modelserving.reactive;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.KafkaClientProperties;
import dev.modelserving.kafka.ModelLifecycleEdge;
import dev.modelserving.kafka.ServerSettings;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.rest.ServingState;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The models this instance serves: the model library's registry, built from the {@code model-server.*} settings. */
// Made at start, not at first use: its model factory readies the PMML loader while the server boots.
@Startup
@ApplicationScoped
public class ModelHolder {

    private final ModelRegistry registry;
    private final Delivery delivery;
    private final ModelLifecycleEdge lifecycle;

    /**
     * @param bootstrap the broker, as the channels get it
     * @param kafkaConfig every {@code kafka.*} property, as the channels get them (the lifecycle's producer takes
     *     them too)
     */
    @Inject
    ModelHolder(ServerSettings settings, Delivery delivery,
            @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092") String bootstrap,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, MeterRegistry meters) {
        this.lifecycle = new ModelLifecycleEdge(KafkaClientProperties.forClient(Map.of(), kafkaConfig, bootstrap),
                settings.topicNames(), settings.results().format(), settings.shadowQueueRecords(), meters);
        this.registry = lifecycle.attach(new ModelRegistry(new ModelFactory(settings.loadingPolicy()),
                settings.lifecycleRules()));
        this.delivery = delivery;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** Shadow scoring and the registry's requests on the models topic. */
    public ModelLifecycleEdge lifecycle() {
        return lifecycle;
    }

    /** What the shared REST API shows: this registry, and the records whose outcome could not be written. */
    @Produces
    @Singleton
    ServingState servingState() {
        return ServingState.of(registry).with(delivery);
    }

    @PreDestroy
    void close() {
        lifecycle.close();
        registry.close();
    }
}
