package dev.modelserving.bench;

import dev.modelserving.data.ProjectData;
import dev.modelserving.data.WineRow;
import dev.modelserving.training.LinearRegressionTrainer;
import dev.modelserving.training.Split;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The baseline: the project's linear regression computed in plain Java, without the model library. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class BaselineBenchmark {

    private LinearRegressionTrainer.LinearModel linear;
    private double[][] features;
    private int next;

    @Setup
    public void train() {
        List<WineRow> wines = ProjectData.wines();
        features = Split.features(wines);
        linear = LinearRegressionTrainer.train(features, Split.qualities(wines));
    }

    @Benchmark
    public double plainJavaLinear() {
        next = (next + 1) % features.length;
        return linear.predict(features[next]);
    }
}
