package dev.modelserving.model;

import java.time.Instant;

/**
 * The model serving a dataType and when it went live.
 *
 * @param model what the model is
 * @param since when it went live
 */
public record CurrentModel(ModelInfo model, Instant since) {}
