package dev.holdfast.engine.handover;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the data root's records looked like when a restart's new engine read them beside the engine still serving:
 * the entries of each directory that holds records, with their inode numbers, sizes and modification times. The same
 * fingerprint after "go" means nothing was written in between, so what was read stands.
 * <p>
 * Records are written atomically (a temporary file renamed into place), so every write gives its entry a new inode
 * and changes the mtime of the directory it lands in; a record one level down ({@code containers/ID/container.json})
 * changes the mtime of its directory, an entry here. A fingerprint whose newest mtime is within {@link #RACY} of
 * when it was taken is racy: the kernel's coarse clock could give a write just after it the same mtime, so it
 * matches nothing (git's "racily clean" index entries, the same problem).
 */
public final class DataRootFingerprint {
    private static final List<String> RECORD_DIRECTORIES = List.of("", "containers", "images", "layers", "volumes",
            "mounts", "network/containers", "networks");
    private static final Duration RACY = Duration.ofMillis(50);
    private static final int RACY_RETRIES = 3;

    /** An entry's identity: a rewrite renames a new inode into place, a directory's mtime moves with its entries. */
    private record Entry(Object fileKey, long size, FileTime modified) {}

    private final Map<Path, Entry> entries;
    private final boolean racy;

    private DataRootFingerprint(Map<Path, Entry> entries, boolean racy) {
        this.entries = entries;
        this.racy = racy;
    }

    /**
     * A fingerprint taken again, a tick later, while it is racy (the serving engine wrote a moment ago), a few times:
     * a reading that cannot count is not worth doing.
     */
    public static DataRootFingerprint takeSettled(Path dataRoot) throws IOException {
        DataRootFingerprint fingerprint = take(dataRoot);
        for (int retry = 0; fingerprint.racy && retry < RACY_RETRIES; retry++) {
            try {
                Thread.sleep(RACY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted taking the fingerprint of " + dataRoot, e);
            }
            fingerprint = take(dataRoot);
        }
        return fingerprint;
    }

    public static DataRootFingerprint take(Path dataRoot) throws IOException {
        Instant takenAt = Instant.now();
        Map<Path, Entry> entries = new HashMap<>();
        FileTime newest = FileTime.fromMillis(0);
        for (String name : RECORD_DIRECTORIES) {
            Path dir = dataRoot.resolve(name);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    Entry entry = entry(child);
                    if (entry != null) {
                        entries.put(child, entry);
                        newest = entry.modified().compareTo(newest) > 0 ? entry.modified() : newest;
                    }
                }
            }
            Entry self = entry(dir);
            if (self != null) {
                entries.put(dir, self);
                newest = self.modified().compareTo(newest) > 0 ? self.modified() : newest;
            }
        }
        return new DataRootFingerprint(Map.copyOf(entries),
                !newest.toInstant().isBefore(takenAt.minus(RACY)));
    }

    private static Entry entry(Path path) throws IOException {
        try {
            // The file key is the device and inode number on Linux; one stat(2), no attribute-name parsing.
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return new Entry(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime());
        } catch (NoSuchFileException e) {
            return null; // renamed away while we listed: the directory's mtime tells
        }
    }

    /** True when neither fingerprint is racy and every entry is the same. */
    public boolean matches(DataRootFingerprint later) {
        return !racy && !later.racy && entries.equals(later.entries);
    }
}
