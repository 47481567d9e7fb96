package dev.holdfast.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Finds where the last N lines of a file begin by reading it backwards, so a tail never reads a whole log. */
final class TailScan {
    private static final int BLOCK = 8192;

    private TailScan() {}

    /**
     * @return {offset where the last {@code lines} complete lines start, or -1 when the file has fewer;
     *     number of complete lines seen}
     */
    static long[] startOfLastLines(Path file, long lines) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            long newlines = 0;
            // Bytes after the last newline are a line still being written: not counted, not a boundary.
            boolean seenLastNewline = false;
            for (long end = channel.size(); end > 0; end -= BLOCK) {
                long start = Math.max(0, end - BLOCK);
                block.clear().limit((int) (end - start));
                channel.read(block, start);
                for (int i = (int) (end - start) - 1; i >= 0; i--) {
                    if (block.get(i) != '\n') {
                        continue;
                    }
                    if (!seenLastNewline) {
                        seenLastNewline = true;
                        newlines++;
                        if (lines == 0) {
                            return new long[] {start + i + 1, 0};
                        }
                        continue;
                    }
                    if (newlines == lines) {
                        return new long[] {start + i + 1, newlines};
                    }
                    newlines++;
                }
            }
            return new long[] {lines == 0 || newlines == lines ? 0 : -1, newlines};
        }
    }
}
