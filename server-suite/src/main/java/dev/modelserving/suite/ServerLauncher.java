package dev.modelserving.suite;

/** How a server under test is started; a new process for every call. */
@FunctionalInterface
public interface ServerLauncher {

    ServerProcess start(ServerSettings settings) throws Exception;
}
