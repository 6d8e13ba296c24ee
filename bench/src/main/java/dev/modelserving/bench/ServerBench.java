package dev.modelserving.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Optional;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.model.ModelsTopic;
import dev.modelserving.broker.BrokerConfig;
import dev.modelserving.broker.ChildJvm;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.RecordEncoder;
import dev.modelserving.kafka.RecordFormat;
import dev.modelserving.kafka.Topics;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ServingResult;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.suite.KnownServers;
import dev.modelserving.suite.ServerLauncher;
import dev.modelserving.suite.ServerProcess;
import dev.modelserving.suite.ServerSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The servers' benchmark harness: one run on this machine against one in-process broker on 127.0.0.1.
 * <ol>
 * <li>Preloads N wine records into a data topic (3 partitions), one topic per record format asked for.</li>
 * <li>Then, {@code --repeat} times, in an order that rotates from one repeat to the next: the copy loop
 * ({@link CopyLoop}, the ceiling) and each server, each a process of its own with topics and a group of its own,
 * reading the same preloaded topic from its start:
 *   <ul>
 *   <li>start to ready: from the process's start to {@code /q/health} UP (servers only);</li>
 *   <li>drain: records/s from its first result to its Nth, as an outside consumer reads them
 *       ({@code read_committed}), and its process's user+system CPU time over the same span per record
 *       (/proc/PID/stat);</li>
 *   <li>RSS after the drain (/proc/PID/status);</li>
 *   <li>latency: records sent at a fixed rate once the backlog is scored, each timed from its send to its result's
 *       arrival, p50/p99.</li>
 *   </ul></li>
 * <li>Reports, per server, the median and the spread (min-max) over the repeats of each figure, ratios taken to the
 * copy loop of the same repeat; and writes every raw figure to a JSON file under {@code bench/results/}.</li>
 * </ol>
 * Bounded: every phase has a deadline, and every process is stopped at the end of its turn.
 */
