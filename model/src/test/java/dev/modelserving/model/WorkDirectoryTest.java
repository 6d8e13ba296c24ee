package dev.modelserving.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The work directory where archives unpack: private, and cleaned of what dead servers left. */
class WorkDirectoryTest {

    @TempDir
    Path tmp;

    private static void assumePosix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "a POSIX file system");
    }

    @Test
    void aMissingDirectoryIsCreatedOwnerOnly() throws Exception {
        assumePosix();
        Path dir = tmp.resolve("work");
        new ModelFactory(LoadingPolicy.defaults().withWorkDir(dir), List.of());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void aDirectoryOthersMayUseIsRefusedWithTheReason() throws Exception {
        assumePosix();
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> new ModelFactory(LoadingPolicy.defaults().withWorkDir(dir), List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not private: its permissions are rwxrwxrwx");
    }

    @Test
    void aLinkIsRefused() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        assertThatThrownBy(() -> new ModelFactory(LoadingPolicy.defaults().withWorkDir(link), List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("it is a symbolic link");
    }

    @Test
    void whatDeadServersLeftIsDeletedAndWhatThisOneUsesStays() throws Exception {
        Path dir = tmp.resolve("work");
        WorkDirectory.prepare(dir);
        Path dead = Files.createDirectories(dir.resolve(WorkDirectory.PREFIX + "999999999-123-4").resolve("variables"));
        Files.writeString(dead.resolve("variables.index"), "left by a kill -9");
        Path unnamed = Files.createDirectory(dir.resolve(WorkDirectory.PREFIX + "8731"));
        // this process's pid, but another start: a process that had the pid before
        long pid = ProcessHandle.current().pid();
        Path reused = Files.createDirectory(dir.resolve(WorkDirectory.PREFIX + pid + "-12345-77"));
        Path mine = Files.createDirectory(dir.resolve(WorkDirectory.prefixOfThisProcess() + "42"));
        Path other = Files.createDirectory(dir.resolve("not-ours"));

        new ModelFactory(LoadingPolicy.defaults().withWorkDir(dir), List.of());

        assertThat(dead.getParent()).doesNotExist();
        assertThat(unnamed).doesNotExist();
        assertThat(reused).doesNotExist();
        assertThat(mine).isDirectory();
        assertThat(other).isDirectory();
    }
}
