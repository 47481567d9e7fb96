package dev.holdfast.chaos;

import java.util.List;

/** The entry point of scripts/chaos: prints the run's log, ends with the summary line, exits 0 only without violations. */
public final class Chaos {

    private Chaos() {}

    public static void main(String[] args) throws InterruptedException {
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            System.err.println(ChaosOptions.USAGE);
            System.exit(2);
            return;
        }
        Report report = ChaosRun.run(options, System.out);
        System.exit(report.exitStatus());
    }
}
