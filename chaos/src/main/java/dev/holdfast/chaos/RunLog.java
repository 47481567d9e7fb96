package dev.holdfast.chaos;

import java.io.PrintStream;

/** The run's log lines, each stamped with the seconds since the run started; shared by all threads. */
final class RunLog {

    private final PrintStream out;
    private final long start = System.nanoTime();

    RunLog(PrintStream out) {
        this.out = out;
    }

    synchronized void line(String text) {
        out.printf("[%7.2fs] %s%n", (System.nanoTime() - start) / 1e9, text);
        out.flush();
    }

    /** A line without the time stamp (the summary). */
    synchronized void plain(String text) {
        out.println(text);
        out.flush();
    }
}
