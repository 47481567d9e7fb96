package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.health.HealthConfig;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageConfig;
import dev.holdfast.engine.log.LogRotation;
import dev.holdfast.engine.spec.BindMount;
import dev.holdfast.engine.spec.Capabilities;
import dev.holdfast.engine.spec.Devices;
import dev.holdfast.engine.spec.EtcFiles;
import dev.holdfast.engine.spec.Environment;
import dev.holdfast.engine.spec.ProcessLimits;
import dev.holdfast.engine.spec.Sysctls;
import dev.holdfast.engine.spec.NamespaceModes;
import dev.holdfast.engine.spec.ShmMount;
import dev.holdfast.engine.spec.PathMasks;
import dev.holdfast.engine.spec.SecurityOptions;
import dev.holdfast.engine.task.OciRuntimes;
import dev.holdfast.engine.time.Timestamps;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a create request and its image into the container's first record: the image's defaults merged in the way
 * Docker merges them, every HostConfig option validated, so that a bad request fails before anything exists.
 */
public final class ContainerFactory {
    private ContainerFactory() {}

    public static ContainerRecord build(String id, String name, CreateRequest request, Image image, Path dir,
            Instant now) {
        ContainerConfig asked = request.config();
        ImageConfig defaults = image.config();
        HostConfig host = validHostConfig(request.hostConfig());
        NamespaceModes.validate(host, asked.hostname());
        HealthConfig.validate(asked.healthcheck());

        // Docker's rule: an explicit entrypoint (even an empty one) drops the image's cmd along with its entrypoint.
        List<String> entrypoint = asked.entrypoint();
        List<String> cmd = asked.cmd();
        if (entrypoint == null || entrypoint.isEmpty()) {
            if (cmd == null || cmd.isEmpty()) {
                cmd = defaults.cmd();
            }
            if (entrypoint == null) {
                entrypoint = defaults.entrypoint();
            }
        }
        // `--entrypoint ""` arrives as [""]: no entrypoint at all.
        if (entrypoint.size() == 1 && entrypoint.get(0).isEmpty()) {
            entrypoint = List.of();
        }
        cmd = cmd == null ? List.of() : cmd;
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(cmd);
        if (command.isEmpty()) {
            throw ApiException.badRequest("no command specified");
        }

        String stopSignal = firstNonEmpty(asked.stopSignal(), defaults.stopSignal());
        if (stopSignal != null) {
            Signals.parse(stopSignal);
        }
        ContainerConfig config = new ContainerConfig(
                firstNonEmpty(asked.hostname(), host.networkMode().equals("host") || NamespaceModes.hostUts(host)
                        ? HostName.get() : id.substring(0, 12)),
                nullToEmpty(asked.domainname()),
                nullToEmpty(firstNonEmpty(asked.user(), defaults.user())),
                asked.attachStdin(),
                asked.attachStdout(),
                asked.attachStderr(),
                merged(defaults.exposedPorts(), asked.exposedPorts()),
                asked.tty(),
                asked.openStdin(),
                asked.stdinOnce(),
                Environment.withImageDefaults(asked.env(), defaults.env()),
                cmd,
                asked.image(),
                merged(defaults.volumes(), asked.volumes()),
                nullToEmpty(firstNonEmpty(asked.workingDir(), defaults.workingDir())),
                entrypoint.isEmpty() ? null : entrypoint,
                merged(defaults.labels(), asked.labels()),
                stopSignal,
                asked.stopTimeout(),
                asked.macAddress(),
                HealthConfig.merge(asked.healthcheck(), defaults.healthcheck()));
        return new ContainerRecord(
                id,
                Timestamps.format(now),
                command.get(0),
                List.copyOf(command.subList(1, command.size())),
                ContainerState.created(),
                image.id(),
                name,
                0,
                config,
                host,
                LogRotation.readable(host.logConfig()) ? dir.resolve(id + "-json.log").toString() : "",
                dir.resolve(EtcFiles.HOSTNAME).toString(),
                dir.resolve(EtcFiles.HOSTS).toString(),
                dir.resolve(EtcFiles.RESOLV_CONF).toString(),
                false,
                false);
    }

    /** The daemon's default json-file options ({@code [log]} in config.toml), for containers that set none. */
    private static volatile Map<String, String> daemonLogOptions = Map.of();

    public static void daemonLogOptions(Map<String, String> options) {
        LogRotation.of(new HostConfig.LogConfig(LogRotation.DRIVER, options));
        daemonLogOptions = Map.copyOf(options);
    }

    /**
     * dockerd's merge when it starts a container's logger: the daemon's options are the defaults of a container on
     * the daemon's driver, each option the container sets overrides its own key only (so a container's max-file works
     * with the daemon's max-size). Inspect shows the container's own options, as dockerd's does.
     */
    public static HostConfig.LogConfig effectiveLogConfig(HostConfig.LogConfig asked) {
        String driver = asked == null || asked.type() == null || asked.type().isEmpty() ? LogRotation.DRIVER
                : asked.type();
        Map<String, String> options = new LinkedHashMap<>();
        if (driver.equals(LogRotation.DRIVER)) {
            options.putAll(daemonLogOptions);
        }
        if (asked != null && asked.config() != null) {
            options.putAll(asked.config());
        }
        return new HostConfig.LogConfig(driver, options);
    }

