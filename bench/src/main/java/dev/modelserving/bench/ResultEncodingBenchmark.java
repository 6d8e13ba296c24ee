package dev.modelserving.bench;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Scored;
import dev.modelserving.model.ServingResults;
import dev.modelserving.model.WineFeatures;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Microseconds to turn one scored wine (the project's decision tree: a label and 7 class probabilities) into its
 * {@code ServingResult} bytes: through the generated message's builder, or written straight by
 * {@link ServingResults#protobuf} (the same bytes), as the servers do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ResultEncodingBenchmark {

    private List<Scored> scored;
    private int next;

    @Setup(Level.Trial)
    public void score() throws Exception {
        try (Model model = new ModelFactory(LoadingPolicy.defaults())
                .load(ProjectModel.DECISION_TREE.descriptor("bench"))) {
            scored = ProjectData.wines().stream().map(w -> WineFeatures.of(w.toRecord(ProjectData.DATA_TYPE)))
                    .map(r -> new Scored(r, model.info(), model.score(r), 1_800, null)).toList();
        }
    }

    @Benchmark
    public byte[] generatedMessage() {
        next = (next + 1) % scored.size();
        return ServingResults.of(scored.get(next), "models_data", 2, 1_234_567L + next, 1_764_800_000_000L)
                .toByteArray();
    }

    @Benchmark
    public byte[] direct() {
        next = (next + 1) % scored.size();
        return ServingResults.protobuf(scored.get(next), "models_data", 2, 1_234_567L + next, 1_764_800_000_000L);
    }
}
