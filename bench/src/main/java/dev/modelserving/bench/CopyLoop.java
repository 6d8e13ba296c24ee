package dev.modelserving.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The harness's ceiling, run as a process of its own so that it is measured as the servers are (its CPU time from
 * /proc, its output timed by the same outside consumer): a plain KafkaConsumer→KafkaProducer loop that copies every
 * record of one topic to another, byte for byte, until it is stopped (SIGTERM). Each copy carries a
 * {@value #SOURCE_HEADER} header ({@code partition@offset} of its input) for the latency phase. Offsets are committed
 * asynchronously after each poll, without waiting for the copies to be written: no server may do less per record.
 *
 * <p>Arguments: {@code BOOTSTRAP FROM_TOPIC TO_TOPIC GROUP}.
 */
public final class CopyLoop {

    static final String SOURCE_HEADER = "bench-source";

    private CopyLoop() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 4) {
            System.err.println("usage: CopyLoop BOOTSTRAP FROM_TOPIC TO_TOPIC GROUP");
            System.exit(2);
        }
        String bootstrap = args[0];
        String from = args[1];
        String to = args[2];
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, args[3],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 5);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.wakeup();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "copy-loop-stop"));
        try {
            consumer.subscribe(List.of(from));
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(to, r.key(), r.value());
                    copy.headers().add(SOURCE_HEADER,
                            (r.partition() + "@" + r.offset()).getBytes(StandardCharsets.US_ASCII));
                    producer.send(copy);
                }
                consumer.commitAsync();
            }
        } catch (WakeupException stop) {
            // SIGTERM
        } finally {
            producer.close(Duration.ofSeconds(10));
            consumer.close(Duration.ofSeconds(10));
            stopped.countDown();
        }
    }

    /** The producer settings of the harness's own producers and of the copy loop (which lingers 5 ms, as the servers do). */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMillis) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.LINGER_MS_CONFIG, lingerMillis, ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
    }
}
