package dev.modelserving.akka;

import java.util.concurrent.Executor;

/**
 * Runs a callback on the thread that completes the stage it waits for. A stage made from a Scala future (Akka's
 * {@code Patterns.ask}, Alpakka's controls) runs the callbacks of its plain methods ({@code thenApply},
 * {@code thenAccept}, {@code whenComplete}, ...) on the JDK's default async executor: the common fork-join pool, or,
 * on a machine of fewer than three cores, a new thread for each callback. Where that happens per batch of records,
 * its {@code ...Async} method is given {@link #EXECUTOR} instead.
 */
final class SameThread {

    static final Executor EXECUTOR = Runnable::run;

    private SameThread() {
    }
}
