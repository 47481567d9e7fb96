package dev.holdfast.engine.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.LibC;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TarWriter and TarExtractor on real directories: what goes out comes back, and nothing lands outside the root. */
class TarRoundTripTest {
    @TempDir
    Path temp;

    @Test
    void aTreeWrittenAndExtractedKeepsContentModesAndLinks() throws Exception {
        Path source = Files.createDirectories(temp.resolve("source/tree"));
        Files.createDirectories(source.resolve("sub"));
        Files.writeString(source.resolve("sub/file"), "content");
        Files.setPosixFilePermissions(source.resolve("sub/file"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.createSymbolicLink(source.resolve("link"), Path.of("/sub/file"));
        Files.createLink(source.resolve("hard"), source.resolve("sub/file"));

        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (FileHandle root = FileHandle.openRoot(temp.resolve("source"));
                FileHandle tree = root.resolve("/tree", LibC.O_PATH)) {
            new TarWriter(archive).write(tree, "copy");
        }

        Path target = Files.createDirectories(temp.resolve("target"));
        try (FileHandle root = FileHandle.openRoot(target)) {
            new TarExtractor(root, "/", false, null).extract(new ByteArrayInputStream(archive.toByteArray()));
        }
        assertEquals("content", Files.readString(target.resolve("copy/sub/file")));
        assertEquals("rwxr-x---", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(target.resolve("copy/sub/file"))));
        assertEquals(Path.of("/sub/file"), Files.readSymbolicLink(target.resolve("copy/link")));
        assertTrue(Files.isSameFile(target.resolve("copy/hard"), target.resolve("copy/sub/file")));
    }

    @Test
    void entriesFollowTheArchivesOwnSymlinksOnlyInsideTheRoot() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root"));
        String planted = "planted-" + temp.getFileName();
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(archive)) {
            symlink(tar, "absolute", "/");
            symlink(tar, "climbing", "../../../../../..");
            file(tar, "absolute/" + planted);
            file(tar, "climbing/" + planted + "-too");
        }
        try (FileHandle handle = FileHandle.openRoot(root)) {
            new TarExtractor(handle, "/", false, null).extract(new ByteArrayInputStream(archive.toByteArray()));
        }
        assertFalse(Files.exists(Path.of("/", planted)));
        assertFalse(Files.exists(Path.of("/", planted + "-too")));
        assertTrue(Files.isRegularFile(root.resolve(planted), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isRegularFile(root.resolve(planted + "-too"), LinkOption.NOFOLLOW_LINKS));
    }

    private static void symlink(TarArchiveOutputStream tar, String name, String target) throws Exception {
        TarArchiveEntry link = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        link.setLinkName(target);
        tar.putArchiveEntry(link);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name) throws Exception {
        byte[] data = "x".getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry file = new TarArchiveEntry(name);
        file.setSize(data.length);
        tar.putArchiveEntry(file);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Test
    void anEntryClimbingOutOfTheDestinationIsRefused() throws Exception {
        Path root = Files.createDirectories(temp.resolve("root/dest"));
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(archive)) {
            TarArchiveEntry file = new TarArchiveEntry("../../climbed");
            tar.putArchiveEntry(file);
            tar.closeArchiveEntry();
        }
        try (FileHandle handle = FileHandle.openRoot(temp.resolve("root"))) {
            DomainException refused = assertThrows(DomainException.class, () -> new TarExtractor(handle, "/dest",
                    false, null).extract(new ByteArrayInputStream(archive.toByteArray())));
            assertTrue(refused.getMessage().contains("outside the extraction directory"), refused.getMessage());
        }
        assertFalse(Files.exists(temp.resolve("climbed")));
    }
}
