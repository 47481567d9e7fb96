package dev.holdfast.bench.harness;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Minimal {@code --key value} parser; repeated keys accumulate. */
public final class Args {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    public Args(String[] argv) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || i + 1 >= argv.length) {
                throw new UsageException("expected --key value, got " + a);
            }
            values.computeIfAbsent(a.substring(2), k -> new ArrayList<>()).add(argv[++i]);
        }
    }

    public String get(String key, String def) {
        List<String> v = values.get(key);
        return v == null ? def : v.get(v.size() - 1);
    }

    public String require(String key) {
        String v = get(key, null);
        if (v == null) {
            throw new UsageException("missing --" + key);
        }
        return v;
    }

    public int getInt(String key, int def) {
        String v = get(key, Integer.toString(def));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " wants an integer, got " + v);
        }
    }

    public double getDouble(String key, double def) {
        String v = get(key, Double.toString(def));
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " wants a number, got " + v);
        }
    }

    public List<String> all(String key) {
        return values.getOrDefault(key, List.of());
    }

    /** The values of a per-daemon option ({@code --log NAME=FILE ...}) by daemon name. */
    public Map<String, String> byName(String key) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : all(key)) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--" + key + " wants NAME=VALUE, got " + s);
            }
            m.put(s.substring(0, eq), s.substring(eq + 1));
        }
        return m;
    }

    /** The value of a per-daemon option for one daemon; a usage error when it was not given. */
    public String requireFor(String key, String name) {
        String v = byName(key).get(name);
        if (v == null) {
            throw new UsageException("missing --" + key + " " + name + "=...");
        }
        return v;
    }

    /** An integer per-daemon option for one daemon. */
    public int getIntFor(String key, String name) {
        String v = requireFor(key, name);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + key + " " + name + "= wants an integer, got " + v);
        }
    }

    /** The daemons under test ({@code --daemon NAME=SOCKET ...}), at least one. */
    public List<Target> targets() {
        List<Target> t = all("daemon").stream().map(Target::parse).toList();
        if (t.isEmpty()) {
            throw new UsageException("missing --daemon NAME=SOCKET");
        }
        return t;
    }
}
