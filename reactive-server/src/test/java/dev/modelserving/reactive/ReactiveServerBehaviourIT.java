package dev.modelserving.reactive;

import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerBehaviourSuite;
import dev.modelserving.suite.ServerLauncher;
import java.nio.file.Path;

/** The shared behaviour suite against the packaged reactive server (target/quarkus-app), one process per test. */
class ReactiveServerBehaviourIT extends ServerBehaviourSuite {

    @Override
    protected ServerLauncher launcher() {
        return KnownServers.reactive(Path.of("."));
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
