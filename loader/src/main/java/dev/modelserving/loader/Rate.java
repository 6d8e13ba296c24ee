package dev.modelserving.loader;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Records per second, or as fast as the broker takes them ({@code max}).
 *
 * @param perSecond the target rate; infinite for max
 */
record Rate(double perSecond) {

    static final Rate MAX = new Rate(Double.POSITIVE_INFINITY);

    boolean isMax() {
        return Double.isInfinite(perSecond);
    }

    /** When record number {@code n} (from 0) is due, in nanoseconds after the start. */
    long dueNanos(long n) {
        return isMax() ? 0 : (long) (n * 1e9 / perSecond);
    }

    @Override
    public String toString() {
        return isMax() ? "max" : perSecond + "/s";
    }

    static final class Converter implements ITypeConverter<Rate> {
        @Override
        public Rate convert(String value) {
            if (value.equalsIgnoreCase("max")) {
                return MAX;
            }
            try {
                double r = Double.parseDouble(value);
                if (r > 0 && Double.isFinite(r)) {
                    return new Rate(r);
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new TypeConversionException("'" + value + "' is not a rate: give records per second (> 0) or max");
        }
    }
}
