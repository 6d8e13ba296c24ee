package dev.modelserving.loader;

import dev.modelserving.kafka.RecordFormat;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends records at a steady rate, each with the {@code content-type} header of its format, taking the next one
 * from a source that loops, until the count is reached or the run stops.
 */
final class RecordPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final Iterator<byte[]> records;
    private final byte[] contentType;
    private final Rate rate;
    private final long count;
    private final Progress progress;

    RecordPublisher(KafkaProducer<String, byte[]> producer, String topic, Iterator<byte[]> records,
            RecordFormat format, Rate rate, long count, Progress progress) {
        this.producer = producer;
        this.topic = topic;
        this.records = records;
        this.contentType = format.contentType.getBytes(StandardCharsets.UTF_8);
        this.rate = rate;
        this.count = count;
        this.progress = progress;
    }

    void run() throws InterruptedException {
        long start = System.nanoTime();
        for (long n = 0; (count == 0 || n < count) && !progress.stopping(); n++) {
            long wait = start + rate.dueNanos(n) - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, records.next());
            record.headers().add(RecordFormat.HEADER, contentType);
            producer.send(record, (meta, e) -> {
                if (e == null) {
                    progress.recordSent();
                } else {
                    progress.recordFailed(e);
                }
            });
        }
        producer.flush();
    }
}
