package dev.holdfast.bench.report;

import java.util.List;

/** A titled group of rows of the table. */
record Section(String title, List<Row> rows) {}
