package dev.modelserving.suite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to start each server from its packaged artifact, for the behaviour suite, the fault suite and the benchmark
 * harness. The settings' Kafka client properties reach the Quarkus servers as {@code -Dkafka.KEY=VALUE} and the
 * Akka server as {@code -X KEY=VALUE}.
 */
public final class KnownServers {

    private KnownServers() {}

    /** The settings' JVM options, then these arguments, then the more arguments. */
    private static List<String> args(List<String> jvmOptions, List<String> more, String... args) {
        List<String> all = new ArrayList<>(jvmOptions);
        all.addAll(List.of(args));
        all.addAll(more);
        return all;
    }

    /** The settings' JVM options and Kafka client properties as JVM options ({@code -Dkafka.*}). */
    private static List<String> quarkusOptions(ServerSettings s) {
        List<String> all = new ArrayList<>(s.jvmOptions());
        all.addAll(s.kafkaJvmOptions());
        return all;
    }

    /** The reactive server: {@code reactive-server/target/quarkus-app/quarkus-run.jar} under the module dir. */
    public static ServerLauncher reactive(Path moduleDir) {
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar");
        return s -> ServerProcess.start(args(quarkusOptions(s), List.of(),
                "-Dkafka.bootstrap.servers=" + s.bootstrapServers(),
                "-Dquarkus.http.port=" + s.httpPort(),
                "-Dmodel-server.topics.data=" + s.topics().data(),
                "-Dmodel-server.topics.models=" + s.topics().models(),
                "-Dmodel-server.topics.results=" + s.topics().results(),
                "-Dmodel-server.topics.dead-letters=" + s.topics().deadLetters(),
                "-Dmodel-server.topics.shadow=" + s.topics().shadow(),
                "-Dmp.messaging.incoming.data.group.id=" + s.consumerGroup(),
                "-Dmodel-server.max-model-bytes=" + s.maxModelBytes(),
                "-Dmodel-server.work-dir=" + s.stateDir().resolve("work"),
                "-jar", jar.toString()), s.httpPort(), s.logFile());
    }

    /**
     * The Kafka Streams server with one of its stores ({@code memory}, {@code standard}, {@code custom}):
     * {@code kstreams-server/target/quarkus-app/quarkus-run.jar} under the module dir.
     */
    public static ServerLauncher kstreams(Path moduleDir, String store) {
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar");
        return s -> ServerProcess.start(args(quarkusOptions(s), List.of(),
                "-Dmodel-server.store=" + store,
                "-Dmodel-server.advertised-host=127.0.0.1",
                "-Dkafka.bootstrap.servers=" + s.bootstrapServers(),
                "-Dquarkus.kafka-streams.bootstrap-servers=" + s.bootstrapServers(),
                "-Dquarkus.kafka-streams.application-id=" + s.consumerGroup(),
                "-Dkafka-streams.state.dir=" + s.stateDir().resolve("streams"),
                "-Dquarkus.http.port=" + s.httpPort(),
                "-Dmodel-server.topics.data=" + s.topics().data(),
                "-Dmodel-server.topics.models=" + s.topics().models(),
                "-Dmodel-server.topics.results=" + s.topics().results(),
                "-Dmodel-server.topics.dead-letters=" + s.topics().deadLetters(),
                "-Dmodel-server.topics.shadow=" + s.topics().shadow(),
                "-Dmodel-server.max-model-bytes=" + s.maxModelBytes(),
                "-Dmodel-server.work-dir=" + s.stateDir().resolve("work"),
                "-jar", jar.toString()), s.httpPort(), s.logFile());
    }

    /**
     * The Akka server with one of its processors ({@code stage}, {@code actor}):
     * {@code akka-server/target/akka-server.jar} under the module dir.
     */
    public static ServerLauncher akka(Path moduleDir, String processor) {
        Path jar = moduleDir.resolve("target/akka-server.jar");
        return s -> ServerProcess.start(args(s.jvmOptions(), s.kafkaArguments(),
                "-jar", jar.toString(),
                "--processor", processor,
                "--bootstrap-servers", s.bootstrapServers(),
                "--host", "127.0.0.1",
                "--port", String.valueOf(s.httpPort()),
                "--group-id", s.consumerGroup(),
                "--data-topic", s.topics().data(),
                "--models-topic", s.topics().models(),
                "--results-topic", s.topics().results(),
                "--dead-letter-topic", s.topics().deadLetters(),
                "--shadow-topic", s.topics().shadow(),
                "--max-model-bytes", String.valueOf(s.maxModelBytes()),
                "--work-dir", s.stateDir().resolve("work").toString(),
                "--state-dir", s.stateDir().resolve("akka").toString()), s.httpPort(), s.logFile());
    }
}
