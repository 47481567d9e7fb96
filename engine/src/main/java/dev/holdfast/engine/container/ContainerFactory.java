package dev.holdfast.engine.container;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageConfig;
import dev.holdfast.engine.log.LogRotation;
import dev.holdfast.engine.spec.BindMount;
import dev.holdfast.engine.spec.Capabilities;
import dev.holdfast.engine.spec.EtcFiles;
import dev.holdfast.engine.spec.Environment;
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
                firstNonEmpty(asked.hostname(), host.networkMode().equals("host") ? HostName.get() : id.substring(0, 12)),
                nullToEmpty(asked.domainname()),
                nullToEmpty(firstNonEmpty(asked.user(), defaults.user())),
                asked.attachStdin(),
                asked.attachStdout(),
                asked.attachStderr(),
                merged(defaults.exposedPorts(), asked.exposedPorts()),
                asked.tty(),
                asked.openStdin(),
                asked.stdinOnce(),
                Environment.merge(defaults.env(), asked.env()),
                cmd,
                asked.image(),
                merged(defaults.volumes(), asked.volumes()),
                nullToEmpty(firstNonEmpty(asked.workingDir(), defaults.workingDir())),
                entrypoint.isEmpty() ? null : entrypoint,
                merged(defaults.labels(), asked.labels()),
                stopSignal,
                asked.stopTimeout(),
                asked.macAddress());
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
                dir.resolve(id + "-json.log").toString(),
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

    /** Checks every HostConfig option holdfast acts on and fills Docker's defaults. */
    static HostConfig validHostConfig(HostConfig asked) {
        HostConfig host = asked != null ? asked : new HostConfig(null, null, null, null, null, null, null, null, false, null,
                null, false, null, null,
                null, null, null, null, false, null, null, null, null, null, null, null, null);
        RestartPolicy policy = RestartPolicy.of(host.restartPolicy());
        if (host.autoRemove() && policy.kind() != RestartPolicy.Kind.NO) {
            throw ApiException.badRequest("can't create 'AutoRemove' container with restart policy");
        }
        LogRotation.of(host.logConfig());
        dev.holdfast.engine.spec.Resources.validate(host);
        BindMount.parseAll(host.binds());
        Capabilities.normalize(host.capAdd());
        Capabilities.normalize(host.capDrop());
        for (String extra : host.extraHosts() == null ? List.<String>of() : host.extraHosts()) {
            if (extra.indexOf(':') <= 0) {
                throw ApiException.badRequest("invalid extra host: " + extra + ": expected host:ip");
            }
        }
        for (String link : host.links() == null ? List.<String>of() : host.links()) {
            LegacyLinks.parse(link);
        }
        HostConfig.LogConfig log = host.logConfig();
        String networkMode = host.networkMode() == null || host.networkMode().isEmpty()
                || host.networkMode().equals("default") ? "bridge" : host.networkMode();
        return new HostConfig(
                host.binds(),
                host.mounts(),
                host.tmpfs(),
                host.volumesFrom(),
                host.volumeDriver() == null ? "" : host.volumeDriver(),
                new HostConfig.LogConfig(LogRotation.DRIVER, log == null || log.config() == null || log.config().isEmpty()
                        ? daemonLogOptions : log.config()),
                networkMode,
                host.portBindings() == null ? Map.of() : host.portBindings(),
                host.publishAllPorts(),
                host.links(),
                new HostConfig.RestartPolicyConfig(policy.dockerName(), policy.maximumRetryCount()),
                host.autoRemove(),
                host.capAdd(),
                host.capDrop(),
                host.dns(),
                host.dnsOptions(),
                host.dnsSearch(),
                host.extraHosts(),
                host.readonlyRootfs(),
                host.memory(),
                host.memorySwap(),
                host.nanoCpus(),
                host.cpuShares(),
                host.cpuQuota(),
                host.cpuPeriod(),
                host.pidsLimit(),
                validRuntime(host.runtime()));
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
