package dev.holdfast.engine.check;

import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.DockerCliView;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The docker CLI works against the engine's socket and lists exactly the containers there are records of. */
final class DockerCliChecks {
    private DockerCliChecks() {}

    static List<Violation> check(InstanceState s) {
        DockerCliView cli = s.dockerCli();
        if (cli.missing()) {
            return List.of();
        }
        String command = "docker -H unix://" + s.apiSocket() + " ps -a";
        if (cli.exitCode() != 0) {
            return List.of(new Violation("the docker CLI fails against the engine (exit status " + cli.exitCode()
                    + ": " + cli.output().strip() + ")", command + "; " + s.runRoot() + "/engine.log"));
        }
        List<Violation> found = new ArrayList<>();
        Set<String> listed = new TreeSet<>(cli.ids());
        for (ContainerView c : s.containers()) {
            if (!listed.remove(c.id())) {
                found.add(new Violation("container " + c.id() + " (" + c.name() + ") has a record, but docker ps -a"
                        + " does not list it", command));
            }
        }
        for (String id : listed) {
            found.add(new Violation("docker ps -a lists container " + id + ", which has no record", command));
        }
        return found;
    }
}
