package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/holdfast install --prefix DIR}: the systemd units and the programs they run, written under DIR as if
 * it were {@code /}, and {@code systemd-analyze verify} on them (these machines have no systemd as pid 1, so verify is
 * what checks the units: syntax, known keys, that each ExecStart binary exists, that the socket's service is there).
 */
class SystemdUnitsTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String LIB = "/usr/local/lib/holdfast";
    private static final List<String> UNITS =
            List.of("holdfast.socket", "holdfast-supervisor.service", "holdfast-engine.service");
    /** Each would give the daemon a mount namespace of its own, taking the containers' mounts with it. */
    private static final List<String> PRIVATE_MOUNTS =
            List.of("PrivateMounts", "PrivateTmp", "ProtectSystem", "ProtectHome", "MountFlags");

    @TempDir
    static Path prefix;
    private static Path home;
    private static Path unitDir;
    private static DockerResult install;

    @BeforeAll
    static void install() {
        home = HoldfastDaemon.projectHome();
        unitDir = prefix.resolve("etc/systemd/system");
        install = HoldfastDaemon.script(home, Map.of(), TIMEOUT, "install", "--prefix", prefix.toString());
    }

    @Test
    void installWritesTheUnitsAndCopiesOfTheProgramsUnderThePrefix() throws IOException {
        install.assertOk();
        for (String unit : UNITS) {
            assertTrue(Files.isRegularFile(unitDir.resolve(unit)), unit + " missing after " + install);
        }
        Path lib = prefix.resolve(LIB.substring(1));
        assertEquals(-1, Files.mismatch(home.resolve("engine/target/holdfast-engine.jar"),
                lib.resolve("holdfast-engine.jar")));
        assertEquals(-1, Files.mismatch(home.resolve("supervisor/daemon/target/holdfast-supervisor.jar"),
                lib.resolve("holdfast-supervisor.jar")));
        assertEquals(-1, Files.mismatch(home.resolve("shim/target/holdfast-shim"), lib.resolve("holdfast-shim")));
        assertTrue(Files.isExecutable(lib.resolve("holdfast-shim")));
    }

    @Test
    void systemdAnalyzeVerifyPassesWithoutAWord() {
        install.assertOk();
        DockerResult verify = verify(unitDir);
        assertEquals(0, verify.exitCode(), verify::toString);
        assertEquals("", verify.stdout() + verify.stderr(), verify::toString);
    }

    /** Verify is not vacuous here: a unit whose program is missing fails it. */
    @Test
    void verifyFailsAnEngineUnitWhoseJavaIsMissing(@TempDir Path broken) throws IOException {
        install.assertOk();
        for (String unit : UNITS) {
            Files.copy(unitDir.resolve(unit), broken.resolve(unit));
        }
        String java = execStart("holdfast-engine.service").get(0);
        Path engine = broken.resolve("holdfast-engine.service");
        Files.writeString(engine, Files.readString(engine).replace("ExecStart=" + java, "ExecStart=" + java + "-gone"));
        DockerResult verify = verify(broken);
        assertNotEquals(0, verify.exitCode(), verify::toString);
        assertTrue(verify.stderr().contains(java + "-gone"), verify::toString);
    }

    @Test
    void theSocketIsTheEnginesApiSocket() {
        Map<String, List<String>> socket = settings("holdfast.socket");
        assertAll(
                () -> assertEquals(List.of("/run/holdfast/holdfast.sock"), socket.get("Socket.ListenStream")),
                () -> assertEquals(List.of("0660"), socket.get("Socket.SocketMode")),
                () -> assertEquals(List.of("holdfast-engine.service"), socket.get("Socket.Service")),
                () -> assertEquals(List.of("sockets.target"), socket.get("Install.WantedBy")));
    }

    @Test
    void theSocketFollowsTheConfigsEngineSocketOrRunDirectory(@TempDir Path other) throws IOException {
        Path config = other.resolve("etc/holdfast/config.toml");
        Files.createDirectories(config.getParent());
        Files.writeString(config, "[paths]\nrun = \"/run/hf-other\"\n");
        HoldfastDaemon.script(home, Map.of(), TIMEOUT, "install", "--prefix", other.toString()).assertOk();
        assertEquals("ListenStream=/run/hf-other/holdfast.sock", listenStream(other));

        Files.writeString(config, "[paths]\nrun = \"/run/hf-other\"\n\n[engine]\nsocket = \"/srv/docker.sock\"\n");
        HoldfastDaemon.script(home, Map.of(), TIMEOUT, "install", "--prefix", other.toString()).assertOk();
        assertEquals("ListenStream=/srv/docker.sock", listenStream(other));
    }

    private static String listenStream(Path prefix) throws IOException {
        return Files.readAllLines(prefix.resolve("etc/systemd/system/holdfast.socket")).stream()
                .filter(line -> line.startsWith("ListenStream=")).findFirst().orElseThrow();
    }

    @Test
    void stoppingAUnitSignalsItsDaemonAloneAndADeadDaemonIsStartedAgain() {
        for (String unit : List.of("holdfast-supervisor.service", "holdfast-engine.service")) {
            Map<String, List<String>> service = settings(unit);
            assertAll(unit,
                    () -> assertEquals(List.of("process"), service.get("Service.KillMode")),
                    () -> assertEquals(List.of("always"), service.get("Service.Restart")),
                    () -> assertEquals(List.of("multi-user.target"), service.get("Install.WantedBy")));
        }
        assertEquals(List.of("yes"), settings("holdfast-supervisor.service").get("Service.Delegate"),
                "the supervisor's runc creates the containers' cgroups");
    }

    @Test
    void theDaemonsStayInTheHostsMountNamespace() {
        for (String unit : List.of("holdfast-supervisor.service", "holdfast-engine.service")) {
            Map<String, List<String>> service = settings(unit);
            for (String key : PRIVATE_MOUNTS) {
                assertNull(service.get("Service." + key), unit + " sets " + key);
            }
        }
    }

    @Test
    void theEngineNeedsItsSocketAndStartsAfterTheSupervisor() {
        Map<String, List<String>> engine = settings("holdfast-engine.service");
        assertAll(
                () -> assertTrue(words(engine, "Unit.Requires").contains("holdfast.socket"), engine::toString),
                () -> assertTrue(words(engine, "Unit.After").containsAll(
                        List.of("holdfast.socket", "holdfast-supervisor.service")), engine::toString),
                () -> assertTrue(words(engine, "Unit.Wants").contains("holdfast-supervisor.service"), engine::toString));
    }

    @Test
    void theDaemonsRunTheInstalledJarsWithTheConfigAndAClassDataArchive() {
        for (String daemon : List.of("supervisor", "engine")) {
            String unit = "holdfast-" + daemon + ".service";
            List<String> command = execStart(unit);
            assertTrue(command.get(0).endsWith("/bin/java") && Files.isExecutable(Path.of(command.get(0))),
                    command::toString);
            String tail = String.join(" ", command.subList(command.size() - 4, command.size()));
            assertEquals("-jar " + LIB + "/holdfast-" + daemon + ".jar --config /etc/holdfast/config.toml", tail);
            assertTrue(command.contains("$HOLDFAST_JAVA_OPTS"), command::toString);
            List<String> environment = settings(unit).get("Service.Environment");
            // The heap sizing and collector of scripts/holdfast (small initial heap, serial GC), then the archive.
            assertTrue(environment.stream().anyMatch(e -> e.matches(
                    "\"HOLDFAST_JAVA_OPTS=-Xms8m -Xmx[0-9]+m -XX:\\+UseSerialGC .*"
                            + "-XX:\\+AutoCreateSharedArchive -XX:SharedArchiveFile=%C/holdfast/"
                            + daemon + "-[0-9a-f]{16}\\.jsa\"")), environment::toString);
        }
        assertTrue(settings("holdfast-supervisor.service").get("Service.Environment")
                .contains("HOLDFAST_SHIM=" + LIB + "/holdfast-shim"));
    }

    @Test
    void installingAgainWritesTheSameUnits() throws IOException {
        install.assertOk();
        Map<String, String> first = new LinkedHashMap<>();
        for (String unit : UNITS) {
            first.put(unit, Files.readString(unitDir.resolve(unit)));
        }
        HoldfastDaemon.script(home, Map.of(), TIMEOUT, "install", "--prefix", prefix.toString()).assertOk();
        for (String unit : UNITS) {
            assertEquals(first.get(unit), Files.readString(unitDir.resolve(unit)), unit);
        }
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static DockerResult verify(Path dir) {
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
        UNITS.forEach(unit -> command.add(dir.resolve(unit).toString()));
        return HoldfastDaemon.run(command, Map.of(), null, TIMEOUT);
    }

    /** The ExecStart= of {@code unit}, split on blanks (install writes no quoted words there). */
    private static List<String> execStart(String unit) {
        List<String> values = settings(unit).get("Service.ExecStart");
        assertEquals(1, values.size(), () -> unit + ": " + values);
        return List.of(values.get(0).split(" +"));
    }

    private static List<String> words(Map<String, List<String>> settings, String key) {
        return settings.getOrDefault(key, List.of()).stream().flatMap(v -> List.of(v.split(" +")).stream()).toList();
    }

    /** "Section.Key" to the values of every assignment of it, in order (a unit file may repeat a key). */
    private static Map<String, List<String>> settings(String unit) {
        install.assertOk();
        Map<String, List<String>> settings = new LinkedHashMap<>();
        String section = "";
        try {
            for (String line : Files.readAllLines(unitDir.resolve(unit))) {
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                    continue;
                }
                if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
                    section = trimmed.substring(1, trimmed.length() - 1);
                    continue;
                }
                int eq = trimmed.indexOf('=');
                assertTrue(eq > 0, () -> unit + ": not KEY=VALUE: " + line);
                settings.computeIfAbsent(section + "." + trimmed.substring(0, eq).strip(), k -> new ArrayList<>())
                        .add(trimmed.substring(eq + 1).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings;
    }
}
