package dev.modelserving.loader;

import dev.modelserving.proto.WineRecord;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Sends records at a steady rate, looping over them, until the count is reached or the run stops. */
final class RecordPublisher {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final byte[][] encoded;
    private final Rate rate;
    private final long count;
    private final Progress progress;

    RecordPublisher(KafkaProducer<String, byte[]> producer, String topic, List<WineRecord> records, Rate rate,
            long count, Progress progress) {
        this.producer = producer;
        this.topic = topic;
        this.encoded = records.stream().map(WineRecord::toByteArray).toArray(byte[][]::new);
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
            producer.send(new ProducerRecord<>(topic, encoded[(int) (n % encoded.length)]), (meta, e) -> {
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
