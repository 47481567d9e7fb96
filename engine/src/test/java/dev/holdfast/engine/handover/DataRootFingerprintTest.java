package dev.holdfast.engine.handover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataRootFingerprintTest {
    private static final FileTime AN_HOUR_AGO = FileTime.from(Instant.now().minusSeconds(3600));

    @TempDir
    Path data;

    @BeforeEach
    void aDataRootWrittenAnHourAgo() throws IOException {
        write("containers/c1/container.json", "{}");
        write("images/i1/image.json", "{}");
        write("repositories.json", "{}");
        write("networks/n1.json", "{}");
        write("mounts/c1.json", "[]");
        write("containers/c1/c1-json.log", "a line\n");
        ageEverything();
    }

    @Test
    void nothingWrittenMatches() throws IOException {
        assertTrue(DataRootFingerprint.take(data).matches(DataRootFingerprint.take(data)));
    }

    @Test
    void aRecordRewrittenOneLevelDownDoesNotMatch() throws IOException {
        DataRootFingerprint before = DataRootFingerprint.take(data);
        write("containers/c1/container.json", "{\"changed\":true}");
        ageEverything(); // not racy: only the change itself may tell
        Files.setLastModifiedTime(data.resolve("containers/c1"), FileTime.from(Instant.now().minusSeconds(60)));
        assertFalse(before.matches(DataRootFingerprint.take(data)));
    }

    @Test
    void aTopLevelFileRenamedIntoPlaceDoesNotMatchEvenWithItsOldTimes() throws IOException {
        DataRootFingerprint before = DataRootFingerprint.take(data);
        write("repositories.json", "{}"); // same size: only the new inode tells
        ageEverything();
        assertFalse(before.matches(DataRootFingerprint.take(data)));
    }

    @Test
    void aNewOrRemovedEntryDoesNotMatch() throws IOException {
        DataRootFingerprint before = DataRootFingerprint.take(data);
        write("containers/c2/container.json", "{}");
        ageEverything();
        assertFalse(before.matches(DataRootFingerprint.take(data)));
        DataRootFingerprint withC2 = DataRootFingerprint.take(data);
        Files.delete(data.resolve("mounts/c1.json"));
        ageEverything();
        assertFalse(withC2.matches(DataRootFingerprint.take(data)));
    }

    @Test
    void aWriteJustNowIsRacyAndMatchesNothingNotEvenItself() throws IOException {
        write("volumes/v1/volume.json", "{}");
        DataRootFingerprint racy = DataRootFingerprint.take(data);
        assertFalse(racy.matches(racy), "a write in the same clock tick could follow unseen");
    }

    @Test
    void aContainerWritingItsLogChangesNothing() throws IOException {
        DataRootFingerprint before = DataRootFingerprint.take(data);
        Files.writeString(data.resolve("containers/c1/c1-json.log"), "more\n", StandardOpenOption.APPEND);
        assertTrue(before.matches(DataRootFingerprint.take(data)), "appending to a log writes no record");
    }

    private void write(String relative, String content) throws IOException {
        Path file = data.resolve(relative);
        Files.createDirectories(file.getParent());
        AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private void ageEverything() throws IOException {
        try (Stream<Path> paths = Files.walk(data)) {
            for (Path p : paths.toList()) {
                Files.setLastModifiedTime(p, AN_HOUR_AGO);
            }
        }
    }
}
