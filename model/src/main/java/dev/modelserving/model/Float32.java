package dev.modelserving.model;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * When two float32 model outputs are the same answer: TensorFlow's, compared with each other or with a computation
 * in double.
 *
 * <p>TensorFlow's CPU kernels pick their code path by instruction set (SSE, AVX2, AVX-512, FMA or not) and by batch
 * shape, so the order in which a dense layer adds its products differs between machines and between a batch and a
 * single call. Each order is correct to float32's precision (machine epsilon 1.2e-7), but the rounding differs: a
 * layer's sum of n products can move by about n ulps of its largest term, and a sigmoid passes that on. Seen on an
 * AMD EPYC machine: 0.5002149 vs 0.5002161 (relative 2.4e-6) between a batch and single calls, and 1.41352e-32 vs
 * 1.41353e-32 (relative 7.8e-6) for a probability that is all but zero. Hence a relative tolerance of
 * {@value #RELATIVE} plus an absolute floor of {@value #ABSOLUTE} for values near 0, where relative error means
 * nothing. Labels (the argmax) must be equal unless the two best classes are themselves within tolerance.
 */
public final class Float32 {

    public static final double RELATIVE = 1e-5;
    public static final double ABSOLUTE = 1e-6;

    private Float32() {}

    /** The difference allowed from an expected float32 output. */
    public static double tolerance(double expected) {
        return ABSOLUTE + RELATIVE * Math.abs(expected);
    }

    /** Whether two float32 outputs are the same within tolerance. */
    public static boolean same(double a, double b) {
        return Math.abs(a - b) <= ABSOLUTE + RELATIVE * Math.max(Math.abs(a), Math.abs(b));
    }

    /**
     * The labels a classifier may give when its probabilities are {@code probabilities}: the best class, or any class
     * tied with it within tolerance (where rounding alone may pick either).
     */
    public static Set<String> acceptableLabels(Map<String, Double> probabilities) {
        double best = probabilities.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        Set<String> out = new TreeSet<>();
        probabilities.forEach((c, p) -> {
            if (same(p, best)) {
                out.add(c);
            }
        });
        return out;
    }

    /**
     * How {@code actual} differs from {@code expected} beyond float32 rounding, or empty when they are the same
     * answer: the same classes, each probability within tolerance, the label equal unless tied.
     */
    public static Optional<String> mismatch(Prediction actual, Prediction expected) {
        if (!actual.probabilities().keySet().equals(expected.probabilities().keySet())) {
            return Optional.of("classes " + actual.probabilities().keySet() + ", expected "
                    + expected.probabilities().keySet());
        }
        for (Map.Entry<String, Double> e : expected.probabilities().entrySet()) {
            double got = actual.probabilities().get(e.getKey());
            if (Math.abs(got - e.getValue()) > tolerance(e.getValue())) {
                return Optional.of("class " + e.getKey() + ": " + got + ", expected " + e.getValue() + " (within "
                        + tolerance(e.getValue()) + ")");
            }
        }
        boolean labelOk = expected.probabilities().isEmpty()
                ? Objects.equals(actual.label(), expected.label())
                : acceptableLabels(expected.probabilities()).contains(actual.label());
        return labelOk ? Optional.empty() : Optional.of("label " + actual.label() + ", expected " + expected.label());
    }
}
