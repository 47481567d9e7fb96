package dev.holdfast.supervisor.task;

import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TaskEvent;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Broadcast of task events to the Events subscribers. Each subscriber sees events in publication order; one that
 * fails (its call was cancelled) is dropped.
 */
public final class TaskEvents {
    private static final Logger LOG = Logger.getLogger(TaskEvents.class.getName());

    private final Set<Subscription> subscribers = ConcurrentHashMap.newKeySet();

    /** A subscriber; {@link #cancel()} stops delivery. */
    public final class Subscription {
        private final Consumer<TaskEvent> sink;
        private final Runnable onClose;

        private Subscription(Consumer<TaskEvent> sink, Runnable onClose) {
            this.sink = sink;
            this.onClose = onClose;
        }

        public void cancel() {
            subscribers.remove(this);
        }

        private synchronized void deliver(TaskEvent event) {
            if (!subscribers.contains(this)) {
                return;
            }
            try {
                sink.accept(event);
            } catch (RuntimeException e) {
                LOG.fine("dropping an events subscriber: " + e.getMessage());
                cancel();
            }
        }

        private synchronized void close() {
            cancel();
            try {
                onClose.run();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    /**
     * Delivers every event published from now on to {@code sink}, until cancelled. {@code onClose} runs when the
     * supervisor shuts down.
     */
    public Subscription subscribe(Consumer<TaskEvent> sink, Runnable onClose) {
        Subscription s = new Subscription(sink, onClose);
        subscribers.add(s);
        return s;
    }

    public void publish(TaskEvent.Type type, Task task) {
        TaskEvent event = TaskEvent.newBuilder().setType(type).setTask(task).build();
        for (Subscription s : subscribers) {
            s.deliver(event);
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** Ends every subscription (the supervisor is going away). */
    public void closeAll() {
        for (Subscription s : subscribers) {
            s.close();
        }
    }
}
