package dev.modelserving.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * For tests: a JVM started as a process of its own (a packaged server, the broker, a command line) with this JVM's
 * {@code java} and an environment that says nothing the test did not: variables that change any JVM
 * ({@code JAVA_TOOL_OPTIONS} and kin, which also print "Picked up ..." on stderr), a server ({@code QUARKUS_*},
 * {@code MP_MESSAGING_*}, {@code KAFKA_*}, {@code MODEL_SERVER_*}) or picocli's colours are removed, so a test behaves
 * the same on a developer's machine and on CI.
 */
public final class ChildJvm {

    private static final List<String> REMOVED = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
            "CLICOLOR_FORCE", "PICOCLI_ANSI");
    private static final List<String> REMOVED_PREFIXES = List.of("QUARKUS_", "MP_MESSAGING_", "KAFKA_", "SMALLRYE_",
            "MODEL_SERVER_");

    private ChildJvm() {}

    /** {@code java args...}, not started yet. */
    public static ProcessBuilder of(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> REMOVED.contains(name) || REMOVED_PREFIXES.stream().anyMatch(name::startsWith));
        return builder;
    }
}
