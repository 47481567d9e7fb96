package dev.holdfast.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an instance's networking leaves on the host: network namespace files under {@code <run>/netns}, links named
 * after its bridge ({@code config.toml [network] bridge}, user networks get {@code BRIDGE-N}) and iptables rules that
 * mention its subnets or its containers.
 */
final class NetworkLeftovers {

    private NetworkLeftovers() {}

    /** config.toml's [network] section: bridge, subnet, pool, pool_size (values unquoted). */
    static Map<String, String> networkConfig(HoldfastDaemon holdfast) {
        Map<String, String> values = new LinkedHashMap<>();
        String section = "";
        try {
            for (String raw : Files.readAllLines(holdfast.config())) {
                String line = raw.replaceAll("\\s+#.*$", "").trim();
                if (line.startsWith("[")) {
                    section = line;
                } else if (section.equals("[network]") && line.contains("=")) {
                    String[] kv = line.split("=", 2);
                    values.put(kv[0].trim(), kv[1].trim().replaceAll("^\"|\"$", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String key : List.of("bridge", "subnet", "pool")) {
            if (!values.containsKey(key)) {
                throw new AssertionError("config.toml has no [network] " + key + ": " + values);
            }
        }
        return values;
    }

    /** The files under {@code <run>/netns}: one per container with a network namespace of its own. */
    static List<String> netnsFiles(HoldfastDaemon holdfast) {
        Path dir = holdfast.runDir().resolve("netns");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ip -o link} lines of links whose name starts with the instance's bridge name. */
    static List<String> bridgeLinks(HoldfastDaemon holdfast) {
        String bridge = networkConfig(holdfast).get("bridge");
        return host("ip", "-o", "link").lines()
                .filter(l -> l.split(": ", 3).length > 1 && l.split(": ", 3)[1].startsWith(bridge))
                .toList();
    }

    /** {@code iptables-save} lines (all tables) that mention any of {@code words} (subnets, container ids). */
    static List<String> iptablesRules(Collection<String> words) {
        return host("iptables-save").lines().filter(l -> words.stream().anyMatch(l::contains)).toList();
    }

    /**
     * Fails unless nothing is left: no netns file, no link named after the bridge, no iptables rule mentioning
     * {@code subnets} or {@code containerIds}.
     */
    static void assertNone(HoldfastDaemon holdfast, Collection<String> subnets, Collection<String> containerIds) {
        List<String> words = new ArrayList<>(subnets);
        words.addAll(containerIds);
        List<String> problems = new ArrayList<>();
        List<String> netns = netnsFiles(holdfast);
        if (!netns.isEmpty()) {
            problems.add("netns files left under " + holdfast.runDir().resolve("netns") + ": " + netns);
        }
        List<String> links = bridgeLinks(holdfast);
        if (!links.isEmpty()) {
            problems.add("links left:\n  " + String.join("\n  ", links));
        }
        List<String> rules = iptablesRules(words);
        if (!rules.isEmpty()) {
            problems.add("iptables rules left:\n  " + String.join("\n  ", rules));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("networking left behind (subnets " + subnets + ", containers " + containerIds
                    + "):\n" + String.join("\n", problems));
        }
    }

    /** Runs a host command (ip, iptables-save) and returns its stdout; fails when it fails. */
    static String host(String... command) {
        return HoldfastDaemon.run(List.of(command), Map.of(), null, Duration.ofSeconds(30)).assertOk().stdout();
    }
}
