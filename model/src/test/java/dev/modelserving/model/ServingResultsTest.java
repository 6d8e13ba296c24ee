package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.ServingResult;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ServingResultsTest {

    private static final List<String> TEXTS = List.of("", "wine", "a-very-long-data-type-name-".repeat(10),
            "vin rouge \u00e9t\u00e9", "\u30ef\u30a4\u30f3", "emoji \ud83c\udf77");

    @Test
    void theDirectBytesAreTheGeneratedMessagesBytes() throws Exception {
        Random random = new Random(20261203);
        for (int i = 0; i < 2_000; i++) {
            Scored s = scored(random);
            String topic = pick(random, TEXTS);
            int partition = random.nextInt(4) == 0 ? 0 : random.nextInt(Integer.MAX_VALUE) * (random.nextBoolean() ? 1 : -1);
            long offset = random.nextInt(4) == 0 ? 0 : random.nextLong() >>> random.nextInt(64);
            long at = random.nextInt(4) == 0 ? 0 : System.currentTimeMillis() + random.nextInt();

            byte[] direct = ServingResults.protobuf(s, topic, partition, offset, at);
            ServingResult generated = ServingResults.of(s, topic, partition, offset, at);

            assertThat(direct).as("case %d: %s", i, generated).isEqualTo(generated.toByteArray());
            ServingResult read = ServingResult.parseFrom(direct);
            assertThat(read).isEqualTo(generated);
            assertThat(List.copyOf(read.getProbabilitiesMap().keySet()))
                    .isEqualTo(List.copyOf(s.prediction().probabilities().keySet()));
        }
    }

    @Test
    void aClassifiersProbabilitiesKeepTheModelsOrderAndATextLabelHasNoValue() {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("setosa", 0.1);
        probabilities.put("virginica", 0.7);
        probabilities.put("versicolor", 0.2);

        Prediction text = Prediction.classification("virginica", probabilities);
        Prediction numeric = Prediction.classification(" 6", Map.of("6", 1.0));

        assertThat(List.copyOf(text.probabilities().keySet())).containsExactly("setosa", "virginica", "versicolor");
        assertThat(text.value()).isNull();
        assertThat(numeric.value()).isEqualTo(6.0);
        assertThat(Prediction.classification("NaN", Map.of()).value()).isNaN();
        assertThat(Prediction.classification("Nine", Map.of()).value()).isNull();
        assertThat(Prediction.classification("", Map.of()).value()).isNull();
    }

    private static Scored scored(Random random) {
        Prediction prediction;
        switch (random.nextInt(4)) {
            case 0 -> prediction = Prediction.regression(random.nextGaussian() * 1e6);
            case 1 -> prediction = Prediction.regression(0.0);
            default -> {
                Map<String, Double> probabilities = new LinkedHashMap<>();
                int classes = random.nextInt(12);
                for (int c = 0; c < classes; c++) {
                    probabilities.put(random.nextBoolean() ? Integer.toString(c + 3) : pick(random, TEXTS) + c,
                            random.nextInt(5) == 0 ? 0.0 : random.nextDouble());
                }
                String label = probabilities.isEmpty() ? pick(random, TEXTS)
                        : List.copyOf(probabilities.keySet()).get(random.nextInt(probabilities.size()));
                prediction = Prediction.classification(label, probabilities);
            }
        }
        ModelInfo model = new ModelInfo(pick(random, TEXTS), "", "wine", ModelDescriptor.ModelType.PMML,
                random.nextBoolean() ? "" : Integer.toString(random.nextInt(1000)), 10, "by value", "a model",
                random.nextInt(5) == 0 ? "" : ModelDigest.sha256(pick(random, TEXTS).getBytes(StandardCharsets.UTF_8)));
        long duration = random.nextInt(4) == 0 ? 0 : random.nextLong() >>> random.nextInt(64);
        return new Scored(Features.of(pick(random, TEXTS), Map.of("x", 1.0)), model, prediction, duration, null);
    }

    private static String pick(Random random, List<String> from) {
        return from.get(random.nextInt(from.size()));
    }
}
