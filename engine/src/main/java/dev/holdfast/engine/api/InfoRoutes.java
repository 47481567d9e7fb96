package dev.holdfast.engine.api;

import dev.holdfast.engine.spec.HostLimits;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerState;
import dev.holdfast.engine.container.ContainerStore;
import dev.holdfast.engine.task.OciRuntimes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** {@code GET /info}: what {@code docker info} prints and what Testcontainers checks before it starts anything. */
public final class InfoRoutes {
    /** The engine's facts that do not change while it runs. */
    /**
     * @param addressPool {@code [network] pool}, @param poolSize {@code [network] pool_size}: user networks' subnets
     * @param runtimes {@code Runtimes}: the OCI runtimes by name, each {@code {"path": ...}}
     */
    public record EngineFacts(String id, Path dataRoot, boolean liveRestore, String cgroupDriver, String cgroupVersion,
            String addressPool, int poolSize, Map<String, Map<String, String>> runtimes) {}

    private final EngineFacts facts;
    private final ContainerStore containers;
    private final IntSupplier imageCount;
    private final Supplier<List<String>> warnings;

    public InfoRoutes(EngineFacts facts, ContainerStore containers, IntSupplier imageCount,
            Supplier<List<String>> warnings) {
        this.facts = facts;
        this.containers = containers;
        this.imageCount = imageCount;
        this.warnings = warnings;
    }

    public void register(Router router) {
        router.get("/info", r -> Reply.ok(info()));
    }

    Map<String, Object> info() {
        int running = 0;
        int paused = 0;
        int stopped = 0;
        for (Container c : containers.all()) {
            ContainerState s = c.record().state();
            if (s.paused()) {
                paused++;
            } else if (s.running()) {
                running++;
            } else {
                stopped++;
            }
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("ID", facts.id());
        info.put("Containers", running + paused + stopped);
        info.put("ContainersRunning", running);
        info.put("ContainersPaused", paused);
        info.put("ContainersStopped", stopped);
        info.put("Images", imageCount.getAsInt());
        info.put("Driver", "vfs");
        info.put("DriverStatus", List.of());
        info.put("Plugins", Map.of("Volume", List.of("local"), "Network", List.of("bridge", "host", "null"),
                "Log", List.of("json-file")));
        info.put("MemoryLimit", true);
        info.put("SwapLimit", true);
        info.put("CpuCfsPeriod", true);
        info.put("CpuCfsQuota", true);
        info.put("CPUShares", true);
        info.put("CPUSet", true);
        info.put("PidsLimit", true);
        info.put("IPv4Forwarding", ipForwarding());
        info.put("DefaultAddressPools", List.of(Map.of("Base", facts.addressPool(), "Size", facts.poolSize())));
        info.put("Debug", false);
        info.put("NFd", openFileCount());
        info.put("OomKillDisable", false);
        info.put("NGoroutines", Thread.activeCount());
        info.put("SystemTime", Instant.now().toString());
        info.put("LoggingDriver", "json-file");
        info.put("CgroupDriver", facts.cgroupDriver());
        info.put("CgroupVersion", facts.cgroupVersion());
        info.put("NEventsListener", 0);
        info.put("KernelVersion", System.getProperty("os.version"));
        info.put("OperatingSystem", operatingSystem());
        info.put("OSVersion", "");
        info.put("OSType", "linux");
        info.put("Architecture", "x86_64");
        info.put("IndexServerAddress", "https://index.docker.io/v1/");
        info.put("RegistryConfig", Map.of("IndexConfigs", Map.of(), "InsecureRegistryCIDRs", List.of(),
                "Mirrors", List.of()));
        info.put("NCPU", Runtime.getRuntime().availableProcessors());
        info.put("MemTotal", HostLimits.memoryTotal());
        info.put("GenericResources", null);
        info.put("DockerRootDir", facts.dataRoot().toString());
        info.put("HttpProxy", "");
        info.put("HttpsProxy", "");
        info.put("NoProxy", "");
        info.put("Name", hostname());
        info.put("Labels", List.of());
        info.put("ExperimentalBuild", false);
        info.put("ServerVersion", SystemRoutes.ENGINE_VERSION);
        info.put("Runtimes", facts.runtimes());
        info.put("DefaultRuntime", OciRuntimes.DEFAULT);
        info.put("Swarm", Map.of("NodeID", "", "NodeAddr", "", "LocalNodeState", "inactive", "ControlAvailable",
                false, "Error", "", "RemoteManagers", List.of()));
        info.put("LiveRestoreEnabled", facts.liveRestore());
        info.put("Isolation", "");
        info.put("InitBinary", "");
        info.put("ContainerdCommit", Map.of("ID", ""));
        info.put("RuncCommit", Map.of("ID", ""));
        info.put("InitCommit", Map.of("ID", ""));
        info.put("SecurityOptions", List.of());
        info.put("CDISpecDirs", List.of());
        info.put("Warnings", warnings.get());
        return info;
    }

    private static int openFileCount() {
        String[] fds = Path.of("/proc/self/fd").toFile().list();
        return fds == null ? 0 : fds.length;
    }


    private static String operatingSystem() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring("PRETTY_NAME=".length()).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // Fall through to the generic name.
        }
        return "Linux";
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** netavark turns forwarding on with the first bridged container; until then it may be off. */
    private static boolean ipForwarding() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim().equals("1");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
