package dev.modelserving.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.ModelRegistry;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.WineRecord;
import dev.modelserving.proto.ServingResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The step every server takes, on a real PMML model: decode, score, outcome, counted. */
class RecordScoringTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RecordScoring scoring = new RecordScoring(new ServingMetrics(meters));
    private final ModelRegistry registry = new ModelRegistry(new ModelFactory(LoadingPolicy.defaults()));

    @AfterEach
    void close() {
        registry.close();
    }

    private static DataRecord<String> record(String key, byte[] value, long offset) {
        return new DataRecord<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, "models_data", 2,
                offset, "pass-" + offset);
    }

    private static final ModelDescriptor LINEAR = ProjectModel.LINEAR_REGRESSION.descriptor("1");

    private static byte[] wine(String dataType, double alcohol) {
        return WineFeatures.record(dataType, 7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, alcohol)
                .toByteArray();
    }

    /** What the model library itself says of a wine. */
    private static double libraryValue(double alcohol) throws Exception {
        try (Model model = new ModelFactory(LoadingPolicy.defaults()).load(LINEAR)) {
            return model.score(WineRecord.parseFrom(wine("wine", alcohol))).value();
        }
    }

    @Test
    void aBatchBecomesResultsDeadLettersAndSkipsInItsOrderWithItsKeys() throws Exception {
        registry.offer(LINEAR);
        List<DataRecord<String>> batch = List.of(
                record("k-1", wine("wine", 9.4), 10),
                record("k-2", "garbage".getBytes(StandardCharsets.UTF_8), 11),
                record(null, wine("beer", 9.4), 12),
                record(null, null, 13),
                record("k-5", wine("wine", 12.0), 14));

        List<Outcome<String>> out = scoring.score(batch, registry);

        assertThat(out).extracting(Outcome::passThrough).containsExactly("pass-10", "pass-11", "pass-12", "pass-13",
                "pass-14");
        Outcome.Result<String> first = (Outcome.Result<String>) out.get(0);
        assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("k-1");
        ServingResult r = ServingResult.parseFrom(first.result());
        assertThat(r.getModelName()).isEqualTo(LINEAR.getName());
        assertThat(r.getValue()).isCloseTo(libraryValue(9.4), within(1e-9));
        assertThat(r.getSourceTopic()).isEqualTo("models_data");
        assertThat(r.getSourcePartition()).isEqualTo(2);
        assertThat(r.getSourceOffset()).isEqualTo(10);

        Outcome.DeadLetter<String> garbage = (Outcome.DeadLetter<String>) out.get(1);
        assertThat(new String(garbage.key(), StandardCharsets.UTF_8)).isEqualTo("k-2");
        assertThat(garbage.error()).startsWith("not a WineRecord: ");
        assertThat(garbage.source()).isEqualTo("models_data[2]@11");
        assertThat(new String(garbage.headers().lastHeader(Provenance.ERROR_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo(garbage.error());
        assertThat(new String(garbage.headers().lastHeader(Provenance.SOURCE_HEADER).value(), StandardCharsets.UTF_8))
                .isEqualTo("models_data[2]@11");
        assertThat(Provenance.isDeadLetter(garbage.headers())).isTrue();

        assertThat(out.get(2)).isInstanceOf(Outcome.Skipped.class);
        Outcome.DeadLetter<String> empty = (Outcome.DeadLetter<String>) out.get(3);
        assertThat(empty.error()).isEqualTo("not a WineRecord: the message has no value");
        assertThat(empty.key()).isNull();
        assertThat(empty.valueOrEmpty()).isEmpty();
        assertThat(ServingResult.parseFrom(((Outcome.Result<String>) out.get(4)).result()).getValue())
                .isCloseTo(libraryValue(12.0), within(1e-9));

        assertThat(meters.counter("modelserving.records.in").count()).isEqualTo(5);
        assertThat(meters.counter("modelserving.records.dead_lettered").count()).isEqualTo(2);
        assertThat(meters.counter("modelserving.records.scored", "dataType", "wine").count()).isEqualTo(2);
        assertThat(meters.counter("modelserving.records.skipped", "dataType", "beer").count()).isEqualTo(1);
        assertThat(registry.stats("wine").orElseThrow().invocations()).isEqualTo(2);
    }

    @Test
    void scoringsMustMatchTheDecodedRecords() {
        List<RecordScoring.Decoded<String>> decoded = List.of(scoring.decode(record(null, wine("wine", 9), 1)));

        assertThatThrownBy(() -> scoring.outcomes(decoded, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("0 scorings for 1 decoded records");
    }
}
