package dev.modelserving.kafka;

import java.time.Duration;
import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * A duration setting as people write it, the same in and outside Quarkus: {@code 500ms}, {@code 60s}, {@code 2m},
 * {@code 1h}, a plain number of seconds, or ISO-8601 ({@code PT1M}).
 */
public final class DurationConverter implements Converter<Duration> {

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty()) {
            return null;
        }
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            char unit = v.charAt(v.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1).trim());
            return switch (unit) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException(bad(value));
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(bad(value), e);
        }
    }

    private static String bad(String value) {
        return "'" + value + "' is not a duration (e.g. 500ms, 60s, 2m, PT1M)";
    }
}
