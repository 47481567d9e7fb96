package dev.holdfast.shim;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

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

/** A whole container lifecycle with both shim processes (starter and daemon) under valgrind memcheck. */
class ValgrindTest {
    private static final Path VALGRIND = Path.of("/usr/bin/valgrind");

    @Test
    void noMemoryErrorsOrLeaks() throws Exception {
        Assertions.assertTrue(Files.isExecutable(VALGRIND), "valgrind not installed");
        String script = "echo '<out>'; head -c 20000 /dev/zero | tr '\\0' x; echo; cat; echo bye >&2; exit 5";
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", script)) {
            List<String> cmd = new ArrayList<>(List.of(VALGRIND.toString(), "--error-exitcode=99",
                    "--leak-check=full", "--errors-for-leak-kinds=definite", "--trace-children=no",
                    "--log-file=" + sb.dir.resolve("vg.%p.log")));
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
            assertTrue(summaries >= 2, "expected the starter's and the daemon's summaries:\n" + all);
        }
    }
}
