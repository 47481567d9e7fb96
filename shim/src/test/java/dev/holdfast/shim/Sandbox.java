package dev.holdfast.shim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One container's worth of fixtures for driving the real shim binary with the real runc: a short temp dir
 * under /tmp (unix socket paths are limited to 108 bytes), a busybox rootfs, an OCI bundle, a runc root, and
 * thorough cleanup (runc delete --force, leftover processes, cgroup dirs, files).
 */
final class Sandbox implements AutoCloseable {
    static final Path SHIM = Path.of(System.getProperty("holdfast.shim", "target/holdfast-shim")).toAbsolutePath();
    static final String RUNC = "/usr/sbin/runc";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] APPLETS = {"sh", "echo", "sleep", "cat", "printf", "head", "tr", "seq", "true",
            "tty", "stty"};

    final String tag;        // unique, appears in every path and in the cgroup name
    final String id;
    final Path dir;
    final Path bundle;
    final Path runcRoot;
    final Path socket;
    final Path log;
    final String cgroupParent;
    Long shimPid;
    private ObjectNode process; // the spec's process object, the template for execs

    Sandbox(String... args) throws IOException, InterruptedException {
        this(false, false, args);
    }

    /** hostPid: no pid namespace of its own, so the container's children outlive its init. */
    Sandbox(boolean hostPid, String... args) throws IOException, InterruptedException {
        this(hostPid, false, args);
    }

    /** A container whose process has a terminal (process.terminal = true; the shim needs --tty). */
    static Sandbox withTerminal(String... args) throws IOException, InterruptedException {
        return new Sandbox(false, true, args);
    }

    private Sandbox(boolean hostPid, boolean terminal, String... args) throws IOException, InterruptedException {
        byte[] rnd = new byte[4];
        new SecureRandom().nextBytes(rnd);
        tag = HexFormat.of().formatHex(rnd);
        id = "c" + tag;
        dir = Files.createDirectory(Path.of("/tmp", "hfs-" + tag));
        bundle = Files.createDirectory(dir.resolve("b"));
        runcRoot = dir.resolve("r");
        socket = dir.resolve("s.sock");
        log = dir.resolve("c.log");
        cgroupParent = "/holdfast-shimtest-" + tag;
        Path bin = Files.createDirectories(bundle.resolve("rootfs/bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Files.createDirectories(bundle.resolve("rootfs/proc"));
        Files.createDirectories(bundle.resolve("rootfs/dev"));
        Files.createDirectories(bundle.resolve("rootfs/sys"));
        Files.createDirectories(bundle.resolve("rootfs/tmp"));
        run(RUNC, "spec", "--bundle", bundle.toString());
        ObjectNode spec = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        process = (ObjectNode) spec.get("process");
        process.put("terminal", terminal);
        ArrayNode argv = process.putArray("args");
        for (String a : args) {
            argv.add(a);
        }
        spec.put("hostname", id);
        ObjectNode linux = (ObjectNode) spec.get("linux");
        linux.put("cgroupsPath", cgroupParent + "/" + id);
        if (hostPid) {
            ArrayNode ns = (ArrayNode) linux.get("namespaces");
            for (int i = ns.size() - 1; i >= 0; i--) {
                if (ns.get(i).get("type").asText().equals("pid")) {
                    ns.remove(i);
                }
            }
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), spec);
    }

    List<String> shimCommand(String... extra) {
        List<String> cmd = new ArrayList<>(List.of(SHIM.toString(), "--id", id, "--bundle", bundle.toString(),
                "--socket", socket.toString(), "--log-path", log.toString(), "--runc", RUNC,
                "--runc-root", runcRoot.toString()));
        cmd.addAll(List.of(extra));
        return cmd;
    }

    record Started(String line, int exitCode) {
    }

    /** Runs the shim's starter process to completion; returns its one line and exit code. */
    Started startShim(List<String> cmd) throws IOException, InterruptedException {
        Started s = runStarter(cmd);
        Path pidFile = bundle.resolve("shim.pid");
        if (Files.exists(pidFile)) {
            shimPid = readShimPid(pidFile);
        }
        return s;
    }

    static long readShimPid(Path pidFile) throws IOException {
        return Long.parseLong(Files.readString(pidFile).trim().split(" ")[0]);
    }

    static Started runStarter(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes(); // EOF only once the starter and anything holding its stdout is gone
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("shim starter did not exit");
        }
        return new Started(new String(out, StandardCharsets.UTF_8), p.exitValue());
    }

    Started startShim(String... extra) throws IOException, InterruptedException {
        return startShim(shimCommand(extra));
    }

    SocketChannel connect() throws IOException {
        return connect(socket);
    }

    static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    /** One request, the whole answer (the shim closes the connection after answering). */
    String request(String line) throws IOException {
        return request(socket, line);
    }

    static String request(Path socket, String line) throws IOException {
        try (SocketChannel ch = connect(socket)) {
            ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            return new String(readAll(ch), StandardCharsets.UTF_8);
        }
    }

    /** Sends a request whose answer comes later (wait): read it with {@link #answer}. */
    SocketChannel send(String line) throws IOException {
        return send(socket, line);
    }

    static SocketChannel send(Path socket, String line) throws IOException {
        SocketChannel ch = connect(socket);
        ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
        return ch;
    }

    /** An exec of this container: its own state dir, socket, log and OCI process file (the spec's, other args). */
    final class Exec {
        final String eid;
        final Path stateDir;
        final Path socket;
        final Path log;
        final Path processFile;
        Long shimPid;

        private Exec(String eid, boolean terminal, String... args) throws IOException {
            this.eid = eid;
            stateDir = Files.createDirectory(dir.resolve("x-" + eid));
            socket = dir.resolve("x-" + eid + ".sock");
            log = dir.resolve("x-" + eid + ".log");
            processFile = dir.resolve("x-" + eid + ".json");
            ObjectNode p = process.deepCopy();
            p.put("terminal", terminal);
            ArrayNode argv = p.putArray("args");
            for (String a : args) {
                argv.add(a);
            }
            JSON.writeValue(processFile.toFile(), p);
        }

        /** The exec-mode command line; add "--tty", "--stdin", "--log-path" ... as needed. */
        List<String> command(String... extra) {
            List<String> cmd = new ArrayList<>(List.of(SHIM.toString(), "--id", id, "--bundle", bundle.toString(),
                    "--socket", socket.toString(), "--runc", RUNC, "--runc-root", runcRoot.toString(),
                    "--exec-id", eid, "--process", processFile.toString(), "--state-dir", stateDir.toString()));
            cmd.addAll(List.of(extra));
            return cmd;
        }

        Started start(List<String> cmd) throws IOException, InterruptedException {
            Started s = runStarter(cmd);
            Path pidFile = stateDir.resolve("shim.pid");
            if (Files.exists(pidFile)) {
                shimPid = readShimPid(pidFile);
            }
            return s;
        }

        Started start(String... extra) throws IOException, InterruptedException {
            return start(command(extra));
        }

        String request(String line) throws IOException {
            return Sandbox.request(socket, line);
        }

        SocketChannel send(String line) throws IOException {
            return Sandbox.send(socket, line);
        }

        JsonNode exitJson() throws IOException {
            return JSON.readTree(stateDir.resolve("exit.json").toFile());
        }

        /** Live processes whose command line mentions this exec's files (its shim, runc exec). */
        List<Long> processes() {
            List<Long> pids = new ArrayList<>();
            for (long pid : processesMentioningMe()) {
                try {
                    String cmdline = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                            StandardCharsets.UTF_8);
                    if (cmdline.contains(stateDir.toString())) {
                        pids.add(pid);
                    }
                } catch (IOException ignored) {
                    // gone meanwhile
                }
            }
            return pids;
        }
    }

    Exec exec(String eid, boolean terminal, String... args) throws IOException {
        return new Exec(eid, terminal, args);
    }

    static String answer(SocketChannel ch) throws IOException {
        try (ch) {
            return new String(readAll(ch), StandardCharsets.UTF_8);
        }
    }

    static byte[] readAll(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (ch.read(buf) >= 0) {
            buf.flip();
            out.write(buf.array(), 0, buf.limit());
            buf.clear();
        }
        return out.toByteArray();
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier cond) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10); // polling interval of a deadline-bounded condition wait
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid);
    }

    static boolean isZombie(long pid) {
        try {
            return "Z".equals(statFields(pid)[0]);
        } catch (IOException e) {
            return false;
        }
    }

    /** /proc/PID/stat fields from field 3 (state) on: [0]=state, [1]=ppid, [2]=pgrp, [3]=session, ... */
    static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Pids of processes whose command line mentions this sandbox (shim, runc, valgrind). */
    List<Long> processesMentioningMe() {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmdline.contains("hfs-" + tag) && !isZombie(Long.parseLong(name))) {
                        pids.add(Long.parseLong(name));
                    }
                } catch (IOException ignored) {
                    // raced with its exit
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return pids;
    }

    List<String> logLines() throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            run(RUNC, "--root", runcRoot.toString(), "delete", "--force", id);
        } catch (IOException ignored) {
            // no such container: fine
        }
        if (shimPid != null) {
            long pid = shimPid;
            try {
                waitFor("shim exit after runc delete", Duration.ofSeconds(5), () -> !alive(pid));
            } catch (AssertionError e) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (long pid : processesMentioningMe()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        removeCgroupDirs();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void removeCgroupDirs() throws IOException {
        Path root = Path.of("/sys/fs/cgroup");
        List<Path> candidates = new ArrayList<>();
        candidates.add(root.resolve(cgroupParent.substring(1)));
        try (Stream<Path> controllers = Files.list(root)) {
            controllers.filter(Files::isDirectory).forEach(c -> candidates.add(c.resolve(cgroupParent.substring(1))));
        }
        for (Path c : candidates) {
            if (Files.isDirectory(c)) {
                Path leaf = c.resolve(id);
                if (Files.isDirectory(leaf)) {
                    Files.delete(leaf);
                }
                Files.delete(c); // rmdir of an empty cgroup
            }
        }
    }
}
