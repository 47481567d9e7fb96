package dev.holdfast.shim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --tty containers: the console socket, one output stream, input through the terminal, resize. */
@Timeout(60)
class TerminalTest {
    private static final Pattern OK = Pattern.compile("ok (\\d+) (\\d+)\n");
    private static final Duration T = Duration.ofSeconds(20);

    private static void assertStarted(Sandbox.Started s) {
        assertEquals(0, s.exitCode(), s.line());
        assertTrue(OK.matcher(s.line()).matches(), s.line());
    }

    @Test
    void hasATerminalLogsItAsStdoutAndResizes() throws Exception {
        try (Sandbox sb = Sandbox.withTerminal("/bin/sh", "-c", "tty; read line; stty size; echo oops >&2; exit 2")) {
            assertStarted(sb.startShim("--tty", "--stdin"));
            assertFalse(Files.exists(sb.bundle.resolve("tty.sock")), "console socket removed once used");
            try (Attach a = Attach.open(sb.socket, "attach")) {
                a.readOk();
                SocketChannel waiter = sb.send("wait");
                assertEquals("ok\n", sb.request("start"));
                a.awaitStdout("/dev/pts/0\r\n");
                assertEquals("ok\n", sb.request("resize 100 40"));
                a.write("go\n");
                a.readToEnd();
                // the terminal echoes the input; stty reports rows and columns; stderr is the terminal too
                assertEquals("/dev/pts/0\r\ngo\r\n40 100\r\noops\r\n", a.stdout());
                assertEquals("", a.stderr());
                String answer = Sandbox.answer(waiter);
                assertTrue(answer.matches("stopped \\d+ 2 \\S+\n"), answer);
            }
            List<String> lines = sb.logLines();
            assertEquals(4, lines.size(), String.join("\n", lines));
            StringBuilder logged = new StringBuilder();
            for (String line : lines) {
                JsonNode n = Sandbox.JSON.readTree(line);
                assertEquals("stdout", n.get("stream").asText(), line);
                logged.append(n.get("log").asText());
            }
            assertEquals("/dev/pts/0\r\ngo\r\n40 100\r\noops\r\n", logged.toString());
            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", T, () -> !Sandbox.alive(shim));
            assertEquals(2, Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile()).get("exit_code").asInt());
            assertFalse(Files.exists(sb.socket));
            String shimLog = Files.readString(sb.bundle.resolve("shim.log"));
            assertFalse(shimLog.contains("epoll_ctl") || shimLog.contains("read stdout"), shimLog);
        }
    }

    @Test
    void shellDrivenThroughAttachStdin() throws Exception {
        try (Sandbox sb = Sandbox.withTerminal("/bin/sh")) {
            Matcher m = OK.matcher(sb.startShim("--tty", "--stdin").line());
            assertTrue(m.matches());
            long init = Long.parseLong(m.group(1));
            try (Attach a = Attach.open(sb.socket, "attach stdin-once")) {
                a.readOk();
                assertEquals("ok\n", sb.request("start"));
                assertEquals("running " + init + "\n", sb.request("state"));
                // USS of a shim serving a terminal and an attach client
                String rollup = Files.readString(Path.of("/proc/" + sb.shimPid + "/smaps_rollup"));
                long uss = kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty");
                System.out.println("USS of a --tty shim with an attach client: " + uss + " kB");
                assertTrue(uss < 1024, "shim USS " + uss + " kB");

                a.write("echo hi; exit 3\n");
                a.shutdownInput(); // a terminal's stdin is not closed by this (no EOF, no hangup)
                a.readToEnd();
                assertTrue(a.stdout().contains("\r\nhi\r\n"), a.stdout());
            }
            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", T, () -> !Sandbox.alive(shim));
            assertEquals(3, Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile()).get("exit_code").asInt());
        }
    }

    @Test
    void closeStdinLeavesTheTerminalOpen() throws Exception {
        try (Sandbox sb = Sandbox.withTerminal("/bin/sh", "-c", "read a; echo got $a; read b; exit 9")) {
            assertStarted(sb.startShim("--tty", "--stdin"));
            try (Attach a = Attach.open(sb.socket, "attach")) {
                a.readOk();
                assertEquals("ok\n", sb.request("start"));
                a.write("one\n");
                a.awaitStdout("got one\r\n");
                assertEquals("ok\n", sb.request("close-stdin"));
                a.write("ignored\n"); // no longer forwarded: the second read still waits
                assertTrue(sb.request("state").startsWith("running "));
                SocketChannel waiter = sb.send("wait");
                assertEquals("ok\n", sb.request("kill KILL"));
                assertTrue(Sandbox.answer(waiter).matches("stopped \\d+ 137 \\S+\n"));
                a.readToEnd();
                assertFalse(a.stdout().contains("ignored"), a.stdout());
            }
        }
    }

    @Test
    void resizeNeedsATerminal() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sleep", "1000")) {
            assertStarted(sb.startShim());
            assertEquals("error not a tty\n", sb.request("resize 80 24"));
            assertEquals("error invalid size: 80\n", sb.request("resize 80"));
            assertEquals("error invalid size: 80 x\n", sb.request("resize 80 x"));
            assertEquals("error invalid size: 80 65536\n", sb.request("resize 80 65536"));
            assertEquals("error invalid size: (none)\n", sb.request("resize"));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("kill 9"));
            Sandbox.answer(waiter);
        }
    }

    @Test
    void terminalMismatchIsRuncsError() throws Exception {
        // --tty for a spec without process.terminal: runc refuses the console socket
        try (Sandbox sb = new Sandbox("/bin/true")) {
            Sandbox.Started s = sb.startShim("--tty");
            assertEquals(1, s.exitCode());
            assertTrue(s.line().startsWith("error "), s.line());
            assertEquals(List.of(), sb.processesMentioningMe());
            assertFalse(Files.exists(sb.bundle.resolve("tty.sock")));
            assertFalse(Files.exists(sb.socket));
        }
    }

    private static long kb(String rollup, String key) {
        Matcher m = Pattern.compile("(?m)^" + key + ":\\s+(\\d+) kB").matcher(rollup);
        assertTrue(m.find(), key);
        return Long.parseLong(m.group(1));
    }
}
