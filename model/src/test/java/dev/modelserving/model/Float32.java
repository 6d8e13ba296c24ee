package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.assertj.core.data.Offset;

/**
 * How close two float32 model outputs must be to count as the same answer, for tests that compare TensorFlow's
 * outputs with each other or with a plain-Java forward pass.
 *
 * <p>TensorFlow's CPU kernels pick their code path by instruction set (SSE, AVX2, AVX-512, FMA or not) and by batch
 * shape, so the order in which a dense layer adds its products differs between machines and between a batch and a
 * single call. Each order is correct to float32's precision (machine epsilon 1.2e-7), but the rounding differs: a
 * layer's sum of n products can move by about n ulps of its largest term, and a sigmoid passes that on. Seen on an
 * AMD EPYC machine: 0.5002149 vs 0.5002161 (relative 2.4e-6) between a batch and single calls, and 1.41352e-32 vs
 * 1.41353e-32 (relative 7.8e-6) for a probability that is all but zero. Hence a relative tolerance of
 * {@value #RELATIVE} plus an absolute floor of {@value #ABSOLUTE} for values near 0, where relative error means
 * nothing. Labels (the argmax) are compared exactly unless the two best classes are themselves within tolerance.
 */
public final class Float32 {

    public static final double RELATIVE = 1e-5;
    public static final double ABSOLUTE = 1e-6;

    private Float32() {}

    /** The difference allowed from an expected float32 output. */
    public static Offset<Double> closeTo(double expected) {
        return within(ABSOLUTE + RELATIVE * Math.abs(expected));
    }

    /** Whether two float32 outputs are the same within tolerance. */
    public static boolean same(double a, double b) {
        return Math.abs(a - b) <= ABSOLUTE + RELATIVE * Math.max(Math.abs(a), Math.abs(b));
    }

    /** Same classes, each probability within tolerance. */
    public static void assertSameProbabilities(Map<String, Double> actual, Map<String, Double> expected,
            String what) {
        assertThat(actual.keySet()).as("%s: classes", what).isEqualTo(expected.keySet());
        expected.forEach((c, p) -> assertThat(actual.get(c)).as("%s: class %s", what, c).isCloseTo(p, closeTo(p)));
    }

    /**
     * The label a classifier gives when its probabilities are {@code expected}: the best class, or any class tied
     * with it within tolerance (where rounding alone may pick either).
     */
    public static Set<String> acceptableLabels(Map<String, Double> expected) {
        double best = expected.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        Set<String> out = new TreeSet<>();
        expected.forEach((c, p) -> {
            if (same(p, best)) {
                out.add(c);
            }
        });
        return out;
    }

    /** The same answer up to float32 rounding: probabilities within tolerance, the label exact unless tied. */
    public static void assertSamePrediction(Prediction actual, Prediction expected, String what) {
        assertSameProbabilities(actual.probabilities(), expected.probabilities(), what);
        if (expected.probabilities().isEmpty()) {
            assertThat(actual.label()).as("%s: label", what).isEqualTo(expected.label());
        } else {
            assertThat(actual.label()).as("%s: label", what).isIn(acceptableLabels(expected.probabilities()));
        }
    }
}
