package dev.modelserving.kstreams;

import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerBehaviourSuite;
import dev.modelserving.suite.ServerLauncher;
import java.nio.file.Path;

/** The shared behaviour suite against the packaged Kafka Streams server with the {@code custom} store. */
class CustomStoreBehaviourIT extends ServerBehaviourSuite {

    @Override
    protected ServerLauncher launcher() {
        return KnownServers.kstreams(Path.of("."), "custom");
    }

    @Override
    protected boolean servesTheModelLifecycle() {
        return true;
    }

    /** The dashboard case runs on this variant of the server. */
    @Override
    protected boolean showsTheDashboardInABrowser() {
        return true;
    }
}
