package dev.holdfast.chaos;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Injects the plan's faults into the instance, each once its moment (a count of completed operations) has come,
 * and undoes each before the next: a stopped daemon gets SIGCONT, a killed supervisor is started again, and the
 * injector waits until {@code holdfast status} says both daemons are up. A daemon that does not come back within
 * {@link #RECOVERY} is a violation. A fault with nothing to hit (no shim runs, no runc was seen in its window) is
 * logged and not counted.
 */
final class FaultInjector implements Runnable {

    static final Duration RECOVERY = Duration.ofSeconds(120);

    private final List<Fault> faults;
    private final Instance instance;
    private final AtomicInteger completed;
    private final BooleanSupplier clientsDone;
    private final Violations violations;
    private final RunLog log;
    private final AtomicInteger injected = new AtomicInteger();
    /** Faults begun so far (counted before each is injected): the clients read it to tell what one may have cut. */
    private final AtomicInteger begun;

    FaultInjector(List<Fault> faults, Instance instance, AtomicInteger completed, AtomicInteger begun,
            BooleanSupplier clientsDone, Violations violations, RunLog log) {
        this.begun = begun;
        this.faults = faults;
        this.instance = instance;
        this.completed = completed;
        this.clientsDone = clientsDone;
        this.violations = violations;
        this.log = log;
    }

    /** How many faults were actually injected (after {@link #run()} returned). */
    int injected() {
        return injected.get();
    }

    @Override
    public void run() {
        try {
            for (int i = 0; i < faults.size(); i++) {
                Fault fault = faults.get(i);
                while (completed.get() < fault.afterOps() && !clientsDone.getAsBoolean()) {
                    Thread.sleep(20);
                }
                if (clientsDone.getAsBoolean()) {
                    log.line("fault " + (i + 1) + "/" + faults.size() + " " + fault + ": not injected, the clients"
                            + " are done");
                    continue;
                }
                begun.incrementAndGet();
                String what = inject(fault);
                log.line("fault " + (i + 1) + "/" + faults.size() + " " + fault + ": " + what);
                if (!instance.awaitUp(RECOVERY)) {
                    violations.add("the daemons are not up " + RECOVERY.toSeconds() + " s after " + fault + ": "
                            + instance.script("status").firstLine());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String inject(Fault fault) throws InterruptedException {
        return switch (fault.kind()) {
            case KILL_ENGINE -> killDaemon("engine");
            case KILL_SUPERVISOR -> {
                String what = killDaemon("supervisor");
                Thread.sleep(fault.millis());
                CommandResult start = instance.script("supervisor", "start");
                yield what + "; supervisor start after " + fault.millis() + " ms: "
                        + (start.ok() ? "ok" : "exit " + start.exit() + ": " + start.firstLine());
            }
            case KILL_SHIM -> killShim(fault.pick());
            case KILL_RUNC -> killRunc(fault.millis());
            case STOP_ENGINE -> stopDaemon("engine", fault.millis());
            case STOP_SUPERVISOR -> stopDaemon("supervisor", fault.millis());
        };
    }

    private String killDaemon(String name) {
        OptionalLong pid = instance.daemonPid(name);
        if (pid.isEmpty()) {
            return "no " + name + " runs, nothing killed";
        }
        if (!Instance.signal(pid.getAsLong(), "KILL")) {
            return "kill -9 " + name + " (pid " + pid.getAsLong() + ") failed";
        }
        count();
        return "kill -9 " + name + " (pid " + pid.getAsLong() + ")";
    }

    private String killShim(int pick) {
        List<Long> shims = instance.processes("holdfast-shim");
        if (shims.isEmpty()) {
            return "no shim runs, nothing killed";
        }
        long pid = shims.get(pick % shims.size());
        if (!Instance.signal(pid, "KILL")) {
            return "kill -9 shim (pid " + pid + ") failed: gone meanwhile";
        }
        count();
        return "kill -9 shim (pid " + pid + ", " + (pick % shims.size() + 1) + " of " + shims.size() + ")";
    }

    private String killRunc(int windowMillis) throws InterruptedException {
        long deadline = System.nanoTime() + windowMillis * 1_000_000L;
        while (System.nanoTime() < deadline && !clientsDone.getAsBoolean()) {
            for (long pid : instance.processes("runc")) {
                if (Instance.signal(pid, "KILL")) {
                    count();
                    return "kill -9 runc (pid " + pid + ")";
                }
            }
            Thread.sleep(2);
        }
        return "no runc seen within " + windowMillis + " ms, nothing killed";
    }

    private String stopDaemon(String name, int millis) throws InterruptedException {
        OptionalLong pid = instance.daemonPid(name);
        if (pid.isEmpty() || !Instance.signal(pid.getAsLong(), "STOP")) {
            return "no " + name + " to stop";
        }
        count();
        try {
            Thread.sleep(millis);
        } finally {
            Instance.signal(pid.getAsLong(), "CONT");
        }
        return "SIGSTOP " + name + " (pid " + pid.getAsLong() + ") for " + millis + " ms, then SIGCONT";
    }

    private void count() {
        injected.incrementAndGet();
    }
}
