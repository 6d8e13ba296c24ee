package dev.modelserving.model;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The directory where loaders unpack archives (a SavedModel zip): private to the user the server runs as. It is
 * created owner-only; one that exists must be a directory (not a link), owned by that user, and open to no one else,
 * or the server refuses to start with the reason: another local user who could write there could swap a model's
 * files while it loads. Each load unpacks into {@code PREFIX + pid + "-" + start + "-" + random}; what a process
 * that no longer runs left there (a kill -9 during a load) is deleted when a model factory starts.
 */
public final class WorkDirectory {

    /** The name every unpacked archive's directory starts with. */
    public static final String PREFIX = "savedmodel-";
    private static final System.Logger LOG = System.getLogger(WorkDirectory.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private WorkDirectory() {}

    /** The default: {@code java.io.tmpdir/model-serving-USER}. */
    public static Path defaultPath() {
        return Path.of(System.getProperty("java.io.tmpdir"), "model-serving-" + System.getProperty("user.name"));
    }

    /**
     * Creates the directory (owner-only) or checks the one there, then deletes what dead processes left in it.
     *
     * @throws IllegalStateException when the directory is not private to this user, with what is wrong
     */
    public static void prepare(Path dir) {
        try {
            if (Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.toAbsolutePath().getParent());
                if (posix()) {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } else {
                    Files.createDirectory(dir);
                }
            }
            check(dir);
            deleteLeftovers(dir);
        } catch (IOException e) {
            throw new IllegalStateException("the work directory " + dir + " (model-server.work-dir) cannot be "
                    + "prepared: " + e, e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static void check(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw refused(dir, "it is a symbolic link");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw refused(dir, "it is not a directory");
        }
        if (!posix()) {
            return;
        }
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal me = currentUser(dir);
        if (!owner.equals(me)) {
            throw refused(dir, "it belongs to " + owner.getName() + ", not to " + me.getName()
                    + " who runs this server");
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> others = EnumSet.copyOf(permissions);
        others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE));
        if (!others.isEmpty()) {
            throw refused(dir, "its permissions are " + PosixFilePermissions.toString(permissions)
                    + "; only its owner may use it (chmod 700)");
        }
    }

    /**
     * The user this process runs as, as the file system knows it: the owner of a file it creates (a lookup by
     * {@code user.name} fails where the uid has no name, as in some containers).
     */
    private static UserPrincipal currentUser(Path dir) throws IOException {
        Path probe;
        try {
            probe = Files.createTempFile(dir.toAbsolutePath().getParent(), ".owner-probe-", "");
        } catch (IOException e) { // a parent this user may not write to: by name, then
            return FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
        }
        try {
            return Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static IllegalStateException refused(Path dir, String why) {
        return new IllegalStateException("the work directory " + dir + " (model-server.work-dir) is not private: "
                + why + ". Use a directory of your own, or let the server create it");
    }

    /**
     * The directory name one load of this process unpacks into ({@link Files#createTempDirectory} adds to it): its
     * pid and its start (a pid is reused, by a container's PID 1 after a restart, say).
     */
    public static String prefixOfThisProcess() {
        ProcessHandle self = ProcessHandle.current();
        return PREFIX + self.pid() + "-" + startOf(self) + "-";
    }

    /** When a process started, in milliseconds since the epoch; 0 when the system does not say. */
    private static long startOf(ProcessHandle p) {
        return p.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static void deleteLeftovers(Path dir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path entry : entries) {
                if (!ownerRuns(entry.getFileName().toString())) {
                    LOG.log(System.Logger.Level.INFO, "deleting " + entry + ", left by a server that no longer runs");
                    delete(entry);
                }
            }
        }
    }

    /**
     * Whether the process that made an unpacked directory still runs: a live process of its pid that started when
     * the name says (a name without both: no).
     */
    private static boolean ownerRuns(String name) {
        String[] parts = name.substring(PREFIX.length()).split("-");
        if (parts.length < 3) {
            return false;
        }
        try {
            long start = Long.parseLong(parts[1]);
            return ProcessHandle.of(Long.parseLong(parts[0])).filter(ProcessHandle::isAlive)
                    .map(p -> startOf(p) == start).orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Deletes a directory tree without following links. */
    public static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
