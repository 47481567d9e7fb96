package dev.holdfast.supervisor.task;

import java.util.regex.Pattern;

/** Task ids: {@code [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}}. They name directories and sockets, so nothing else passes. */
public final class TaskId {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    private TaskId() {}

    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
