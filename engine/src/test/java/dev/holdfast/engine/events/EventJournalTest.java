package dev.holdfast.engine.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventJournalTest {
    @TempDir
    Path dir;

    private static Event event(int i) {
        return new Event("container", "e" + i, "id" + i, Map.of("name", "c" + i), Instant.ofEpochSecond(1000 + i, i));
    }

    private static List<Event> events(List<EventJournal.Entry> entries) {
        return entries.stream().map(EventJournal.Entry::event).toList();
    }

    private static List<Event> readAll(EventJournal journal) {
        return events(journal.read(null, null, e -> true, journal.nextSeq()));
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private List<Event> append(EventJournal journal, int from, int to) {
        List<Event> appended = new ArrayList<>();
        for (int i = from; i < to; i++) {
            appended.add(event(i));
            journal.append(event(i));
        }
        return appended;
    }

    @Test
    void eventsReadBackWhole_attributesInOrderAndTimeToTheNanosecond_andNumberingGoesOnAfterAReopen()
            throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("z", "last key first");
        attributes.put("exitCode", "3");
        attributes.put("com.example.note", "two\nlines, \"quoted\", é ✓");
        Event die = new Event("container", "die", "abc", attributes, Instant.parse("2026-01-02T03:04:05.123456789Z"));
        long seq;
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            seq = journal.append(die);
        }
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            Event read = readAll(journal).getFirst();
            assertEquals(die, read);
            assertEquals(List.copyOf(attributes.keySet()), List.copyOf(read.attributes().keySet()));
            assertEquals(seq + 1, journal.nextSeq());
        }
    }

    @Test
    void aReadRightAfterAppendsWaitsForTheWriter() throws IOException {
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            List<Event> appended = append(journal, 0, 2000);
            assertEquals(appended, readAll(journal));
            // Below a number: what a reader takes from memory is left out.
            assertEquals(appended.subList(0, 1500), events(journal.read(null, null, e -> true,
                    journal.nextSeq() - 500)));
        }
    }

    @Test
    void segmentsRotateAtTheirSizeAndTheOldestAreDropped() throws IOException {
        List<Event> appended;
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER, 2_000, 3)) {
            appended = append(journal, 0, 200);
        }
        List<Path> segments = segments();
        assertEquals(3, segments.size(), segments.toString());
        for (Path segment : segments) {
            assertTrue(Files.size(segment) <= 2_000, segment + " is " + Files.size(segment) + " bytes");
        }
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER, 2_000, 3)) {
            List<Event> kept = readAll(journal);
            assertTrue(kept.size() > 10 && kept.size() < 200, kept.size() + " events kept");
            assertEquals(appended.subList(200 - kept.size(), 200), kept, "the newest, without a gap");
        }
    }

    @Test
    void sinceAndUntilSelectAcrossSegments() throws IOException {
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER, 1_000, 100)) {
            List<Event> appended = append(journal, 0, 100);
            List<Event> selected = events(journal.read(event(20).time(), event(70).time(), e -> true,
                    journal.nextSeq()));
            assertTrue(segments().size() > 5, "spread over segments: " + segments());
            assertEquals(appended.subList(20, 71), selected);
            assertEquals(List.of(event(42)), events(journal.read(event(20).time(), null,
                    e -> e.actorId().equals("id42"), journal.nextSeq())));
        }
    }

    @Test
    void aTornLastLineIsCutAtOpenAndAppendingGoesOnAfterTheLastWholeLine() throws IOException {
        List<Event> appended;
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            appended = new ArrayList<>(append(journal, 0, 5));
        }
        Path last = segments().getLast();
        // Killed mid-write, inside a two-byte character.
        byte[] torn = "{\"seq\":6,\"timeNano\":1,\"type\":\"container\",\"action\":\"\u00e9".getBytes(StandardCharsets.UTF_8);
        Files.write(last, Arrays.copyOf(torn, torn.length - 1), StandardOpenOption.APPEND);

        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            assertEquals(appended, readAll(journal));
            assertEquals(6, journal.nextSeq());
            appended.addAll(append(journal, 5, 8));
        }
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            assertEquals(appended, readAll(journal));
            assertTrue(Files.readString(last).endsWith("}\n"));
        }
    }

    @Test
    void anUnreadableLineInsideASegmentIsSkipped() throws IOException {
        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            append(journal, 0, 3);
        }
        Path segment = segments().getFirst();
        List<String> lines = Files.readAllLines(segment);
        ByteArrayOutputStream damaged = new ByteArrayOutputStream();
        damaged.writeBytes((lines.get(0) + "\n").getBytes(StandardCharsets.UTF_8));
        damaged.writeBytes(new byte[] {'{', '"', (byte) 0xc3, '\n'});
        damaged.writeBytes((lines.get(1) + "\n" + lines.get(2) + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(segment, damaged.toByteArray());

        try (EventJournal journal = EventJournal.open(dir, Json.MAPPER)) {
            assertEquals(IntStream.range(0, 3).mapToObj(EventJournalTest::event).toList(), readAll(journal));
        }
    }
}
