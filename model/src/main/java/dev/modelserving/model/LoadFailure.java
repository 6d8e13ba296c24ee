package dev.modelserving.model;

import java.time.Instant;

/**
 * A model that was refused: what, why, when.
 *
 * @param modelName the refused descriptor's name
 * @param version the refused descriptor's version (may be empty)
 * @param reason why it was refused
 * @param at when
 */
public record LoadFailure(String modelName, String version, String reason, Instant at) {}
