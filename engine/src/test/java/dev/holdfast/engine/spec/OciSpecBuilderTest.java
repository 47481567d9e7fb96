package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.container.ContainerFactory;
import dev.holdfast.engine.container.ContainerRecord;
import dev.holdfast.engine.container.CreateRequest;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.container.NetworkSandbox;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciSpecBuilderTest {
    private static final String ID = "abcdef012345" + "0".repeat(52);
    private static final Image IMAGE = new Image("sha256:" + "1".repeat(64), List.of(), Instant.EPOCH,
            new ImageConfig(List.of("sh"), List.of(), List.of("PATH=/custom/bin"), "", "", Map.of(), Map.of(), Map.of(),
                    "", null), 0, List.of());

    @TempDir
    Path dir;
    Path rootfs;

    @BeforeEach
    void rootfs() throws Exception {
        rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                app:x:1000:1001:app:/home/app:/bin/sh
                """);
        Files.writeString(rootfs.resolve("etc/group"), """
                root:x:0:
                app:x:1001:
                audio:x:29:app,other
                video:x:44:other
                """);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> spec(String createJson) throws Exception {
        ContainerRecord record = ContainerFactory.build(ID, "/c", CreateRequest.parse(Json.MAPPER.readTree(createJson)),
                IMAGE, dir, Instant.now());
        // Round trip through JSON: what runc reads is the serialized form.
        byte[] json = Json.MAPPER.writeValueAsBytes(new OciSpecBuilder("/holdfast/", 20000,
                new InitProcess(InitProcess.DEFAULT_BINARY)).build(record, dir, rootfs, NetworkSandbox.unattached(),
                BindMount.parseAll(record.hostConfig().binds()).stream().map(b -> MountPoint.bind(b.source(),
                        b.destination(), b.readOnly(), b.propagation())).toList(), JoinedNamespaces.NONE));
        return Json.MAPPER.readValue(json, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Map<String, Object> map, String... path) {
        Object value = map;
        for (String key : path) {
            value = ((Map<String, Object>) value).get(key);
        }
        return (T) value;
    }

    @Test
    void processIsEntrypointPlusCmdWithDockersEnvironment() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],"
                + "\"Env\":[\"A=1\"],\"WorkingDir\":\"/work\"}");
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), at(spec, "process", "args"));
        assertEquals(List.of("PATH=/custom/bin", "HOSTNAME=abcdef012345", "A=1"), at(spec, "process", "env"));
        assertEquals("/work", at(spec, "process", "cwd"));
        assertEquals("abcdef012345", at(spec, "hostname"));
        assertEquals(false, at(spec, "process", "terminal"));
        assertEquals(List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 20000, "soft", 20000)), at(spec, "process", "rlimits"));
        assertEquals(rootfs.toString(), at(spec, "root", "path"));
        assertEquals("/holdfast/" + ID, at(spec, "linux", "cgroupsPath"));
    }

    @Test
    void pathDefaultsWhenNeitherImageNorUserSetsIt() {
        assertEquals(List.of("PATH=" + Environment.DEFAULT_PATH, "HOSTNAME=h", "X=1"),
                Environment.merge(List.of("PATH=" + Environment.DEFAULT_PATH, "HOSTNAME=h"), List.of("X=1")));
        assertEquals(List.of("A=2"), Environment.merge(List.of("A=1", "B=1"), List.of("A=2", "B")));
    }

    @Test
    void usersResolveFromTheContainersOwnFiles() throws Exception {
        assertEquals(Map.of("uid", 0, "gid", 0, "additionalGids", List.of(0)), at(spec("{\"Image\":\"x\"}"), "process", "user"));
        assertEquals(Map.of("uid", 1000, "gid", 1001, "additionalGids", List.of(1001, 29)),
                at(spec("{\"Image\":\"x\",\"User\":\"app\"}"), "process", "user"));
        assertEquals(Map.of("uid", 1000, "gid", 44, "additionalGids", List.of(44)),
                at(spec("{\"Image\":\"x\",\"User\":\"app:video\"}"), "process", "user"));
        assertEquals(Map.of("uid", 4242, "gid", 7, "additionalGids", List.of(7)),
                at(spec("{\"Image\":\"x\",\"User\":\"4242:7\"}"), "process", "user"));
        ApiException e = assertThrows(ApiException.class, () -> spec("{\"Image\":\"x\",\"User\":\"nobody\"}"));
        assertEquals("unable to find user nobody: no matching entries in passwd file", e.getMessage());
        e = assertThrows(ApiException.class, () -> spec("{\"Image\":\"x\",\"User\":\"app:nogroup\"}"));
        assertEquals("unable to find group nogroup: no matching entries in group file", e.getMessage());
    }

    @Test
    void aSymlinkedPasswdIsNotFollowedOutOfTheRootfs() throws Exception {
        Files.delete(rootfs.resolve("etc/passwd"));
        Files.createSymbolicLink(rootfs.resolve("etc/passwd"), Path.of("/etc/passwd"));
        assertThrows(ApiException.class, () -> spec("{\"Image\":\"x\",\"User\":\"root\"}"));
        assertEquals(Map.of("uid", 0, "gid", 0, "additionalGids", List.of(0)),
                at(spec("{\"Image\":\"x\",\"User\":\"0\"}"), "process", "user"));
    }

    @Test
    void dockersDefaultMountsThenEtcFilesThenBindsParentsFirst() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"/host/a/b:/data/sub:ro\","
                + "\"/host/a:/data\"]}}");
        List<Map<String, Object>> mounts = at(spec, "mounts");
        List<String> destinations = mounts.stream().map(m -> (String) m.get("destination")).toList();
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                "/etc/resolv.conf", "/etc/hostname", "/etc/hosts", "/data", "/data/sub"), destinations);
        assertEquals(dir.resolve("hosts").toString(), mounts.get(9).get("source"));
        assertEquals(List.of("rbind", "rprivate", "ro"), mounts.get(11).get("options"));
        assertTrue(((List<?>) mounts.get(3).get("options")).contains("ro"));
    }

    @Test
    void namespacesCapabilitiesAndMaskedPathsLikeDocker() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"net_admin\"],"
                + "\"CapDrop\":[\"CAP_MKNOD\"]}}");
        List<Map<String, Object>> namespaces = at(spec, "linux", "namespaces");
        assertEquals(List.of("pid", "ipc", "uts", "mount", "network"), namespaces.stream().map(n -> n.get("type")).toList());
        List<String> caps = at(spec, "process", "capabilities", "bounding");
        assertTrue(caps.contains("CAP_NET_ADMIN"));
        assertFalse(caps.contains("CAP_MKNOD"));
        assertTrue(caps.contains("CAP_KILL"));
        assertEquals(caps, at(spec, "process", "capabilities", "effective"));
        assertTrue(((List<?>) at(spec, "linux", "maskedPaths")).contains("/proc/kcore"));
        assertTrue(((List<?>) at(spec, "linux", "readonlyPaths")).contains("/proc/sys"));
        List<Map<String, Object>> devices = at(spec, "linux", "resources", "devices");
        assertEquals(Map.of("allow", false, "access", "rwm"), devices.get(0));
    }

    @Test
    void capabilitySetsFollowDockersDropThenAddOrder() {
        assertEquals(List.of("CAP_CHOWN"), Capabilities.effective(List.of("CHOWN"), List.of("ALL")));
        assertEquals(Capabilities.DOCKER_DEFAULTS, Capabilities.effective(null, null));
        assertTrue(Capabilities.effective(List.of("ALL"), null).contains("CAP_SYS_ADMIN"));
    }

    @Test
    void namespaceModesDropOrJoinNamespaces() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"HostConfig\":{\"PidMode\":\"host\",\"IpcMode\":\"host\","
                + "\"UTSMode\":\"host\",\"CgroupnsMode\":\"private\",\"CgroupParent\":\"/mine/\"}}");
        List<Map<String, Object>> namespaces = at(spec, "linux", "namespaces");
        assertEquals(List.of("mount", "cgroup", "network"), namespaces.stream().map(n -> n.get("type")).toList());
        assertFalse(spec.containsKey("hostname"), "runc cannot set a hostname without a UTS namespace");
        assertEquals("/mine/" + ID, at(spec, "linux", "cgroupsPath"));
        List<Map<String, Object>> mounts = at(spec, "mounts");
        assertTrue(mounts.contains(Map.of("destination", "/dev/shm", "type", "bind", "source", "/dev/shm",
                "options", List.of("rbind", "rprivate"))));

        HostConfig joining = HostConfig.empty().with(h -> h.put("PidMode", "container:a").put("IpcMode", "container:b"));
        assertEquals(List.of(Map.of("type", "pid", "path", "/proc/7/ns/pid"), Map.of("type", "ipc", "path",
                "/proc/8/ns/ipc"), Map.of("type", "uts"), Map.of("type", "mount")), NamespaceModes.of(joining,
                new NetworkNamespace.Host(), new JoinedNamespaces(7, 8, "/b/shm")));
    }

    @Test
    void namespaceModesAreCheckedLikeDockerd() {
        for (String bad : List.of("{\"PidMode\":\"container:\"}", "{\"PidMode\":\"other\"}", "{\"IpcMode\":\"x\"}",
                "{\"UTSMode\":\"private\"}", "{\"CgroupnsMode\":\"x\"}", "{\"ShmSize\":-1}",
                "{\"DeviceCgroupRules\":[\"c 7:128 rwx\"]}",
                "{\"DeviceCgroupRules\":[\"c 99999999999999999999:1 rwm\"]}", "{\"Devices\":[{\"PathOnHost\":\"/dev/null\","
                        + "\"CgroupPermissions\":\"rx\"}]}")) {
            assertThrows(DomainException.class, () -> spec("{\"Image\":\"x\",\"HostConfig\":" + bad + "}"), bad);
        }
        DomainException e = assertThrows(DomainException.class, () -> spec("{\"Image\":\"x\",\"Hostname\":\"h\","
                + "\"HostConfig\":{\"UTSMode\":\"host\"}}"));
        assertEquals("Conflicting options: hostname and the UTS mode", e.getMessage());
    }

    @Test
    void shmSizeAndIpcNoneShapeDevShm() throws Exception {
        ContainerRecord record = ContainerFactory.build(ID, "/c", CreateRequest.parse(Json.MAPPER.readTree(
                "{\"Image\":\"x\"}")), IMAGE, dir, Instant.now());
        assertEquals(67108864L, record.hostConfig().shmSize());
        assertEquals("private", record.hostConfig().ipcMode());
        List<Map<String, Object>> mounts = at(spec("{\"Image\":\"x\",\"HostConfig\":{\"ShmSize\":1048576}}"), "mounts");
        assertTrue(mounts.stream().anyMatch(m -> m.get("destination").equals("/dev/shm")
                && ((List<?>) m.get("options")).contains("size=1048576")));
        mounts = at(spec("{\"Image\":\"x\",\"HostConfig\":{\"IpcMode\":\"none\"}}"), "mounts");
        assertTrue(mounts.stream().noneMatch(m -> m.get("destination").equals("/dev/shm")));
    }

    @Test
    void devicesAndCgroupRulesFollowTheOptions() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/null\","
                + "\"PathInContainer\":\"/dev/mynull\",\"CgroupPermissions\":\"r\"}],"
                + "\"DeviceCgroupRules\":[\"c 7:* rw\"]}}");
        List<Map<String, Object>> devices = at(spec, "linux", "devices");
        assertEquals(1, devices.size());
        assertEquals("/dev/mynull", devices.get(0).get("path"));
        assertEquals(List.of("c", 1, 3), List.of(devices.get(0).get("type"), devices.get(0).get("major"),
                devices.get(0).get("minor")));
        List<Map<String, Object>> rules = at(spec, "linux", "resources", "devices");
        assertTrue(rules.contains(Map.of("allow", true, "type", "c", "major", 1, "minor", 3, "access", "r")));
        assertEquals(Map.of("allow", true, "type", "c", "major", 7, "access", "rw"), rules.get(rules.size() - 1));
        DomainException missing = assertThrows(DomainException.class, () -> spec("{\"Image\":\"x\",\"HostConfig\":"
                + "{\"Devices\":[{\"PathOnHost\":\"/dev/nosuch\"}]}}"));
        assertEquals("error gathering device information while adding custom device \"/dev/nosuch\": no such file or "
                + "directory", missing.getMessage());
    }

    @Test
    void privilegedGetsEverythingAndInitWrapsTheCommand() throws Exception {
        Map<String, Object> spec = spec("{\"Image\":\"x\",\"Cmd\":[\"ps\"],\"HostConfig\":{\"Privileged\":true,"
                + "\"CapDrop\":[\"ALL\"],\"Init\":true}}");
        assertEquals(Capabilities.all(), at(spec, "process", "capabilities", "bounding"));
        assertEquals(List.of(), at(spec, "linux", "maskedPaths"));
        assertEquals(List.of(), at(spec, "linux", "readonlyPaths"));
        assertEquals(List.of(Map.of("allow", false, "access", "rwm"), Map.of("allow", true, "access", "rwm")),
                at(spec, "linux", "resources", "devices"));
        assertFalse(((List<?>) at(spec, "linux", "devices")).isEmpty());
        List<Map<String, Object>> mounts = at(spec, "mounts");
        assertTrue(mounts.stream().filter(m -> m.get("destination").equals("/sys")).allMatch(m -> ((List<?>) m.get(
                "options")).contains("rw")));
        assertEquals(List.of("/sbin/docker-init", "--", "ps"), at(spec, "process", "args"));
        assertTrue(mounts.stream().anyMatch(m -> m.get("destination").equals("/sbin/docker-init")
                && m.get("source").equals(InitProcess.DEFAULT_BINARY.toString())));
    }

    @Test
    void aPrivilegedContainerGetsWhatTheHostCanGrant() {
        assertEquals(List.of("CAP_CHOWN", "CAP_FOWNER"), Capabilities.grantable(0b1001));
    }

    @Test
    void resolvConfDropsLoopbackServersAndFallsBackToPublicOnes() {
        assertEquals("nameserver 10.0.0.2\nsearch corp\n",
                EtcFiles.resolvConf("nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp\n", null, null, null));
        assertEquals("nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
                EtcFiles.resolvConf("nameserver 127.0.0.1\n", null, null, null));
        assertEquals("nameserver 1.1.1.1\nsearch a b\noptions ndots:2\n",
                EtcFiles.resolvConf("nameserver 10.0.0.2\nsearch corp\n", List.of("1.1.1.1"), List.of("a", "b"),
                        List.of("ndots:2")));
    }

    @Test
    void hostsListExtraHostsWithHostGatewayThenTheContainersOwnAddresses() {
        assertEquals("127.0.0.1\tlocalhost\n10.1.2.3\tdb\n10.88.0.1\thost.docker.internal\n10.88.0.5\tabc\n",
                EtcFiles.hosts("127.0.0.1\tlocalhost", List.of("db:10.1.2.3", "host.docker.internal:host-gateway"),
                        "10.88.0.1", List.of("10.88.0.5"), "abc"));
    }

    @Test
    void bindsParseDockersSyntax() {
        assertEquals(new BindMount("/a", "/b", true, "rshared", false), BindMount.parse("/a:/b:ro,rshared"));
        assertEquals(new BindMount("/a", "/b", false, "rprivate", false), BindMount.parse("/a:/b:z"));
        assertEquals(new BindMount("data", "/b", false, "rprivate", true), BindMount.parse("data:/b:nocopy"));
        assertTrue(BindMount.parse("data:/b").isVolume());
        assertThrows(ApiException.class, () -> BindMount.parse("da ta:/b"));
        assertThrows(ApiException.class, () -> BindMount.parse("/a:/"));
        assertThrows(ApiException.class, () -> BindMount.parse("/a:/b:bogus"));
        assertThrows(ApiException.class, () -> BindMount.parse("/a"));
    }
}
