package dev.holdfast.engine.container;

/** How a run of a container ended, as {@code /wait} reports it. {@code error} is null when there was none. */
public record ExitStatus(int exitCode, String error) {}
