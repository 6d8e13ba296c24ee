package dev.modelserving.model;

import java.time.Instant;

/**
 * Something that happened to a dataType's models.
 *
 * @param at when the server saw it
 * @param kind {@code live} (a version went live), {@code candidate} (a candidate loaded), {@code promoted},
 *     {@code rolled back}, {@code refused}, {@code withdrawn} (a version's tombstone), {@code removed} (the
 *     dataType's tombstone), {@code rollback requested} or {@code promotion requested} (this server published
 *     the message that does it)
 * @param model the model it is about (name and version)
 * @param detail why, in words
 */
public record LifecycleEvent(Instant at, String kind, String model, String detail) {}
