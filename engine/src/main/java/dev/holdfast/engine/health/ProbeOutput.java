package dev.holdfast.engine.health;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A probe's stdout and stderr together, as dockerd keeps them: the first 4096 bytes, then "..." if there was more. */
public final class ProbeOutput {
    static final int LIMIT = 4096;

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean truncated;

    public synchronized void append(byte[] data) {
        int room = LIMIT - kept.size();
        int keep = Math.min(room, data.length);
        if (keep > 0) {
            kept.write(data, 0, keep);
        }
        if (keep < data.length) {
            truncated = true;
        }
    }

    @Override
    public synchronized String toString() {
        String text = kept.toString(StandardCharsets.UTF_8);
        return truncated ? text + "..." : text;
    }
}
