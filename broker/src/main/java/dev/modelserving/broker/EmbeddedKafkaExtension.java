package dev.modelserving.broker;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: {@code @ExtendWith(EmbeddedKafkaExtension.class)} gives tests the JVM's {@link SharedBroker} as an
 * {@link EmbeddedKafkaBroker} parameter, and fails a test during which Kafka tried to halt the JVM.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        SharedBroker.get();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        EmbeddedKafkaBroker.fatalError().ifPresent(error -> {
            throw new AssertionError("the embedded Kafka broker failed: " + error);
        });
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return SharedBroker.get();
    }
}
