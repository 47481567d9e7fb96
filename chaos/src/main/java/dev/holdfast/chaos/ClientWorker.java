package dev.holdfast.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client of the churn: carries out its operations of the {@link Plan}, in order, through the docker CLI, on
 * the containers of its own slots. An operation that fails is logged and is not a violation (a daemon may be down);
 * what it leaves uncertain goes into the {@link Ledger} as such. When a failure left a slot empty that the plan
 * thought full, the next operation on it creates a container instead.
 */
final class ClientWorker implements Runnable {

    private final int client;
    private final List<Operation> operations;
    private final int total;
    private final DockerCli docker;
    private final RunNames names;
    private final Ledger ledger;
    private final Violations violations;
    private final RunLog log;
    private final AtomicInteger completed;

    private final String[] ids = new String[Plan.SLOTS];
    private final int[] generations = new int[Plan.SLOTS];
    private int renames;
    private final AtomicInteger faultsBegun;

    ClientWorker(int client, Plan plan, DockerCli docker, RunNames names, Ledger ledger, Violations violations,
            RunLog log, AtomicInteger completed, AtomicInteger faultsBegun) {
        this.faultsBegun = faultsBegun;
        this.client = client;
        this.operations = plan.operationsOf(client);
        this.total = plan.operations().size();
        this.docker = docker;
        this.names = names;
        this.ledger = ledger;
        this.violations = violations;
        this.log = log;
        this.completed = completed;
    }

    @Override
    public void run() {
        for (Operation op : operations) {
            long t0 = System.nanoTime();
            String what = execute(op);
            completed.incrementAndGet();
            log.line(String.format("op %d/%d c%d %s (%.1fs)", op.index() + 1, total, client, what,
                    (System.nanoTime() - t0) / 1e9));
        }
    }

    /** Runs one operation; returns what it did and how it ended, for the log. */
    private String execute(Operation op) {
        OpKind kind = op.kind();
        boolean onContainer = kind != OpKind.VOLUME_CREATE && kind != OpKind.VOLUME_RM && kind != OpKind.RUN_RM;
        if (onContainer && kind != OpKind.CREATE && ids[op.slot()] == null) {
            return "create instead of " + kind.label() + ": " + create(op);
        }
        if (kind == OpKind.CREATE) {
            return create(op);
        }
        String id = onContainer ? ids[op.slot()] : null;
        int faultsBefore = faultsBegun.get();
        CommandResult r = switch (kind) {
            case CREATE -> throw new IllegalStateException("create is handled above");
            case START -> docker.run("start", id);
            case STOP -> docker.run("stop", "-t", "1", id);
            case KILL -> docker.run("kill", id);
            case RESTART -> docker.run("restart", "-t", "1", id);
            case PAUSE -> docker.run("pause", id);
            case UNPAUSE -> docker.run("unpause", id);
            case RM_F -> docker.run("rm", "-f", id);
            case EXEC -> docker.run("exec", id, "echo", "chaos-exec-" + op.index());
            case EXEC_DETACHED -> docker.run("exec", "-d", id, "sleep", "1");
            case ATTACH -> docker.runFor(briefly(op), "attach", "--no-stdin", "--sig-proxy=false", id);
            case LOGS_FOLLOW -> docker.runFor(briefly(op), "logs", "-f", "--tail", "3", id);
            case RENAME -> docker.run("rename", id,
                    names.renamed(client, op.slot(), generations[op.slot()], ++renames));
            case NETWORK_CONNECT -> docker.run("network", "connect", names.network(client), id);
            case NETWORK_DISCONNECT -> docker.run("network", "disconnect", names.network(client), id);
            case VOLUME_CREATE -> docker.run("volume", "create", names.volume(client, op.slot()));
            case VOLUME_RM -> docker.run("volume", "rm", names.volume(client, op.slot()));
            case RUN_RM -> runRemoved(op);
        };
        String target = onContainer ? " " + shortId(id) : kind == OpKind.RUN_RM ? "" : " slot " + op.slot();
        if (kind == OpKind.RM_F) {
            ids[op.slot()] = null;
            if (r.ok()) {
                ledger.removed(id);
            } else {
                ledger.maybeRemoved(id);
            }
        }
        if (kind == OpKind.EXEC && r.ok() && !r.out().strip().equals("chaos-exec-" + op.index())) {
            String lost = "docker exec " + shortId(id) + " echo chaos-exec-" + op.index() + " succeeded but printed \""
                    + r.out().strip() + "\"";
            if (faultsBegun.get() == faultsBefore) {
                violations.add(lost);
            } else {
                // The output travels only in the attach stream, which a killed engine cuts (README, Limits).
                log.line(lost + ": a fault cut its stream, expected");
            }
        }
        boolean followed = (kind == OpKind.ATTACH || kind == OpKind.LOGS_FOLLOW) && (r.cutOff() || r.exit() == 0);
        return kind.label() + target + ": " + (r.ok() || followed ? "ok" : failure(r));
    }

    private String create(Operation op) {
        int slot = op.slot();
        String name = names.container(client, slot, ++generations[slot]);
        ContainerKind kind = ContainerKind.of(op.variant());
        List<String> args = new ArrayList<>(List.of("create", "--name", name, "--label", names.runLabel(),
                "--label", RunNames.KIND_LABEL + "=" + kind.label()));
        args.addAll(kind.createOptions);
        args.add("busybox");
        args.addAll(kind.command);
        CommandResult r = docker.run(args.toArray(String[]::new));
        String id = r.out().strip();
        if (r.ok() && id.matches("[0-9a-f]{64}")) {
            ids[slot] = id;
            ledger.created(id);
            return "create " + kind.label() + " " + name + " = " + shortId(id) + ": ok";
        }
        ids[slot] = null;
        ledger.maybeCreated(name);
        return "create " + kind.label() + " " + name + ": " + failure(r);
    }

    private CommandResult runRemoved(Operation op) {
        String name = names.oneShot(op.index());
        String expected = "chaos-run-" + op.index();
        CommandResult r = docker.run("run", "--rm", "--name", name, "--label", names.runLabel(), "busybox",
                "echo", expected);
        if (r.ok()) {
            ledger.removedByName(name);
            if (!r.out().strip().equals(expected)) {
                violations.add("docker run --rm --name " + name + " echo " + expected + " succeeded but printed \""
                        + r.out().strip() + "\"");
            }
        } else {
            ledger.maybeCreated(name);
        }
        return r;
    }

    /** How long an attach or a logs -f stays: 0.5 to 1.5 s. */
    private static Duration briefly(Operation op) {
        return Duration.ofMillis(500 + op.variant());
    }

    private static String failure(CommandResult r) {
        return (r.cutOff() ? "timed out" : "exit " + r.exit()) + ": " + r.firstLine();
    }

    static String shortId(String id) {
        return id == null ? "-" : id.substring(0, Math.min(12, id.length()));
    }
}
