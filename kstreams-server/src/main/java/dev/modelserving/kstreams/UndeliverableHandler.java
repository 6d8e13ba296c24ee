package dev.modelserving.kstreams;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.modelserving.kafka.Delivery;
import dev.modelserving.kafka.Provenance;
import dev.modelserving.proto.WineRecord;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

/**
 * The shared {@link Delivery} rule on Kafka Streams, whose producer does the attempts: a write that failed for a
 * reason that can pass (a {@link RetriableException}) is retried by Kafka Streams; any other (the result or dead
 * letter is larger than its topic takes, ...) gives the record up: logged with where it came from, counted, shown in
 * {@code /state}, and processing goes on with the records behind it.
 */
@RegisterForReflection // Kafka Streams creates it by its class name
public class UndeliverableHandler implements ProductionExceptionHandler {

    private static final AtomicReference<Delivery> DELIVERY = new AtomicReference<>();

    /** Where this process's handlers report the records they give up (Kafka Streams creates the handlers). */
    static void reportTo(Delivery delivery) {
        DELIVERY.set(delivery);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (exception instanceof RetriableException) {
            return ProductionExceptionHandlerResponse.RETRY;
        }
        Delivery delivery = DELIVERY.get();
        if (delivery != null) {
            delivery.givenUp(dataType(context.sourceRawValue()),
                    Provenance.of(context.topic(), context.partition(), context.offset()),
                    "Kafka Streams' attempts to write its outcome failed", exception);
        }
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    private static String dataType(byte[] input) {
        try {
            return input == null ? null : WineRecord.parseFrom(input).getDataType();
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure: the Delivery comes from the server
    }
}
