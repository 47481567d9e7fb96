package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --init}: a small init (tini) as the container's pid 1, which forwards signals to the command and reaps
 * orphaned processes. As dockerd does, the binary is bind-mounted read-only at {@code /sbin/docker-init} and only
 * the runtime spec's args change; the container's Path and Args stay the command.
 *
 * @param binary the host's init, {@code [engine] init_path} in config.toml; it must be static, as the image may
 *     have no libc
 */
public record InitProcess(Path binary) {
    /** dockerd's path of the init in the container. */
    static final String IN_CONTAINER = "/sbin/docker-init";
    public static final Path DEFAULT_BINARY = Path.of("/usr/bin/tini-static");

    static boolean wanted(HostConfig host) {
        return Boolean.TRUE.equals(host.init());
    }

    /** The command under the init: {@code /sbin/docker-init -- command...}. */
    static List<String> args(List<String> command) {
        List<String> args = new ArrayList<>(List.of(IN_CONTAINER, "--"));
        args.addAll(command);
        return args;
    }

    /** The read-only bind of the binary; 500 naming the config key when the host has no such file. */
    Map<String, Object> mount() {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            throw DomainException.system("the init for --init, " + binary + " ([engine] init_path in config.toml), "
                    + "is not an executable file", null);
        }
        return OciSpecBuilder.mount(IN_CONTAINER, "bind", binary.toAbsolutePath().toString(), "bind", "ro",
                "rprivate");
    }
}
