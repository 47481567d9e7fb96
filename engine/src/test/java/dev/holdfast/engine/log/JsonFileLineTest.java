package dev.holdfast.engine.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast json-file decoder agrees with the general parser on every line it accepts, and accepts the shim's. */
class JsonFileLineTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] line(String escapedLog, String stream, String time) {
        return bytes("{\"log\":\"" + escapedLog + "\",\"stream\":\"" + stream + "\",\"time\":\"" + time + "\"}");
    }

    /** Fast and general parse agree; returns whether the fast path took the line. */
    private static boolean agree(byte[] line) {
        JsonFileLine fast = new JsonFileLine();
        byte[] padded = new byte[line.length + 7];
        System.arraycopy(line, 0, padded, 3, line.length);
        boolean taken = fast.parse(padded, 3, 3 + line.length);
        LogEntry slow = LogReader.parse(line);
        if (taken) {
            assertNotNull(slow, () -> "fast path took a line the general parser refuses: " + show(line));
            assertEquals(slow.stream(), fast.stream(), () -> show(line));
            assertEquals(slow.time(), fast.time(), () -> show(line));
            assertArrayEquals(slow.text().getBytes(StandardCharsets.UTF_8),
                    Arrays.copyOf(fast.text(), fast.textLength()), () -> show(line));
        }
        return taken;
    }

    private static String show(byte[] line) {
        return new String(line, StandardCharsets.ISO_8859_1);
    }

    @Test
    void takesWhatTheShimWrites() {
        assertTrue(agree(line("hello\\n", "stdout", "2026-11-22T07:29:06.123456789Z")));
        assertTrue(agree(line("err", "stderr", "2026-11-22T07:29:06Z")));
        assertTrue(agree(line("", "stdout", "2026-11-22T07:29:06.1Z")));
        assertTrue(agree(line("\\u003chtml\\u003e \\u0026 \\\"q\\\" \\\\ \\t\\r\\n", "stdout",
                "2024-02-29T23:59:59.000000001Z")));
        assertTrue(agree(line("\\u0000\\u001f\\u007f\\ufffd\\u2028\\u2029", "stdout", "2026-01-01T00:00:00.5Z")));
        assertTrue(agree(line("grüße 日本 😀", "stdout", "2026-01-01T00:00:00Z")));
        assertTrue(agree(line("\\/\\b\\f", "stderr", "1970-01-01T00:00:00Z")));
    }

    @Test
    void leavesEverythingElseToTheGeneralParser() {
        // Other shapes, offsets, surrogate escapes, malformed UTF-8, raw control bytes, impossible dates.
        assertFalse(agree(bytes("{\"stream\":\"stdout\",\"log\":\"x\",\"time\":\"2026-01-01T00:00:00Z\"}")));
        assertFalse(agree(line("x", "stdout", "2026-01-01T00:00:00+01:00")));
        assertFalse(agree(line("x", "stdout", "2026-01-01T01:00:00.Z")));
        assertFalse(agree(line("x", "stdout", "2026-01-01T01:00:00.1234567890Z")));
        assertFalse(agree(line("\\ud83d\\ude00", "stdout", "2026-01-01T00:00:00Z")));
        assertFalse(agree(line("\\ud800", "stdout", "2026-01-01T00:00:00Z")));
        assertFalse(agree(line("x", "other", "2026-01-01T00:00:00Z")));
        assertFalse(agree(line("x", "stdout", "2026-02-30T00:00:00Z")));
        assertFalse(agree(line("x", "stdout", "2026-01-01T24:00:00Z")));
        assertFalse(agree(line("x", "stdout", "")));
        assertFalse(agree(line("x\\q", "stdout", "2026-01-01T00:00:00Z")));
        assertFalse(agree(line("x\\u12", "stdout", "2026-01-01T00:00:00Z")));
        assertFalse(agree(bytes("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"} ")));
        assertFalse(agree(bytes("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"")));
        assertFalse(agree(bytes("{\"log\":\"x")));
        byte[] raw = line("aXb", "stdout", "2026-01-01T00:00:00Z");
        for (int bad : new int[] {0x01, 0x0a, 0x80, 0xc0, 0xc1, 0xf5, 0xff}) {
            raw[9] = (byte) bad;
            assertFalse(agree(raw));
        }
        for (String seq : new String[] {"e08080", "eda080", "f08f8080", "f4908080", "c3", "e282"}) {
            byte[] b = new byte[seq.length() / 2];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) Integer.parseInt(seq.substring(2 * i, 2 * i + 2), 16);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(bytes("{\"log\":\"a"));
            out.writeBytes(b);
            out.writeBytes(bytes("\",\"stream\":\"stdout\",\"time\":\"2026-01-01T00:00:00Z\"}"));
            assertFalse(agree(out.toByteArray()), seq);
        }
    }

    @Test
    void agreesOnRandomLines() {
        Random random = new Random(42);
        String[] pieces = {"a", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u0041", "\\u00e9", "\\u20ac", "\\uD83D",
            "\\uDE00", "é", "€", "😀", "\\", "\"", "<", "\\u003c", "\u0001", "\\b"};
        String[] times = {"2026-11-22T07:29:06.123456789Z", "2026-11-22T07:29:06Z", "2026-11-22T07:29:07.5Z",
            "2026-11-22T07:29:06.123456789+02:00", "2026-13-01T00:00:00Z", "2026-11-22 07:29:06Z"};
        int taken = 0;
        for (int n = 0; n < 20000; n++) {
            StringBuilder log = new StringBuilder();
            for (int k = random.nextInt(6); k > 0; k--) {
                log.append(pieces[random.nextInt(pieces.length)]);
            }
            if (agree(line(log.toString(), random.nextBoolean() ? "stdout" : "stderr",
                    times[random.nextInt(times.length)]))) {
                taken++;
            }
        }
        assertTrue(taken > 1000, "the fast path took " + taken);
    }

    @Test
    void theSinksTimestampsAreFormatFixed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LogSink sink = new LogSink(out, false, true);
        StringBuilder expected = new StringBuilder();
        for (String t : new String[] {"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000000001Z",
            "2026-01-01T00:00:00.123456789Z", "2026-01-01T00:00:01.5Z", "1970-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z", "2026-01-01T00:00:01.000001Z"}) {
            Instant time = Instant.parse(t);
            sink.write(new LogEntry(LogEntry.Stream.STDOUT, time, "x\n"));
            expected.append(dev.holdfast.engine.time.Timestamps.formatFixed(time)).append(" x\n");
        }
        sink.flush();
        assertEquals(expected.toString(), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theSecondCacheFollowsTheTime() {
        JsonFileLine fast = new JsonFileLine();
        List<Instant> seen = new ArrayList<>();
        for (String t : new String[] {"2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.7Z", "2026-01-01T00:00:01Z",
            "2026-01-02T00:00:01Z"}) {
            byte[] l = line("x", "stdout", t);
            assertTrue(fast.parse(l, 0, l.length));
            seen.add(fast.time());
        }
        assertEquals(List.of(Instant.parse("2026-01-01T00:00:00.5Z"), Instant.parse("2026-01-01T00:00:00.7Z"),
                Instant.parse("2026-01-01T00:00:01Z"), Instant.parse("2026-01-02T00:00:01Z")), seen);
    }
}
