package dev.modelserving.bench;

import com.google.protobuf.ByteString;
import dev.modelserving.data.ProjectData;
import dev.modelserving.data.ProjectData.ProjectModel;
import dev.modelserving.data.WineRow;
import dev.modelserving.model.Features;
import dev.modelserving.model.LoadingPolicy;
import dev.modelserving.model.WineFeatures;
import dev.modelserving.model.Model;
import dev.modelserving.model.ModelFactory;
import dev.modelserving.model.Prediction;
import dev.modelserving.proto.ModelDescriptor;
import dev.modelserving.proto.WineRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Microseconds per record for every model kind, one record at a time and in batches of {@value #BATCH}; run with
 * {@link BaselineBenchmark} so the numbers stand next to a plain-Java baseline of the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ModelScoringBenchmark {

    static final int BATCH = 100;

    @Param({"linear-regression", "decision-tree", "spark-glm-gamma", "spark-mlp", "spark-random-forest",
            "tf-frozen-graph", "tf-saved-model"})
    public String kind;

    private Model model;
    private List<Features> records;
    private List<List<Features>> batches;
    private byte[][] encoded;
    private int next;

    @Setup(Level.Trial)
    public void load() throws Exception {
        List<WineRow> wines = ProjectData.wines();
        List<WineRecord> wineRecords = wines.stream().map(w -> w.toRecord(ProjectData.DATA_TYPE)).toList();
        records = wineRecords.stream().map(WineFeatures::of).toList();
        encoded = wineRecords.stream().map(WineRecord::toByteArray).toArray(byte[][]::new);
        batches = new ArrayList<>();
        for (int i = 0; i + BATCH <= records.size(); i += BATCH) {
            batches.add(records.subList(i, i + BATCH));
        }
        model = new ModelFactory(LoadingPolicy.defaults()).load(descriptor(kind));
    }

    @TearDown(Level.Trial)
    public void close() {
        model.close();
    }

    @Benchmark
    public Prediction single() {
        next = (next + 1) % records.size();
        return model.score(records.get(next));
    }

    /** What a server does per record before its engine's overhead: decode the Kafka bytes, then score. */
    @Benchmark
    public Prediction decodeAndScore() throws Exception {
        next = (next + 1) % encoded.length;
        return model.score(WineFeatures.of(WineRecord.parseFrom(encoded[next])));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public List<Prediction> batch() {
        next = (next + 1) % batches.size();
        return model.scoreBatch(batches.get(next));
    }

    private static ModelDescriptor descriptor(String kind) throws IOException {
        return switch (kind) {
            case "linear-regression" -> ProjectModel.LINEAR_REGRESSION.descriptor("bench");
            case "decision-tree" -> ProjectModel.DECISION_TREE.descriptor("bench");
            case "tf-frozen-graph" -> ProjectModel.MLP_FROZEN_GRAPH.descriptor("bench");
            case "tf-saved-model" -> ProjectModel.MLP_SAVED_MODEL.descriptor("bench");
            case "spark-glm-gamma" -> fixture("glm-gamma-log.pmml");
            case "spark-mlp" -> fixture("mlp-classification.pmml");
            case "spark-random-forest" -> fixture("random-forest-classification.pmml");
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        };
    }

    private static ModelDescriptor fixture(String file) throws IOException {
        try (InputStream in = ModelScoringBenchmark.class.getResourceAsStream("/pmml/spark/" + file)) {
            return ModelDescriptor.newBuilder().setName(file).setDataType(ProjectData.DATA_TYPE)
                    .setModeltype(ModelDescriptor.ModelType.PMML)
                    .setData(ByteString.readFrom(in)).build();
        }
    }
}
