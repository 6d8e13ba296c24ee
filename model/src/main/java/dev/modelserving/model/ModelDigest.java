package dev.modelserving.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The digest carried in {@code ModelDescriptor.sha256} for by-reference models. */
public final class ModelDigest {

    private ModelDigest() {}

    /** Lower-case hex SHA-256 of the bytes. */
    public static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
