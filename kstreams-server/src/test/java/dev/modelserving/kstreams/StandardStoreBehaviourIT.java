package dev.modelserving.kstreams;

import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerBehaviourSuite;
import dev.modelserving.suite.ServerLauncher;
import java.nio.file.Path;

/** The shared behaviour suite against the packaged Kafka Streams server with the {@code standard} store. */
class StandardStoreBehaviourIT extends ServerBehaviourSuite {

    @Override
    protected ServerLauncher launcher() {
        return KnownServers.kstreams(Path.of("."), "standard");
    }

    @Override
    protected boolean servesTheModelLifecycle() {
        return true;
    }
}
