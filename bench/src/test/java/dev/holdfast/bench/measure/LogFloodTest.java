package dev.holdfast.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogFloodTest {
    /** What the container writes: "block I\n" and the block, B times. */
    private static byte[] expected(LogFlood.Pattern p) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int b = 0; b < p.blocks(); b++) {
            out.writeBytes(("block " + b + "\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(p.block());
        }
        return out.toByteArray();
    }

    private static LogFlood.Checker check(LogFlood.Pattern p, byte[] data, int chunk) {
        LogFlood.Checker c = new LogFlood.Checker(p);
        for (int off = 0; off < data.length; off += chunk) {
            c.accept(data, off, Math.min(chunk, data.length - off));
        }
        return c;
    }

    @Test
    void patternsHaveTheirLineLengthsAndAboutTheSizeAsked() {
        LogFlood.Pattern s = LogFlood.Pattern.of("short", 2);
        assertEquals(100 * 10_000, s.block().length);
        assertEquals(2, s.blocks());
        assertEquals("000001 ", new String(s.block(), 100, 7, StandardCharsets.US_ASCII));
        LogFlood.Pattern k = LogFlood.Pattern.of("16k", 3);
        assertEquals(16 * 1024 * 64, k.block().length);
        assertEquals(expected(k).length, k.totalBytes());
    }

    @Test
    void theWholeOutputInOrderIsVerifiedWhateverTheReadSizes() {
        LogFlood.Pattern p = LogFlood.Pattern.of("short", 2);
        byte[] all = expected(p);
        for (int chunk : new int[] {1 << 20, 4096, 7}) {
            LogFlood.Checker c = check(p, all, chunk);
            assertEquals(-1, c.firstDifference);
            assertEquals(all.length, c.seen);
        }
    }

    @Test
    void aChangedMissingOrExtraByteIsFoundWhereItIs() {
        LogFlood.Pattern p = LogFlood.Pattern.of("short", 2);
        byte[] all = expected(p);
        byte[] changed = all.clone();
        changed[123_456] = 'n';
        assertEquals(123_456, check(p, changed, 4096).firstDifference);

        byte[] shorter = java.util.Arrays.copyOf(all, all.length - 10);
        LogFlood.Checker c = check(p, shorter, 4096);
        assertEquals(-1, c.firstDifference);
        assertEquals(all.length - 10, c.seen);

        byte[] longer = java.util.Arrays.copyOf(all, all.length + 3);
        c = check(p, longer, 4096);
        assertEquals(all.length, c.firstDifference);
        assertEquals(all.length + 3, c.seen);
    }
}