@Command(name = "server-bench", mixinStandardHelpOptions = true)
public final class ServerBench implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "The repository root (the servers' modules are under it).")
    Path repo;

    @Option(names = "--server", defaultValue = "reactive", split = ",", description = "Servers to measure: reactive, kstreams-memory, kstreams-standard, kstreams-custom, akka-stage, akka-actor (default: ${DEFAULT-VALUE}).")
    List<String> servers;

    @Option(names = "--records", defaultValue = "1000000", description = "Records to preload and drain (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--repeat", defaultValue = "3", description = "Times the copy loop and every server are measured, interleaved (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--rate", defaultValue = "1000", description = "Records/s for the latency phase (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "20", description = "Length of the latency phase; 0 skips it (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--record-format", defaultValue = "wine", split = ",", description = "Record formats to measure each server with: wine, features, json; each format has its own preloaded topic, its records carry their content-type header (default: ${DEFAULT-VALUE}).")
    List<RecordFormat> formats;

    @Option(names = "--model", defaultValue = "tree", split = ",", description = "Models to measure each server with: tree (the project's PMML decision tree), mlp (the project's TensorFlow MLP, frozen graph), or a live model and a candidate shadowing it, e.g. tree+mlp (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--server-option", description = "A JVM option for every server process, e.g. -Xmx512m (repeatable).")
    List<String> serverOptions = new ArrayList<>();

    @Option(names = "--class-data-sharing", description = "Before the repeats, run each server once to make its AppCDS archive (-XX:ArchiveClassesAtExit: start, score 20,000 records, stop), then start it from that archive (-XX:SharedArchiveFile) in every turn, as README's \"Start time and memory\" says.")
    boolean classDataSharing;

    /** Each server's AppCDS archive, made by its training run ({@code --class-data-sharing}). */
    private final Map<String, Path> archives = new LinkedHashMap<>();

    @Option(names = "--results-dir", description = "Where the JSON file of this run goes (default: bench/results under --repo).")
    Path resultsDir;

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

    /** One turn: the copy loop ({@code server == null}) or a server with one record format and one model. */
    private record Turn(String server, RecordFormat format, String model) {

        String label() {
            return server == null ? "copy loop" : server + " " + format.label() + " " + model;
        }
    }

    /**
     * What one turn measured. NaN where a figure does not apply (the copy loop's start) or was not measured.
     *
     * @param drainPerSecond records/s from the first result to the Nth
     * @param cpuMicrosPerRecord the process's user+system CPU time over the drain, per record
     * @param p50Millis latency p50 at the fixed rate
     * @param p99Millis latency p99 at the fixed rate
     * @param startSeconds process start to health UP
     * @param rssMebibytes resident memory after the drain
     */
    record Figures(String label, int repeat, double drainPerSecond, double cpuMicrosPerRecord, double p50Millis,
            double p99Millis, double startSeconds, double rssMebibytes) {}

    private static final int PARTITIONS = 3;
    private static final Duration PHASE_LIMIT = Duration.ofMinutes(10);
    private static final String COPY = "copy loop";

    /** The turn's process, killed if the harness itself is stopped (Ctrl-C, SIGTERM) so that none is left behind. */
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(ProcessHandle::destroyForcibly),
                "bench-stop-turns"));
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private String bootstrap;
    private Path work;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServerBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        servers.forEach(this::launcher); // an unknown name fails now, not after the preload
        if (records < 20_000 || repeats < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--records must be at least 20000 (the span is timed between polls of up to 2,000) and --repeat"
                    + " at least 1");
        }
        models.forEach(ServerBench::model);
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "server-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(work.resolve("kafka")))) {
            bootstrap = broker.bootstrapServers();
            Map<RecordFormat, String> sources = new LinkedHashMap<>();
            Map<RecordFormat, Encoded> encoded = new LinkedHashMap<>();
            for (RecordFormat format : formats) {
                Topics source = Topics.withPrefix("bench_" + format.label() + "_");
                createTopics(source);
                Encoded wines = Encoded.of(format);
                long t0 = System.nanoTime();
                preload(source.data(), wines, records);
                System.out.printf(Locale.ROOT, "preload %s (~%d bytes each): %d records in %.1f s%n", format.label(),
                        wines.values().get(0).length, records, (System.nanoTime() - t0) / 1e9);
                sources.put(format, source.data());
                encoded.put(format, wines);
            }

            List<Turn> turns = new ArrayList<>();
            turns.add(new Turn(null, formats.get(0), null));
            for (String server : servers) {
                for (RecordFormat format : formats) {
                    for (String model : models) {
                        turns.add(new Turn(server, format, model));
                    }
                }
            }
            if (classDataSharing) {
                for (String server : servers) {
                    archive(server, sources.get(formats.get(0)));
                }
            }
            List<Figures> all = new ArrayList<>();
            for (int repeat = 0; repeat < repeats; repeat++) {
                for (int i = 0; i < turns.size(); i++) {
                    // Rotated: no turn is always first, when the broker and the page cache are coldest.
                    Turn turn = turns.get((i + repeat) % turns.size());
                    Figures f = measure(turn, repeat, sources.get(turn.format()), encoded.get(turn.format()));
                    System.out.printf(Locale.ROOT, "[%d/%d] %s: %s%n", repeat + 1, repeats, turn.label(), f);
                    all.add(f);
                }
            }
            Summary summary = Summary.of(all, turns.stream().map(Turn::label).toList(), repeats);
            System.out.println();
            System.out.print(summary.table());
            System.out.printf(Locale.ROOT, "(%d records, %d partitions, medians of %d repeats [min-max], ratios to the"
                    + " copy loop of the same repeat; latency at %d records/s for %d s; the copy loop copies the %s"
                    + " records; %s, %d cores, Java %s)%n", records, PARTITIONS, repeats, rate, latencySeconds,
                    formats.get(0).label(), cpuModel(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version"));
            writeJson(all, summary);
        } finally {
            // The broker's data and the archives are the bulk (gigabytes for 1M records): only the logs stay.
            deleteTree(work.resolve("kafka"));
            deleteTree(work.resolve("cds"));
            System.out.println("server logs: " + work);
        }
        return 0;
    }

    private Figures measure(Turn turn, int repeat, String source, Encoded wines) throws Exception {
        String run = (turn.server() == null ? "copy" : turn.server() + "_" + turn.format().label() + "_"
                + turn.model().replace("+", "_and_")) + "_r" + repeat;
        Topics topics = Topics.withPrefix("bench_" + run + "_");
        createTopics(topics);
        Path log = work.resolve(run + ".log");
        double startSeconds = Double.NaN;
        Process copy = null;
        ServerProcess server = null;
        // The drain is watched from before the process starts: a server may be through much of it before it
        // answers its health check.
        ResultReader results = new ResultReader(topics.results());
        ExecutorService watcher = Executors.newSingleThreadExecutor(r -> new Thread(r, "bench-drain"));
        try {
            Future<double[]> draining = watcher.submit(() -> results.drain(records));
            long launched = System.nanoTime();
            long pid;
            if (turn.server() == null) {
                copy = ChildJvm.of(List.of("-cp", System.getProperty("java.class.path"), CopyLoop.class.getName(),
                        bootstrap, source, topics.results(), "bench-" + run)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                pid = copy.pid();
                LIVE.add(copy.toHandle());
            } else {
                server = startServer(turn.server(), turn.model(), run, topics, source, log, List.of());
                startSeconds = (System.nanoTime() - launched) / 1e9;
                pid = server.pid();
            }
            double[] drain = draining.get(PHASE_LIMIT.toSeconds() + 60, TimeUnit.SECONDS);
            double rss = rssMebibytes(pid);
            if (server != null && candidate(turn.model()).isPresent()) {
                System.out.println("  " + turn.label() + ": " + shadowed(server.base()));
            }
            double[] latency = {Double.NaN, Double.NaN};
            if (latencySeconds > 0) {
                results.awaitAtLeast(endOffsets(source)); // what earlier turns' latency phases added
                latency = latency(source, results, wines);
            }
            return new Figures(turn.label(), repeat + 1, drain[0], drain[1], latency[0], latency[1], startSeconds,
                    rss);
        } finally {
            if (server != null) {
                long serverPid = server.pid();
                server.close();
                LIVE.removeIf(h -> h.pid() == serverPid);
            }
            if (copy != null) {
                copy.destroy();
                if (!copy.waitFor(30, TimeUnit.SECONDS)) {
                    copy.destroyForcibly();
                }
                LIVE.remove(copy.toHandle());
            }
            // The drain's consumer is closed only once its thread has stopped (an interrupted poll throws), so a turn
            // that failed reports its own error, not the consumer's refusal of a second thread.
            watcher.shutdownNow();
            watcher.awaitTermination(30, TimeUnit.SECONDS);
            results.close();
        }
    }

    private ServerLauncher launcher(String name) {
        ServerLauncher launcher = switch (name) {
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
        return settings -> {
            List<String> options = new ArrayList<>(settings.javaOptions());
            options.addAll(serverOptions);
            if (archives.containsKey(name)) {
                options.add("-XX:SharedArchiveFile=" + archives.get(name));
            }
            return launcher.start(settings.withJavaOptions(options));
        };
    }

    /**
     * A server's training run for {@code --class-data-sharing}: started with {@code -XX:ArchiveClassesAtExit}, it
     * scores 20,000 records of the preloaded topic with the tree and is stopped (SIGTERM); the JVM writes the classes
     * it loaded to the archive as it exits.
     */
    private void archive(String server, String source) throws Exception {
        Path archive = Files.createDirectories(work.resolve("cds")).resolve(server + ".jsa");
        String run = "cds_" + server;
        Topics topics = Topics.withPrefix("bench_" + run + "_");
        createTopics(topics);
        long t0 = System.nanoTime();
        try (ResultReader results = new ResultReader(topics.results());
                ServerProcess process = startServer(server, "tree", run, topics, source, work.resolve(run + ".log"),
                        List.of("-XX:ArchiveClassesAtExit=" + archive))) {
            results.awaitAtLeast(Math.min(records, 20_000));
            process.stop();
            LIVE.removeIf(h -> h.pid() == process.pid());
        }
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(server + " wrote no AppCDS archive (see " + work.resolve(run + ".log")
                    + ")");
        }
        archives.put(server, archive);
        System.out.printf(Locale.ROOT, "AppCDS archive of %s: %d MiB, made in %.1f s%n", server,
                Files.size(archive) >> 20, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Publishes the model to the run's models topic and starts the server on the run's topics and group (reading
     * {@code source}), with these JVM options besides {@code --server-option}; returns once its health says UP.
     */
    private ServerProcess startServer(String server, String model, String run, Topics topics, String source, Path log,
            List<String> javaOptions) throws Exception {
        send(topics.models(), "wine", model(model).descriptor("1").toByteArray());
        Optional<ProjectModel> candidate = candidate(model);
        if (candidate.isPresent()) {
            // before the server starts: it reads the models topic to its end, so the candidate loads before a record
            ModelDescriptor shadow = candidate.get().descriptor("2").toBuilder().setCandidate(true).build();
            send(topics.models(), ModelsTopic.key(shadow), shadow.toByteArray());
        }
        ServerSettings settings = new ServerSettings(bootstrap, topics.withData(source), "bench-" + run, freePort(),
                Files.createDirectories(work.resolve(run)), 64L * 1024 * 1024, log);
        ServerProcess process = launcher(server).start(settings.withJavaOptions(javaOptions));
        ProcessHandle.of(process.pid()).ifPresent(LIVE::add);
        try {
            awaitHealthy(process.base());
        } catch (Exception | Error e) {
            process.close();
            throw e;
        }
        return process;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The live model of a {@code --model} name: {@code tree}, {@code mlp}, or the first of {@code tree+mlp}. */
    private static ProjectModel model(String name) {
        int plus = name.indexOf('+');
        return projectModel(plus < 0 ? name : name.substring(0, plus));
    }

    /** The candidate of a {@code --model} name, scoring beside the live model: the second of {@code tree+mlp}. */
    private static Optional<ProjectModel> candidate(String name) {
        int plus = name.indexOf('+');
        return plus < 0 ? Optional.empty() : Optional.of(projectModel(name.substring(plus + 1)));
    }

    private static ProjectModel projectModel(String name) {
        return switch (name) {
            case "tree" -> ProjectModel.DECISION_TREE;
            case "mlp" -> ProjectModel.MLP_FROZEN_GRAPH;
            default -> throw new IllegalArgumentException("unknown model '" + name + "' (known: tree, mlp, and a"
                    + " live model with a candidate beside it, e.g. tree+mlp)");
        };
    }

    /** What the server's comparison of its candidate says: records compared, not compared, candidate errors. */
    private String shadowed(URI base) {
        try {
            String state = http.send(HttpRequest.newBuilder(base.resolve("/state/wine")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            var candidate = new ObjectMapper().readTree(state).path("lifecycle")
                    .path("candidate");
            return "candidate compared " + candidate.path("compared").asLong() + ", not compared "
                    + candidate.path("notCompared").asLong() + ", errors " + candidate.path("candidateErrors").asLong();
        } catch (Exception e) {
            return "candidate comparison unreadable: " + e;
        }
    }

    /** Waits (at most 90 s) until the server's {@code /q/health} says UP. */
    private void awaitHealthy(URI base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/q/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not answering yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(base + "/q/health did not say UP within 90 s");
    }

    /** Reads one turn's results topic from its start, counting what it reads. */
    private final class ResultReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer = ServerBench.this.consumer("bench-results-" + System.nanoTime());
        private long count;

        ResultReader(String topic) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /**
         * {records/s, CPU µs/record} from the first result to the Nth. Results are counted as read (committed ones
         * only), not from end offsets: under exactly-once, transaction markers take offsets too.
         */
        double[] drain(long n) throws IOException {
            long first = 0;
            long pid = 0;
            long cpuAtFirst = 0;
            long countAtFirst = 0;
            long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                int polled = consumer.poll(Duration.ofMillis(20)).count();
                count += polled;
                if (polled > 0 && first == 0) {
                    // The span starts when the first results are read: those are not part of it.
                    first = System.nanoTime();
                    pid = turnProcess();
                    cpuAtFirst = cpuTicks(pid);
                    countAtFirst = count;
                }
                if (count >= n) {
                    long cpu = cpuTicks(pid) - cpuAtFirst;
                    double seconds = (System.nanoTime() - first) / 1e9;
                    long span = count - countAtFirst;
                    return new double[] {span / seconds, cpu * 1e6 / TICKS_PER_SECOND / span};
                }
            }
            throw new IllegalStateException("only " + count + " of " + n + " results within " + PHASE_LIMIT);
        }

        void awaitAtLeast(long n) {
            long deadline = System.nanoTime() + PHASE_LIMIT.toNanos();
            while (count < n && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(50)).count();
            }
        }

        KafkaConsumer<byte[], byte[]> kafka() {
            return consumer;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Sends at a fixed rate and times each record from its send to its result's arrival: {p50, p99} in ms. */
    private double[] latency(String data, ResultReader results, Encoded wines) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = new ArrayList<>();
        int total = rate * latencySeconds;
        KafkaConsumer<byte[], byte[]> consumer = results.kafka();
        // linger.ms 0: each record leaves when it is sent, so the figure is the turn's and the broker's, not the sender's.
        try (KafkaProducer<byte[], byte[]> producer = CopyLoop.producer(bootstrap, 0)) {
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
            // Only results of records this phase sent count.
            while ((sender.isAlive() || !arrived.keySet().containsAll(sentAt.keySet()))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    arrived.putIfAbsent(source(r), System.nanoTime());
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

    /** partition@offset of the record a result (or the copy loop's copy) came from. */
    private static String source(ConsumerRecord<byte[], byte[]> r) throws IOException {
        Header header = r.headers().lastHeader(CopyLoop.SOURCE_HEADER);
        if (header != null) {
            return new String(header.value(), StandardCharsets.US_ASCII);
        }
        ServingResult result = ServingResult.parseFrom(r.value());
        return result.getSourcePartition() + "@" + result.getSourceOffset();
    }

    private static double percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    // ---- the processes' CPU time and memory, from Linux's /proc ----

    /** The turn's process: the harness's only child process while a turn runs (the broker is in the harness). */
    private static long turnProcess() {
        List<ProcessHandle> children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
        if (children.size() != 1) {
            throw new IllegalStateException("expected the turn's process as the only child, found " + children);
        }
        return children.get(0).pid();
    }

    /** Clock ticks per second of /proc/PID/stat's times ({@code getconf CLK_TCK}; 100 on every Linux we know). */
    private static final long TICKS_PER_SECOND = clockTicks();

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException | InterruptedException e) {
            return 100;
        }
    }

    /** utime + stime of the process (all its threads), in clock ticks: fields 14 and 15 of /proc/PID/stat. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** VmRSS of the process, in MiB. */
    static double rssMebibytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    // ---- the report ----

    /** Medians and spreads per turn, ratios to the copy loop of the same repeat. */
    record Summary(List<Map<String, Object>> rows, String table) {

        static Summary of(List<Figures> all, List<String> labels, int repeats) {
            Map<Integer, Figures> copies = new HashMap<>();
            all.stream().filter(f -> f.label().equals(COPY)).forEach(f -> copies.put(f.repeat(), f));
            List<Map<String, Object>> rows = new ArrayList<>();
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                    "%-28s %18s %17s %10s %15s %9s %15s %9s %9s %9s%n", "", "drain rec/s", "÷ copy", "CPU µs/rec",
                    "÷ copy", "p50 ms", "p99 ms", "÷ copy", "start s", "RSS MiB"));
            for (String label : labels) {
                List<Figures> runs = all.stream().filter(f -> f.label().equals(label)).toList();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("label", label);
                Stat drain = Stat.of(runs, Figures::drainPerSecond);
                Stat drainRatio = Stat.of(runs, f -> f.drainPerSecond() / copies.get(f.repeat()).drainPerSecond());
                Stat cpu = Stat.of(runs, Figures::cpuMicrosPerRecord);
                Stat cpuRatio = Stat.of(runs,
                        f -> f.cpuMicrosPerRecord() / copies.get(f.repeat()).cpuMicrosPerRecord());
                Stat p50 = Stat.of(runs, Figures::p50Millis);
                Stat p99 = Stat.of(runs, Figures::p99Millis);
                Stat p99Ratio = Stat.of(runs, f -> f.p99Millis() / copies.get(f.repeat()).p99Millis());
                Stat start = Stat.of(runs, Figures::startSeconds);
                Stat rss = Stat.of(runs, Figures::rssMebibytes);
                row.put("drainPerSecond", drain.map());
                row.put("drainRatio", drainRatio.map());
                row.put("cpuMicrosPerRecord", cpu.map());
                row.put("cpuRatio", cpuRatio.map());
                row.put("p50Millis", p50.map());
                row.put("p99Millis", p99.map());
                row.put("p99Ratio", p99Ratio.map());
                row.put("startSeconds", start.map());
                row.put("rssMebibytes", rss.map());
                rows.add(row);
                table.append(String.format(Locale.ROOT, "%-28s %18s %17s %10s %15s %9s %15s %9s %9s %9s%n", label,
                        drain.format("%.0f", false), drainRatio.format("%.2f", true), cpu.format("%.1f", false),
                        cpuRatio.format("%.2f", true), p50.format("%.1f", false), p99.format("%.1f", true),
                        p99Ratio.format("%.1f", false), start.format("%.1f", false), rss.format("%.0f", false)));
            }
            return new Summary(rows, table.toString());
        }
    }

    /** The median and the range of one figure over the repeats (NaN when not measured). */
    record Stat(double median, double min, double max) {

        static Stat of(List<Figures> runs, ToDoubleFunction<Figures> figure) {
            double[] v = runs.stream().mapToDouble(figure).filter(d -> !Double.isNaN(d)).sorted().toArray();
            if (v.length == 0) {
                return new Stat(Double.NaN, Double.NaN, Double.NaN);
            }
            double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
            return new Stat(median, v[0], v[v.length - 1]);
        }

        String format(String number, boolean withRange) {
            if (Double.isNaN(median)) {
                return "";
            }
            String m = String.format(Locale.ROOT, number, median);
            return withRange && min != max
                    ? m + " [" + String.format(Locale.ROOT, number, min) + "-" + String.format(Locale.ROOT, number, max)
                            + "]"
                    : m;
        }

        Map<String, Object> map() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", Double.isNaN(median) ? null : median);
            m.put("min", Double.isNaN(min) ? null : min);
            m.put("max", Double.isNaN(max) ? null : max);
            return m;
        }
    }

    private void writeJson(List<Figures> all, Summary summary) throws IOException {
        Path dir = resultsDir != null ? resultsDir : repo.resolve("bench").resolve("results");
        Files.createDirectories(dir);
        Path file = dir.resolve("server-bench-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + ".json");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", LocalDateTime.now().toString());
        doc.put("commit", commit());
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", cpuModel());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        doc.put("machine", machine);
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("servers", servers);
        options.put("records", records);
        options.put("repeats", repeats);
        options.put("partitions", PARTITIONS);
        options.put("rate", rate);
        options.put("latencySeconds", latencySeconds);
        options.put("recordFormats", formats.stream().map(RecordFormat::label).toList());
        options.put("models", models);
        options.put("serverOptions", serverOptions);
        options.put("classDataSharing", classDataSharing);
        doc.put("options", options);
        doc.put("summary", summary.rows());
        doc.put("runs", all.stream().map(f -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", f.label());
            m.put("repeat", f.repeat());
            for (var e : Map.<String, Double>of("drainPerSecond", f.drainPerSecond(), "cpuMicrosPerRecord",
                    f.cpuMicrosPerRecord(), "p50Millis", f.p50Millis(), "p99Millis", f.p99Millis(), "startSeconds",
                    f.startSeconds(), "rssMebibytes", f.rssMebibytes()).entrySet()) {
                m.put(e.getKey(), e.getValue().isNaN() ? null : e.getValue());
            }
            return m;
        }).toList());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
        System.out.println("figures: " + file);
    }

    /** The repository's HEAD commit, "+dirty" when its tree has changes; null without git. */
    private String commit() {
        try {
            Process head = new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", "--short=12", "HEAD").start();
            String commit = new String(head.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            Process status = new ProcessBuilder("git", "-C", repo.toString(), "status", "--porcelain",
                    "--untracked-files=no").start();
            boolean dirty = status.getInputStream().readAllBytes().length > 0;
            return head.waitFor() == 0 && status.waitFor() == 0 ? commit + (dirty ? "+dirty" : "") : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    // ---- Kafka ----

    private void createTopics(Topics topics) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            topics.ensure(admin, PARTITIONS);
        }
    }

    private void preload(String topic, Encoded wines, int n) {
        try (KafkaProducer<byte[], byte[]> producer = CopyLoop.producer(bootstrap, 5)) {
            for (int i = 0; i < n; i++) {
                producer.send(wines.record(topic, i));
            }
            producer.flush();
        }
    }

    private void send(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = CopyLoop.producer(bootstrap, 5)) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Records on the topic now (a data topic has no transaction markers). */
    private long endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("bench-end-offsets")) {
            return consumer.endOffsets(partitions(consumer, topic)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
        return consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
