package dev.holdfast.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real docker CLI pointed at the instance under test. */
final class DockerCli {

    /** An operation that takes longer than this counts as failed (a stopped daemon makes clients wait). */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String cli;
    private final Map<String, String> env;

    DockerCli(String cli, String dockerHost) {
        this.cli = cli;
        this.env = Map.of("DOCKER_HOST", dockerHost);
    }

    CommandResult run(String... args) {
        return runFor(TIMEOUT, args);
    }

    /** Runs the CLI for at most {@code limit} (an attach or a {@code logs -f} is ended then). */
    CommandResult runFor(Duration limit, String... args) {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(cli);
        command.addAll(List.of(args));
        return Commands.run(command, env, limit);
    }
}
