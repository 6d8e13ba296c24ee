package dev.modelserving.reactive;

import dev.modelserving.suite.ServerBehaviourSuite;
import dev.modelserving.suite.ServerLauncher;
import dev.modelserving.suite.ServerProcess;
import java.util.List;

/** The shared behaviour suite against the packaged reactive server (target/quarkus-app), one process per test. */
class ReactiveServerBehaviourIT extends ServerBehaviourSuite {

    @Override
    protected ServerLauncher launcher() {
        return s -> ServerProcess.start(List.of(
                "-Dkafka.bootstrap.servers=" + s.bootstrapServers(),
                "-Dquarkus.http.port=" + s.httpPort(),
                "-Dmp.messaging.incoming.data.topic=" + s.topics().data(),
                "-Dmp.messaging.incoming.data.group.id=" + s.consumerGroup(),
                "-Dmp.messaging.incoming.models.topic=" + s.topics().models(),
                "-Dmp.messaging.outgoing.results.topic=" + s.topics().results(),
                "-Dmp.messaging.outgoing.dead-letters.topic=" + s.topics().deadLetters(),
                "-Dmodel-server.max-model-bytes=" + s.maxModelBytes(),
                "-Dmodel-server.work-dir=" + s.stateDir().resolve("work"),
                "-jar", "target/quarkus-app/quarkus-run.jar"), s.httpPort(), s.logFile());
    }
}
