package dev.holdfast.shim;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole lifecycles (plain; terminal with an exec) with every shim process (starter and daemon) under valgrind. */
class ValgrindTest {
    private static final Path VALGRIND = Path.of("/usr/bin/valgrind");

    @Test
    void noMemoryErrorsOrLeaks() throws Exception {
        Assertions.assertTrue(Files.isExecutable(VALGRIND), "valgrind not installed");
        String script = "echo '<out>'; head -c 20000 /dev/zero | tr '\\0' x; echo; cat; echo bye >&2; exit 5";
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", script)) {
            List<String> cmd = valgrind(sb);
            cmd.addAll(sb.shimCommand("--stdin", "--log-max-size", "30000", "--log-max-files", "2"));
            Sandbox.Started s = sb.startShim(cmd);
            assertEquals(0, s.exitCode(), s.line());
            assertTrue(s.line().startsWith("ok "), s.line());

            assertTrue(sb.request("state").startsWith("created "));
            SocketChannel attach = sb.connect();
            attach.write(ByteBuffer.wrap("attach stdin-once\n".getBytes(StandardCharsets.US_ASCII)));
            SocketChannel waiter = sb.connect();
            waiter.write(ByteBuffer.wrap("wait\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ok\n", sb.request("start"));
            assertTrue(sb.request("bogus").startsWith("error "));
            assertEquals("ok\n", sb.request("kill 0"));
            attach.write(ByteBuffer.wrap("input\n".getBytes(StandardCharsets.US_ASCII)));
            attach.shutdownOutput();
            byte[] frames = Sandbox.readAll(attach);
            attach.close();
            assertTrue(frames.length > 20000);
            String answer = new String(Sandbox.readAll(waiter), StandardCharsets.UTF_8);
            waiter.close();
            assertTrue(answer.startsWith("stopped ") && answer.contains(" 5 "), answer);

            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", Duration.ofSeconds(60), () -> !Sandbox.alive(shim));
            assertClean(sb, 2);
        }
    }

    @Test
    @Timeout(180)
    void terminalAndExecWithoutMemoryErrorsOrLeaks() throws Exception {
        Assertions.assertTrue(Files.isExecutable(VALGRIND), "valgrind not installed");
        try (Sandbox sb = Sandbox.withTerminal("/bin/sh")) {
            List<String> cmd = valgrind(sb);
            cmd.addAll(sb.shimCommand("--tty", "--stdin"));
            Sandbox.Started s = sb.startShim(cmd);
            assertTrue(s.line().startsWith("ok "), s.line());
            try (Attach c = Attach.open(sb.socket, "attach stdin-once")) {
                c.readOk();
                assertEquals("ok\n", sb.request("start"));
                assertEquals("ok\n", sb.request("resize 90 30"));

                Sandbox.Exec e = sb.exec("v", true, "/bin/sh", "-c", "read x; echo exec-$x; stty size; exit 4");
                List<String> ecmd = valgrind(sb);
                ecmd.addAll(e.command("--tty", "--stdin", "--log-path", e.log.toString()));
                Sandbox.Started es = e.start(ecmd);
                assertTrue(es.line().startsWith("ok 0 "), es.line());
                try (Attach x = Attach.open(e.socket, "attach")) {
                    x.readOk();
                    assertEquals("ok\n", e.request("resize 50 20"));
                    assertTrue(e.request("start").startsWith("ok "));
                    x.write("yes\n");
                    x.readToEnd();
                    assertTrue(x.stdout().contains("exec-yes\r\n20 50\r\n"), x.stdout());
                }
                long eshim = e.shimPid;
                Sandbox.waitFor("exec shim exit", Duration.ofSeconds(60), () -> !Sandbox.alive(eshim));
                assertEquals(4, e.exitJson().get("exit_code").asInt());

                c.write("stty size; exit 3\n");
                c.shutdownInput();
                c.readToEnd();
                assertTrue(c.stdout().contains("\r\n30 90\r\n"), c.stdout());
            }
            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", Duration.ofSeconds(60), () -> !Sandbox.alive(shim));
            assertEquals(3, Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile()).get("exit_code").asInt());
            assertClean(sb, 4);
        }
    }

    /**
     * A log that cannot be written (/dev/full: every write fails with ENOSPC): the container's output is dropped,
     * never waited for, so it runs to its end; the shim says so once in its own log.
     */
    @Test
    void aLogThatCannotBeWrittenDropsLinesAndNeverBlocksTheContainer() throws Exception {
        Assertions.assertTrue(Files.isExecutable(VALGRIND), "valgrind not installed");
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "for i in $(seq 1 2000); do echo line $i; done; exit 7")) {
            List<String> cmd = valgrind(sb);
            cmd.addAll(sb.shimCommand("--log-path", "/dev/full"));
            Sandbox.Started s = sb.startShim(cmd);
            assertTrue(s.line().startsWith("ok "), s.line());
            SocketChannel waiter = sb.connect();
            waiter.write(ByteBuffer.wrap("wait\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ok\n", sb.request("start"));
            String answer = new String(Sandbox.readAll(waiter), StandardCharsets.UTF_8);
            waiter.close();
            assertTrue(answer.startsWith("stopped ") && answer.contains(" 7 "), answer);

            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", Duration.ofSeconds(60), () -> !Sandbox.alive(shim));
            String shimLog = Files.readString(sb.bundle.resolve("shim.log"));
            assertTrue(shimLog.contains("write /dev/full: No space left on device (log lines dropped"), shimLog);
            assertClean(sb, 2);
        }
    }

    private static List<String> valgrind(Sandbox sb) {
        return new ArrayList<>(List.of(VALGRIND.toString(), "--error-exitcode=99",
                "--leak-check=full", "--errors-for-leak-kinds=definite", "--trace-children=no",
                "--log-file=" + sb.dir.resolve("vg.%p.log")));
    }

    /** Every valgrind log with a summary (starters and daemons) is free of errors and definite leaks. */
    private static void assertClean(Sandbox sb, int expectedSummaries) throws Exception {
        List<Path> logs;
        try (Stream<Path> l = Files.list(sb.dir)) {
            logs = l.filter(p -> p.getFileName().toString().startsWith("vg.")).toList();
        }
        int summaries = 0;
        StringBuilder all = new StringBuilder();
        for (Path log : logs) {
            String text = Files.readString(log);
            all.append(text);
            // children that exec runc stop logging at exec (--trace-children=no): no summary there
            if (text.contains("ERROR SUMMARY")) {
                summaries++;
                assertTrue(text.contains("ERROR SUMMARY: 0 errors from 0 contexts"), text);
                assertTrue(!text.contains("definitely lost") || text.contains("definitely lost: 0 bytes"), text);
            }
        }
        assertTrue(summaries >= expectedSummaries, "expected the starters' and the daemons' summaries:\n" + all);
    }
}
