package dev.modelserving.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One broker per test JVM, started on first use on 127.0.0.1 free ports with its data under the build directory
 * (java.io.tmpdir, which the build points at target/), and stopped when the JVM ends.
 */
public final class SharedBroker {

    private static EmbeddedKafkaBroker broker;

    private SharedBroker() {}

    public static synchronized EmbeddedKafkaBroker get() {
        if (broker == null) {
            try {
                Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kafka-test-");
                broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedKafkaBroker started = broker;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "shared-broker-shutdown"));
        }
        return broker;
    }
}
