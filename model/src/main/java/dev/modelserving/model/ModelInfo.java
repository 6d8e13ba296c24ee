package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;

/**
 * The description of a loaded model.
 *
 * @param name the descriptor's name
 * @param description the descriptor's description
 * @param dataType the records this model serves
 * @param type PMML or TENSORFLOW
 * @param version the descriptor's version, empty when not given
 * @param sizeBytes the size of the model's bytes
 * @param origin "by value" or the file it was read from
 * @param details what the loader found inside, e.g. "TreeModel classification of quality"
 * @param sha256 lower-case hex SHA-256 of the model's bytes (the file's, for a model loaded by reference), which
 *     every result of the model carries
 */
public record ModelInfo(
        String name,
        String description,
        String dataType,
        ModelDescriptor.ModelType type,
        String version,
        long sizeBytes,
        String origin,
        String details,
        String sha256) {

    /** Name and version as people read them: {@code tree} or {@code tree v3}. */
    public String label() {
        return version.isEmpty() ? "'" + name + "'" : "'" + name + "' v" + version;
    }
}
