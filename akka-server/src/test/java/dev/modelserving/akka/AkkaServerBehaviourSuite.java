package dev.modelserving.akka;

import dev.modelserving.suite.BrokerProcess;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerBehaviourSuite;
import dev.modelserving.suite.ServerLauncher;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared behaviour suite against the packaged Akka server with one of its processors, and the broker as a
 * process of its own (the Akka server's Scala 2.12 and the broker's 2.13 do not share a JVM).
 */
abstract class AkkaServerBehaviourSuite extends ServerBehaviourSuite {

    private static BrokerProcess broker;

    /** {@code stage} or {@code actor}. */
    protected abstract String processor();

    @BeforeAll
    static void startTheBroker() throws Exception {
        broker = BrokerProcess.start(Path.of("..", "broker", "target", "broker.jar"),
                Path.of("target", "broker-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
    }

    @AfterAll
    static void stopTheBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected String bootstrapServers() {
        return broker.bootstrapServers();
    }

    @Override
    protected ServerLauncher launcher() {
        return KnownServers.akka(Path.of("."), processor());
    }

    @Override
    protected boolean servesTheModelLifecycle() {
        return true;
    }
}
