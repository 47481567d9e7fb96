package dev.holdfast.engine.log;

import java.time.Instant;

/**
 * One line of a json-file log: {@code {"log":"…","stream":"stdout","time":"…"}}. A line the shim split at 16 KiB
 * has no trailing newline in {@code text}.
 */
public record LogEntry(Stream stream, Instant time, String text) {
    public enum Stream {
        STDOUT(1), STDERR(2);

        /** The stream byte of Docker's multiplexed framing. */
        public final int frameId;

        Stream(int frameId) {
            this.frameId = frameId;
        }
    }
}