    /** Checks every HostConfig option holdfast acts on and fills Docker's defaults, as dockerd's inspect shows them. */
    static HostConfig validHostConfig(HostConfig asked) {
        HostConfig host = asked != null ? asked : HostConfig.empty();
        RestartPolicy policy = RestartPolicy.of(host.restartPolicy());
        if (host.autoRemove() && policy.kind() != RestartPolicy.Kind.NO) {
            throw ApiException.badRequest("can't create 'AutoRemove' container with restart policy");
        }
        LogRotation.of(effectiveLogConfig(host.logConfig()));
        HostConfig.LogConfig logConfig = new HostConfig.LogConfig(
                host.logConfig() == null || host.logConfig().type() == null || host.logConfig().type().isEmpty()
                        ? LogRotation.DRIVER : host.logConfig().type(),
                host.logConfig() == null || host.logConfig().config() == null ? Map.of() : host.logConfig().config());
        dev.holdfast.engine.spec.Resources.validate(host);
        ProcessLimits.validate(host);
        Sysctls.validate(host);
        if (host.annotations() != null && host.annotations().containsKey("")) {
            throw DomainException.invalidParameter(
                    "invalid Annotations: the empty string is not permitted as an annotation key");
        }
        BindMount.parseAll(host.binds());
        Capabilities.normalize(host.capAdd());
        Capabilities.normalize(host.capDrop());
        Devices.validate(host);
        ShmMount.validate(host);
        SecurityOptions.parse(host.securityOpt());
        for (String extra : host.extraHosts() == null ? List.<String>of() : host.extraHosts()) {
            if (extra.indexOf(':') <= 0) {
                throw ApiException.badRequest("invalid extra host: " + extra + ": expected host:ip");
            }
        }
        for (String link : host.links() == null ? List.<String>of() : host.links()) {
            LegacyLinks.parse(link);
        }
        if (host.isolation() != null && !host.isolation().isEmpty() && !host.isolation().equals("default")) {
            throw DomainException.invalidParameter("Invalid isolation: \"" + host.isolation()
                    + "\" - linux only supports 'default'");
        }
        String networkMode = host.networkMode() == null || host.networkMode().isEmpty()
                || host.networkMode().equals("default") ? "bridge" : host.networkMode();
        return PathMasks.withDefaults(host).with(h -> {
            h.put("VolumeDriver", nullToEmpty(host.volumeDriver()));
            h.set("LogConfig", Json.MAPPER.valueToTree(logConfig));
            h.put("NetworkMode", networkMode);
            if (host.portBindings() == null) {
                h.putObject("PortBindings");
            }
            h.set("RestartPolicy", Json.MAPPER.valueToTree(
                    new HostConfig.RestartPolicyConfig(policy.dockerName(), policy.maximumRetryCount())));
            for (String field : List.of("ContainerIDFile", "Isolation", "PidMode", "UTSMode", "CgroupParent", "CpusetCpus",
                    "CpusetMems")) {
                if (h.path(field).isNull()) {
                    h.put(field, "");
                }
            }
            if (h.path("IpcMode").asText("").isEmpty()) {
                h.put("IpcMode", "private");
            }
            if (h.path("CgroupnsMode").asText("").isEmpty()) {
                h.put("CgroupnsMode", "host");
            }
            if (h.path("ConsoleSize").isNull()) {
                h.set("ConsoleSize", Json.MAPPER.valueToTree(List.of(0, 0)));
            }
            if (h.path("MemorySwappiness").asLong(0) == -1) {
                h.putNull("MemorySwappiness");
            }
            if (h.path("ShmSize").asLong(0) == 0) {
                h.put("ShmSize", ShmMount.DEFAULT_SIZE);
            }
            h.put("Runtime", validRuntime(host.runtime()));
        });
    }

    /** The runtimes config.toml names ({@code runc} always): what HostConfig.Runtime may say. */
    private static volatile Set<String> runtimes = Set.of(OciRuntimes.DEFAULT);

    public static void runtimes(Set<String> names) {
        runtimes = Set.copyOf(names);
    }

    /** Docker's default when unset; one that is not configured is refused as dockerd does. */
    private static String validRuntime(String asked) {
        String runtime = asked == null || asked.isEmpty() ? OciRuntimes.DEFAULT : asked;
        if (!runtimes.contains(runtime)) {
            throw DomainException.invalidParameter("unknown or invalid runtime name: " + runtime);
        }
        return runtime;
    }

    private static <V> Map<String, V> merged(Map<String, V> base, Map<String, V> overrides) {
        Map<String, V> merged = new LinkedHashMap<>();
        if (base != null) {
            merged.putAll(base);
        }
        if (overrides != null) {
            merged.putAll(overrides);
        }
        return merged;
    }

    private static String firstNonEmpty(String first, String second) {
        return first != null && !first.isEmpty() ? first : (second == null || second.isEmpty() ? null : second);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
