package dev.modelserving.model;

/**
 * The content of a model, read and checked.
 *
 * @param content the bytes
 * @param origin "by value" or the path the bytes were read from
 */
public record ModelBytes(byte[] content, String origin) {

    public int size() {
        return content.length;
    }

    /** Lower-case hex SHA-256 of the bytes (computed on each call). */
    public String sha256() {
        return ModelDigest.sha256(content);
    }
}
