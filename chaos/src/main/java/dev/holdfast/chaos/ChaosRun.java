package dev.holdfast.chaos;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One chaos run against a running instance: the plan from the seed, the clients and the fault injector at once,
 * then the {@link EndChecks}; the {@link Report} says what was found.
 */
public final class ChaosRun {

    private ChaosRun() {}

    public static Report run(ChaosOptions options, PrintStream out) throws InterruptedException {
        RunLog log = new RunLog(out);
        Plan plan = Plan.generate(options.seed(), options.ops(), options.clients());
        byte[] nonce = new byte[3];
        new SecureRandom().nextBytes(nonce);
        RunNames names = new RunNames(HexFormat.of().formatHex(nonce));
        log.line("seed " + options.seed() + ", " + options.ops() + " operations, " + options.clients() + " clients,"
                + " run tag " + names.tag() + ", instance " + options.root());
        log.line("replay: scripts/chaos --ops " + options.ops() + " --seed " + options.seed() + " --clients "
                + options.clients());
        for (Fault f : plan.faults()) {
            log.line("planned fault: " + f);
        }
        Instance instance = new Instance(options.home(), options.root());
        DockerCli docker = new DockerCli(options.dockerCli(), options.dockerHost());
        Violations violations = new Violations(log);
        Ledger ledger = new Ledger();
        createNetworks(docker, names, options.clients());

        AtomicInteger completed = new AtomicInteger();
        AtomicInteger faultsBegun = new AtomicInteger();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            ClientWorker worker = new ClientWorker(c, plan, docker, names, ledger, violations, log, completed,
                    faultsBegun);
            clients.add(Thread.ofPlatform().name("chaos-client-" + c).start(worker));
        }
        FaultInjector injector = new FaultInjector(plan.faults(), instance, completed, faultsBegun,
                () -> clients.stream().noneMatch(Thread::isAlive), violations, log);
        Thread injecting = Thread.ofPlatform().name("chaos-injector").start(injector);
        for (Thread t : clients) {
            t.join();
        }
        injecting.join();
        log.line("churn done: " + completed.get() + " operations, " + injector.injected() + " faults injected;"
                + " checking");
        new EndChecks(instance, docker, names, ledger, violations, log).run();
        Report report = new Report(options.seed(), completed.get(), injector.injected(), violations.all());
        log.plain("seed " + options.seed() + " (replay: scripts/chaos --ops " + options.ops() + " --seed "
                + options.seed() + " --clients " + options.clients() + ")");
        log.plain(report.summaryLine());
        return report;
    }

    /** One user-defined network per client, for its connects and disconnects; made before any fault. */
    private static void createNetworks(DockerCli docker, RunNames names, int clients) {
        for (int c = 0; c < clients; c++) {
            CommandResult r = docker.run("network", "create", "--label", names.runLabel(), names.network(c));
            if (!r.ok()) {
                throw new IllegalStateException("docker network create " + names.network(c) + " failed before the"
                        + " churn: " + r.firstLine());
            }
        }
    }
}
