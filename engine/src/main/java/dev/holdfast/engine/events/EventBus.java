package dev.holdfast.engine.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The engine's events, kept in memory: the recent past for {@code since}, and live delivery to subscribers. */
public final class EventBus {
    private static final int HISTORY = 1024;

    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

    public void publish(Event event) {
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(event);
            // Under the history lock, so a new subscriber sees every event exactly once: in its replay or live.
            for (Subscription s : subscribers) {
                if (s.filter.test(event)) {
                    s.queue.add(event);
                }
            }
        }
    }

    /** Live events matching {@code filter}, preceded by the remembered ones at or after {@code since} (if given). */
    public Subscription subscribe(Instant since, Predicate<Event> filter) {
        Subscription subscription = new Subscription(filter);
        synchronized (history) {
            if (since != null) {
                for (Event past : history) {
                    if (!past.time().isBefore(since) && filter.test(past)) {
                        subscription.queue.add(past);
                    }
                }
            }
            subscribers.add(subscription);
        }
        return subscription;
    }

    /** Past events in [since, until], for a request that does not follow. */
    public List<Event> between(Instant since, Instant until, Predicate<Event> filter) {
        List<Event> events = new ArrayList<>();
        synchronized (history) {
            for (Event past : history) {
                if ((since == null || !past.time().isBefore(since)) && !past.time().isAfter(until)
                        && filter.test(past)) {
                    events.add(past);
                }
            }
        }
        return events;
    }

    /** A subscriber's queue; close it when the client goes away. */
    public final class Subscription implements AutoCloseable {
        private final Predicate<Event> filter;
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();

        private Subscription(Predicate<Event> filter) {
            this.filter = filter;
        }

        /** The next event, or null when none arrived within {@code timeoutMillis}. */
        public Event poll(long timeoutMillis) throws InterruptedException {
            return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            subscribers.remove(this);
        }
    }
}
