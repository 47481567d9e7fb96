package dev.holdfast.bench.report;

import dev.holdfast.bench.harness.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the samples file into the table (stdout) and, with {@code --json}, the JSON file.
 * <p>
 * Usage: {@link #USAGE}.
 */
public final class Report {
    static final String USAGE = "Report --samples FILE [--json FILE]";

    private Report() {}

    public static void main(String[] argv) throws Exception {
        Usage.run(USAGE, argv, args -> {
            SampleTable samples = SampleTable.read(Path.of(args.require("samples")));
            List<Section> sections = Sections.of(samples);
            System.out.print(new Table(samples).render(sections));
            String json = args.get("json", null);
            if (json != null) {
                Files.writeString(Path.of(json), new JsonReport(samples).render(sections), StandardCharsets.UTF_8);
            }
        });
    }
}
