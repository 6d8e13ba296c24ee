package dev.modelserving.kstreams;

import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.kafka.RecordDecoder;
import dev.modelserving.kafka.RecordFormat;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * The shared {@link Delivery} rule on Kafka Streams, whose producer does the attempts: a write that failed for a
 * reason that can pass (a {@link RetriableException}) is retried by Kafka Streams. Any other failure:
 * <ul>
 * <li>at least once: gives the record up (logged with where it came from, counted, shown in {@code /state}) and
 * processing goes on with the records behind it;</li>
 * <li>exactly once (the server's setting): the failure has already aborted the task's transaction, so no record of
 * it can be given up alone. The stream thread fails, is replaced ({@link ReplaceFailedThreads}), and reads and scores
 * the transaction's records again from the last committed offsets. An outcome larger than its topic takes, the one
 * failure that would come back every time, is given up before it is sent ({@link LocalServing#fits}).</li>
 * </ul>
 */
@RegisterForReflection // Kafka Streams creates it by its class name
public class UndeliverableHandler implements ProductionExceptionHandler {

    private static final System.Logger LOG = System.getLogger(UndeliverableHandler.class.getName());
    private static final AtomicReference<Delivery> DELIVERY = new AtomicReference<>();
    private static final AtomicReference<RecordFormat> DEFAULT_FORMAT = new AtomicReference<>(RecordFormat.WINE);

    private boolean exactlyOnce;

    /**
     * Where this process's handlers report the records they give up (Kafka Streams creates the handlers), and the
     * format of records without a content-type header (to count a given-up record under its dataType).
     */
    static void reportTo(Delivery delivery, RecordFormat defaultFormat) {
        DELIVERY.set(delivery);
        DEFAULT_FORMAT.set(defaultFormat);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (exception instanceof RetriableException) {
            return ProductionExceptionHandlerResponse.RETRY;
        }
        String source = Provenance.of(context.topic(), context.partition(), context.offset());
        if (exactlyOnce) {
            LOG.log(Level.WARNING, "the outcome of record " + source + " could not be written (" + exception
                    + "): its transaction is aborted and the stream thread replaced; the transaction's records are"
                    + " read and scored again from the last committed offsets");
            return ProductionExceptionHandlerResponse.FAIL;
        }
        Delivery delivery = DELIVERY.get();
        if (delivery != null) {
            delivery.givenUp(RecordDecoder.dataTypeOrNull(context.sourceRawValue(),
                    RecordFormat.contentType(context.headers()), DEFAULT_FORMAT.get()),
                    source, "Kafka Streams' attempts to write its outcome failed", exception);
        }
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        Object guarantee = configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        exactlyOnce = guarantee != null && !StreamsConfig.AT_LEAST_ONCE.equals(guarantee.toString());
    }
}
