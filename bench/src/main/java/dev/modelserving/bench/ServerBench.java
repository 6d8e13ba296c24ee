package dev.modelserving.bench;

import dev.modelserving.broker.BrokerConfig;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.RecordEncoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerLauncher;
import dev.modelserving.suite.ServerProcess;
import dev.modelserving.suite.ServerSettings;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The servers' benchmark harness, one run on this machine against one in-process broker on 127.0.0.1:
 * <ol>
 * <li>preloads N wine records into a data topic, one topic per record format asked for;</li>
 * <li>the ceiling: a plain KafkaConsumer→KafkaProducer loop copies them to another topic;</li>
 * <li>drain: each server starts with the project's decision tree and scores the same N records; timed from the
 * first result to the Nth;</li>
 * <li>latency: records at a fixed rate, time from a record's send to its result's arrival, p50/p99;</li>
 * </ol>
 * and prints every figure next to the copy loop. Bounded: every phase has a deadline and everything stops.
 */
@Command(name = "server-bench", mixinStandardHelpOptions = true)
public final class ServerBench implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "The repository root (the servers' modules are under it).")
    Path repo;

    @Option(names = "--server", defaultValue = "reactive", split = ",", description = "Servers to measure (default: ${DEFAULT-VALUE}).")
    List<String> servers;

    @Option(names = "--records", defaultValue = "1000000", description = "Records to preload and drain (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--rate", defaultValue = "1000", description = "Records/s for the latency phase (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "20", description = "Length of the latency phase (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--record-format", defaultValue = "wine", split = ",", description = "Record formats to measure each server with: wine, features, json; each format has its own preloaded topic, its records carry their content-type header (default: ${DEFAULT-VALUE}).")
    List<RecordFormat> formats;

    /** The same wines in one format, and the header that names it. */
    private record Encoded(RecordFormat format, List<byte[]> values, byte[] contentType) {

        static Encoded of(RecordFormat format) {
            List<byte[]> values = ProjectData.wines().stream().map(w -> encode(format, w.toRecord("wine"))).toList();
            return new Encoded(format, values, format.contentType.getBytes(StandardCharsets.UTF_8));
        }

        private static byte[] encode(RecordFormat format, WineRecord wine) {
            double[] v = WineFeatures.values(wine);
            Map<String, Object> named = new LinkedHashMap<>();
            for (int i = 0; i < v.length; i++) {
                named.put(WineFeatures.UCI_NAMES.get(i), v[i]);
            }
            return RecordEncoder.encode(format, wine.getDataType(), named);
        }

        ProducerRecord<byte[], byte[]> record(String topic, int i) {
            ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, values.get(i % values.size()));
            r.headers().add(RecordFormat.HEADER, contentType);
            return r;
        }
    }

    private static final int PARTITIONS = 3;
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(10);

    private String bootstrap;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "server-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(work.resolve("kafka")))) {
            bootstrap = broker.bootstrapServers();
            Map<RecordFormat, Topics> sources = new LinkedHashMap<>();
            Map<RecordFormat, Encoded> encoded = new LinkedHashMap<>();
            for (RecordFormat format : formats) {
                Topics source = Topics.withPrefix("bench_" + format.label() + "_");
                createTopics(source);
                Encoded wines = Encoded.of(format);
                long t0 = System.nanoTime();
                preload(source.data(), wines, records);
                report("preload " + format.label() + " (~" + wines.values().get(0).length + " bytes each)", records,
                        System.nanoTime() - t0);
                sources.put(format, source);
                encoded.put(format, wines);
            }

            double copy = copyLoop(sources.values().iterator().next().data(), "bench_copy");
            Map<String, double[]> figures = new LinkedHashMap<>();
            for (String name : servers) {
                for (RecordFormat format : formats) {
                    String label = formats.size() == 1 ? name : name + " " + format.label();
                    figures.put(label, measure(name, format, sources.get(format), work, encoded.get(format)));
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "%-20s %14s %10s %10s %10s%n", "", "drain rec/s", "÷ copy", "p50 ms",
                    "p99 ms");
            System.out.printf(Locale.ROOT, "%-20s %14.0f %10s %10s %10s%n", "copy loop", copy, "1.00", "", "");
            figures.forEach((name, f) -> System.out.printf(Locale.ROOT, "%-20s %14.0f %10.2f %10.1f %10.1f%n",
                    name, f[0], f[0] / copy, f[1], f[2]));
            System.out.printf("(%d records, %d partitions, decision-tree PMML, latency at %d records/s for %d s;"
                    + " the copy loop copies the %s records)%n", records, PARTITIONS, rate, latencySeconds,
                    formats.get(0).label());
        }
        return 0;
    }

    private double[] measure(String name, RecordFormat format, Topics source, Path work, Encoded wines)
            throws Exception {
        ServerLauncher launcher = launcher(name);
        String run = name + "_" + format.label();
        Topics topics = Topics.withPrefix("bench_" + run + "_");
        createTopics(topics);
        send(topics.models(), "wine", ProjectModel.DECISION_TREE.descriptor("1").toByteArray());
        // The server reads the preloaded data topic itself; models and results are its own.
        Topics serverTopics = topics.withData(source.data());
        Path state = Files.createDirectories(work.resolve(run));
        ServerSettings settings = new ServerSettings(bootstrap, serverTopics, "bench-" + run, freePort(), state,
                64L * 1024 * 1024, work.resolve(run + ".log"));
        try (ServerProcess server = launcher.start(settings)) {
            double drain = awaitResults(topics.results(), records);
            System.out.printf(Locale.ROOT, "%s (%s): drained %d records at %.0f records/s%n", name, format.label(),
                    records, drain);
            double[] latency = latency(source.data(), topics.results(), wines);
            System.out.printf(Locale.ROOT, "%s: end-to-end latency at %d records/s: p50 %.1f ms, p99 %.1f ms%n",
                    name, rate, latency[0], latency[1]);
            return new double[] {drain, latency[0], latency[1]};
        }
    }

    private ServerLauncher launcher(String name) {
        return switch (name) {
            case "reactive" -> KnownServers.reactive(repo.resolve("reactive-server"));
            case "kstreams", "kstreams-custom" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "custom");
            case "kstreams-standard" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "standard");
            case "kstreams-memory" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "memory");
            case "akka-stage", "akka" -> KnownServers.akka(repo.resolve("akka-server"), "stage");
            case "akka-actor" -> KnownServers.akka(repo.resolve("akka-server"), "actor");
            default -> throw new IllegalArgumentException("unknown server '" + name + "' (known: reactive,"
                    + " kstreams-custom (or kstreams), kstreams-standard, kstreams-memory, akka-stage (or akka),"
                    + " akka-actor)");
        };
    }

    private void preload(String topic, Encoded wines, int n) {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < n; i++) {
                producer.send(wines.record(topic, i));
            }
            producer.flush();
        }
    }

    /** The ceiling: consume the topic and produce every record to another, as fast as Kafka allows. */
    private double copyLoop(String from, String to) {
        long copied = 0;
        long start = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("bench-copy");
                KafkaProducer<byte[], byte[]> producer = producer()) {
            consumer.subscribe(List.of(from));
            long deadline = start + PHASE_LIMIT.toNanos();
            while (copied < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    producer.send(new ProducerRecord<>(to, r.value()));
                    copied++;
                }
                consumer.commitAsync();
            }
            producer.flush();
        }
        long nanos = System.nanoTime() - start;
        report("copy loop", copied, nanos);
        return copied / (nanos / 1e9);
    }

    /**
     * Records/s from the first result to the Nth (start-up excluded). Results are counted as read (committed
     * ones only), not from end offsets: under exactly-once, transaction markers take offsets too.
     */
    private double awaitResults(String topic, long n) {
        long first = 0;
        long count = 0;
        long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("bench-count-" + topic)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (System.nanoTime() < deadline) {
                int polled = consumer.poll(Duration.ofMillis(50)).count();
                if (polled > 0 && first == 0) {
                    first = System.nanoTime();
                }
                count += polled;
                if (count >= n) {
                    return (n - 1) / ((System.nanoTime() - first) / 1e9);
                }
            }
        }
        throw new IllegalStateException("only " + count + " of " + n + " results within " + PHASE_LIMIT);
    }

    /** Sends at a fixed rate and times each record from its send to its result's arrival: {p50, p99} in ms. */
    private double[] latency(String data, String results, Encoded wines) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = new ArrayList<>();
        int total = rate * latencySeconds;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("bench-latency");
                KafkaProducer<byte[], byte[]> producer = producer()) {
            List<TopicPartition> partitions = partitions(consumer, results);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            Thread sender = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long now = System.nanoTime();
                    producer.send(wines.record(data, i), (meta, e) -> {
                        if (e == null) {
                            sentAt.put(meta.partition() + "@" + meta.offset(), now);
                        }
                    });
                }
                producer.flush();
            }, "bench-latency-sender");
            sender.start();
            Map<String, Long> arrived = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(latencySeconds + 60).toNanos();
            // Only results of records this phase sent count: the data topic may hold a backlog of others.
            while ((sender.isAlive() || !arrived.keySet().containsAll(sentAt.keySet()))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    var result = ServingResult.parseFrom(r.value());
                    arrived.putIfAbsent(result.getSourcePartition() + "@" + result.getSourceOffset(), System.nanoTime());
                }
            }
            sender.join(TimeUnit.SECONDS.toMillis(30));
            arrived.forEach((key, at) -> {
                Long sent = sentAt.get(key);
                if (sent != null) {
                    latencies.add(at - sent);
                }
            });
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length < total * 9 / 10) {
            throw new IllegalStateException("only " + sorted.length + " of " + total + " results arrived in time");
        }
        return new double[] {percentile(sorted, 0.50), percentile(sorted, 0.99)};
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private void createTopics(Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics.ensure(admin, PARTITIONS);
        }
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(), value)).get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024));
    }

    private KafkaConsumer<byte[], byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static void report(String what, long n, long nanos) {
        System.out.printf(Locale.ROOT, "%s: %d records in %.1f s (%.0f records/s)%n", what, n, nanos / 1e9,
                n / (nanos / 1e9));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
