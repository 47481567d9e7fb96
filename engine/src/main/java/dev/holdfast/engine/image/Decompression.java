package dev.holdfast.engine.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * Recognizes how a tar stream is compressed from its first bytes, as {@code docker load} does: gzip, bzip2 and zstd
 * (through zstd-jni) are unpacked, plain tar passes through, xz is refused with a clear message (its decoder is not
 * on the engine's classpath).
 */
final class Decompression {
    private static final byte[] GZIP = {0x1f, (byte) 0x8b};
    private static final byte[] BZIP2 = {'B', 'Z', 'h'};
    private static final byte[] XZ = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    private Decompression() {}

    static InputStream open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        in.mark(8);
        byte[] head = in.readNBytes(6);
        in.reset();
        if (startsWith(head, GZIP)) {
            return new GZIPInputStream(in, 64 * 1024);
        }
        if (startsWith(head, BZIP2)) {
            return new BZip2CompressorInputStream(in, true);
        }
        if (startsWith(head, XZ)) {
            throw ImageException.invalid("xz-compressed archives are not supported: decompress with unxz first");
        }
        if (startsWith(head, ZSTD)) {
            return new ZstdCompressorInputStream(in);
        }
        return in;
    }

    /** How the blob in {@code file} is compressed: {@code gzip}, {@code bzip2}, {@code zstd} or {@code none}. */
    static String kind(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(6);
        }
        return startsWith(head, GZIP) ? "gzip" : startsWith(head, BZIP2) ? "bzip2" : startsWith(head, ZSTD) ? "zstd"
                : "none";
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }
}
