package dev.modelserving.model;

import dev.modelserving.proto.ModelDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a descriptor's model bytes, by value or by reference, under the {@link LoadingPolicy}: the size cap is
 * checked before anything is parsed, a location must lie under a configured root (its normalised path before the
 * file system is asked, and its real path after links are resolved), and a given SHA-256 must match.
 */
final class ModelSource {

    private final LoadingPolicy policy;
    private final List<Path> roots;

    ModelSource(LoadingPolicy policy) {
        this.policy = policy;
        this.roots = realRoots(policy.modelRoots());
    }

    ModelBytes read(ModelDescriptor d) throws ModelLoadException {
        ModelBytes bytes = switch (d.getMessageContentCase()) {
            case DATA -> byValue(d);
            case LOCATION -> byReference(d.getLocation());
            case MESSAGECONTENT_NOT_SET -> throw new ModelLoadException("the descriptor carries neither data nor a location");
        };
        if (bytes.size() == 0) {
            throw new ModelLoadException("the model is empty (0 bytes, " + bytes.origin() + ")");
        }
        checkDigest(d.getSha256(), bytes);
        return bytes;
    }

    private ModelBytes byValue(ModelDescriptor d) throws ModelLoadException {
        checkSize(d.getData().size());
        return new ModelBytes(d.getData().toByteArray(), "by value");
    }

    private ModelBytes byReference(String location) throws ModelLoadException {
        if (roots.isEmpty()) {
            throw new ModelLoadException("by-reference models are off: no model root is configured (location '"
                    + location + "')");
        }
        // The roots are checked on the normalised path before the file system is asked anything (so whether a file
        // exists outside them is never told), then again on the real path (a link inside a root may lead out).
        Path normalised = normalisedPath(location);
        if (outsideRoots(normalised)) {
            throw outsideTheRoots(location);
        }
        Path file = realPath(location, normalised);
        if (outsideRoots(file)) {
            throw outsideTheRoots(location);
        }
        try {
            if (!Files.isRegularFile(file)) {
                throw new ModelLoadException("location '" + location + "' is not a regular file");
            }
            checkSize(Files.size(file));
            try (InputStream in = Files.newInputStream(file)) {
                // Read at most one byte past the cap: the file may grow between the size check and the read.
                byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, policy.maxModelBytes() + 1));
                checkSize(content.length);
                return new ModelBytes(content, file.toString());
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read location '" + location + "': " + e, e);
        }
    }

    private boolean outsideRoots(Path path) {
        return roots.stream().noneMatch(path::startsWith);
    }

    private static ModelLoadException outsideTheRoots(String location) {
        return new ModelLoadException("location '" + location + "' is outside the model roots");
    }

    /** The location as an absolute, normalised path (no {@code ..}), without touching the file system. */
    private static Path normalisedPath(String location) throws ModelLoadException {
        try {
            Path path;
            if (location.contains(":") && !location.startsWith("/")) {
                URI uri = URI.create(location);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("file")) {
                    throw new ModelLoadException("location '" + location + "': scheme '" + scheme
                            + "' is not allowed (only file paths under the model roots are)");
                }
                path = Path.of(uri);
            } else {
                path = Path.of(location);
            }
            return path.toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) { // InvalidPathException too
            throw new ModelLoadException("location '" + location + "' is not a path: " + e.getMessage(), e);
        }
    }

    /** The real path of a location under a root (links resolved). */
    private static Path realPath(String location, Path normalised) throws ModelLoadException {
        try {
            return normalised.toRealPath();
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("location '" + location + "' does not exist");
        } catch (IOException e) {
            throw new ModelLoadException("location '" + location + "' is not readable: " + e.getMessage(), e);
        }
    }

    private void checkSize(long size) throws ModelLoadException {
        if (size > policy.maxModelBytes()) {
            throw new ModelLoadException("the model is " + size + " bytes, over the cap of " + policy.maxModelBytes()
                    + " bytes");
        }
    }

    private static void checkDigest(String expected, ModelBytes bytes) throws ModelLoadException {
        if (expected.isEmpty()) {
            return;
        }
        String actual = ModelDigest.sha256(bytes.content());
        if (!actual.equalsIgnoreCase(expected.trim())) {
            throw new ModelLoadException("SHA-256 mismatch for " + bytes.origin() + ": expected " + expected
                    + ", got " + actual);
        }
    }

    /**
     * Each root as configured (absolute, normalised) and as its real path, when that differs (a root that is, or
     * lies under, a link): a location is checked against both forms before and after its links are resolved.
     */
    private static List<Path> realRoots(List<Path> configured) {
        List<Path> out = new ArrayList<>();
        for (Path root : configured) {
            Path normalised = root.toAbsolutePath().normalize();
            out.add(normalised);
            try {
                Path real = root.toRealPath();
                if (!real.equals(normalised)) {
                    out.add(real);
                }
            } catch (IOException e) {
                // A root that does not exist (yet) holds no models: its normalised form is all there is.
            }
        }
        return List.copyOf(out);
    }
}
