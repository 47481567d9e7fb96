package dev.holdfast.bench.harness;

/** The entry point of a driver: its arguments parsed, its usage printed (exit 2) when they are wrong. */
public final class Usage {
    private Usage() {}

    /** What a driver does with its parsed arguments. */
    @FunctionalInterface
    public interface Body {
        void run(Args args) throws Exception;
    }

    public static void run(String usage, String[] argv, Body body) throws Exception {
        try {
            body.run(new Args(argv));
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: " + usage);
            System.exit(2);
        }
    }
}
