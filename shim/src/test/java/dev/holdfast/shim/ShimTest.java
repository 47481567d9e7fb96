package dev.holdfast.shim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShimTest {
    private static final Pattern OK = Pattern.compile("ok (\\d+) (\\d+)\n");
    private static final Pattern STOPPED = Pattern.compile("stopped (\\d+) (\\d+) (\\S+)\n");
    /** Go's RFC3339Nano in UTC: no trailing zeros in the fraction, no fraction when it is zero. */
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{0,8}[1-9])?Z");
    private static final Duration T = Duration.ofSeconds(20);

    private static long initPid(Sandbox.Started s) {
        Matcher m = OK.matcher(s.line());
        assertTrue(m.matches(), "report line: " + s.line());
        return Long.parseLong(m.group(1));
    }

    private static Matcher stopped(String answer) {
        Matcher m = STOPPED.matcher(answer);
        assertTrue(m.matches(), "answer: " + answer);
        assertTrue(TIME.matcher(m.group(3)).matches(), m.group(3));
        return m;
    }

    @Test
    void reportsOkAndDetachesFromItsStarter() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sleep", "1000")) {
            Sandbox.Started s = sb.startShim();
            assertEquals(0, s.exitCode());
            Matcher m = OK.matcher(s.line());
            assertTrue(m.matches(), s.line());
            long init = Long.parseLong(m.group(1));
            long shim = Long.parseLong(m.group(2));
            assertEquals(Long.toString(init), Files.readString(sb.bundle.resolve("init.pid")).trim());
            String[] pidFile = Files.readString(sb.bundle.resolve("shim.pid")).split(" ");
            assertEquals(Long.toString(shim), pidFile[0]);
            String[] stat = Sandbox.statFields(shim);
            assertEquals(pidFile[1].trim(), stat[19], "start time in shim.pid = /proc/PID/stat field 22");

            // the starter is gone, the shim lives on: not our child, its own session, no inherited stdio
            assertTrue(Sandbox.alive(shim));
            long me = ProcessHandle.current().pid();
            assertNotEquals(me, Long.parseLong(stat[1]), "PPid");
            assertEquals(shim, Long.parseLong(stat[3]), "session leader");
            assertNotEquals(Sandbox.statFields(me)[3], stat[3]);
            for (int fd = 0; fd <= 2; fd++) {
                assertEquals("/dev/null", Files.readSymbolicLink(Path.of("/proc/" + shim + "/fd/" + fd)).toString());
            }
            // the container init was reparented to the shim (child subreaper)
            assertEquals(shim, Long.parseLong(Sandbox.statFields(init)[1]));

            assertEquals("created " + init + "\n", sb.request("state"));
            assertEquals("ok\n", sb.request("start"));
            assertEquals("running " + init + "\n", sb.request("state"));
            assertTrue(sb.request("start").startsWith("error "));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("kill KILL"));
            stopped(Sandbox.answer(waiter));
        }
    }

    @Test
    void logsOutputAsDockerJsonFile() throws Exception {
        // printf escapes go through busybox sh: tab, quote, backslash, a control char, U+2028, an invalid byte
        String script = "echo hello; echo '<a&b>' >&2; printf 'tab\\t\"q\"\\\\ \\001 \\342\\200\\250 \\377 \\303\\251\\n'; "
                + "printf 'no newline at the end'";
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", script)) {
            Instant before = Instant.now();
            long init = initPid(sb.startShim());
            SocketChannel waiter = sb.connect();
            waiter.write(ByteBuffer.wrap("wait\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ok\n", sb.request("start"));
            String answer = new String(Sandbox.readAll(waiter), StandardCharsets.UTF_8);
            waiter.close();
            Matcher m = stopped(answer);
            assertEquals(init, Long.parseLong(m.group(1)));
            assertEquals(0, Integer.parseInt(m.group(2)));
            Instant after = Instant.now();

            List<String> lines = sb.logLines();
            assertEquals(4, lines.size(), String.join("\n", lines));
            List<String> stdout = new ArrayList<>();
            List<String> stderr = new ArrayList<>();
            for (String line : lines) {
                JsonNode n = Sandbox.JSON.readTree(line);
                assertEquals(List.of("log", "stream", "time"), iterNames(n));
                String time = n.get("time").asText();
                assertTrue(TIME.matcher(time).matches(), time);
                Instant t = Instant.parse(time);
                assertFalse(t.isBefore(before.minusSeconds(1)) || t.isAfter(after.plusSeconds(1)), time);
                (n.get("stream").asText().equals("stdout") ? stdout : stderr).add(line);
            }
            assertEquals(3, stdout.size());
            assertEquals(1, stderr.size());
            assertTrue(stdout.get(0).startsWith("{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\""), stdout.get(0));
            assertTrue(stderr.get(0).startsWith("{\"log\":\"\\u003ca\\u0026b\\u003e\\n\",\"stream\":\"stderr\","),
                    stderr.get(0));
            assertTrue(stdout.get(1).startsWith(
                    "{\"log\":\"tab\\t\\\"q\\\"\\\\ \\u0001 \\u2028 \\ufffd \u00e9\\n\","), stdout.get(1));
            // the partial remainder at EOF: no newline
            assertTrue(stdout.get(2).startsWith("{\"log\":\"no newline at the end\",\"stream\":\"stdout\""),
                    stdout.get(2));
            assertTrue(Files.readString(sb.log).endsWith("}\n"));
            assertEquals("640", Integer.toOctalString(
                    ((Integer) Files.getAttribute(sb.log, "unix:mode")) & 0777));
        }
    }

    private static List<String> iterNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void splitsLongLinesAt16KiB() throws Exception {
        // 40 KiB of 'a' then a newline: parts of 16384, 16384 (no \n) and 8192 + \n
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "head -c 40960 /dev/zero | tr '\\0' a; echo; echo next")) {
            initPid(sb.startShim());
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("start"));
            stopped(Sandbox.answer(waiter));
            List<String> lines = sb.logLines();
            assertEquals(4, lines.size());
            String[] expect = {"a".repeat(16384), "a".repeat(16384), "a".repeat(8192) + "\n", "next\n"};
            for (int i = 0; i < expect.length; i++) {
                JsonNode n = Sandbox.JSON.readTree(lines.get(i));
                assertEquals(expect[i], n.get("log").asText(), "part " + i);
                assertEquals("stdout", n.get("stream").asText());
            }
        }
    }

    @Test
    void exitCodeInWaitAndExitJson() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "exit 7")) {
            long init = initPid(sb.startShim());
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("start"));
            Matcher m = stopped(Sandbox.answer(waiter));
            assertEquals("7", m.group(2));
            JsonNode exit = Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile());
            assertEquals(init, exit.get("pid").asLong());
            assertEquals(7, exit.get("exit_code").asInt());
            assertEquals(m.group(3), exit.get("exited_at").asText());
            // the shim is gone and has cleaned up its socket
            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", T, () -> !Sandbox.alive(shim));
            assertFalse(Files.exists(sb.socket));
        }
    }

    @Test
    void killNineGives137AndSigtermToTheShimIsIgnored() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sleep", "1000")) {
            long init = initPid(sb.startShim());
            assertEquals("ok\n", sb.request("start"));
            SocketChannel waiter = sb.connect();
            waiter.write(ByteBuffer.wrap("wait\n".getBytes(StandardCharsets.US_ASCII)));

            Sandbox.run("kill", "-TERM", Long.toString(sb.shimPid));
            Sandbox.run("kill", "-INT", Long.toString(sb.shimPid));
            assertEquals("running " + init + "\n", sb.request("state"));
            assertTrue(Sandbox.alive(init));

            assertTrue(sb.request("kill nonsense").startsWith("error invalid signal"));
            assertEquals("ok\n", sb.request("kill 9"));
            Matcher m = stopped(new String(Sandbox.readAll(waiter), StandardCharsets.UTF_8));
            waiter.close();
            assertEquals("137", m.group(2));
            assertEquals(137, Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile()).get("exit_code").asInt());
        }
    }

    @Test
    void killAllRunsRuncKill() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "sleep 1000 & sleep 1000")) {
            initPid(sb.startShim());
            assertEquals("ok\n", sb.request("start"));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("kill-all 9"));
            Matcher m = stopped(Sandbox.answer(waiter));
            assertEquals("137", m.group(2));
        }
    }

    @Test
    void failedCreateReportsRuncErrorAndLeavesNothing() throws Exception {
        try (Sandbox sb = new Sandbox("/nonexistent")) {
            Sandbox.Started s = sb.startShim();
            assertEquals(1, s.exitCode());
            assertTrue(s.line().startsWith("error "), s.line());
            assertTrue(s.line().endsWith("\n") && s.line().indexOf('\n') == s.line().length() - 1, s.line());
            assertTrue(s.line().contains("/nonexistent"), s.line());
            assertEquals(List.of(), sb.processesMentioningMe());
            assertFalse(Files.exists(sb.socket));
            assertFalse(Files.exists(sb.bundle.resolve("shim.pid")));
            String list = Sandbox.run(Sandbox.RUNC, "--root", sb.runcRoot.toString(), "list", "-q");
            assertEquals("", list.trim());
        }
    }

    @Test
    void badArgumentsGiveAnErrorLine() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/true")) {
            Sandbox.Started s = sb.startShim(List.of(Sandbox.SHIM.toString(), "--id", "x"));
            assertEquals(1, s.exitCode());
            assertTrue(s.line().startsWith("error usage:"), s.line());
        }
    }

    @Test
    void attachStreamsFramesAndFeedsStdin() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "echo ready; cat; echo done >&2")) {
            initPid(sb.startShim("--stdin"));
            SocketChannel attach = sb.connect();
            attach.write(ByteBuffer.wrap("attach stdin-once\nhello from stdin\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals("ok\n", sb.request("start"));
            attach.write(ByteBuffer.wrap("second line\n".getBytes(StandardCharsets.UTF_8)));
            attach.shutdownOutput(); // stdin-once: EOF closes the container's stdin, so cat ends
            byte[] all = Sandbox.readAll(attach);
            attach.close();
            assertEquals("ok\n", new String(all, 0, 3, StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.wrap(all, 3, all.length - 3);
            while (b.hasRemaining()) {
                int stream = b.get();
                int len = b.getInt();
                byte[] data = new byte[len];
                b.get(data);
                (stream == 1 ? out : err).write(data);
                assertTrue(stream == 1 || stream == 2);
            }
            assertEquals("ready\nhello from stdin\nsecond line\n", out.toString(StandardCharsets.UTF_8));
            assertEquals("done\n", err.toString(StandardCharsets.UTF_8));
            long shim = sb.shimPid;
            Sandbox.waitFor("shim exit", T, () -> !Sandbox.alive(shim));
            assertEquals(0, Sandbox.JSON.readTree(sb.bundle.resolve("exit.json").toFile()).get("exit_code").asInt());
            assertEquals(4, sb.logLines().size());
        }
    }

    @Test
    void closeStdinEndsTheInput() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "cat; exit 3")) {
            initPid(sb.startShim("--stdin"));
            assertEquals("ok\n", sb.request("start"));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("close-stdin"));
            assertEquals("3", stopped(Sandbox.answer(waiter)).group(2));
        }
    }

    @Test
    void rotatesTheLog() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "seq 1 200")) {
            initPid(sb.startShim("--log-max-size", "2000", "--log-max-files", "3"));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("start"));
            stopped(Sandbox.answer(waiter));
            Path l1 = Path.of(sb.log + ".1");
            Path l2 = Path.of(sb.log + ".2");
            assertTrue(Files.exists(l1) && Files.exists(l2));
            assertFalse(Files.exists(Path.of(sb.log + ".3")));
            for (Path p : List.of(sb.log, l1, l2)) {
                assertTrue(Files.size(p) <= 2000, p + " " + Files.size(p));
            }
            // the newest entries are in the current file, in order, ending with 200
            List<String> cur = sb.logLines();
            assertEquals("200\n", Sandbox.JSON.readTree(cur.get(cur.size() - 1)).get("log").asText());
            List<String> older = Files.readAllLines(l1);
            int lastOfOlder = Integer.parseInt(Sandbox.JSON.readTree(older.get(older.size() - 1)).get("log").asText().trim());
            int firstOfCur = Integer.parseInt(Sandbox.JSON.readTree(cur.get(0)).get("log").asText().trim());
            assertEquals(lastOfOlder + 1, firstOfCur);
        }
    }

    @Test
    void unknownRequestIsAnError() throws Exception {
        try (Sandbox sb = new Sandbox("/bin/sleep", "1000")) {
            initPid(sb.startShim());
            assertTrue(sb.request("frobnicate").startsWith("error unknown request"));
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("kill 9"));
            assertEquals("137", stopped(Sandbox.answer(waiter)).group(2));
        }
    }

    @Test
    void slowAttachClientIsDroppedAndMemoryStaysSmall() throws Exception {
        // 8 MB of output while an attach client reads nothing; then the container waits on stdin
        try (Sandbox sb = new Sandbox("/bin/sh", "-c", "head -c 8000000 /dev/zero | tr '\\0' a; echo; echo end; cat")) {
            initPid(sb.startShim("--stdin"));
            SocketChannel lazy = sb.connect();
            lazy.write(ByteBuffer.wrap("attach\n".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("ok\n", sb.request("start"));
            Sandbox.waitFor("all output logged", T, () -> {
                try {
                    List<String> l = sb.logLines();
                    return !l.isEmpty() && l.get(l.size() - 1).startsWith("{\"log\":\"end\\n\"");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            String rollup = Files.readString(Path.of("/proc/" + sb.shimPid + "/smaps_rollup"));
            long privateKb = kb(rollup, "Private_Clean") + kb(rollup, "Private_Dirty");
            assertTrue(privateKb < 1024, "shim USS " + privateKb + " kB");
            byte[] got = Sandbox.readAll(lazy); // dropped: EOF long before 8 MB
            lazy.close();
            assertTrue(got.length < 4_000_000, "attach client got " + got.length);
            long total = 0;
            for (String line : sb.logLines()) {
                total += Sandbox.JSON.readTree(line).get("log").asText().length();
            }
            assertEquals(8_000_000 + 1 + 4, total);
            SocketChannel waiter = sb.send("wait");
            assertEquals("ok\n", sb.request("close-stdin"));
            assertEquals("0", stopped(Sandbox.answer(waiter)).group(2));
        }
    }

    @Test
    void drainIsCappedWhenAnOrphanKeepsTheOutputOpen() throws Exception {
        // without a pid namespace the background sleep survives init and holds stdout open
        try (Sandbox sb = new Sandbox(true, "/bin/sh", "-c", "sleep 1000 & echo started; exit 4")) {
            initPid(sb.startShim());
            SocketChannel waiter = sb.send("wait");
            long t0 = System.nanoTime();
            assertEquals("ok\n", sb.request("start"));
            assertEquals("4", stopped(Sandbox.answer(waiter)).group(2));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 1500 && ms < 10_000, "drain took " + ms + " ms");
            assertEquals("started\n", Sandbox.JSON.readTree(sb.logLines().get(0)).get("log").asText());
        }
    }

    private static long kb(String rollup, String key) {
        Matcher m = Pattern.compile("(?m)^" + key + ":\\s+(\\d+) kB").matcher(rollup);
        assertTrue(m.find(), key);
        return Long.parseLong(m.group(1));
    }
}
