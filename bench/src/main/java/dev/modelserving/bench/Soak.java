package dev.modelserving.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.modelserving.broker.BrokerConfig;
import dev.modelserving.broker.EmbeddedKafkaBroker;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.kafka.Topics;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
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
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * The soak run (bench/README.md, "Soak"): every server side by side against one broker on 127.0.0.1, each with its
 * own topics and group, for {@code --minutes} at {@code --rate} records/s over 3 partitions: a model swap every
 * {@code --swap-seconds} alternating the project's PMML tree and TensorFlow MLP, 1 % garbage records, records of
 * 2,000 made-up dataTypes, a second instance of each server joining and leaving every {@code --scale-minutes}, and
 * a dataType first published at {@code --late-minute}. Every {@code --sample-seconds} it samples each server's first
 * instance: RSS, heap after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), threads, open files, the
 * number of meters in {@code /q/metrics} (but the late dataType's own), and the group's lag. At the end it waits for the lag to drain, reads back
 * every result and dead letter, and judges each server against the pass rules below; the figures go to
 * {@code bench/results/soak-DATE-TIME.json}.
 *
 * <p>Pass: the lag stays under {@code --rate} × 30 s and drains to 0 within 5 minutes of the end; heap after GC and
 * RSS, threads, open files and meters each change by at most 10 % over the last two thirds of the run (the slope of
 * a least-squares line over that window, times its length, ÷ the window's mean); every wine record and every record
 * of the late dataType has a result, every garbage record a dead letter; the late dataType's records are scored.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, description = "The soak run of bench/README.md.")
public final class Soak implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "The repository root (the servers' modules are under it).")
    Path repo;

    @Option(names = "--server", defaultValue = "reactive,kstreams-custom,akka-stage", split = ",",
            description = "Servers to soak, side by side (default: ${DEFAULT-VALUE}).")
    List<String> servers;

    @Option(names = "--minutes", defaultValue = "30", description = "Length of the run (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Option(names = "--rate", defaultValue = "2000", description = "Records/s sent to each server (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--swap-seconds", defaultValue = "10", description = "Time between model swaps (default: ${DEFAULT-VALUE}).")
    int swapSeconds;

    @Option(names = "--scale-minutes", defaultValue = "5", description = "A second instance joins, then leaves, every this many minutes (default: ${DEFAULT-VALUE}).")
    int scaleMinutes;

    @Option(names = "--sample-seconds", defaultValue = "10", description = "Time between samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds;

    @Option(names = "--late-minute", defaultValue = "-1", description = "When a new dataType gets its first model (default: 5/6 of the run).")
    int lateMinute;

    @Option(names = "--server-option", description = "A JVM option for every server process, e.g. -Xmx512m (repeatable).")
    List<String> serverOptions = new ArrayList<>();

    @Option(names = "--results-dir", description = "Where the JSON file of this run goes (default: bench/results under --repo).")
    Path resultsDir;

    static final int PARTITIONS = 3;
    static final int JUNK_DATA_TYPES = 2_000;
    static final String WINE = "wine";
    static final String LATE = "late";
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(5);
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<WineRow> wines = ProjectData.wines();
    private String bootstrap;
    private Path work;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Soak()).execute(args));
    }

    /** One sample of a server's first instance. */
    record Sample(double minute, double rssMib, double heapAfterGcMib, int threads, int openFiles, int meters,
            long lag) {}

    /** A soaked server: its topics, instances, what was sent to it, and its samples. */
    private final class Soaked {
        final String name;
        final ServerLauncher launcher;
        final Topics topics;
        final String group;
        ServerProcess first;
        ServerProcess second;
        int instances;
        final List<Sample> samples = new ArrayList<>();
        final BitSet[] wineSent = new BitSet[PARTITIONS];
        final BitSet[] lateSent = new BitSet[PARTITIONS];
        final BitSet[] garbageSent = new BitSet[PARTITIONS];
        final AtomicLong junkSent = new AtomicLong();
        final AtomicLong sendErrors = new AtomicLong();
        volatile boolean lateLive;
        int modelsPublished;

        Soaked(String name) {
            this.name = name;
            this.launcher = launcher(name);
            this.topics = Topics.withPrefix("soak_" + name.replace('-', '_') + "_");
            this.group = "soak-" + name;
            for (int p = 0; p < PARTITIONS; p++) {
                wineSent[p] = new BitSet();
                lateSent[p] = new BitSet();
                garbageSent[p] = new BitSet();
            }
        }

        ServerProcess start() throws Exception {
            instances++;
            String run = name + "-" + instances;
            ServerSettings settings = new ServerSettings(bootstrap, topics, group, freePort(),
                    Files.createDirectories(work.resolve(run)), 64L * 1024 * 1024, work.resolve(run + ".log"))
                    .withJavaOptions(serverOptions);
            ServerProcess p = launcher.start(settings);
            awaitHealthy(p.base());
            return p;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (minutes < 1 || rate < 100 || swapSeconds < 1 || scaleMinutes < 1 || sampleSeconds < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--minutes, --swap-seconds, "
                    + "--scale-minutes and --sample-seconds must be at least 1, --rate at least 100");
        }
        double late = lateMinute >= 0 ? lateMinute : minutes * 5.0 / 6;
        work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "soak-");
        List<Soaked> soaked = new ArrayList<>();
        servers.forEach(s -> soaked.add(new Soaked(s)));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(BrokerConfig.onFreePorts(work.resolve("kafka")));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()));
                KafkaProducer<String, byte[]> producer = producer(broker.bootstrapServers())) {
            bootstrap = broker.bootstrapServers();
            for (Soaked s : soaked) {
                createTopics(admin, s.topics);
                publishModel(producer, s, ProjectModel.DECISION_TREE, WINE);
                s.first = s.start();
                System.out.printf(Locale.ROOT, "%s: UP (logs in %s)%n", s.name, work);
            }
            long start = System.nanoTime();
            long end = start + TimeUnit.MINUTES.toNanos(minutes);
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread feeder = new Thread(() -> feed(producer, soaked, sending), "soak-feeder");
            feeder.start();
            long nextSwap = start + TimeUnit.SECONDS.toNanos(swapSeconds);
            long nextSample = start;
            long nextScale = start + TimeUnit.MINUTES.toNanos(scaleMinutes);
            long lateAt = start + (long) (late * 60e9);
            boolean latePublished = false;
            int swap = 0;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextSwap) {
                    swap++;
                    for (Soaked s : soaked) {
                        publishModel(producer, s, swap % 2 == 1 ? ProjectModel.MLP_FROZEN_GRAPH : ProjectModel.DECISION_TREE, WINE);
                    }
                    nextSwap += TimeUnit.SECONDS.toNanos(swapSeconds);
                }
                if (!latePublished && now >= lateAt) {
                    latePublished = true;
                    for (Soaked s : soaked) {
                        publishModel(producer, s, ProjectModel.DECISION_TREE, LATE);
                    }
                    for (Soaked s : soaked) {
                        awaitModel(s, LATE);
                        s.lateLive = true;
                        System.out.printf(Locale.ROOT, "%s: '%s' is served from minute %.1f%n", s.name, LATE,
                                (System.nanoTime() - start) / 60e9);
                    }
                }
                if (now >= nextScale) {
                    for (Soaked s : soaked) {
                        scale(s, start);
                    }
                    nextScale += TimeUnit.MINUTES.toNanos(scaleMinutes);
                }
                if (now >= nextSample) {
                    for (Soaked s : soaked) {
                        s.samples.add(sample(admin, s, (now - start) / 60e9));
                    }
                    Sample last = soaked.get(0).samples.get(soaked.get(0).samples.size() - 1);
                    System.out.printf(Locale.ROOT, "minute %.1f: %s%n", last.minute(), soaked.stream()
                            .map(s -> s.name + " " + brief(s.samples.get(s.samples.size() - 1))).toList());
                    nextSample += TimeUnit.SECONDS.toNanos(sampleSeconds);
                }
                Thread.sleep(100);
            }
            sending.set(false);
            feeder.join();
            producer.flush();
            for (Soaked s : soaked) {
                if (s.second != null) {
                    s.second.stop();
                    s.second = null;
                }
            }
            Map<String, Object> report = new LinkedHashMap<>();
            boolean allPass = true;
            for (Soaked s : soaked) {
                Map<String, Object> verdict = judge(admin, s, start);
                report.put(s.name, verdict);
                allPass &= Boolean.TRUE.equals(verdict.get("pass"));
                System.out.printf(Locale.ROOT, "%s: %s%n", s.name, verdict);
            }
            writeJson(report, soaked);
            for (Soaked s : soaked) {
                s.first.stop();
            }
            return allPass ? 0 : 1;
        } finally {
            for (Soaked s : soaked) {
                for (ServerProcess p : new ServerProcess[] {s.first, s.second}) {
                    if (p != null) {
                        p.close();
                    }
                }
            }
            deleteTree(work.resolve("kafka"));
            System.out.println("server logs: " + work);
        }
    }

    /**
     * Sends to every server at the rate, in 10 ms ticks: of each 100 records 1 garbage, 2 of made-up dataTypes
     * (2,000 of them, in turn), 1 of the late dataType once it serves, the rest wines.
     */
    private void feed(KafkaProducer<String, byte[]> producer, List<Soaked> soaked, AtomicBoolean sending) {
        long tick = TimeUnit.MILLISECONDS.toNanos(10);
        double perTick = rate / 100.0;
        long next = System.nanoTime();
        double owed = 0;
        long n = 0;
        while (sending.get()) {
            owed += perTick;
            while (owed >= 1) {
                owed--;
                n++;
                for (Soaked s : soaked) {
                    send(producer, s, n);
                }
            }
            next += tick;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void send(KafkaProducer<String, byte[]> producer, Soaked s, long n) {
        int partition = (int) (n % PARTITIONS);
        int kind = (int) (n % 100);
        byte[] value;
        BitSet[] sent;
        if (kind == 0) {
            // 'g' = field 12 with wire type 7, which does not exist: never a valid protobuf message
            value = ("garbage-" + n).getBytes(StandardCharsets.UTF_8);
            sent = s.garbageSent;
        } else if (kind <= 2) {
            value = wines.get((int) (n % wines.size())).toRecord("junk-" + (n / 100 * 2 + kind) % JUNK_DATA_TYPES)
                    .toByteArray();
            sent = null;
            s.junkSent.incrementAndGet();
        } else if (kind == 3 && s.lateLive) {
            value = wines.get((int) (n % wines.size())).toRecord(LATE).toByteArray();
            sent = s.lateSent;
        } else {
            value = wines.get((int) (n % wines.size())).toRecord(WINE).toByteArray();
            sent = s.wineSent;
        }
        producer.send(new ProducerRecord<>(s.topics.data(), partition, null, value), (m, e) -> {
            if (e != null) {
                s.sendErrors.incrementAndGet();
            } else if (sent != null) {
                synchronized (sent) {
                    sent[m.partition()].set((int) m.offset());
                }
            }
        });
    }

    private void publishModel(KafkaProducer<String, byte[]> producer, Soaked s, ProjectModel model, String dataType)
            throws Exception {
        s.modelsPublished++;
        ModelDescriptor d = model.descriptor(String.valueOf(s.modelsPublished)).toBuilder().setDataType(dataType)
                .build();
        producer.send(new ProducerRecord<>(s.topics.models(), dataType, d.toByteArray())).get(30, TimeUnit.SECONDS);
    }

    /** A second instance joins when there is none, and leaves when there is. */
    private void scale(Soaked s, long start) throws Exception {
        double minute = (System.nanoTime() - start) / 60e9;
        if (s.second == null) {
            s.second = s.start();
            System.out.printf(Locale.ROOT, "minute %.1f: %s: a second instance joined%n", minute, s.name);
        } else {
            s.second.stop();
            s.second = null;
            System.out.printf(Locale.ROOT, "minute %.1f: %s: the second instance left%n", minute, s.name);
        }
    }

    private Sample sample(Admin admin, Soaked s, double minute) throws Exception {
        long pid = s.first.pid();
        String status = Files.readString(Path.of("/proc", String.valueOf(pid), "status"));
        double rss = field(status, "VmRSS") / 1024.0;
        int threads = (int) field(status, "Threads");
        int files;
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            files = (int) fds.count();
        }
        jcmd(pid, "GC.run");
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        double heap = used.find() ? Long.parseLong(used.group(1)) / 1024.0 : Double.NaN;
        // the late dataType's own meters are new by design: left out, so that the count shows what junk would add
        int meters = (int) get(s.first.base().resolve("/q/metrics")).lines()
                .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.contains("dataType=\"" + LATE + "\"")).count();
        return new Sample(minute, rss, heap, threads, files, meters, lag(admin, s));
    }

    private static String brief(Sample x) {
        return String.format(Locale.ROOT, "rss %.0f MiB heap %.0f MiB threads %d files %d meters %d lag %d",
                x.rssMib(), x.heapAfterGcMib(), x.threads(), x.openFiles(), x.meters(), x.lag());
    }

    private static long field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).findFirst()
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Records on the data topic that the group has not committed yet. */
    private long lag(Admin admin, Soaked s) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(s.group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(s.topics.data(), p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** Waits for the lag to drain, reads back every output, and applies the pass rules. */
    private Map<String, Object> judge(Admin admin, Soaked s, long start) throws Exception {
        long drainStart = System.nanoTime();
        long lag = lag(admin, s);
        while (lag > 0 && System.nanoTime() - drainStart < DRAIN_LIMIT.toNanos()) {
            Thread.sleep(1_000);
            lag = lag(admin, s);
        }
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        BitSet[] wineScored = bitSets();
        BitSet[] lateScored = bitSets();
        long results = readAll(s.topics.results(), r -> {
            ServingResult result = ServingResult.parseFrom(r.value());
            (result.getDataType().equals(LATE) ? lateScored : wineScored)[result.getSourcePartition()]
                    .set((int) result.getSourceOffset());
        });
        BitSet[] deadLettered = bitSets();
        long deadLetters = readAll(s.topics.deadLetters(), r -> {
            String source = new String(r.headers().lastHeader(dev.modelserving.kafka.Provenance.SOURCE_HEADER).value(), StandardCharsets.UTF_8);
            int at = source.lastIndexOf('@');
            int partition = Integer.parseInt(source.substring(source.lastIndexOf('[') + 1, source.lastIndexOf(']')));
            deadLettered[partition].set(Integer.parseInt(source.substring(at + 1)));
        });
        long wineMissing = missing(s.wineSent, wineScored);
        long lateMissing = missing(s.lateSent, lateScored);
        long garbageMissing = missing(s.garbageSent, deadLettered);
        double windowStart = minutes / 3.0;
        List<Sample> window = s.samples.stream().filter(x -> x.minute() >= windowStart).toList();
        Map<String, Object> v = new LinkedHashMap<>();
        long maxLag = s.samples.stream().mapToLong(Sample::lag).max().orElse(0);
        v.put("maxLag", maxLag);
        v.put("lagAtEnd", lag);
        v.put("drainSeconds", Math.round(drainSeconds));
        v.put("rssMib", startEndMax(s.samples, Sample::rssMib));
        v.put("heapAfterGcMib", startEndMax(s.samples, Sample::heapAfterGcMib));
        v.put("threads", startEndMax(s.samples, Sample::threads));
        v.put("openFiles", startEndMax(s.samples, Sample::openFiles));
        v.put("meters", startEndMax(s.samples, Sample::meters));
        Map<String, Double> changes = new LinkedHashMap<>();
        changes.put("rss", change(window, Sample::rssMib));
        changes.put("heapAfterGc", change(window, Sample::heapAfterGcMib));
        changes.put("threads", change(window, Sample::threads));
        changes.put("openFiles", change(window, Sample::openFiles));
        changes.put("meters", change(window, Sample::meters));
        v.put("changeOverLastTwoThirds", changes);
        v.put("wineSent", count(s.wineSent));
        v.put("wineMissing", wineMissing);
        v.put("lateSent", count(s.lateSent));
        v.put("lateMissing", lateMissing);
        v.put("garbageSent", count(s.garbageSent));
        v.put("garbageMissing", garbageMissing);
        v.put("junkSent", s.junkSent.get());
        v.put("results", results);
        v.put("deadLetters", deadLetters);
        v.put("sendErrors", s.sendErrors.get());
        v.put("modelsPublished", s.modelsPublished);
        List<String> failures = new ArrayList<>();
        if (maxLag > rate * 30L) {
            failures.add("lag reached " + maxLag);
        }
        if (lag > 0) {
            failures.add("lag did not drain: " + lag);
        }
        changes.forEach((what, change) -> {
            if (!(Math.abs(change) <= 0.10)) {
                failures.add(what + " changed by " + Math.round(change * 100) + " %");
            }
        });
        if (wineMissing > 0 || lateMissing > 0) {
            failures.add((wineMissing + lateMissing) + " records without a result");
        }
        if (count(s.lateSent) == 0) {
            failures.add("no record of the late dataType was sent");
        }
        if (garbageMissing > 0) {
            failures.add(garbageMissing + " garbage records without a dead letter");
        }
        v.put("failures", failures);
        v.put("pass", failures.isEmpty());
        return v;
    }

    private static BitSet[] bitSets() {
        BitSet[] out = new BitSet[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            out[p] = new BitSet();
        }
        return out;
    }

    private static long missing(BitSet[] sent, BitSet[] seen) {
        long n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            BitSet m;
            synchronized (sent) {
                m = (BitSet) sent[p].clone();
            }
            m.andNot(seen[p]);
            n += m.cardinality();
        }
        return n;
    }

    private static long count(BitSet[] sent) {
        synchronized (sent) {
            long n = 0;
            for (BitSet b : sent) {
                n += b.cardinality();
            }
            return n;
        }
    }

    private static Map<String, Double> startEndMax(List<Sample> samples, ToDoubleFunction<Sample> f) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("start", samples.isEmpty() ? Double.NaN : f.applyAsDouble(samples.get(0)));
        out.put("end", samples.isEmpty() ? Double.NaN : f.applyAsDouble(samples.get(samples.size() - 1)));
        out.put("max", samples.stream().mapToDouble(f).max().orElse(Double.NaN));
        return out;
    }

    /** The least-squares slope over the window, times its length, ÷ its mean: the window's drift, as a share. */
    static double change(List<Sample> window, ToDoubleFunction<Sample> f) {
        int n = window.size();
        if (n < 2) {
            return Double.NaN;
        }
        double mx = 0;
        double my = 0;
        for (Sample x : window) {
            mx += x.minute();
            my += f.applyAsDouble(x);
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (Sample x : window) {
            sxy += (x.minute() - mx) * (f.applyAsDouble(x) - my);
            sxx += (x.minute() - mx) * (x.minute() - mx);
        }
        double span = window.get(n - 1).minute() - window.get(0).minute();
        return my == 0 ? 0 : sxy / sxx * span / my;
    }

    private interface RecordCheck {
        void accept(ConsumerRecord<byte[], byte[]> r) throws Exception;
    }

    /** Reads a topic from its start to its end now, handing each record over; the count. */
    private long readAll(String topic, RecordCheck check) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long n = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    check.accept(r);
                    n++;
                }
            }
            return n;
        }
    }

    private void awaitModel(Soaked s, String dataType) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                if (get(s.first.base().resolve("/models")).contains("\"" + dataType + "\"")) {
                    return;
                }
            } catch (IOException e) {
                // busy: asked again
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(s.name + " does not serve '" + dataType + "' 2 minutes after its model");
    }

    private void awaitHealthy(URI base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/q/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(base + " did not become healthy within 2 minutes");
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private ServerLauncher launcher(String name) {
        return switch (name) {
            case "reactive" -> KnownServers.reactive(repo.resolve("reactive-server"));
            case "kstreams", "kstreams-custom" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "custom");
            case "kstreams-standard" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "standard");
            case "kstreams-memory" -> KnownServers.kstreams(repo.resolve("kstreams-server"), "memory");
            case "akka-stage", "akka" -> KnownServers.akka(repo.resolve("akka-server"), "stage");
            case "akka-actor" -> KnownServers.akka(repo.resolve("akka-server"), "actor");
            default -> throw new IllegalArgumentException("unknown server '" + name + "'");
        };
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 70 * 1024 * 1024);
        return new KafkaProducer<>(p, new org.apache.kafka.common.serialization.StringSerializer(),
                new ByteArraySerializer());
    }

    private static void createTopics(Admin admin, Topics topics) throws Exception {
        List<NewTopic> all = new ArrayList<>();
        all.add(new NewTopic(topics.data(), PARTITIONS, (short) 1));
        all.add(new NewTopic(topics.models(), 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                "max.message.bytes", String.valueOf(70 * 1024 * 1024))));
        all.add(new NewTopic(topics.results(), PARTITIONS, (short) 1));
        all.add(new NewTopic(topics.deadLetters(), 1, (short) 1));
        all.add(new NewTopic(topics.shadow(), PARTITIONS, (short) 1));
        admin.createTopics(all).all().get(30, TimeUnit.SECONDS);
    }

    private void writeJson(Map<String, Object> report, List<Soaked> soaked) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("servers", servers);
        options.put("minutes", minutes);
        options.put("rate", rate);
        options.put("swapSeconds", swapSeconds);
        options.put("scaleMinutes", scaleMinutes);
        options.put("serverOptions", serverOptions);
        out.put("options", options);
        out.put("machine", ServerBench.cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + System.getProperty("java.version"));
        out.put("verdicts", report);
        Map<String, Object> samples = new LinkedHashMap<>();
        soaked.forEach(s -> samples.put(s.name, s.samples));
        out.put("samples", samples);
        Path dir = resultsDir != null ? resultsDir : repo.resolve("bench/results");
        Files.createDirectories(dir);
        Path file = dir.resolve("soak-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss",
                Locale.ROOT)) + ".json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), out);
        System.out.println("figures: " + file);
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
