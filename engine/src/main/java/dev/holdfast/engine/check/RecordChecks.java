package dev.holdfast.engine.check;

import java.nio.file.Path;
import java.util.List;

/** Every container record can be read: atomic writes leave none half-written. */
final class RecordChecks {
    private RecordChecks() {}

    static List<Violation> check(InstanceState s) {
        return s.unreadableRecords().stream()
                .map((Path file) -> new Violation("a container record that cannot be read", file.toString()))
                .toList();
    }
}
