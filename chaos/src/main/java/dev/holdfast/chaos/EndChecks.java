package dev.holdfast.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checks after the churn, once the daemons are up and quiet: the docker CLI works; every container the clients
 * know of is listed (or gone) as they know it; every container's state is coherent (engine, supervisor and the
 * process table agree); counter logs have no gap or duplicate; running web containers answer on their published
 * port; and {@code holdfast check} finds nothing.
 */
final class EndChecks {

    private static final Duration QUIET_LIMIT = Duration.ofSeconds(60);
    private static final Duration PORT_LIMIT = Duration.ofSeconds(10);
    /** Longer than the engine's grace before it removes a --rm container it found down at boot (10 s). */
    private static final Duration AUTO_REMOVE_LIMIT = Duration.ofSeconds(20);
    private static final String INSPECT_FORMAT = "{{.Id}} {{.Name}} {{.State.Status}} {{.State.Running}} "
            + "{{.State.Paused}} {{.State.Pid}} {{.HostConfig.AutoRemove}} {{index .Config.Labels \""
            + RunNames.KIND_LABEL + "\"}}";

    private final Instance instance;
    private final DockerCli docker;
    private final RunNames names;
    private final Ledger ledger;
    private final Violations violations;
    private final RunLog log;

    EndChecks(Instance instance, DockerCli docker, RunNames names, Ledger ledger, Violations violations,
            RunLog log) {
        this.instance = instance;
        this.docker = docker;
        this.names = names;
        this.ledger = ledger;
        this.violations = violations;
        this.log = log;
    }

    /** One container as {@code docker inspect} shows it. */
    private record Seen(String id, String name, String status, boolean running, boolean paused, long pid,
            boolean autoRemove, String kind) {

        static Seen parse(String line) {
            String[] f = line.strip().split(" ", -1);
            if (f.length < 8) {
                throw new IllegalStateException("unexpected docker inspect line: " + line);
            }
            return new Seen(f[0], f[1].replaceFirst("^/", ""), f[2], Boolean.parseBoolean(f[3]),
                    Boolean.parseBoolean(f[4]), Long.parseLong(f[5]), Boolean.parseBoolean(f[6]), f[7]);
        }
    }

    void run() throws InterruptedException {
        if (!instance.awaitUp(FaultInjector.RECOVERY)) {
            violations.add("the daemons are not up at the end: " + instance.script("status").firstLine());
            return;
        }
        awaitQuiet();
        if (!cliWorks()) {
            return;
        }
        Map<String, Seen> seen = awaitAutoRemovals();
        checkLedger(seen);
        Map<String, String> tasks = instance.tasks();
        for (Seen c : seen.values()) {
            checkCoherent(c, tasks);
        }
        checkTasks(tasks);
        for (Seen c : seen.values()) {
            if (c.kind().equals(ContainerKind.COUNTER.label())) {
                checkCounter(c);
            } else if (c.kind().equals(ContainerKind.WEB.label()) && c.status().equals("running")) {
                checkServes(c);
            }
        }
        holdfastCheck();
    }

