package dev.holdfast.engine.check;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.check.InstanceState.ContainerView;
import dev.holdfast.engine.check.InstanceState.DnatRule;
import dev.holdfast.engine.check.InstanceState.DockerCliView;
import dev.holdfast.engine.check.InstanceState.ShimView;
import dev.holdfast.engine.check.InstanceState.SubnetRule;
import dev.holdfast.engine.check.InstanceState.TaskView;
import dev.holdfast.engine.config.EngineConfig;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerState;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.host.MountTable;
import dev.holdfast.engine.log.LogFiles;
import dev.holdfast.engine.network.AttachmentStore;
import dev.holdfast.engine.network.Network;
import dev.holdfast.engine.network.NetworkStore;
import dev.holdfast.engine.network.Subnet;
import dev.holdfast.engine.time.Timestamps;
import dev.holdfast.supervisor.api.ListTasksRequest;
import dev.holdfast.supervisor.api.Task;
import dev.holdfast.supervisor.api.TasksGrpc;
import dev.holdfast.supervisor.client.SupervisorChannels;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads an instance's records and the host's reality into an {@link InstanceState}, changing nothing: the stores are
 * read with their plain loaders (which write nothing where their directories exist, and the reader checks that they
 * do), never with the engine's boot recovery, which deletes leftovers.
 */
final class InstanceReader {
    private static final Path PROC = Path.of("/proc");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    /** USER_HZ: Linux reports process start times in 1/100 s on every architecture holdfast runs on. */
    private static final long TICKS_PER_SECOND = 100;
    /** How deep under the instance's cgroup parent containers' cgroups are looked for. */
    private static final int CGROUP_DEPTH = 4;
    /** Long enough for an engine that is booting or handing over; `timeout` kills the CLI after it. */
    private static final String DOCKER_CLI_TIMEOUT = "30s";
    /** What `timeout` exits with when it cannot find the command. */
    private static final int COMMAND_NOT_FOUND = 127;
    /** A source or destination match on an IPv4 prefix, as iptables -S prints it. */
    private static final Pattern SUBNET_MATCH = Pattern.compile(" -[sd] ([0-9.]+/\\d+)");
    /** A /32 is one address (a container's, the gateway's): not a network-wide rule. */
    private static final int HOST_PREFIX = 32;
    private static final Pattern DNAT = Pattern.compile(
            "^-A NETAVARK-DN-\\S+ .*-p (tcp|udp|sctp) .*--dport (\\d+) -j DNAT --to-destination ([0-9.]+):\\d+");

    private InstanceReader() {}

    static InstanceState read(EngineConfig config) throws IOException {
        Path dataRoot = MountTable.canonical(config.dataRoot());
        Path runRoot = MountTable.canonical(config.runRoot());
        // The stores' loaders create their directory when it is missing: the checker must not, so it needs all three.
        for (Path storeDir : List.of(dataRoot.resolve("containers"), dataRoot.resolve("networks"),
                dataRoot.resolve("network/containers"))) {
            if (!Files.isDirectory(storeDir)) {
                throw new NoSuchFileException(storeDir.toString(), null, "no engine has booted with this config");
            }
        }
        ContainerStore store = ContainerStore.load(dataRoot);
        List<ContainerView> containers = store.all().stream().map(InstanceReader::view).toList();
        List<TaskView> tasks = null;
        String tasksUnavailable = "";
        try {
            tasks = tasks(config.supervisorSocket());
        } catch (StatusRuntimeException e) {
            tasksUnavailable = "listing tasks at " + config.supervisorSocket() + ": " + e.getStatus();
        }
        Set<Integer> pids = new HashSet<>();
        containers.stream().filter(ContainerView::hasProcess).forEach(c -> pids.add(c.pid()));
        if (tasks != null) {
            tasks.forEach(t -> pids.add(t.pid()));
        }
        List<Network> networks = NetworkStore.load(dataRoot, Json.MAPPER, config.bridge(), config.subnet()).all();
        List<Path> mounts = new ArrayList<>(MountTable.eachMountUnder(dataRoot));
        mounts.addAll(MountTable.eachMountUnder(runRoot));
        Path volumesDir = dataRoot.resolve("volumes");
        List<String> natRules = iptablesRules("nat");
        List<String> filterRules = iptablesRules("filter");
        return new InstanceState(dataRoot, runRoot, containers, unreadableRecords(store), tasks, tasksUnavailable,
                processStarts(pids), shims(config.runRoot(), runRoot), mounts, cgroups(config.cgroupParent()),
                fileNames(runRoot.resolve("netns")), networks, AttachmentStore.load(dataRoot, Json.MAPPER).all(),
                veths(networks), dnatRules(networks, natRules), subnetRules(networks, config, natRules, filterRules),
                names(volumesDir, InstanceReader::isVolume), halfDoneVolumes(volumesDir),
                volumeRefs(dataRoot.resolve("mounts")), stdoutLines(store), config.apiSocket(),
                dockerCli(config.apiSocket()));
    }

