package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of the cpuset, ulimit and sysctl options: parsing, merging, dockerd's refusals. */
class ProcessOptionsTest {
    private static HostConfig host(String json) throws Exception {
        return Json.MAPPER.readValue(json, HostConfig.class);
    }

    @Test
    void cpusetListsParseAndAreCheckedAgainstTheHost() {
        assertEquals(Set.of(0, 1, 2, 4), CpusetList.parse("0-2,4", 8192).members());
        assertEquals("invalid format: 1-0", assertThrows(DomainException.class,
                () -> CpusetList.parse("1-0", 8192)).getMessage());
        assertEquals("value of out range, maximum is 8192", assertThrows(DomainException.class,
                () -> CpusetList.parse("9000", 8192)).getMessage());
        CpusetList.requireAvailable("0,1", "0-1", "CPUs", "cpus");
        assertEquals("Requested CPUs are not available - requested 5, available: 0-1", assertThrows(
                DomainException.class, () -> CpusetList.requireAvailable("5", "0-1", "CPUs", "cpus")).getMessage());
        assertEquals("Invalid value a for cpuset mems: invalid format: a", assertThrows(DomainException.class,
                () -> CpusetList.requireAvailable("a", "0", "memory nodes", "mems")).getMessage());
    }

    @Test
    void ulimitsReplaceTheDefaultNofileAndUnlimitedIsRlimInfinity() throws Exception {
        assertEquals(List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 20000L, "soft", 20000L),
                Map.of("type", "RLIMIT_CORE", "hard", new BigInteger("18446744073709551615"),
                        "soft", new BigInteger("18446744073709551615"))),
                ProcessLimits.rlimits(host("{\"Ulimits\":[{\"Name\":\"core\",\"Soft\":-1,\"Hard\":-1}]}"), 20000));
        assertEquals(List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 2048L, "soft", 1024L)),
                ProcessLimits.rlimits(host("{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}]}"), 20000));
        assertEquals("invalid ulimit type: as", assertThrows(DomainException.class, () -> ProcessLimits.validate(
                host("{\"Ulimits\":[{\"Name\":\"as\",\"Soft\":1,\"Hard\":1}]}"))).getMessage());
        assertEquals("Invalid value -1001, range for oom score adj is [-1000, 1000]", assertThrows(
                DomainException.class, () -> ProcessLimits.validate(host("{\"OomScoreAdj\":-1001}"))).getMessage());
    }

    @Test
    void onlyNamespacedSysctlsAreAllowed() throws Exception {
        Sysctls.validate(host("{\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\",\"kernel.shmmax\":\"1\","
                + "\"fs.mqueue.msg_max\":\"10\",\"kernel.domainname\":\"d\"}}"));
        assertEquals("sysctl \"net.core.somaxconn\" not allowed in host network namespace", assertThrows(
                DomainException.class, () -> Sysctls.validate(host("{\"NetworkMode\":\"host\","
                        + "\"Sysctls\":{\"net.core.somaxconn\":\"1\"}}"))).getMessage());
        assertEquals("sysctl \"kernel.sem\" is not allowed in the hosts ipc namespace", assertThrows(
                DomainException.class, () -> Sysctls.validate(host("{\"IpcMode\":\"host\","
                        + "\"Sysctls\":{\"kernel.sem\":\"1\"}}"))).getMessage());
        assertEquals("sysctl \"vm.swappiness\" is not in a separate kernel namespace", assertThrows(
                DomainException.class, () -> Sysctls.validate(host("{\"Sysctls\":{\"vm.swappiness\":\"1\"}}")))
                .getMessage());
        Map<String, String> own = Sysctls.of(host("{\"Sysctls\":{\"net.ipv4.ping_group_range\":\"1 1\"}}"), null, true);
        assertEquals("1 1", own.get("net.ipv4.ping_group_range"), "the container's value wins over dockerd's default");
        assertEquals(Map.of(), Sysctls.of(host("{}"), null, false));
    }
}
