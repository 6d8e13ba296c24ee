package dev.modelserving.broker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.util.Map;

/**
 * Quarkus tests: {@code @QuarkusTestResource(KafkaBrokerTestResource.class)} points the application at the JVM's
 * {@link SharedBroker} (instead of a Dev Services container) and injects a {@link KafkaCompanion} into fields
 * annotated {@link InjectKafkaCompanion}.
 */
public final class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    private KafkaCompanion companion;

    @Override
    public Map<String, String> start() {
        String bootstrap = SharedBroker.get().bootstrapServers();
        companion = new KafkaCompanion(bootstrap);
        return Map.of("kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka-streams.bootstrap-servers", bootstrap,
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(companion,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaCompanion.class, KafkaCompanion.class));
    }

    @Override
    public void stop() {
        if (companion != null) {
            companion.close();
        }
        EmbeddedKafkaBroker.fatalError().ifPresent(error -> {
            throw new AssertionError("the embedded Kafka broker failed: " + error);
        });
    }
}
