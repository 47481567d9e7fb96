package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Create options seen from inside the container (name resolution files, UTS domain, MAC address, CPU cgroup), the
 * ones kept as dockerd keeps them, and the ones holdfast refuses: the effect tests CreateFieldsTest names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CreateOptionsTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void dnsHostsAndDomainReachTheContainersFiles() {
        String out = docker("run", "--rm", "--dns", "127.0.0.53", "--dns-option", "ndots:2", "--dns-search",
                "example.test", "--add-host", "db.test:10.1.2.3", "--hostname", "box", "--domainname", "example.test",
                "busybox", "sh", "-c", "cat /etc/resolv.conf; echo ---; cat /etc/hosts; echo ---; "
                        + "cat /proc/sys/kernel/hostname /proc/sys/kernel/domainname").assertOk().out();
        String[] parts = out.split("---\n");
        assertTrue(parts[0].contains("nameserver 127.0.0.53"), out);
        assertTrue(parts[0].contains("search example.test"), out);
        assertTrue(parts[0].contains("options ndots:2"), out);
        assertTrue(parts[1].contains("10.1.2.3\tdb.test"), out);
        assertEquals("box\nexample.test", parts[2].trim(), out);
    }

    @Test
    void macAddressIsTheInterfacesAddress() {
        assertEquals("02:42:ac:11:00:0a", docker("run", "--rm", "--mac-address", "02:42:ac:11:00:0a", "busybox",
                "cat", "/sys/class/net/eth0/address").assertOk().out());
    }

    @Test
    void cpuSharesQuotaAndPeriodReachTheCgroup() {
        String name = name("cpu");
        docker("run", "-d", "--name", name, "--cpu-shares", "512", "--cpu-quota", "25000", "--cpu-period", "50000",
                "busybox", "sleep", "1000").assertOk();
        int pid = Integer.parseInt(docker("inspect", "-f", "{{.State.Pid}}", name).out());
        assertEquals("512", ContainerCgroup.read(pid, "cpu", "cpu.shares"));
        assertEquals("25000", ContainerCgroup.read(pid, "cpu", "cpu.cfs_quota_us"));
        assertEquals("50000", ContainerCgroup.read(pid, "cpu", "cpu.cfs_period_us"));
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void cidfileAndIsolationAreKeptAsDockerdKeepsThem(@TempDir Path dir) throws IOException {
        Path cidfile = dir.resolve("cid");
        String id = docker("run", "-d", "--cidfile", cidfile.toString(), "--isolation", "default", "busybox",
                "true").assertOk().out();
        assertEquals(id, Files.readString(cidfile));
        assertEquals(cidfile + " default", docker("inspect", "-f",
                "{{.HostConfig.ContainerIDFile}} {{.HostConfig.Isolation}}", id).out());
        DockerResult hyperv = docker("run", "--rm", "--isolation", "hyperv", "busybox", "true");
        assertEquals(125, hyperv.exitCode(), hyperv::toString);
        assertTrue(hyperv.stderr().contains("Invalid isolation: \"hyperv\""), hyperv::toString);
        docker("rm", id).assertOk();
    }

    @Test
    void optionsHoldfastLacksAreRefusedByNameAndCreateNothing() {
        String before = docker("ps", "-aq").assertOk().out();
        DockerResult storage = docker("run", "--rm", "--storage-opt", "size=1G", "busybox", "true");
        assertEquals(125, storage.exitCode(), storage::toString);
        assertTrue(storage.stderr().contains("HostConfig.StorageOpt is not supported by holdfast yet"),
                storage::toString);
        DockerResult realtime = docker("run", "--rm", "--cpu-rt-runtime", "950", "busybox", "true");
        assertTrue(realtime.stderr().contains("HostConfig.CpuRealtimeRuntime is not supported by holdfast yet"),
                realtime::toString);
        DockerResult gpus = docker("run", "--rm", "--gpus", "all", "busybox", "true");
        assertTrue(gpus.stderr().contains("HostConfig.DeviceRequests is not supported by holdfast yet"),
                gpus::toString);
        assertEquals(before, docker("ps", "-aq").assertOk().out());
    }

    private String name(String what) {
        return "opts-" + what + "-" + NAMES.incrementAndGet();
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }
}
