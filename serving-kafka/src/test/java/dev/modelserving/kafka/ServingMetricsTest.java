package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.model.Features;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters' dataType tags name only dataTypes that have had a model: made-up ones add no meters. */
class ServingMetricsTest {

    @TempDir
    Path tmp;

    @Test
    void recordsAndRefusedModelsOfMadeUpDataTypesAreTaggedOtherAndServedOnesByName() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ServingMetrics metrics = new ServingMetrics(meters);
        try (ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults().withWorkDir(tmp)))) {
            List<Features> junk = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                junk.add(WineFeatures.of(ProjectData.wines().get(i % 100).toRecord("junk-" + i)));
            }
            metrics.served(registry.scoreBatch(junk));
            for (int i = 0; i < 50; i++) {
                metrics.model(registry.offer(ModelDescriptor.newBuilder().setName("broken").setDataType("fake-" + i)
                        .setModeltype(ModelDescriptor.ModelType.PMML)
                        .setData(com.google.protobuf.ByteString.copyFromUtf8("<PMML")).build()));
            }
            metrics.model(registry.offer(ProjectModel.DECISION_TREE.descriptor("1")));
            metrics.served(registry.scoreBatch(List.of(WineFeatures.of(ProjectData.wines().get(0).toRecord("wine")))));
        }

        assertThat(tags(meters)).containsExactlyInAnyOrder(ServingMetrics.OTHER, "wine");
        assertThat(meters.counter("modelserving.records.skipped", "dataType", ServingMetrics.OTHER).count())
                .isEqualTo(2_000);
        assertThat(meters.counter("modelserving.model.failed_loads", "dataType", ServingMetrics.OTHER).count())
                .isEqualTo(50);
        assertThat(meters.counter("modelserving.records.scored", "dataType", "wine").count()).isEqualTo(1);
        assertThat(meters.counter("modelserving.model.swaps", "dataType", "wine").count()).isEqualTo(1);
    }

    private static Set<String> tags(SimpleMeterRegistry meters) {
        return meters.getMeters().stream().map(Meter::getId).map(id -> id.getTag("dataType"))
                .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
    }
}
