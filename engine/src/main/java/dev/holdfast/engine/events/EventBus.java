package dev.holdfast.engine.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The engine's events: delivered live to subscribers, written to the {@link EventJournal}, the recent ones also kept
 * in memory so that a {@code since} in the last minutes needs no disk. The past is answered in time order.
 */
public final class EventBus implements AutoCloseable {
    private static final int TAIL = 1024;
    private static final Comparator<EventJournal.Entry> TIME_ORDER =
            Comparator.comparing((EventJournal.Entry e) -> e.event().time()).thenComparingLong(EventJournal.Entry::seq);

    /** Set once, by the constructor or {@link #openJournal}, before the first event. */
    private volatile EventJournal journal;
    private final ArrayDeque<EventJournal.Entry> tail = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    /**
     * The latest time of an event that only the journal holds (dropped from the tail, or from an earlier engine):
     * a {@code since} after it is answered from memory.
     */
    private Instant latestOnlyOnDisk;

    public EventBus(EventJournal journal) {
        openJournal(journal);
    }

    private EventBus() {}

    /**
     * A bus whose journal is opened later, by {@link #openJournal}: a restart's new engine builds its services while
     * the old engine still appends to the journal. Nothing may be published or read before.
     */
    public static EventBus withJournalLater() {
        return new EventBus();
    }

    public void openJournal(EventJournal opened) {
        synchronized (tail) {
            if (journal != null) {
                throw new IllegalStateException("the events journal is open already");
            }
            journal = opened;
            latestOnlyOnDisk = opened.latestAtOpen();
        }
    }

    public void publish(Event event) {
        synchronized (tail) {
            if (journal == null) {
                throw new IllegalStateException("event " + event.type() + " " + event.action()
                        + " published before the events journal was opened");
            }
            if (tail.size() == TAIL) {
                Instant dropped = tail.removeFirst().event().time();
                if (dropped.isAfter(latestOnlyOnDisk)) {
                    latestOnlyOnDisk = dropped;
                }
            }
            tail.addLast(new EventJournal.Entry(journal.append(event), event));
            // Under the tail's lock, so a new subscriber sees every event exactly once: in its replay or live.
            for (Subscription s : subscribers) {
                if (s.filter.test(event)) {
                    s.queue.add(event);
                }
            }
        }
    }

    /** Live events matching {@code filter}, preceded by the past ones at or after {@code since} (if given). */
    public Subscription subscribe(Instant since, Predicate<Event> filter) {
        Subscription subscription = new Subscription(filter);
        Past past;
        synchronized (tail) {
            past = since == null ? null : past(since, filter);
            subscribers.add(subscription);
        }
        if (past != null) {
            subscription.replay.addAll(read(past, since, null, filter));
        }
        return subscription;
    }

    /** Past events in [since, until] (since may be null: from the oldest journaled), for a request that does not follow. */
    public List<Event> between(Instant since, Instant until, Predicate<Event> filter) {
        Past past;
        synchronized (tail) {
            past = past(since, filter);
        }
        return read(past, since, until, filter);
    }

    /**
     * What the past holds from {@code since}: the matching events of the tail, and whether the journal must be read
     * for older ones: those numbered below {@code journalBefore}, the tail's first (0: the tail holds them all).
     */
    private record Past(List<EventJournal.Entry> recent, long journalBefore) {}

    /** Caller holds the tail's lock. */
    private Past past(Instant since, Predicate<Event> filter) {
        List<EventJournal.Entry> recent = new ArrayList<>();
        for (EventJournal.Entry entry : tail) {
            if ((since == null || !entry.event().time().isBefore(since)) && filter.test(entry.event())) {
                recent.add(entry);
            }
        }
        boolean needsJournal = since == null || !since.isAfter(latestOnlyOnDisk);
        long tailStart = tail.isEmpty() ? journal.nextSeq() : tail.getFirst().seq();
        return new Past(recent, needsJournal ? tailStart : 0);
    }

    /** The past's events up to {@code until} (null: all), in time order. Outside the lock: it may read the disk. */
    private List<Event> read(Past past, Instant since, Instant until, Predicate<Event> filter) {
        List<EventJournal.Entry> all = new ArrayList<>();
        if (past.journalBefore() > 0) {
            all.addAll(journal.read(since, until, filter, past.journalBefore()));
        }
        for (EventJournal.Entry entry : past.recent()) {
            if (until == null || !entry.event().time().isAfter(until)) {
                all.add(entry);
            }
        }
        all.sort(TIME_ORDER);
        return all.stream().map(EventJournal.Entry::event).toList();
    }

    /** Writes out what the journal has queued. */
    @Override
    public void close() {
        if (journal != null) {
            journal.close();
        }
    }

    /** A subscriber's replay, then its live queue; close it when the client goes away. */
    public final class Subscription implements AutoCloseable {
        private final Predicate<Event> filter;
        private final ArrayDeque<Event> replay = new ArrayDeque<>();
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

        private Subscription(Predicate<Event> filter) {
            this.filter = filter;
        }

        /** True while past events (those at or after {@code since}) are still to be polled. */
        public boolean replaying() {
            return !replay.isEmpty();
        }

        /** The next event, or null when none arrived within {@code timeoutMillis}. */
        public Event poll(long timeoutMillis) throws InterruptedException {
            Event replayed = replay.poll();
            return replayed != null ? replayed : queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
