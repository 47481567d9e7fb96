package dev.holdfast.shim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exec mode: a shim for an additional process in a running container, started by `start` (runc exec). */
@Timeout(60)
class ExecTest {
    private static final Pattern STARTER = Pattern.compile("ok 0 (\\d+)\n");
    private static final Pattern STOPPED = Pattern.compile("stopped (\\d+) (\\d+) (\\S+)\n");
    private static final Duration T = Duration.ofSeconds(20);

    /** A running container to exec into. */
    private static Sandbox running() throws Exception {
        Sandbox sb = new Sandbox("/bin/sleep", "1000");
        try {
            Sandbox.Started s = sb.startShim("--stdin");
            assertEquals(0, s.exitCode(), s.line());
            assertEquals("ok\n", sb.request("start"));
            return sb;
        } catch (Throwable t) {
            sb.close();
            throw t;
        }
    }

    private static void assertReported(Sandbox.Exec e, Sandbox.Started s) {
        assertEquals(0, s.exitCode(), s.line());
        Matcher m = STARTER.matcher(s.line());
        assertTrue(m.matches(), s.line());
        assertEquals(e.shimPid, Long.parseLong(m.group(1)));
    }

    private static long startedPid(String answer) {
        assertTrue(answer.matches("ok \\d+\n"), answer);
        return Long.parseLong(answer.substring(3).trim());
    }

    private static Matcher stopped(String answer) {
        Matcher m = STOPPED.matcher(answer);
        assertTrue(m.matches(), answer);
        return m;
    }

    private static void assertShimGone(Sandbox.Exec e) {
        long shim = e.shimPid;
        Sandbox.waitFor("exec shim exit", T, () -> !Sandbox.alive(shim));
        assertFalse(Files.exists(e.socket));
        assertEquals(List.of(), e.processes());
    }

