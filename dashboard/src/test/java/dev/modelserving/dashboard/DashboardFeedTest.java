package dev.modelserving.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.kafka.ServingMetrics;
import dev.modelserving.model.LoadOutcome;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.Scored;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's feed from a real registry with real PMML models and real meters: what it shows, and its bounds. */
class DashboardFeedTest {

    @TempDir
    Path work;

    @Test
    void theFeedShowsEachServedDataTypeItsCountersAndLatencyAndStaysBoundedWhateverTheTopicsCarry() throws Exception {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServingMetrics metrics = new ServingMetrics(meters);
        try (ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()
                .withWorkDir(work)))) {
            // 60 dataTypes with a model (each one event), 30 with records only
            for (int i = 0; i < 60; i++) {
                ModelDescriptor d = ProjectModel.DECISION_TREE.descriptor("1").toBuilder()
                        .setDataType(String.format("t%02d", i)).build();
                LoadOutcome outcome = registry.apply(d.getDataType(), d.toByteArray(), null);
                assertThat(outcome).isInstanceOf(LoadOutcome.Loaded.class);
                metrics.model(outcome);
            }
            List<Scored> scored = registry.scoreBatch(ProjectData.wines().subList(0, 100).stream()
                    .map(w -> WineFeatures.of(w.toRecord("t00"))).toList());
            metrics.served(scored);
            for (int i = 0; i < 30; i++) {
                metrics.served(registry.scoreBatch(List.of(WineFeatures.of(ProjectData.wines().get(i)
                        .toRecord("junk-" + i)))));
            }
            metrics.received(130);
            ModelDescriptor broken = ProjectModel.DECISION_TREE.descriptor("2").toBuilder().setDataType("t00")
                    .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build();
            metrics.model(registry.apply("t00", broken.toByteArray(), null));

            DashboardFeed.Feed feed = DashboardFeed.of("test", "data", registry.allStats(), registry.servedModels(),
                    meters);

            assertThat(feed.dataTypes()).hasSize(DashboardFeed.MAX_DATA_TYPES);
            assertThat(feed.moreDataTypes()).isEqualTo(10);
            assertThat(feed.withoutModel().dataTypes()).isEqualTo(30);
            assertThat(feed.withoutModel().records()).isEqualTo(30);
            assertThat(feed.events()).hasSize(DashboardFeed.MAX_EVENTS);
            assertThat(feed.events()).isSortedAccordingTo((a, b) -> b.at().compareTo(a.at()));
            assertThat(feed.totals().in()).isEqualTo(130);
            assertThat(feed.totals().scored()).isEqualTo(100);
            assertThat(feed.totals().skipped()).isEqualTo(30);
            assertThat(feed.lag()).isEmpty(); // no Kafka consumer bound here

            DashboardFeed.DataType t00 = feed.dataTypes().get(0);
            assertThat(t00.dataType()).isEqualTo("t00");
            assertThat(t00.model().name()).isEqualTo(ProjectModel.DECISION_TREE.modelName());
            assertThat(t00.model().version()).isEqualTo("1");
            assertThat(t00.model().type()).isEqualTo("PMML");
            assertThat(t00.model().sha256()).hasSize(64);
            assertThat(t00.scored()).isEqualTo(100);
            // the histogram's running totals: rising with the bound, all 100 records under 10 s
            assertThat(t00.latency().count()).isEqualTo(100);
            assertThat(t00.latency().buckets()).isNotEmpty();
            assertThat(t00.latency().buckets()).extracting(b -> b[0]).isSorted().allSatisfy(ms -> assertThat(ms)
                    .isPositive());
            assertThat(t00.latency().buckets()).extracting(b -> b[1]).isSorted().last().isEqualTo(100.0);
            assertThat(feed.dataTypes().get(1).latency()).isNull(); // no record scored
            assertThat(t00.swaps()).isEqualTo(1);
            assertThat(t00.failedLoads()).isEqualTo(1);
            assertThat(t00.lastRefused().version()).isEqualTo("2");
            assertThat(t00.lastRefused().reason()).contains("not a usable PMML document");
            assertThat(feed.events().get(0).kind()).isEqualTo("refused");
            assertThat(feed.events().get(0).dataType()).isEqualTo("t00");
        }
    }

    @Test
    void refusedModelsOfMadeUpDataTypesNeverPushAServedDataTypeOffThePage() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()
                .withWorkDir(work)))) {
            for (int i = 0; i < 60; i++) {
                ModelDescriptor junk = ProjectModel.DECISION_TREE.descriptor("1").toBuilder()
                        .setDataType(String.format("a%02d", i))
                        .setData(com.google.protobuf.ByteString.copyFromUtf8("not PMML")).build();
                assertThat(registry.apply(junk.getDataType(), junk.toByteArray(), null))
                        .isInstanceOf(LoadOutcome.Rejected.class);
            }
            ModelDescriptor wine = ProjectModel.DECISION_TREE.descriptor("1");
            assertThat(registry.apply(wine.getDataType(), wine.toByteArray(), null))
                    .isInstanceOf(LoadOutcome.Loaded.class);

            DashboardFeed.Feed feed = DashboardFeed.of("test", "data", registry.allStats(), registry.servedModels(),
                    meters);

            assertThat(feed.dataTypes()).hasSize(DashboardFeed.MAX_DATA_TYPES);
            assertThat(feed.dataTypes().get(0).dataType()).isEqualTo(wine.getDataType());
            assertThat(feed.dataTypes().get(0).model().name()).isEqualTo(wine.getName());
            assertThat(feed.dataTypes().get(1).model()).isNull();
            assertThat(feed.moreDataTypes()).isEqualTo(11);
        }
    }
}
