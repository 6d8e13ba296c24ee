package dev.modelserving.kstreams;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jboss.logging.Logger;

/**
 * A stream thread that fails is replaced, not the whole client shut down: a broker killed mid-transaction fails the
 * commit (the transaction is in an invalid state, the producer fenced), and the default handler would stop every
 * thread for good. The new thread starts from the last committed offsets, so exactly-once holds. Quarkus sets this
 * bean on the Kafka Streams client before it starts.
 */
@ApplicationScoped
public class ReplaceFailedThreads implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = Logger.getLogger(ReplaceFailedThreads.class);

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.errorf("a stream thread failed (%s); it is replaced and goes on from the last committed offsets",
                exception.toString());
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
