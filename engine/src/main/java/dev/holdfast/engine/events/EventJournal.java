package dev.holdfast.engine.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The engine's events on disk, so that {@code since} reaches past an engine restart (docs/internals.md, "Events
 * journal"). JSON lines in segment files named by the sequence number of their first event; a segment is closed once
 * the next line would take it past {@code maxSegmentBytes}, and the oldest beyond {@code maxSegments} are deleted.
 * <p>
 * {@link #append} only numbers the event and queues it: one writer thread encodes and writes, each batch it takes with
 * one write(2), without fsync (the page cache survives a kill of the engine, not of the host). Sequence numbers go on
 * across restarts; they tell what is on disk from what a reader must take from memory.
 */
public final class EventJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventJournal.class.getName());
    private static final long SEGMENT_BYTES = 1 << 20;
    private static final int SEGMENTS = 8;
    private static final String SUFFIX = ".jsonl";
    /** Smaller than the bus's tail, so a reader hardly ever waits for the writer (see {@link #read}). */
    private static final int QUEUE = 512;
    private static final int BATCH = 256;
    /** A file's mtime comes from the kernel's coarse clock, a tick behind an event's own time at worst. */
    private static final Duration MTIME_SLACK = Duration.ofSeconds(1);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Entry CLOSE = new Entry(-1, null);

    /** One event and its place in the journal. */
    public record Entry(long seq, Event event) {}

    /** The form of a line: the event with its time in nanoseconds since the epoch. */
    private record Line(long seq, long timeNano, String type, String action, String actor,
            Map<String, String> attributes) {

        static Line of(Entry entry) {
            Event e = entry.event();
            long nanos = e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano();
            return new Line(entry.seq(), nanos, e.type(), e.action(), e.actorId(), e.attributes());
        }

        Entry entry() {
            Instant time = Instant.ofEpochSecond(Math.floorDiv(timeNano, 1_000_000_000L),
                    Math.floorMod(timeNano, 1_000_000_000L));
            return new Entry(seq, new Event(type, action, actor, attributes == null ? Map.of() : attributes, time));
        }
    }

    private final Path dir;
    private final ObjectMapper mapper;
    private final long maxSegmentBytes;
    private final int maxSegments;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread writer;
    private final Instant latestAtOpen;
    private long nextSeq;
    private boolean closed;

    private final Object handledLock = new Object();
    /** The last sequence number the writer is done with (written, or lost to a write error). */
    private long handled;

    // The writer thread's own.
    private FileChannel segment;
    private long segmentSize;

    private EventJournal(Path dir, ObjectMapper mapper, long maxSegmentBytes, int maxSegments, long nextSeq,
            Path lastSegment) throws IOException {
        this.dir = dir;
        this.latestAtOpen = lastSegment == null ? Instant.MIN
                : Files.getLastModifiedTime(lastSegment).toInstant().plus(MTIME_SLACK);
        this.mapper = mapper;
        this.maxSegmentBytes = maxSegmentBytes;
        this.maxSegments = maxSegments;
        this.nextSeq = nextSeq;
        this.handled = nextSeq - 1;
        if (lastSegment != null) {
            segment = FileChannel.open(lastSegment, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            segmentSize = segment.size();
        }
        this.writer = Thread.ofPlatform().name("event-journal").daemon().unstarted(this::writeLoop);
    }

    /**
     * Builds the line writer and reader now (Jackson looks a record type over at its first use, tens of ms): a
     * restart's new engine calls this before its go, so that opening the journal after it is quick.
     */
    public static void prepare(ObjectMapper mapper) {
        Entry sample = new Entry(1, new Event("container", "create", "0", Map.of("name", "x"), Instant.EPOCH));
        try {
            parse(mapper, mapper.writeValueAsString(Line.of(sample)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The journal in {@code dir} with the default bounds ({@link #SEGMENTS} of {@link #SEGMENT_BYTES}). */
    public static EventJournal open(Path dir, ObjectMapper mapper) throws IOException {
        return open(dir, mapper, SEGMENT_BYTES, SEGMENTS);
    }

    /**
     * Opens (or creates) the journal in {@code dir} and starts its writer. A torn last line (the engine was killed
     * mid-write) is cut off, so that appending goes on from a line boundary.
     */
    public static EventJournal open(Path dir, ObjectMapper mapper, long maxSegmentBytes, int maxSegments)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> segments = segments(dir);
        Path last = segments.isEmpty() ? null : segments.getLast();
        long nextSeq = last == null ? 1 : recover(last, mapper);
        EventJournal journal = new EventJournal(dir, mapper, maxSegmentBytes, maxSegments, nextSeq, last);
        journal.writer.start();
        return journal;
    }

    /** Cuts a torn last line off {@code last}; returns the sequence number after its last readable line. */
    private static long recover(Path last, ObjectMapper mapper) throws IOException {
        byte[] bytes = Files.readAllBytes(last);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] != '\n') {
            end--;
        }
        if (end < bytes.length) {
            LOG.warning("events journal " + last + ": cutting off a torn last line of " + (bytes.length - end)
                    + " bytes");
            try (FileChannel channel = FileChannel.open(last, StandardOpenOption.WRITE)) {
                channel.truncate(end);
            }
        }
        int lineEnd = end - 1;
        while (lineEnd > 0) {
            int start = lineEnd - 1;
            while (start >= 0 && bytes[start] != '\n') {
                start--;
            }
            Entry entry = parse(mapper, new String(bytes, start + 1, lineEnd - start - 1, StandardCharsets.UTF_8));
            if (entry != null) {
                return entry.seq() + 1;
            }
            lineEnd = start;
        }
        return firstSeq(last);
    }

    /** Numbers {@code event} and queues it for the writer; waits only while the writer is {@link #QUEUE} behind. */
    public synchronized long append(Event event) {
        long seq = nextSeq++;
        if (!closed) {
            putUninterruptibly(new Entry(seq, event));
        }
        return seq;
    }

    /** No event journaled before this journal was opened has a later time (see {@link #mayHoldSince}). */
    public Instant latestAtOpen() {
        return latestAtOpen;
    }

    /** The number the next {@link #append} gets. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    /**
     * The journaled events numbered below {@code beforeSeq} whose time is in [since, until] (either may be null) and
     * that {@code filter} accepts, in file order. Waits until the writer is done with all of them first.
     */
    public List<Entry> read(Instant since, Instant until, Predicate<Event> filter, long beforeSeq) {
        awaitHandled(beforeSeq - 1);
        List<Entry> found = new ArrayList<>();
        try {
            for (Path path : segments(dir)) {
                if (mayHoldSince(path, since)) {
                    readSegment(path, since, until, filter, beforeSeq, found);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "reading the events journal " + dir + ": " + e.getMessage(), e);
        }
        return found;
    }

    private void readSegment(Path path, Instant since, Instant until, Predicate<Event> filter, long beforeSeq,
            List<Entry> found) throws IOException {
        // A decoder that replaces malformed input: a line torn inside a character must not end the read.
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(path),
                StandardCharsets.UTF_8))) {
            String text;
            while ((text = in.readLine()) != null) {
                Entry entry = parse(mapper, text);
                if (entry != null && entry.seq() < beforeSeq && within(entry.event().time(), since, until)
                        && filter.test(entry.event())) {
                    found.add(entry);
                }
            }
        } catch (NoSuchFileException rotatedAway) {
            // Deleted since the listing: it held the oldest events, which the caller no longer gets.
        }
    }

    private static boolean within(Instant time, Instant since, Instant until) {
        return (since == null || !time.isBefore(since)) && (until == null || !time.isAfter(until));
    }

    /** Null for a line that does not read back (a torn one). */
    private static Entry parse(ObjectMapper mapper, String text) {
        if (text.isBlank()) {
            return null;
        }
        try {
            return mapper.readValue(text, Line.class).entry();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes what is queued, then stops the writer; appends after this are dropped. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            putUninterruptibly(CLOSE);
        }
        try {
            writer.join(CLOSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void putUninterruptibly(Entry entry) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(entry);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitHandled(long seq) {
        synchronized (handledLock) {
            while (handled < seq) {
                try {
                    handledLock.wait();
                } catch (InterruptedException e) {
                    // The request is going away; what it reads now is what is on disk.
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void markHandled(long seq) {
        synchronized (handledLock) {
            handled = seq;
            handledLock.notifyAll();
        }
    }

    // ---- the writer thread --------------------------------------------------------------------------------------

    private void writeLoop() {
        List<Entry> batch = new ArrayList<>(BATCH);
        boolean closing = false;
        while (!closing) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, BATCH - 1);
            // Nothing is queued after CLOSE: it can only come last.
            closing = batch.getLast() == CLOSE;
            if (closing) {
                batch.removeLast();
            }
            if (!batch.isEmpty()) {
                write(batch);
                markHandled(batch.getLast().seq());
            }
            batch.clear();
        }
        // Not synced, as no write is: the page cache outlives the engine, and a handover's next engine waits for this
        // close (an fsync here took up to 15 ms of a graceful restart's longest wait, measured).
        closeSegment(false);
        markHandled(Long.MAX_VALUE);
    }

    private void write(List<Entry> batch) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        try {
            for (Entry entry : batch) {
                byte[] line = mapper.writeValueAsBytes(Line.of(entry));
                long size = segmentSize + chunk.size();
                if (segment == null || size > 0 && size + line.length + 1 > maxSegmentBytes) {
                    writeOut(chunk);
                    startSegment(entry.seq());
                }
                chunk.write(line);
                chunk.write('\n');
            }
            writeOut(chunk);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "events journal " + dir + ": " + batch.size() + " events from #"
                    + batch.getFirst().seq() + " not written: " + e.getMessage(), e);
        }
    }

    private void writeOut(ByteArrayOutputStream chunk) throws IOException {
        if (chunk.size() == 0) {
            return;
        }
        long start = segmentSize;
        ByteBuffer bytes = ByteBuffer.wrap(chunk.toByteArray());
        try {
            while (bytes.hasRemaining()) {
                segmentSize += segment.write(bytes);
            }
        } catch (IOException e) {
            cutBackTo(start);
            throw e;
        }
        chunk.reset();
    }

    /**
     * After a failed write (a full disk): cuts the segment back to its last whole line and keeps appending to it. A
     * new segment per failed write instead would push the oldest out, and a full disk would erase the history.
     */
    private void cutBackTo(long size) {
        try {
            segment.truncate(size);
            segmentSize = size;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "events journal " + dir + ": cutting a torn line off the segment: "
                    + e.getMessage() + "; the next events start a new segment", e);
            closeSegment(true);
        }
    }

    /** Closes the current segment (synced: a rotation is rare) and starts {@code <firstSeq>.jsonl}. */
    private void startSegment(long firstSeq) throws IOException {
        closeSegment(true);
        Path path = dir.resolve(String.format("%019d", firstSeq) + SUFFIX);
        segment = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segmentSize = segment.size();
        List<Path> segments = segments(dir);
        for (int i = 0; i < segments.size() - maxSegments; i++) {
            Files.deleteIfExists(segments.get(i));
        }
    }

    private void closeSegment(boolean sync) {
        if (segment == null) {
            return;
        }
        try (FileChannel closing = segment) {
            if (sync) {
                closing.force(false);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing an events journal segment in " + dir + ": " + e.getMessage(), e);
        }
        segment = null;
        segmentSize = 0;
    }

    // ---- segments -----------------------------------------------------------------------------------------------

    /** The segment files, oldest first (the names are zero-padded numbers). */
    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> isSegmentName(p.getFileName().toString())).sorted().toList();
        }
    }

    private static boolean isSegmentName(String name) {
        return name.length() == 19 + SUFFIX.length() && name.endsWith(SUFFIX)
                && name.chars().limit(19).allMatch(Character::isDigit);
    }

    private static long firstSeq(Path segment) {
        return Long.parseLong(segment.getFileName().toString().substring(0, 19));
    }

    /**
     * A segment last written before {@code since} holds nothing at or after it: an event's time is taken before it
     * is published (a {@code die} learned late carries an earlier one still).
     */
    private static boolean mayHoldSince(Path segment, Instant since) {
        try {
            return since == null || !Files.getLastModifiedTime(segment).toInstant().plus(MTIME_SLACK).isBefore(since);
        } catch (IOException e) {
            return true;
        }
    }
}