    @Test
    void outputAttachedBeforeStartExitCodeAndLog() throws Exception {
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e1", false, "/bin/sh", "-c", "echo from-exec; echo err >&2; exit 5");
            assertReported(e, e.start("--log-path", e.log.toString()));
            assertTrue(Files.exists(e.stateDir.resolve("shim.pid")));
            assertFalse(Files.exists(sb.bundle.resolve("exec.pid")) || Files.exists(e.stateDir.resolve("exec.pid")),
                    "nothing runs before start");
            assertEquals("created 0\n", e.request("state"));
            assertEquals("error process not started\n", e.request("kill 9"));
            assertEquals("error kill-all is for the container's shim\n", e.request("kill-all 9"));
            try (Attach a = Attach.open(e.socket, "attach")) {
                a.readOk();
                SocketChannel waiter = e.send("wait");
                long pid = startedPid(e.request("start"));
                assertEquals(Long.toString(pid), Files.readString(e.stateDir.resolve("exec.pid")).trim());
                a.readToEnd();
                assertEquals("from-exec\n", a.stdout());
                assertEquals("err\n", a.stderr());
                Matcher m = stopped(Sandbox.answer(waiter));
                assertEquals(pid, Long.parseLong(m.group(1)));
                assertEquals("5", m.group(2));
                JsonNode exit = e.exitJson();
                assertEquals(pid, exit.get("pid").asLong());
                assertEquals(5, exit.get("exit_code").asInt());
                assertEquals(m.group(3), exit.get("exited_at").asText());
            }
            List<String> lines = Files.readAllLines(e.log);
            assertEquals(2, lines.size(), String.join("\n", lines));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("{\"log\":\"from-exec\\n\",\"stream\":\"stdout\"")));
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("{\"log\":\"err\\n\",\"stream\":\"stderr\"")));
            assertShimGone(e);
            assertTrue(Files.exists(e.stateDir.resolve("shim.log")) && Files.exists(e.stateDir.resolve("runc.log")));
            // the container is untouched and nothing was written into its directory or log
            assertTrue(sb.request("state").startsWith("running "));
            assertFalse(Files.exists(sb.bundle.resolve("exit.json")));
            assertEquals(List.of(), sb.logLines());
        }
    }

    @Test
    void withoutLogPathAndKillTargetsTheExecdProcess() throws Exception {
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e2", false, "/bin/sleep", "1000");
            assertReported(e, e.start());
            long pid = startedPid(e.request("start"));
            assertEquals("running " + pid + "\n", e.request("state"));
            assertTrue(e.request("start").startsWith("error "));
            // the exec'd process was reparented to its shim
            assertEquals((long) e.shimPid, Long.parseLong(Sandbox.statFields(pid)[1]));
            SocketChannel waiter = e.send("wait");
            assertEquals("ok\n", e.request("kill TERM"));
            assertEquals("143", stopped(Sandbox.answer(waiter)).group(2));
            assertShimGone(e);
            assertFalse(Files.exists(e.log));
            assertTrue(sb.request("state").startsWith("running "));
        }
    }

    @Test
    void exitBeforeRuncExecReturnsIsStillSeen() throws Exception {
        // a runc that returns from exec only once the exec'd process is gone (reaped by the shim as a stranger)
        try (Sandbox sb = running()) {
            Path wrapper = sb.dir.resolve("slow-runc");
            Files.writeString(wrapper, """
                    #!/bin/sh
                    pidfile=
                    prev=
                    for a in "$@"; do [ "$prev" = --pid-file ] && pidfile=$a; prev=$a; done
                    %s "$@" || exit $?
                    [ -n "$pidfile" ] || exit 0
                    pid=$(cat "$pidfile")
                    while kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
                    """.formatted(Sandbox.RUNC));
            Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
            Sandbox.Exec e = sb.exec("e9", false, "/bin/sh", "-c", "exit 7");
            List<String> cmd = e.command();
            cmd.set(cmd.indexOf("--runc") + 1, wrapper.toString());
            assertReported(e, e.start(cmd));
            SocketChannel waiter = e.send("wait");
            long pid = startedPid(e.request("start"));
            Matcher m = stopped(Sandbox.answer(waiter));
            assertEquals(pid, Long.parseLong(m.group(1)));
            assertEquals("7", m.group(2));
            assertShimGone(e);
            assertTrue(Files.readString(e.stateDir.resolve("shim.log")).contains("reaped pid " + pid + " "),
                    "the exit was seen before exec.pid was read");
        }
    }

    @Test
    void execWithATerminalAndStdin() throws Exception {
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e3", true, "/bin/sh", "-c", "read x; stty size; tty; echo in-exec $x; exit 6");
            assertReported(e, e.start("--tty", "--stdin"));
            assertTrue(Files.exists(e.stateDir.resolve("tty.sock")));
            assertEquals("ok\n", e.request("resize 77 33")); // remembered until the terminal exists
            try (Attach a = Attach.open(e.socket, "attach")) {
                a.readOk();
                SocketChannel waiter = e.send("wait");
                startedPid(e.request("start"));
                assertFalse(Files.exists(e.stateDir.resolve("tty.sock")));
                a.write("abc\n");
                a.readToEnd();
                String out = a.stdout();
                assertTrue(out.matches("abc\r\n33 77\r\n/dev/pts/\\d+\r\nin-exec abc\r\n"), out);
                assertEquals("", a.stderr());
                assertEquals("6", stopped(Sandbox.answer(waiter)).group(2));
            }
            assertShimGone(e);
            String shimLog = Files.readString(e.stateDir.resolve("shim.log"));
            assertFalse(shimLog.contains("epoll_ctl") || shimLog.contains("read stdout"), shimLog);
        }
    }

    @Test
    void failedExecIs126AndLeavesNothing() throws Exception {
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e4", false, "/nonexistent");
            assertReported(e, e.start("--stdin", "--log-path", e.log.toString()));
            try (Attach a = Attach.open(e.socket, "attach")) {
                a.readOk();
                SocketChannel waiter = e.send("wait");
                String answer = e.request("start");
                assertTrue(answer.startsWith("error ") && answer.contains("/nonexistent") && answer.endsWith("\n")
                        && answer.indexOf('\n') == answer.length() - 1, answer);
                Matcher m = stopped(Sandbox.answer(waiter));
                assertEquals("0", m.group(1));
                assertEquals("126", m.group(2));
                a.readToEnd();
                assertEquals("", a.stdout() + a.stderr(), "runc's error text is not output");
            }
            JsonNode exit = e.exitJson();
            assertEquals(0, exit.get("pid").asInt());
            assertEquals(126, exit.get("exit_code").asInt());
            assertShimGone(e);
            assertEquals(List.of(), Files.exists(e.log) ? Files.readAllLines(e.log) : List.of());
            assertTrue(sb.request("state").startsWith("running "));
        }
    }

    @Test
    void failedTerminalExecIs126() throws Exception {
        // process.terminal without --tty: runc refuses to exec, not for want of an executable
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e5", true, "/bin/true");
            assertReported(e, e.start());
            SocketChannel waiter = e.send("wait");
            assertTrue(e.request("start").startsWith("error "));
            assertEquals("126", stopped(Sandbox.answer(waiter)).group(2));
            assertShimGone(e);
        }
    }

    @Test
    void execInAStoppedContainerFails() throws Exception {
        try (Sandbox sb = running()) {
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("kill 9"));
            Sandbox.answer(waiter);
            Sandbox.Exec e = sb.exec("e6", false, "/bin/true");
            assertReported(e, e.start());
            String answer = e.request("start");
            assertTrue(answer.startsWith("error "), answer);
            assertShimGone(e);
            assertEquals(126, e.exitJson().get("exit_code").asInt(), answer);
        }
    }

    @Test
    void execModeArguments() throws Exception {
        try (Sandbox sb = running()) {
            Sandbox.Exec e = sb.exec("e7", false, "/bin/true");
            List<String> cmd = e.command();
            cmd.remove("--state-dir");
            cmd.remove(e.stateDir.toString());
            Sandbox.Started s = Sandbox.runStarter(cmd);
            assertEquals(1, s.exitCode());
            assertTrue(s.line().startsWith("error usage:"), s.line());
            s = Sandbox.runStarter(sb.exec("e8", false, "/bin/true").command("--exec-id", "a/b"));
            assertEquals("error invalid --exec-id\n", s.line());
        }
    }
}
