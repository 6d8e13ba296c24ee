package dev.modelserving.model.tensorflow;

import dev.modelserving.model.ModelLoadException;
import dev.modelserving.model.WorkDirectory;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Unpacks an untrusted SavedModel zip into a fresh directory: entries must stay inside it (no {@code ../x}, no
 * absolute paths, no duplicates), and the number of entries and the bytes actually written are capped, whatever the
 * zip headers claim.
 */
final class SavedModelArchive {

    static final int MAX_ENTRIES = 10_000;
    private static final int END_RECORD_SIZE = 22;
    private static final int ZIP64_ENTRIES = 0xFFFF;

    private SavedModelArchive() {}

    /** Whether the bytes start like a zip: a local file header, or the end record of an empty zip. */
    static boolean looksLikeZip(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 'P' && bytes[1] == 'K'
                && ((bytes[2] == 3 && bytes[3] == 4) || (bytes[2] == 5 && bytes[3] == 6));
    }

    /**
     * Unpacks into a new subdirectory of {@code workDir} (owner-only, named after this process, see
     * {@link WorkDirectory}); the caller deletes it with {@link #delete(Path)}.
     */
    static Path unpack(byte[] zip, Path workDir, long maxBytes) throws ModelLoadException {
        Path dir;
        try {
            if (Files.notExists(workDir)) {
                WorkDirectory.prepare(workDir); // removed since the factory started: made private again
            }
            dir = Files.createTempDirectory(workDir, WorkDirectory.prefixOfThisProcess()).toRealPath();
        } catch (IOException | IllegalStateException e) {
            throw new ModelLoadException("cannot create a directory under " + workDir + " to unpack the SavedModel: "
                    + e, e);
        }
        try {
            extract(zip, dir, maxBytes);
            return dir;
        } catch (ModelLoadException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    private static void extract(byte[] zip, Path dir, long maxBytes) throws ModelLoadException {
        int declared = declaredEntries(zip);
        long written = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (++entries > MAX_ENTRIES) {
                    throw new ModelLoadException("the SavedModel zip has more than " + MAX_ENTRIES + " entries");
                }
                Path target = target(dir, entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                written += copy(in, target, maxBytes - written, maxBytes, entry.getName());
            }
        } catch (FileAlreadyExistsException e) {
            throw new ModelLoadException("the SavedModel zip holds entry '" + dir.relativize(Path.of(e.getFile()))
                    + "' twice");
        } catch (ZipException | EOFException e) {
            throw new ModelLoadException("not a readable zip (corrupt or truncated): " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot unpack the SavedModel zip into " + dir + ": " + e, e);
        }
        if (entries == 0) {
            throw new ModelLoadException("the SavedModel zip is empty (no entries)");
        }
        if (declared != ZIP64_ENTRIES && declared != entries) {
            throw new ModelLoadException("not a readable zip (corrupt or truncated): its directory lists " + declared
                    + " entries, its content holds " + entries);
        }
    }

    /**
     * The entry count of the zip's end-of-central-directory record. The entries are read in stream order, which a
     * truncated zip (or one whose directory tells another story than its content) would get past unnoticed.
     */
    private static int declaredEntries(byte[] zip) throws ModelLoadException {
        int lowest = Math.max(0, zip.length - END_RECORD_SIZE - 0xFFFF);
        for (int i = zip.length - END_RECORD_SIZE; i >= lowest; i--) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && zip[i + 2] == 5 && zip[i + 3] == 6) {
                return (zip[i + 10] & 0xFF) | (zip[i + 11] & 0xFF) << 8;
            }
        }
        throw new ModelLoadException("not a readable zip (corrupt or truncated): no end-of-central-directory record");
    }

    private static Path target(Path dir, String name) throws ModelLoadException {
        if (name.isEmpty() || name.startsWith("/") || name.startsWith("\\") || name.contains("\\")
                || name.contains(":") || name.indexOf('\0') >= 0) {
            throw new ModelLoadException("zip entry '" + name + "' is not a plain relative path; SavedModel refused");
        }
        Path target = dir.resolve(name).normalize();
        if (!target.startsWith(dir) || target.equals(dir) || Stream.of(name.split("/")).anyMatch(".."::equals)) {
            throw new ModelLoadException("zip entry '" + name + "' escapes the model directory; SavedModel refused");
        }
        return target;
    }

    private static long copy(InputStream in, Path target, long budget, long maxBytes, String name)
            throws IOException, ModelLoadException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                total += n;
                if (total > budget) {
                    throw new ModelLoadException("the SavedModel zip unpacks to more than " + maxBytes
                            + " bytes, the model size cap (stopped in entry '" + name + "')");
                }
                out.write(buffer, 0, n);
            }
        }
        return total;
    }

    /** Deletes a directory tree; a failure leaves files behind but never fails the load. */
    static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // Left behind: the next server to start deletes it (WorkDirectory), its process being gone by then.
        }
    }
}
