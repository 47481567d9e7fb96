package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API socket outlives the engine: a client calling at 50 requests a second through a graceful restart, an
 * upgrade (the engine jar replaced, then a restart) and a {@code kill -9} (the holder starts the next engine by
 * itself) sees no refused connection and no failed request; likewise when the socket comes from
 * {@code systemd-socket-activate}, as a systemd socket unit passes it.
 */
class EngineHandoverTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final int PER_SECOND = 50;
    /** Every 10th call is a {@code docker ps}: 5 CLI processes a second beside 45 raw requests. */
    private static final int CLI_EVERY = 10;
    private static final int CONTAINERS = 3;

    @TempDir
    Path jars;

    @Test
    void restartUpgradeAndKillFailNoRequest() throws Exception {
        Path jar = copyOfTheEngineJar();
        try (HoldfastDaemon daemon = HoldfastDaemon.builder().engineJar(jar).start()) {
            runThroughRestarts(daemon, jar);
        }
    }

    @Test
    void restartUpgradeAndKillFailNoRequestWithTheSocketFromSystemdSocketActivate() throws Exception {
        Path jar = copyOfTheEngineJar();
        try (HoldfastDaemon daemon = HoldfastDaemon.builder().engineJar(jar).start()) {
            List<String> holder = holderCommand(daemon);
            daemon.engine("stop");
            Files.deleteIfExists(daemon.socket());
            // systemd-socket-activate listens, passes the socket as fd 3 (LISTEN_FDS) and becomes the holder on
            // the first connection; the holder finds the socket inherited and binds nothing.
            List<String> command = new ArrayList<>(List.of("setsid", "systemd-socket-activate", "-l",
                    daemon.socket().toString()));
            command.addAll(withoutSocketOption(holder));
            new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(daemon.runDir().resolve("engine.log").toFile()))
                    .start();
            Await.until(WAIT, () -> Files.exists(daemon.socket()), "systemd-socket-activate listens");
            daemon.docker("ps").assertOk();
            assertTrue(!holderCommand(daemon).contains("--socket"),
                    "the holder inherited the socket: " + holderCommand(daemon));
            runThroughRestarts(daemon, jar);
        }
    }

    private void runThroughRestarts(HoldfastDaemon daemon, Path jar) throws Exception {
        for (int i = 0; i < CONTAINERS; i++) {
            daemon.docker("run", "-d", "--name", "c" + i, "busybox", "sleep", "600").assertOk();
        }
        try (RequestLoop loop = RequestLoop.start(daemon.socket(), () -> daemon.docker("ps", "-q"), PER_SECOND,
                CLI_EVERY)) {
            awaitMoreAnswers(loop, PER_SECOND);
            loop.cut();

            String before = enginePid(daemon);
            daemon.engine("restart");
            assertNotEquals(before, enginePid(daemon), "a new engine serves after the restart");
            awaitMoreAnswers(loop, PER_SECOND);
            assertNothingFailed("graceful restart", loop.cut());

            replaceWithUpgrade(jar, "upgrade-test");
            daemon.engine("restart");
            assertEquals("upgrade-test", daemon.docker("version", "--format", "{{.Server.GitCommit}}").out(),
                    "the upgraded engine serves");
            awaitMoreAnswers(loop, PER_SECOND);
            assertNothingFailed("upgrade", loop.cut());

            String killed = enginePid(daemon);
            daemon.engine("kill");
            Await.until(WAIT, () -> daemon.docker("ps", "-q").out().lines().count() == CONTAINERS,
                    "all " + CONTAINERS + " containers listed by the engine started after the kill");
            assertNotEquals(killed, enginePid(daemon), "the holder started a new engine");
            awaitMoreAnswers(loop, PER_SECOND);
            assertNothingFailed("kill -9", loop.cut());
        }
    }

    private static void awaitMoreAnswers(RequestLoop loop, long more) {
        long target = loop.answered() + more;
        Await.until(WAIT, () -> loop.answered() >= target, more + " more answers");
    }

    private static void assertNothingFailed(String phase, RequestLoop.Counts counts) {
        System.out.printf("%s: %d answered, %d refused, %d retried after a cut, longest wait %d ms%n", phase,
                counts.answered(), counts.refused(), counts.retried(), counts.longestMillis());
        assertEquals(0, counts.refused(), phase + ": refused connections " + counts.failures());
        assertEquals(List.of(), counts.failures(), phase + ": failed requests");
        assertTrue(counts.answered() >= PER_SECOND, phase + ": answers " + counts.answered());
    }

    private Path copyOfTheEngineJar() throws IOException {
        Path built = HoldfastDaemon.projectHome().resolve("engine/target/holdfast-engine.jar");
        Path jar = jars.resolve("holdfast-engine.jar");
        Files.copy(built, jar);
        return jar;
    }

    /** Replaces {@code jar} (atomically, as a package manager does) by a copy whose build is {@code version}. */
    private static void replaceWithUpgrade(Path jar, String version) throws IOException {
        Path next = jar.resolveSibling("next.jar");
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(next), manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        Files.move(next, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String enginePid(HoldfastDaemon daemon) throws IOException {
        return Files.readString(daemon.runDir().resolve("engine.pid")).trim();
    }

    /** The command line of this instance's holder (found by it, as scripts/holdfast finds it). */
    private static List<String> holderCommand(HoldfastDaemon daemon) {
        String config = "--config\0" + daemon.config() + "\0";
        return ProcessHandle.allProcesses()
                .map(p -> cmdline(p.pid()))
                .filter(c -> c.contains("holdfast-holder") && c.contains(config))
                .findFirst()
                .map(c -> Arrays.asList(c.split("\0")))
                .orElseThrow(() -> new AssertionError("no holder runs with " + daemon.config()));
    }

    private static String cmdline(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> withoutSocketOption(List<String> holder) {
        List<String> command = new ArrayList<>();
        for (int i = 0; i < holder.size(); i++) {
            if (holder.get(i).equals("--socket")) {
                i++;
            } else {
                command.add(holder.get(i));
            }
        }
        return command;
    }
}