    private static ContainerView view(Container c) {
        ContainerState state = c.record().state();
        Instant started = Timestamps.isZero(Timestamps.parse(state.startedAt())) ? null
                : Timestamps.parse(state.startedAt());
        return new ContainerView(c.id(), c.record().name(), state.hasProcess(), state.paused(), state.pid(), started,
                state.exitCode());
    }

    /** Record files the store could not read (it skips them with a warning). */
    private static List<Path> unreadableRecords(ContainerStore store) throws IOException {
        List<Path> unreadable = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(store.root(), Files::isDirectory)) {
            for (Path dir : dirs) {
                Path file = dir.resolve(ContainerStore.RECORD_FILE);
                if (Files.exists(file) && store.byId(dir.getFileName().toString()).isEmpty()) {
                    unreadable.add(file);
                }
            }
        }
        return unreadable;
    }

    private static List<TaskView> tasks(Path socket) {
        ManagedChannel channel = SupervisorChannels.connect(socket);
        try {
            List<Task> tasks = TasksGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .list(ListTasksRequest.getDefaultInstance()).getTasksList();
            return tasks.stream().map(t -> new TaskView(t.getId(), t.getExecId(), t.getPid(),
                    t.getStatus().name().replaceFirst("^STATUS_", "").toLowerCase(Locale.ROOT), t.getShimPid(),
                    t.getExit().getExitCode()))
                    .toList();
        } finally {
            channel.shutdownNow();
        }
    }

    /** Start times of the live processes among {@code pids}; zombies count as gone. */
    private static Map<Integer, Instant> processStarts(Set<Integer> pids) throws IOException {
        long bootSeconds = Files.readAllLines(PROC.resolve("stat")).stream().filter(l -> l.startsWith("btime "))
                .mapToLong(l -> Long.parseLong(l.substring(6).trim())).findFirst().orElseThrow();
        Map<Integer, Instant> starts = new HashMap<>();
        for (int pid : pids) {
            String stat;
            try {
                stat = Files.readString(PROC.resolve(Integer.toString(pid)).resolve("stat"));
            } catch (IOException gone) {
                continue;
            }
            ProcStat parsed = ProcStat.parse(stat);
            if (!parsed.zombie()) {
                starts.put(pid, Instant.ofEpochSecond(bootSeconds)
                        .plusMillis(parsed.startTicks() * 1000 / TICKS_PER_SECOND));
            }
        }
        return starts;
    }

    /** Shim processes whose bundle is under the run directory (named as configured or canonically). */
    private static List<ShimView> shims(Path configuredRun, Path runRoot) throws IOException {
        List<ShimView> shims = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                List<String> argv;
                try {
                    argv = List.of(Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).split("\0"));
                } catch (IOException gone) {
                    continue;
                }
                String bundle = argument(argv, "--bundle");
                if (!argv.isEmpty() && argv.get(0).endsWith("holdfast-shim") && bundle != null
                        && (bundle.startsWith(configuredRun + "/") || bundle.startsWith(runRoot + "/"))) {
                    shims.add(new ShimView(Integer.parseInt(proc.getFileName().toString()), argument(argv, "--id")));
                }
            }
        }
        return shims;
    }

    private static String argument(List<String> argv, String name) {
        int i = argv.indexOf(name);
        return i >= 0 && i + 1 < argv.size() ? argv.get(i + 1) : null;
    }

    /**
     * The innermost directories under {@code parent} in each cgroup hierarchy (v1 controllers, or the v2 root): a
     * container's own, or an empty one left. A {@code --cgroup-parent} below the instance's parent is a directory
     * holding containers' cgroups, so it is not one of them while it holds any.
     */
    private static List<Path> cgroups(String parent) throws IOException {
        String relative = parent.replaceAll("^/+", "");
        List<Path> hierarchies = new ArrayList<>();
        if (Files.exists(CGROUPS.resolve("cgroup.controllers"))) {
            hierarchies.add(CGROUPS);
        } else {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(CGROUPS, Files::isDirectory)) {
                dirs.forEach(hierarchies::add);
            }
        }
        List<Path> found = new ArrayList<>();
        for (Path hierarchy : hierarchies) {
            Path top = hierarchy.resolve(relative);
            if (Files.isDirectory(top)) {
                try (Stream<Path> dirs = Files.walk(top, CGROUP_DEPTH)) {
                    dirs.filter(d -> !d.equals(top) && Files.isDirectory(d) && isInnermost(d)).forEach(found::add);
                }
            }
        }
        return found;
    }

    /** No directory below it; one removed meanwhile is not counted. */
    private static boolean isInnermost(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.noneMatch(Files::isDirectory);
        } catch (IOException gone) {
            return false;
        }
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        return names(dir, entry -> true);
    }

    /** Names of the entries of {@code dir} that {@code which} accepts; none when it is absent. */
    private static Set<String> names(Path dir, Predicate<Path> which) throws IOException {
        Set<String> names = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    if (which.test(entry)) {
                        names.add(entry.getFileName().toString());
                    }
                }
            }
        }
        return names;
    }

    private static List<Path> halfDoneVolumes(Path dir) throws IOException {
        List<Path> halfDone = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
                entries.forEach(e -> {
                    if (!isVolume(e)) {
                        halfDone.add(e);
                    }
                });
            }
        }
        return halfDone;
    }

    /** VolumeStore's layout: a volume is a directory with its record that is not being removed. */
    private static boolean isVolume(Path dir) {
        return !dir.getFileName().toString().startsWith(".removing-") && Files.exists(dir.resolve("volume.json"));
    }

    /** The named volumes in each {@code <data>/mounts/<id>.json}, by container id. */
    private static Map<String, List<String>> volumeRefs(Path dir) throws IOException {
        Map<String, List<String>> refs = new HashMap<>();
        for (String file : fileNames(dir)) {
            if (file.endsWith(".json")) {
                List<String> names = new ArrayList<>();
                for (JsonNode mount : Json.MAPPER.readTree(dir.resolve(file).toFile())) {
                    if (mount.path("Type").asText().equals("volume")) {
                        names.add(mount.path("Name").asText());
                    }
                }
                refs.put(file.substring(0, file.length() - ".json".length()), names);
            }
        }
        return refs;
    }

    /** Each container's complete stdout lines in its json-file log (rotated files first); none without a log. */
    private static Map<String, List<String>> stdoutLines(ContainerStore store) throws IOException {
        Map<String, List<String>> lines = new HashMap<>();
        for (Container c : store.all()) {
            String logPath = c.record().logPath();
            if (logPath != null && !logPath.isEmpty()) {
                lines.put(c.id(), StdoutLines.read(new LogFiles(Path.of(logPath))));
            }
        }
        return lines;
    }

    /** {@code docker ps -a} against the engine's socket, as a user would run it after a crash or a reboot. */
    private static DockerCliView dockerCli(Path apiSocket) {
        HostCommand.Result ps;
        try {
            ps = HostCommand.run(List.of("timeout", DOCKER_CLI_TIMEOUT, "docker", "-H", "unix://" + apiSocket, "ps",
                    "-a", "-q", "--no-trunc"), new byte[0], "running docker ps against " + apiSocket);
        } catch (RuntimeException e) {
            return new DockerCliView(false, -1, List.of(), e.getMessage());
        }
        if (ps.exitCode() == COMMAND_NOT_FOUND) {
            return new DockerCliView(true, ps.exitCode(), List.of(), ps.stderr());
        }
        return new DockerCliView(false, ps.exitCode(), ps.stdout().lines().filter(l -> !l.isBlank()).toList(),
                ps.stderr().isBlank() ? ps.stdout() : ps.stderr());
    }

    /** How many ports each existing bridge of the instance's networks has (its veths). */
    private static Map<String, Integer> veths(List<Network> networks) throws IOException {
        Map<String, Integer> veths = new HashMap<>();
        for (Network n : networks) {
            Path ports = Path.of("/sys/class/net", n.bridge() == null ? "" : n.bridge(), "brif");
            if (n.bridged() && Files.isDirectory(ports)) {
                veths.put(n.bridge(), fileNames(ports).size());
            }
        }
        return veths;
    }

    /** The rules of an iptables table, {@code -S} style; the check cannot go on without them. */
    private static List<String> iptablesRules(String table) {
        HostCommand.Result rules = HostCommand.run(List.of("iptables", "-t", table, "-S", "--wait"), new byte[0],
                "listing the " + table + " table's rules");
        if (!rules.ok()) {
            throw new IllegalStateException("iptables -t " + table + " -S failed: " + rules.stderr().strip());
        }
        return rules.stdout().lines().filter(l -> l.startsWith("-A ")).toList();
    }

    /**
     * The rules naming, as a source or destination, a subnet (not a single address) of the instance: of one of its
     * networks, its default bridge, or one inside its pool (a network removed may have left its rules).
     */
    private static List<SubnetRule> subnetRules(List<Network> networks, EngineConfig config, List<String> natRules,
            List<String> filterRules) {
        List<Subnet> ours = new ArrayList<>(networks.stream().filter(Network::bridged).map(Network::parsedSubnet)
                .toList());
        ours.add(Subnet.parse(config.subnet()));
        ours.add(Subnet.parse(config.pool()));
        List<SubnetRule> found = new ArrayList<>();
        for (Map.Entry<String, List<String>> table : Map.of("nat", natRules, "filter", filterRules).entrySet()) {
            for (String rule : table.getValue()) {
                Matcher m = SUBNET_MATCH.matcher(rule);
                while (m.find()) {
                    Subnet subnet = Subnet.parse(m.group(1));
                    if (subnet.prefix() < HOST_PREFIX && ours.stream().anyMatch(o -> o.contains(subnet))) {
                        found.add(new SubnetRule(table.getKey(), subnet, rule));
                        break;
                    }
                }
            }
        }
        return found;
    }

    /** netavark's DNAT rules (IPv4) whose destination lies in one of the instance's networks. */
    private static List<DnatRule> dnatRules(List<Network> networks, List<String> natRules) {
        List<Subnet> subnets = networks.stream().filter(Network::bridged).map(Network::parsedSubnet).toList();
        List<DnatRule> found = new ArrayList<>();
        for (String line : natRules) {
            Matcher m = DNAT.matcher(line);
            if (m.find() && subnets.stream().anyMatch(s -> s.contains(Subnet.parse(m.group(3) + "/32")))) {
                found.add(new DnatRule(m.group(1), Integer.parseInt(m.group(2)), m.group(3), line));
            }
        }
        return found;
    }
}
