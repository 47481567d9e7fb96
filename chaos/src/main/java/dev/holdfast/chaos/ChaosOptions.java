package dev.holdfast.chaos;

import java.nio.file.Path;
import java.util.List;

/**
 * What one run does: {@code ops} operations by {@code clients} clients from {@code seed}, against the instance at
 * {@code root} (whose engine answers at {@code dockerHost}), with the scripts of the checkout at {@code home}.
 */
public record ChaosOptions(int ops, long seed, int clients, Path root, Path home, String dockerHost,
        String dockerCli) {

    static final String USAGE = "usage: chaos --ops N --seed S [--clients N] --root DIR --home DIR --docker-host URL"
            + " [--docker PATH]";

    /** Parses the arguments scripts/chaos passes; IllegalArgumentException with the reason when they are wrong. */
    public static ChaosOptions parse(List<String> args) {
        Integer ops = null;
        Long seed = null;
        int clients = 3;
        Path root = null;
        Path home = null;
        String dockerHost = null;
        String dockerCli = "docker";
        for (int i = 0; i < args.size(); i++) {
            String flag = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args.get(++i);
            switch (flag) {
                case "--ops" -> ops = positive(flag, value);
                case "--seed" -> seed = number(flag, value);
                case "--clients" -> clients = positive(flag, value);
                case "--root" -> root = Path.of(value);
                case "--home" -> home = Path.of(value);
                case "--docker-host" -> dockerHost = value;
                case "--docker" -> dockerCli = value;
                default -> throw new IllegalArgumentException("unknown argument " + flag);
            }
        }
        if (ops == null || seed == null || root == null || home == null || dockerHost == null) {
            throw new IllegalArgumentException("--ops, --seed, --root, --home and --docker-host are required");
        }
        return new ChaosOptions(ops, seed, clients, root, home, dockerHost, dockerCli);
    }

    private static long number(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " wants an integer, got " + value);
        }
    }

    private static int positive(String flag, String value) {
        long n = number(flag, value);
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException(flag + " wants a positive integer, got " + value);
        }
        return (int) n;
    }
}
