package dev.holdfast.engine.image;

import dev.holdfast.engine.store.AtomicFiles;
import dev.holdfast.engine.store.FileTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Blobs by digest, as containerd's content store keeps them: {@code <data>/content/blobs/sha256/<hex>}, each
 * written to {@code content/ingest/} first, hashed while written, and renamed into place only when its digest is
 * the one expected. Blobs are kept byte for byte as received (a registry's gzip layer stays that gzip), so that
 * digests round-trip to a registry and back. Ingest files a crash left are deleted at boot.
 */
final class ContentStore {
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

    private final Path blobs;
    private final Path ingest;

    ContentStore(Path dataRoot) throws IOException {
        this.blobs = dataRoot.resolve("content/blobs/sha256");
        this.ingest = dataRoot.resolve("content/ingest");
        Files.createDirectories(blobs);
        Files.createDirectories(ingest);
    }

    /** At boot, before any pull runs: deletes the downloads a crash cut short. */
    void removeIngest() throws IOException {
        FileTrees.deleteRecursively(ingest);
        Files.createDirectories(ingest);
    }

    Optional<Path> blob(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            return Optional.empty();
        }
        Path path = blobs.resolve(digest.substring(7));
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /** The digests of every blob held. */
    Set<String> digests() throws IOException {
        Set<String> all = new HashSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs)) {
            for (Path entry : entries) {
                all.add("sha256:" + entry.getFileName());
            }
        }
        return all;
    }

    void delete(String digest) throws IOException {
        Optional<Path> path = blob(digest);
        if (path.isPresent()) {
            Files.deleteIfExists(path.get());
        }
    }

    /** Stores {@code bytes} (a config, a manifest) under their digest; returns it. */
    String put(byte[] bytes) throws IOException {
        try (Writer writer = writer()) {
            writer.write(bytes);
            return writer.commit(null);
        }
    }

    Writer writer() throws IOException {
        return new Writer(ingest.resolve(Long.toHexString(ThreadLocalRandom.current().nextLong())));
    }

    /** A blob being written; {@link #commit} publishes it, {@link #close} without commit discards it. */
    final class Writer extends OutputStream {
        private final Path file;
        private final OutputStream out;
        private final MessageDigest sha256 = LayerUnpacker.sha256();
        private long size;
        private boolean committed;

        private Writer(Path file) throws IOException {
            this.file = file;
            this.out = Files.newOutputStream(file);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha256.update((byte) b);
            size++;
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            out.write(bytes, off, len);
            sha256.update(bytes, off, len);
            size += len;
        }

        long size() {
            return size;
        }

        /** Syncs and renames the blob into place; {@code expected} (null: any) must be its digest. */
        String commit(String expected) throws IOException {
            out.close();
            String digest = "sha256:" + HexFormat.of().formatHex(sha256.digest());
            if (expected != null && !expected.equals(digest)) {
                throw ImageException.invalid("blob digest mismatch: expected " + expected + ", got " + digest);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(file, blobs.resolve(digest.substring(7)), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.syncDirectory(blobs);
            committed = true;
            return digest;
        }

        @Override
        public void close() throws IOException {
            out.close();
            if (!committed) {
                Files.deleteIfExists(file);
            }
        }
    }
}
