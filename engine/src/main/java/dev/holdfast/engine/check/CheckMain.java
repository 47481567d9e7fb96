package dev.holdfast.engine.check;

import dev.holdfast.engine.config.EngineConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code holdfast check}: reads an instance (records, supervisor tasks, processes, mounts, cgroups, namespaces,
 * bridges, firewall rules, volumes), changes nothing, prints one line per broken invariant and a summary last.
 * Exit status 0 when nothing is broken, 1 when something is, 2 when the instance could not be read.
 */
public final class CheckMain {
    /** grpc-netty asks for SO_KEEPALIVE, which unix sockets lack: a warning per connection. Held: loggers are weak. */
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.netty.bootstrap");

    private CheckMain() {}

    public static void main(String[] args) {
        if (args.length != 2 || !args[0].equals("--config")) {
            System.err.println("usage: CheckMain --config FILE");
            System.exit(2);
        }
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
        InstanceState state;
        try {
            state = InstanceReader.read(EngineConfig.load(Path.of(args[1])));
        } catch (IOException | RuntimeException e) {
            System.err.println("holdfast check: cannot read the instance of " + args[1] + ": " + e);
            System.exit(2);
            return;
        }
        if (state.dockerCli().missing()) {
            System.err.println("holdfast check: no docker CLI to run (" + state.dockerCli().output().strip()
                    + "): the engine's API was not tried");
        }
        List<Violation> violations = InvariantChecker.check(state);
        violations.forEach(System.out::println);
        long running = state.containers().stream().filter(InstanceState.ContainerView::hasProcess).count();
        System.out.println("holdfast check: " + violations.size() + " violations (" + state.containers().size()
                + " containers, " + running + " running, " + (state.tasks() == null ? "no" : state.tasks().size())
                + " tasks, " + state.shims().size() + " shims, " + state.mounts().size() + " mounts, "
                + state.cgroups().size() + " cgroups, " + state.attachments().size() + " network attachments, "
                + state.dnatRules().size() + " DNAT rules, " + state.subnetRules().size() + " subnet rules, "
                + state.volumes().size() + " volumes)");
        System.exit(violations.isEmpty() ? 0 : 1);
    }
}
