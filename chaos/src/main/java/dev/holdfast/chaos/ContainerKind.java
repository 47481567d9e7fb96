package dev.holdfast.chaos;

import java.util.List;

/** What a churned container runs. */
enum ContainerKind {
    /** Prints 0, 1, 2, ... every 50 ms: its log must have no gap and no duplicate ({@link CounterLog}). */
    COUNTER(List.of(), List.of("sh", "-c", "i=0; while :; do echo $i; i=$((i+1)); sleep 0.05; done")),
    /** busybox httpd on a port published on 127.0.0.1: it must answer there while it runs. */
    WEB(List.of("-p", "127.0.0.1::80"), List.of("httpd", "-f", "-p", "80", "-h", "/etc"));

    final List<String> createOptions;
    final List<String> command;

    ContainerKind(List<String> createOptions, List<String> command) {
        this.createOptions = createOptions;
        this.command = command;
    }

    /** One create in four makes a web container. */
    static ContainerKind of(int variant) {
        return variant % 4 == 0 ? WEB : COUNTER;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