    /** No runc of the instance runs and the containers' states hold still for a second. */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + QUIET_LIMIT.toNanos();
        String before = null;
        while (System.nanoTime() < deadline) {
            CommandResult ps = docker.run("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.State}}");
            String now = ps.ok() ? ps.out() : null;
            if (now != null && now.equals(before) && instance.processes("runc").isEmpty()) {
                log.line("the instance is quiet");
                return;
            }
            before = now;
            Thread.sleep(1000);
        }
        violations.add("the instance did not become quiet within " + QUIET_LIMIT.toSeconds()
                + " s (containers changing state or runc running)");
    }

    /**
     * Every container of the run, once no {@code --rm} container is down any more: an engine that booted during the
     * churn removes those it found down after a grace (a docker run that carries on may still start one).
     */
    private Map<String, Seen> awaitAutoRemovals() throws InterruptedException {
        long deadline = System.nanoTime() + AUTO_REMOVE_LIMIT.toNanos();
        while (autoRemovalPending() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        return inspectAll();
    }

    /** A --rm container of the run is down (a race with its removal counts as pending, and is asked again). */
    private boolean autoRemovalPending() {
        CommandResult ps = docker.run("ps", "-aq", "--no-trunc", "--filter", "label=" + names.runLabel());
        List<String> ids = ps.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (!ps.ok() || ids.isEmpty()) {
            return !ps.ok();
        }
        List<String> args = new ArrayList<>(List.of("inspect", "-f", "{{.HostConfig.AutoRemove}} {{.State.Running}}"));
        args.addAll(ids);
        CommandResult inspect = docker.run(args.toArray(String[]::new));
        return !inspect.ok() || inspect.out().lines().anyMatch(l -> l.strip().equals("true false"));
    }

    private boolean cliWorks() {
        boolean works = true;
        for (String[] args : List.of(new String[] {"version"}, new String[] {"ps", "-a"},
                new String[] {"run", "--rm", "busybox", "echo", "chaos-final"})) {
            CommandResult r = docker.run(args);
            if (!r.ok()) {
                violations.add("docker " + String.join(" ", args) + " fails at the end: exit " + r.exit() + ": "
                        + r.firstLine());
                works = false;
            } else if (args[0].equals("run") && !r.out().strip().equals("chaos-final")) {
                violations.add("docker run --rm busybox echo chaos-final printed \"" + r.out().strip() + "\"");
            }
        }
        return works;
    }

    /** Every container of this run, by id, from {@code docker ps -a} and {@code docker inspect}. */
    private Map<String, Seen> inspectAll() {
        CommandResult ps = docker.run("ps", "-a", "--no-trunc", "--filter", "label=" + names.runLabel(), "--format",
                "{{.ID}} {{.State}}");
        if (!ps.ok()) {
            throw new IllegalStateException("docker ps -a failed: " + ps.firstLine());
        }
        Map<String, String> listed = new HashMap<>();
        ps.out().lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split(" ");
            listed.put(f[0], f.length > 1 ? f[1] : "");
        });
        Map<String, Seen> seen = new HashMap<>();
        if (listed.isEmpty()) {
            return seen;
        }
        List<String> args = new ArrayList<>(List.of("inspect", "-f", INSPECT_FORMAT));
        args.addAll(listed.keySet());
        CommandResult inspect = docker.run(args.toArray(String[]::new));
        inspect.out().lines().filter(l -> !l.isBlank()).map(Seen::parse).forEach(s -> seen.put(s.id(), s));
        for (Map.Entry<String, String> e : listed.entrySet()) {
            Seen s = seen.get(e.getKey());
            if (s == null) {
                violations.add("container " + e.getKey() + " is in docker ps -a but docker inspect does not know it: "
                        + inspect.firstLine());
            } else if (!s.status().equals(e.getValue())) {
                violations.add("container " + s.name() + " (" + ClientWorker.shortId(s.id()) + "): docker ps -a says "
                        + e.getValue() + ", docker inspect says " + s.status());
            }
        }
        return seen;
    }

    private void checkLedger(Map<String, Seen> seen) {
        Map<String, Ledger.Fate> byId = ledger.byId();
        Map<String, Ledger.Fate> byName = ledger.byName();
        byId.forEach((id, fate) -> {
            if (fate == Ledger.Fate.PRESENT && !seen.containsKey(id)) {
                violations.add("container " + ClientWorker.shortId(id) + " was created and never removed, but is"
                        + " not in docker ps -a");
            } else if (fate == Ledger.Fate.ABSENT && seen.containsKey(id)) {
                violations.add("container " + seen.get(id).name() + " (" + ClientWorker.shortId(id) + ") was removed"
                        + " (docker rm -f succeeded), but is in docker ps -a, " + seen.get(id).status());
            }
        });
        Set<String> seenNames = seen.values().stream().map(Seen::name).collect(Collectors.toSet());
        byName.forEach((name, fate) -> {
            if (fate == Ledger.Fate.ABSENT && seenNames.contains(name)) {
                violations.add("container " + name + " of a docker run --rm that succeeded is in docker ps -a");
            }
        });
        for (Seen s : seen.values()) {
            if (!byId.containsKey(s.id()) && !byName.containsKey(s.name())) {
                violations.add("container " + s.name() + " (" + ClientWorker.shortId(s.id()) + ") is in docker ps -a,"
                        + " but no client created it under that id or name");
            }
        }
    }

    private void checkCoherent(Seen c, Map<String, String> tasks) {
        String who = "container " + c.name() + " (" + ClientWorker.shortId(c.id()) + ")";
        String task = tasks.get(c.id());
        switch (c.status()) {
            case "running", "paused" -> {
                boolean paused = c.status().equals("paused");
                if (!c.running() || c.paused() != paused) {
                    violations.add(who + " is " + c.status() + " but State.Running=" + c.running() + " State.Paused="
                            + c.paused());
                }
                if (c.pid() <= 0 || !Instance.alive(c.pid())) {
                    violations.add(who + " is " + c.status() + " but its pid " + c.pid() + " does not run");
                }
                if (task == null || !(task.equals("RUNNING") || paused && task.equals("PAUSED"))) {
                    violations.add(who + " is " + c.status() + " but the supervisor's task is "
                            + Objects.requireNonNullElse(task, "missing"));
                }
            }
            case "created", "exited" -> {
                if (c.running() || c.paused() || c.pid() != 0) {
                    violations.add(who + " is " + c.status() + " but State.Running=" + c.running() + " State.Paused="
                            + c.paused() + " State.Pid=" + c.pid());
                }
                if (task != null && (task.equals("RUNNING") || task.equals("PAUSED"))) {
                    violations.add(who + " is " + c.status() + " but the supervisor's task is " + task);
                }
                if (c.autoRemove()) {
                    violations.add(who + " was run with --rm and is " + c.status() + ", not removed");
                }
            }
            default -> violations.add(who + " is in state " + c.status());
        }
    }

    /** A live task of the supervisor belongs to a running or paused container of the engine. */
    private void checkTasks(Map<String, String> tasks) {
        CommandResult ps = docker.run("ps", "-q", "--no-trunc");
        if (!ps.ok()) {
            violations.add("docker ps fails at the end: " + ps.firstLine());
            return;
        }
        Set<String> live = Set.copyOf(ps.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        tasks.forEach((id, status) -> {
            if ((status.equals("RUNNING") || status.equals("PAUSED")) && !live.contains(id)) {
                violations.add("the supervisor's task " + ClientWorker.shortId(id) + " is " + status
                        + " but the engine lists no running container with that id");
            }
        });
    }

    private void checkCounter(Seen c) {
        CommandResult logs = docker.run("logs", c.id());
        if (!logs.ok()) {
            violations.add("docker logs " + c.name() + " failed: " + logs.firstLine());
            return;
        }
        if (!logs.err().isBlank()) {
            violations.add("counter " + c.name() + " has stderr in its log: " + logs.err().lines().findFirst()
                    .orElse(""));
        }
        List<String> lines = logs.out().lines().toList();
        List<String> problems = CounterLog.problems(lines);
        for (String p : problems.subList(0, Math.min(5, problems.size()))) {
            violations.add("counter " + c.name() + " (" + ClientWorker.shortId(c.id()) + "), " + lines.size()
                    + " lines: " + p);
        }
        if (problems.size() > 5) {
            violations.add("counter " + c.name() + ": " + (problems.size() - 5) + " more problems in its log");
        }
    }

    private void checkServes(Seen c) throws InterruptedException {
        CommandResult port = docker.run("port", c.id(), "80/tcp");
        String hostPort = port.out().lines().map(String::strip).filter(l -> l.startsWith("127.0.0.1:")).findFirst()
                .orElse(null);
        if (!port.ok() || hostPort == null) {
            violations.add("web container " + c.name() + " runs but docker port shows no 127.0.0.1 port for 80/tcp: "
                    + port.firstLine());
            return;
        }
        int p = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        long deadline = System.nanoTime() + PORT_LIMIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 2000);
                s.setSoTimeout(2000);
                s.getOutputStream().write("GET /hostname HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                String head = new String(in.readNBytes(8), StandardCharsets.US_ASCII);
                if (head.startsWith("HTTP/1.")) {
                    return;
                }
                last = "answered \"" + head + "\"";
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        violations.add("web container " + c.name() + " runs but 127.0.0.1:" + p + " does not serve HTTP: " + last);
    }

    /** {@code holdfast check}: its {@code violation:} lines are violations here too. */
    private void holdfastCheck() {
        CommandResult check = instance.script("check");
        List<String> found = check.out().lines().filter(l -> l.startsWith("violation:"))
                .map(l -> "holdfast check: " + l.substring("violation:".length()).strip()).toList();
        found.forEach(violations::add);
        String last = check.out().strip().lines().reduce((a, b) -> b).orElse("");
        if (found.isEmpty() && (check.exit() != 0 || !last.startsWith("holdfast check: 0 violations"))) {
            violations.add("holdfast check failed: exit " + check.exit() + ": " + check.firstLine());
        } else {
            log.line(last);
        }
    }
}
