import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Shared pieces of the bench drivers (scripts/bench.d/*.java, compiled together by scripts/bench): a Docker API
 * client over a unix socket, a small JSON reader, the samples file and the progress line. Nothing here is specific
 * to holdfast or dockerd: both daemons go through exactly the same code.
 */
final class BenchSupport {
    private BenchSupport() {}

    /** API version prefix understood by both daemons (dockerd 20.10 speaks up to 1.41, holdfast 1.24 to 1.47). */
    static final String API = "/v1.41";

    /** A daemon under test: its name in the results and its API socket. Parsed from {@code name=/path/to.sock}. */
    record Target(String name, Path socket) {
        static Target parse(String spec) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--daemon wants NAME=SOCKET, got " + spec);
            }
            String sock = spec.substring(eq + 1);
            if (sock.startsWith("unix://")) {
                sock = sock.substring("unix://".length());
            }
            return new Target(spec.substring(0, eq), Path.of(sock));
        }

        String dockerHost() {
            return "unix://" + socket;
        }
    }

    // --- arguments ------------------------------------------------------------------------------------------------

    /** Minimal {@code --key value} parser; repeated keys accumulate. */
    static final class Args {
        final Map<String, List<String>> values = new LinkedHashMap<>();

        Args(String[] argv) {
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                if (!a.startsWith("--") || i + 1 >= argv.length) {
                    throw new IllegalArgumentException("expected --key value, got " + a);
                }
                values.computeIfAbsent(a.substring(2), k -> new ArrayList<>()).add(argv[++i]);
            }
        }

        String get(String key, String def) {
            List<String> v = values.get(key);
            return v == null ? def : v.get(v.size() - 1);
        }

        String require(String key) {
            String v = get(key, null);
            if (v == null) {
                throw new IllegalArgumentException("missing --" + key);
            }
            return v;
        }

        int getInt(String key, int def) {
            return Integer.parseInt(get(key, Integer.toString(def)));
        }

        double getDouble(String key, double def) {
            return Double.parseDouble(get(key, Double.toString(def)));
        }

        List<String> all(String key) {
            return values.getOrDefault(key, List.of());
        }

        /** The values of a per-daemon option ({@code --log NAME=FILE ...}) by daemon name. */
        Map<String, String> byName(String key) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String s : all(key)) {
                int eq = s.indexOf('=');
                m.put(s.substring(0, eq), s.substring(eq + 1));
            }
            return m;
        }

        List<Target> targets() {
            return all("daemon").stream().map(Target::parse).toList();
        }
    }

    // --- samples --------------------------------------------------------------------------------------------------

    /**
     * The raw results, one line per sample, appended by every driver and by scripts/bench itself:
     * {@code metric TAB daemon TAB value} or {@code metric TAB daemon TAB NA TAB reason}. Report.java reads it.
     */
    static final class Samples {
        private final Path file;

        Samples(Path file) {
            this.file = file;
        }

        synchronized void add(String metric, String daemon, double value) {
            append(metric + "\t" + daemon + "\t" + String.format(Locale.ROOT, "%.6f", value) + "\n");
        }

        synchronized void na(String metric, String daemon, String reason) {
            append(metric + "\t" + daemon + "\tNA\t" + oneLine(reason) + "\n");
        }

        private void append(String line) {
            try {
                Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        String t = s.replace('\t', ' ').replace('\r', ' ').strip();
        String[] lines = t.split("\n");
        // The last non-blank line of an error output is usually the one that says what went wrong.
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                t = lines[i].strip();
                break;
            }
        }
        return t.length() > 300 ? t.substring(0, 297) + "..." : t;
    }

    /** What a docker CLI call said went wrong: its "Error ..." line rather than the usage hint after it. */
    static String cliError(String stderr) {
        if (stderr != null) {
            for (String want : List.of("Error response from daemon", "Error", "error")) {
                for (String l : stderr.split("\n")) {
                    if (l.contains(want)) {
                        return oneLine(l.replaceFirst("^docker: ", ""));
                    }
                }
            }
        }
        return oneLine(stderr);
    }

    static String reason(Throwable e) {
        String m = e.getMessage();
        return oneLine(m == null ? e.getClass().getSimpleName() : m);
    }

    // --- progress -------------------------------------------------------------------------------------------------

    /**
     * The progress line: rewritten in place on a terminal (BENCH_TTY=1), otherwise a plain line at most every
     * 10 seconds. Elapsed time counts from BENCH_T0 (epoch ms), the start of scripts/bench.
     */
    static final class Progress {
        private static final boolean TTY = "1".equals(System.getenv("BENCH_TTY"));
        private static final long T0 = parseT0();
        private static long lastPlain;

        private static long parseT0() {
            try {
                return Long.parseLong(System.getenv("BENCH_T0"));
            } catch (RuntimeException e) {
                return System.currentTimeMillis();
            }
        }

        static synchronized void show(String msg) {
            long now = System.currentTimeMillis();
            long s = (now - T0) / 1000;
            String line = String.format(Locale.ROOT, "[%02d:%02d] %s", s / 60, s % 60, msg);
            if (TTY) {
                System.err.print("\r\033[K" + line);
                System.err.flush();
            } else if (now - lastPlain >= 10_000) {
                lastPlain = now;
                System.err.println(line);
            }
        }
    }

    // --- statistics -----------------------------------------------------------------------------------------------

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    static double median(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return percentile(a, 0.5);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    // --- HTTP over a unix socket ----------------------------------------------------------------------------------

    /** One answer: status, lower-cased headers of interest, body bytes. */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        Object json() {
            return Json.parse(text());
        }

        Response expect(int... ok) {
            for (int s : ok) {
                if (s == status) {
                    return this;
                }
            }
            String msg = text().strip();
            try {
                Object j = Json.parse(msg);
                if (j instanceof Map<?, ?> m && m.get("message") instanceof String s) {
                    msg = s;
                }
            } catch (RuntimeException ignored) {
                // not JSON: keep the raw text
            }
            throw new IllegalStateException("HTTP " + status + ": " + oneLine(msg));
        }
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * A keep-alive HTTP/1.1 connection to a Docker API socket. Not thread safe: one per thread. A request that takes
     * longer than its timeout gets its connection closed (the read then fails).
     */
    static final class UnixHttp implements Closeable {
        private final Path socket;
        private SocketChannel ch;
        private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        private final ByteBuffer out = ByteBuffer.allocate(16 * 1024);
        private byte[] line = new byte[256];

        UnixHttp(Path socket) throws IOException {
            this.socket = socket;
            connect();
        }

        private void connect() throws IOException {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            in.clear().flip();
        }

        /** Connects, or returns null when nothing accepts on the socket. */
        static UnixHttp tryOpen(Path socket) {
            try {
                return new UnixHttp(socket);
            } catch (IOException e) {
                return null;
            }
        }

        Response get(String path) throws IOException {
            return request("GET", path, null, 60_000);
        }

        Response post(String path, String jsonBody) throws IOException {
            return request("POST", path, jsonBody == null ? null : jsonBody.getBytes(StandardCharsets.UTF_8), 60_000);
        }

        Response delete(String path) throws IOException {
            return request("DELETE", path, null, 60_000);
        }

        Response request(String method, String path, byte[] body, long timeoutMs) throws IOException {
            ScheduledFuture<?> dog = timeoutMs > 0 ? WATCHDOG.schedule(this::closeQuietly, timeoutMs,
                    TimeUnit.MILLISECONDS) : null;
            try {
                if (!ch.isOpen()) {
                    connect();
                }
                send(method, path, body);
                return receive(method);
            } catch (IOException e) {
                closeQuietly();
                if (dog != null && dog.isDone()) {
                    throw new IOException(method + " " + path + ": no answer within " + timeoutMs + " ms");
                }
                throw new IOException(method + " " + path + ": " + e, e);
            } finally {
                if (dog != null) {
                    dog.cancel(false);
                }
            }
        }

        private void send(String method, String path, byte[] body) throws IOException {
            StringBuilder sb = new StringBuilder(128);
            sb.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: docker\r\n");
            if (body != null) {
                sb.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            } else if (!method.equals("GET")) {
                sb.append("Content-Length: 0\r\n");
            }
            sb.append("\r\n");
            byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            out.clear();
            if (head.length + (body == null ? 0 : body.length) <= out.capacity()) {
                out.put(head);
                if (body != null) {
                    out.put(body);
                }
                out.flip();
                writeFully(out);
            } else {
                writeFully(ByteBuffer.wrap(head));
                writeFully(ByteBuffer.wrap(body));
            }
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        private boolean fill() throws IOException {
            in.compact();
            int n = ch.read(in);
            in.flip();
            return n > 0;
        }

        private String readLine() throws IOException {
            int len = 0;
            while (true) {
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b == '\n') {
                        if (len > 0 && line[len - 1] == '\r') {
                            len--;
                        }
                        return new String(line, 0, len, StandardCharsets.ISO_8859_1);
                    }
                    if (len == line.length) {
                        line = Arrays.copyOf(line, len * 2);
                    }
                    line[len++] = b;
                }
                if (!fill()) {
                    throw new IOException("connection closed by the daemon");
                }
            }
        }

        private void readBody(ByteArrayOutputStream body, long n) throws IOException {
            while (n > 0) {
                if (!in.hasRemaining() && !fill()) {
                    throw new IOException("connection closed in the middle of a body");
                }
                int k = (int) Math.min(n, in.remaining());
                body.write(in.array(), in.arrayOffset() + in.position(), k);
                in.position(in.position() + k);
                n -= k;
            }
        }

        private Response receive(String method) throws IOException {
            String status = readLine();
            if (!status.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + oneLine(status));
            }
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String h = readLine(); !h.isEmpty(); h = readLine()) {
                int colon = h.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).strip();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) Math.min(length, 1 << 20) : 256);
            if (method.equals("HEAD") || code == 204 || code == 304 || (code >= 100 && code < 200)) {
                // no body
            } else if (chunked) {
                while (true) {
                    String size = readLine();
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).strip(), 16);
                    if (n == 0) {
                        while (!readLine().isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    readBody(body, n);
                    readLine();
                }
            } else if (length >= 0) {
                readBody(body, length);
            } else {
                while (true) {
                    if (in.hasRemaining()) {
                        body.write(in.array(), in.arrayOffset() + in.position(), in.remaining());
                        in.position(in.limit());
                    }
                    if (!fill()) {
                        break;
                    }
                }
                close = true;
            }
            if (close) {
                closeQuietly();
            }
            return new Response(code, body.toByteArray());
        }

        void closeQuietly() {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() {
            closeQuietly();
        }
    }

    // --- JSON -----------------------------------------------------------------------------------------------------

    /** A small JSON reader: objects as LinkedHashMap, arrays as ArrayList, numbers as Double. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json j = new Json(text);
            j.ws();
            Object v = j.value();
            j.ws();
            if (j.i != j.s.length()) {
                throw j.error("trailing characters");
            }
            return v;
        }

        static String quote(String v) {
            StringBuilder sb = new StringBuilder(v.length() + 2).append('"');
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }

        /** Serializes what {@link #parse} produces (maps, lists, strings, numbers, booleans, null). */
        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(sb, o);
            return sb.toString();
        }

        private static void write(StringBuilder sb, Object o) {
            if (o == null) {
                sb.append("null");
            } else if (o instanceof String str) {
                sb.append(quote(str));
            } else if (o instanceof Double d) {
                sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : d.toString());
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else if (o instanceof Map<?, ?> m) {
                sb.append('{');
                int k = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(k++ == 0 ? "" : ",").append(quote(String.valueOf(e.getKey()))).append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            } else if (o instanceof List<?> l) {
                sb.append('[');
                for (int k = 0; k < l.size(); k++) {
                    sb.append(k == 0 ? "" : ",");
                    write(sb, l.get(k));
                }
                sb.append(']');
            } else {
                throw new IllegalArgumentException("cannot write " + o.getClass());
            }
        }

        /** Path lookup: {@code at(obj, "State", "Pid")}. */
        static Object at(Object o, String... keys) {
            for (String k : keys) {
                if (!(o instanceof Map<?, ?> m)) {
                    return null;
                }
                o = m.get(k);
            }
            return o;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at " + i + ": " + what);
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private Object value() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (s.charAt(i) == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        String k = string();
                        ws();
                        expect(':');
                        ws();
                        m.put(k, value());
                        ws();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (s.charAt(i) == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        if (s.charAt(i) == ',') {
                            i++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"' -> {
                    return string();
                }
                case 't' -> {
                    literal("true");
                    return Boolean.TRUE;
                }
                case 'f' -> {
                    literal("false");
                    return Boolean.FALSE;
                }
                case 'n' -> {
                    literal("null");
                    return null;
                }
                default -> {
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    if (start == i) {
                        throw error("unexpected '" + c + "'");
                    }
                    return Double.parseDouble(s.substring(start, i));
                }
            }
        }

        private void literal(String word) {
            if (!s.startsWith(word, i)) {
                throw error("expected " + word);
            }
            i += word.length();
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }
    }

    // --- Docker API helpers ---------------------------------------------------------------------------------------

    /** POST /containers/create; returns the id. */
    static String create(UnixHttp http, String body) throws IOException {
        Object j = http.post(API + "/containers/create", body).expect(201).json();
        Object id = Json.at(j, "Id");
        if (!(id instanceof String s) || s.isEmpty()) {
            throw new IllegalStateException("create answered no Id");
        }
        return s;
    }

    static String createBody(List<String> cmd, Map<String, String> labels) {
        StringBuilder sb = new StringBuilder("{\"Image\":\"busybox:latest\",\"Cmd\":[");
        for (int k = 0; k < cmd.size(); k++) {
            sb.append(k == 0 ? "" : ",").append(Json.quote(cmd.get(k)));
        }
        sb.append("],\"Labels\":{");
        int k = 0;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            sb.append(k++ == 0 ? "" : ",").append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
        }
        return sb.append("},\"HostConfig\":{}}").toString();
    }

    static void start(UnixHttp http, String id) throws IOException {
        http.post(API + "/containers/" + id + "/start", null).expect(204, 304);
    }

    /** POST /containers/{id}/wait; returns the exit code. */
    static int await(UnixHttp http, String id, long timeoutMs) throws IOException {
        Object j = http.request("POST", API + "/containers/" + id + "/wait", null, timeoutMs).expect(200).json();
        Object code = Json.at(j, "StatusCode");
        if (!(code instanceof Double d)) {
            throw new IllegalStateException("wait answered no StatusCode");
        }
        return d.intValue();
    }

    static void remove(UnixHttp http, String id, boolean force) throws IOException {
        http.delete(API + "/containers/" + id + (force ? "?force=1" : "")).expect(204);
    }

    /** Best-effort forced removal, for cleaning up after a failure. */
    static void removeQuietly(Path socket, String id) {
        if (id == null) {
            return;
        }
        try (UnixHttp h = new UnixHttp(socket)) {
            h.delete(API + "/containers/" + id + "?force=1");
        } catch (IOException | RuntimeException ignored) {
            // the cleanup at exit removes whatever is left
        }
    }

    // --- processes ------------------------------------------------------------------------------------------------

    /** CPU time (user + system, all threads, ms) a process has used so far; -1 when it is gone. */
    static double cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0], utime is field 14 of stat, i.e. f[11], stime f[12]
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return ticks * 1000.0 / CLK_TCK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** USER_HZ: 100 on every Linux architecture that matters here. */
    private static final long CLK_TCK = 100;

    /** True while the process exists and is not a zombie. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The daemon processes of each target whose CPU time the drivers account, from
     * {@code --procs NAME=daemon:PID,helper:PID} (daemon = engine or dockerd, helper = supervisor or containerd).
     */
    static Map<String, Map<String, Long>> procs(Args args) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        for (String spec : args.all("procs")) {
            int eq = spec.indexOf('=');
            Map<String, Long> roles = new LinkedHashMap<>();
            for (String part : spec.substring(eq + 1).split(",")) {
                int colon = part.indexOf(':');
                if (colon > 0) {
                    roles.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
                }
            }
            out.put(spec.substring(0, eq), roles);
        }
        return out;
    }

    /** CPU ms of each role of a target, now. */
    static Map<String, Double> cpuSnapshot(Map<String, Long> roles) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (roles != null) {
            roles.forEach((role, pid) -> m.put(role, cpuMillis(pid)));
        }
        return m;
    }

    /** The shim of a container: the process whose command line names the container id (holdfast-shim or
     *  containerd-shim-runc-v2 alike); -1 when none. */
    static long shimOf(String id) {
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String comm = Files.readString(d.resolve("comm")).strip();
                    if (!comm.startsWith("holdfast-shim") && !comm.startsWith("containerd-shim")) {
                        continue;
                    }
                    String cmd = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(id)) {
                        return Long.parseLong(name);
                    }
                } catch (IOException ignored) {
                    // gone meanwhile
                }
            }
        } catch (IOException ignored) {
            // no /proc?
        }
        return -1;
    }

    /** A docker CLI call's outcome. */
    record CliResult(int exit, long nanos, String stderr) {}

    /** Runs the docker CLI against a target; stdout is discarded, stderr kept for error messages. */
    static CliResult docker(String dockerCli, Target t, long timeoutMs, String... args) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dockerCli);
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_HOST", t.dockerHost());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path err = Files.createTempFile("bench-cli", ".err");
        pb.redirectError(err.toFile());
        try {
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return new CliResult(-1, System.nanoTime() - t0, "docker " + String.join(" ", args)
                        + ": no exit within " + timeoutMs + " ms");
            }
            long dt = System.nanoTime() - t0;
            return new CliResult(p.exitValue(), dt, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
