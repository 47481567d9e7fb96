package dev.holdfast.engine.exec;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.spec.Capabilities;
import dev.holdfast.engine.spec.Environment;
import dev.holdfast.engine.spec.ProcessUser;
import dev.holdfast.engine.spec.SecurityOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OCI process of an exec (the {@code process} object of a runtime spec): the container's environment, user,
 * working directory and capabilities, overridden by what the exec asked for.
 */
public final class ExecProcess {
    private ExecProcess() {}

    public static Map<String, Object> of(Container c, ExecRecord exec) {
        ContainerConfig config = c.record().config();
        List<String> base = Environment.containerDefaults(config.hostname(), config.tty());
        List<String> env = new ArrayList<>(Environment.merge(Environment.merge(base, config.env()), exec.env()));
        if (exec.tty() && !Environment.defines(env, "TERM")) {
            env.add("TERM=xterm");
        }
        String user = exec.user() != null && !exec.user().isEmpty() ? exec.user() : config.user();
        ProcessUser resolved = ProcessUser.resolve(user, c.record().hostConfig().groupAdd(), c.rootfs());
        String cwd = exec.workingDir() != null && !exec.workingDir().isEmpty() ? exec.workingDir()
                : config.workingDir() != null && !config.workingDir().isEmpty() ? config.workingDir() : "/";
        List<String> caps = exec.privileged() ? Capabilities.all() : Capabilities.of(c.record().hostConfig());
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", exec.tty());
        process.put("user", resolved.toSpec());
        process.put("args", exec.cmd());
        process.put("env", env);
        process.put("cwd", cwd);
        process.put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
        // As dockerd starts an exec from the container's process spec: no-new-privileges holds for execs too.
        process.put("noNewPrivileges", SecurityOptions.parse(c.record().hostConfig().securityOpt()).noNewPrivileges());
        return process;
    }
}
