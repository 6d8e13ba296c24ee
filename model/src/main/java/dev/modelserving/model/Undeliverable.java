package dev.modelserving.model;

import java.time.Instant;

/**
 * A record whose result or dead letter could not be written and was given up: where it came from, why, when.
 *
 * @param source where the record came from, {@code topic[partition]@offset}
 * @param reason why its outcome could not be written
 * @param at when it was given up
 */
public record Undeliverable(String source, String reason, Instant at) {}
