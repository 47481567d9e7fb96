package dev.holdfast.engine.log;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;

/**
 * Decodes one json-file line in the exact shape the shim writes, {@code {"log":"…","stream":"stdout","time":"…Z"}},
 * without building a JSON tree or a String: the text's UTF-8 bytes go into a reusable buffer. A line of any other
 * shape, or with anything whose decoding is not plainly byte-exact (a {@code \\u} surrogate, bytes that are not
 * well-formed UTF-8, a raw control character, a time other than UTC), is refused, and the caller falls back to the
 * general parser, so the outcome never differs from it. One instance per reader; not thread-safe.
 */
final class JsonFileLine {
    private static final byte[] LOG = ascii("{\"log\":\"");
    private static final byte[] STREAM = ascii(",\"stream\":\"");
    private static final byte[] STDOUT = ascii("stdout\"");
    private static final byte[] STDERR = ascii("stderr\"");
    private static final byte[] TIME = ascii(",\"time\":\"");

    private byte[] text = new byte[256];
    private int textLength;
    private LogEntry.Stream stream;
    private Instant time;

    // The date and time to the second of the last line: consecutive lines mostly share it.
    private final byte[] lastSecond = new byte[19];
    private long lastEpochSecond;
    private boolean lastValid;

    byte[] text() {
        return text;
    }

    int textLength() {
        return textLength;
    }

    LogEntry.Stream stream() {
        return stream;
    }

    Instant time() {
        return time;
    }

    /** True when {@code line[from, to)} is a line of the shim's shape; its parts are then available. */
    boolean parse(byte[] line, int from, int to) {
        int i = expect(line, from, to, LOG);
        if (i < 0) {
            return false;
        }
        i = string(line, i, to);
        if (i < 0) {
            return false;
        }
        i = expect(line, i, to, STREAM);
        if (i < 0) {
            return false;
        }
        int s = expect(line, i, to, STDOUT);
        if (s >= 0) {
            stream = LogEntry.Stream.STDOUT;
        } else {
            s = expect(line, i, to, STDERR);
            if (s < 0) {
                return false;
            }
            stream = LogEntry.Stream.STDERR;
        }
        i = expect(line, s, to, TIME);
        if (i < 0) {
            return false;
        }
        // The time, then exactly "}" and the end of the line.
        int end = to - 2;
        if (end < i || line[end] != '"' || line[end + 1] != '}') {
            return false;
        }
        time = utc(line, i, end);
        return time != null;
    }

    /** Decodes the JSON string starting at {@code i} (after its opening quote); the index after its closing quote. */
    private int string(byte[] line, int i, int to) {
        int n = 0;
        byte[] out = text;
        if (out.length < to - i) {
            out = text = Arrays.copyOf(text, Math.max(to - i, text.length * 2));
        }
        while (i < to) {
            byte b = line[i];
            if (b == '"') {
                textLength = n;
                return i + 1;
            }
            if (b == '\\') {
                if (i + 1 >= to) {
                    return -1;
                }
                byte e = line[i + 1];
                switch (e) {
                    case '"', '\\', '/' -> out[n++] = e;
                    case 'n' -> out[n++] = '\n';
                    case 'r' -> out[n++] = '\r';
                    case 't' -> out[n++] = '\t';
                    case 'b' -> out[n++] = '\b';
                    case 'f' -> out[n++] = '\f';
                    case 'u' -> {
                        int cp = i + 5 < to ? hex4(line, i + 2) : -1;
                        if (cp < 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                            return -1; // surrogates (and broken escapes): the general parser decides
                        }
                        // Six escape bytes decode to at most three: the buffer sized to the line suffices.
                        if (cp < 0x80) {
                            out[n++] = (byte) cp;
                        } else if (cp < 0x800) {
                            out[n++] = (byte) (0xC0 | cp >> 6);
                            out[n++] = (byte) (0x80 | cp & 0x3F);
                        } else {
                            out[n++] = (byte) (0xE0 | cp >> 12);
                            out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                            out[n++] = (byte) (0x80 | cp & 0x3F);
                        }
                        i += 6;
                        continue;
                    }
                    default -> {
                        return -1;
                    }
                }
                i += 2;
                continue;
            }
            if (b >= 0x20) {
                out[n++] = b;
                i++;
                continue;
            }
            if (b >= 0) {
                return -1; // a raw control character: not valid JSON
            }
            int len = wellFormedUtf8(line, i, to);
            if (len == 0) {
                return -1;
            }
            System.arraycopy(line, i, out, n, len);
            n += len;
            i += len;
        }
        return -1;
    }

