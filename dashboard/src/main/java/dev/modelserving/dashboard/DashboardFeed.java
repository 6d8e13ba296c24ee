package dev.modelserving.dashboard;

import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.CurrentModel;
import dev.modelserving.model.Lifecycle;
import dev.modelserving.model.LifecycleEvent;
import dev.modelserving.model.LoadFailure;
import dev.modelserving.model.ModelInfo;
import dev.modelserving.model.ServingStats;
import dev.modelserving.model.ShadowComparison;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What the dashboard page shows, as one JSON document every server answers at {@value #PATH}: the server's
 * dataTypes (live model, candidate and its comparison, counters, latency, last refusal), its consumer lag per
 * partition of the data topic, and the most recent model events. Counters are running totals: the page works out
 * the rates from two polls. Built from what the REST API serves ({@code /state}, {@code /models}) and from the
 * server's meters, so it shows nothing the metrics and the REST API do not, and costs nothing between requests.
 *
 * <p>Bounded whatever the topics carry: at most {@value #MAX_DATA_TYPES} dataTypes are listed, those a model serves
 * first, then those with refused or withdrawn models only, each by name; the rest are counted in
 * {@code moreDataTypes}, and records of dataTypes that never had a model in {@code withoutModel}. At most
 * {@value #MAX_EVENTS} events of the dataTypes listed, newest first.
 */
public final class DashboardFeed {

    /** Where every server answers the feed. */
    public static final String PATH = "/dashboard/feed";
    /** The Kafka consumer's lag per partition, as Micrometer names the Kafka client metric. */
    public static final String LAG = "kafka.consumer.fetch.manager.records.lag";
    static final int MAX_DATA_TYPES = 50;
    static final int MAX_EVENTS = 50;

    private DashboardFeed() {}

    /**
     * The document.
     *
     * @param server the server's name (its application name)
     * @param at when the feed was read (epoch milliseconds: the page's clock for the rates)
     * @param dataTopic the data topic whose lag is shown
     * @param totals the server's running totals over all dataTypes
     * @param lag the data consumer's lag per partition (the partitions this instance reads now), by partition
     * @param dataTypes the dataTypes shown, in order
     * @param moreDataTypes dataTypes with a model or a refused model that are not shown (past
     *     {@value #MAX_DATA_TYPES})
     * @param withoutModel records of dataTypes that have never had a model here
     * @param events the most recent model events of all dataTypes shown, newest first
     */
    public record Feed(String server, long at, String dataTopic, Totals totals, List<PartitionLag> lag,
            List<DataType> dataTypes, int moreDataTypes, WithoutModel withoutModel, List<Event> events) {}

    /**
     * Running totals of the server.
     *
     * @param in records read from the data topic
     * @param scored records scored (their results written or on their way)
     * @param skipped records that arrived while no model served their dataType
     * @param failed records their model could not score
     * @param deadLettered records that went to the dead-letter topic
     * @param undeliverable records whose result or dead letter could not be written
     */
    public record Totals(double in, double scored, double skipped, double failed, double deadLettered,
            double undeliverable) {}

    /** The consumer lag of one partition of the data topic, in records. */
    public record PartitionLag(int partition, double lag) {}

    /**
     * One dataType.
     *
     * @param dataType its name
     * @param model the live model, null when none serves it
     * @param previous the version a rollback goes back to, null when none
     * @param candidate the candidate's comparison with the live model, null without a candidate
     * @param promotionRule the candidate's promotion rule in words, null without one
     * @param scored records scored (a running total, from the meters)
     * @param skipped records that arrived while no model served it
     * @param failed records its model could not score
     * @param latency its scoring-latency histogram, from which the page works out p50 and p99 over its last 30 s;
     *     null before its first record
     * @param swaps models that went live
     * @param failedLoads models refused
     * @param lastRefused the last refused model and why, null when none
     */
    public record DataType(String dataType, Model model, String previous, ShadowComparison.Figures candidate,
            String promotionRule, double scored, long skipped, long failed, Latency latency, long swaps,
            long failedLoads, LoadFailure lastRefused) {}

    /**
     * The live model of a dataType.
     *
     * @param sha256 the SHA-256 of its bytes, as every result of it carries
     * @param liveFrom input partition to the first offset it scored there
     */
    public record Model(String name, String version, String type, Instant since, String sha256,
            Map<Integer, Long> liveFrom) {}

    /**
     * A dataType's scoring-latency histogram as the servers' Prometheus registries keep it, running totals since
     * the start: the records timed, and per
     * bucket upper bound (milliseconds) the records at or under it, listed only where that total rises (a bound not
     * listed has the total of the one before). The page works out quantiles over any span from two of these; the
     * servers record no quantile of their own per record.
     */
    public record Latency(long count, List<double[]> buckets) {}

    /** Records of dataTypes that have never had a model here: how many such dataTypes, and their records. */
    public record WithoutModel(int dataTypes, long records) {}

    /** A model event of one dataType. */
    public record Event(Instant at, String dataType, String kind, String model, String detail) {}

    /**
     * Builds the feed.
     *
     * @param stats what {@code /state} serves
     * @param models what {@code /models} serves
     * @param meters the server's meters ({@link ServingMetrics} and the Kafka clients')
     */
    public static Feed of(String server, String dataTopic, Map<String, ServingStats> stats,
            Map<String, CurrentModel> models, MeterRegistry meters) {
        // served dataTypes first (by name), then those with refused or withdrawn models only: a flood of refused
        // models for made-up names cannot push a served dataType off the page
        List<ServingStats> served = new ArrayList<>();
        List<ServingStats> unserved = new ArrayList<>();
        int withoutModelTypes = 0;
        long withoutModelRecords = 0;
        for (ServingStats s : new TreeMap<>(stats).values()) {
            if (models.containsKey(s.dataType()) || s.name() != null) {
                served.add(s);
            } else if (s.modelSwaps() > 0 || s.failedLoads() > 0) {
                unserved.add(s);
            } else {
                withoutModelTypes++;
                withoutModelRecords += s.skipped();
            }
        }
        served.addAll(unserved);
        List<ServingStats> shown = served.subList(0, Math.min(MAX_DATA_TYPES, served.size()));
        int more = served.size() - shown.size();
        List<DataType> dataTypes = new ArrayList<>(shown.size());
        List<Event> events = new ArrayList<>();
        for (ServingStats s : shown) {
            dataTypes.add(dataType(s, models.get(s.dataType()), meters));
            Lifecycle l = s.lifecycle();
            if (l != null) {
                for (LifecycleEvent e : l.events()) {
                    events.add(new Event(e.at(), s.dataType(), e.kind(), e.model(), e.detail()));
                }
            }
        }
        events.sort(Comparator.comparing(Event::at).reversed());
        return new Feed(server, System.currentTimeMillis(), dataTopic, totals(meters), lag(meters, dataTopic),
                dataTypes, more, new WithoutModel(withoutModelTypes, withoutModelRecords),
                List.copyOf(events.subList(0, Math.min(MAX_EVENTS, events.size()))));
    }

    private static DataType dataType(ServingStats s, CurrentModel current, MeterRegistry meters) {
        Model model = null;
        if (current != null) {
            ModelInfo m = current.model();
            model = new Model(m.name(), m.version(), m.type().name(), current.since(), m.sha256(),
                    current.liveFrom());
        }
        Lifecycle l = s.lifecycle();
        Timer timer = meters.find(ServingMetrics.LATENCY).tag("dataType", s.dataType()).timer();
        Latency latency = timer == null || timer.count() == 0 ? null : latency(timer.takeSnapshot());
        return new DataType(s.dataType(), model, l == null ? null : l.previous(),
                current != null && current.candidate() != null ? current.candidate() : l == null ? null
                        : l.candidate(),
                l == null ? null : l.promotionRule(),
                count(meters, ServingMetrics.SCORED, s.dataType()), s.skipped(), s.scoringErrors(), latency,
                s.modelSwaps(), s.failedLoads(), s.lastLoadFailure());
    }

    private static Latency latency(HistogramSnapshot snapshot) {
        List<double[]> buckets = new ArrayList<>();
        double below = 0;
        for (CountAtBucket c : snapshot.histogramCounts()) {
            if (c.count() > below) {
                buckets.add(new double[] {c.bucket(TimeUnit.MILLISECONDS), c.count()});
                below = c.count();
            }
        }
        return new Latency(snapshot.count(), buckets);
    }

    private static Totals totals(MeterRegistry meters) {
        return new Totals(count(meters, ServingMetrics.RECORDS_IN, null), count(meters, ServingMetrics.SCORED, null),
                count(meters, ServingMetrics.SKIPPED, null), count(meters, ServingMetrics.FAILED, null),
                count(meters, ServingMetrics.DEAD_LETTERED, null), count(meters, ServingMetrics.UNDELIVERABLE, null));
    }

    /** The sum of a counter over its dataType tags (all of them when {@code dataType} is null). */
    private static double count(MeterRegistry meters, String name, String dataType) {
        var search = meters.find(name);
        if (dataType != null) {
            search = search.tag("dataType", dataType);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }

    /**
     * The data consumer's lag per partition, from the Kafka client metrics the server binds (one gauge per
     * partition it reads; a partition read by two clients, which should not happen, shows the larger lag).
     */
    private static List<PartitionLag> lag(MeterRegistry meters, String dataTopic) {
        Map<Integer, Double> byPartition = new TreeMap<>();
        for (Meter m : meters.find(LAG).tag("topic", dataTopic).meters()) {
            if (!(m instanceof Gauge g)) {
                continue;
            }
            String partition = m.getId().getTag("partition");
            double lag = g.value();
            if (partition == null || Double.isNaN(lag)) {
                continue;
            }
            try {
                byPartition.merge(Integer.parseInt(partition), lag, Math::max);
            } catch (NumberFormatException e) {
                // not a partition number: not a per-partition gauge
            }
        }
        List<PartitionLag> lag = new ArrayList<>(byPartition.size());
        byPartition.forEach((p, l) -> lag.add(new PartitionLag(p, l)));
        return lag;
    }
}