    /**
     * The length of the well-formed UTF-8 sequence at {@code i} (RFC 3629: shortest form, no surrogates, at most
     * U+10FFFF), 0 if there is none. Such bytes decode and re-encode to themselves.
     */
    static int wellFormedUtf8(byte[] b, int i, int to) {
        int b0 = b[i] & 0xFF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            return i + 1 < to && cont(b[i + 1]) ? 2 : 0;
        }
        if (b0 >= 0xE0 && b0 <= 0xEF) {
            if (i + 2 >= to || !cont(b[i + 1]) || !cont(b[i + 2])) {
                return 0;
            }
            int b1 = b[i + 1] & 0xFF;
            if (b0 == 0xE0 && b1 < 0xA0 || b0 == 0xED && b1 > 0x9F) {
                return 0; // overlong, or a surrogate
            }
            return 3;
        }
        if (b0 >= 0xF0 && b0 <= 0xF4) {
            if (i + 3 >= to || !cont(b[i + 1]) || !cont(b[i + 2]) || !cont(b[i + 3])) {
                return 0;
            }
            int b1 = b[i + 1] & 0xFF;
            if (b0 == 0xF0 && b1 < 0x90 || b0 == 0xF4 && b1 > 0x8F) {
                return 0; // overlong, or past U+10FFFF
            }
            return 4;
        }
        return 0;
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static int hex4(byte[] b, int i) {
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int c = b[i + k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /**
     * {@code YYYY-MM-DDTHH:MM:SS[.fraction]Z} as Go's RFC3339Nano writes it in UTC; null for anything else (other
     * offsets, out-of-range fields), which the general parser then judges.
     */
    private Instant utc(byte[] b, int from, int to) {
        int len = to - from;
        if (len < 20 || b[to - 1] != 'Z' || b[from + 4] != '-' || b[from + 7] != '-' || b[from + 10] != 'T'
                || b[from + 13] != ':' || b[from + 16] != ':') {
            return null;
        }
        long seconds;
        if (lastValid && Arrays.equals(b, from, from + 19, lastSecond, 0, 19)) {
            seconds = lastEpochSecond;
        } else {
            int year = digits(b, from, 4);
            int month = digits(b, from + 5, 2);
            int day = digits(b, from + 8, 2);
            int hour = digits(b, from + 11, 2);
            int minute = digits(b, from + 14, 2);
            int second = digits(b, from + 17, 2);
            if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                    || second > 59) {
                return null;
            }
            try {
                seconds = LocalDate.of(year, month, day).toEpochDay() * 86400 + hour * 3600L + minute * 60L + second;
            } catch (DateTimeException e) {
                return null;
            }
            System.arraycopy(b, from, lastSecond, 0, 19);
            lastEpochSecond = seconds;
            lastValid = true;
        }
        int nanos = 0;
        int i = from + 19;
        if (i < to - 1) {
            int digits = to - 1 - i - 1;
            if (b[i] != '.' || digits < 1 || digits > 9) {
                return null;
            }
            int f = digits(b, i + 1, digits);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int k = digits; k < 9; k++) {
                nanos *= 10;
            }
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    /** The decimal value of {@code count} ASCII digits at {@code i}; -1 if any is not a digit. */
    private static int digits(byte[] b, int i, int count) {
        int v = 0;
        for (int k = 0; k < count; k++) {
            int d = b[i + k] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** The index after {@code token} if the line has it at {@code i}, else -1. */
    private static int expect(byte[] line, int i, int to, byte[] token) {
        if (to - i < token.length || !Arrays.equals(line, i, i + token.length, token, 0, token.length)) {
            return -1;
        }
        return i + token.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
