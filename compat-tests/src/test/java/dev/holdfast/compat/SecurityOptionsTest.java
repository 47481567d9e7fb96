package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp filter, no-new-privileges, SELinux/AppArmor options and masked /proc paths, seen from inside the
 * container: /proc/self/status (Seccomp, NoNewPrivs), what a system call answers, /proc/self/mountinfo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityOptionsTest {

    private static final AtomicInteger NAMES = new AtomicInteger();
    /** Creating a user namespace needs no capability, so only a seccomp filter refuses it. */
    private static final String NEW_USERNS = "if unshare -U true; then echo unshared; else echo refused; fi";
    private static final String SECCOMP_MODE = "grep '^Seccomp:' /proc/self/status | tr -d '\\t '";
    private static final String NO_NEW_PRIVS = "grep '^NoNewPrivs:' /proc/self/status | tr -d '\\t '";

    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();
    private final EngineHttp http = new EngineHttp(holdfast.socket());

    @Test
    void theDefaultProfileFiltersEveryContainerAndItsExecs() {
        DockerResult run = docker("run", "--rm", "busybox", "sh", "-c", SECCOMP_MODE + "; " + NEW_USERNS).assertOk();
        assertEquals("Seccomp:2\nrefused", run.out(), run::toString);
        assertTrue(run.stderr().contains("Operation not permitted"), run::toString);

        String name = name("exec");
        docker("run", "-d", "--name", name, "busybox", "sleep", "1000").assertOk();
        DockerResult exec = docker("exec", name, "sh", "-c", SECCOMP_MODE + "; " + NEW_USERNS).assertOk();
        assertEquals("Seccomp:2\nrefused", exec.out(), exec::toString);
        docker("rm", "-f", name).assertOk();
    }

    @Test
    void aCapabilityOpensTheSystemCallsItGuards() {
        // Like dockerd, the profile is resolved for the container's capabilities: CAP_SYS_ADMIN allows unshare.
        DockerResult run = docker("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c",
                SECCOMP_MODE + "; " + NEW_USERNS).assertOk();
        assertEquals("Seccomp:2\nunshared", run.out(), run::toString);
    }

    @Test
    void seccompUnconfinedAndPrivilegedRunWithoutFilter() {
        DockerResult unconfined = docker("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c",
                SECCOMP_MODE + "; " + NEW_USERNS).assertOk();
        assertEquals("Seccomp:0\nunshared", unconfined.out(), unconfined::toString);
        DockerResult builtin = docker("run", "--rm", "--security-opt", "seccomp=builtin", "busybox", "sh", "-c",
                SECCOMP_MODE).assertOk();
        assertEquals("Seccomp:2", builtin.out(), builtin::toString);
        DockerResult privileged = docker("run", "--rm", "--privileged", "busybox", "sh", "-c", SECCOMP_MODE)
                .assertOk();
        assertEquals("Seccomp:0", privileged.out(), privileged::toString);
    }

    @Test
    void aProfileFileReplacesTheDefault(@TempDir Path dir) throws IOException {
        // The docker CLI reads the file and sends its content: Docker's format, with a rule gated by a capability.
        Path profile = dir.resolve("profile.json");
        Files.writeString(profile, """
                {
                  "defaultAction": "SCMP_ACT_ALLOW",
                  "syscalls": [
                    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                    {"names": ["chmod", "fchmodat", "fchmodat2"], "action": "SCMP_ACT_ERRNO",
                     "excludes": {"caps": ["CAP_FOWNER"]}}
                  ]
                }
                """);
        String name = name("profile");
        DockerResult run = docker("run", "--name", name, "--security-opt", "seccomp=" + profile, "busybox", "sh", "-c",
                SECCOMP_MODE + "; mkdir /made; " + NEW_USERNS + "; touch /f && chmod 600 /f && echo chmodded");
        assertEquals("Seccomp:2\nunshared\nchmodded", run.out(), run::toString);
        assertTrue(run.stderr().contains("Permission denied"), run::toString);
        String opts = docker("inspect", "-f", "{{json .HostConfig.SecurityOpt}}", name).out();
        assertTrue(opts.startsWith("[\"seccomp={") && opts.contains("SCMP_ACT_ERRNO"), opts);
        docker("rm", name).assertOk();

        DockerResult noFowner = docker("run", "--rm", "--cap-drop", "FOWNER", "--security-opt", "seccomp=" + profile,
                "busybox", "sh", "-c", "touch /f; chmod 600 /f || echo refused");
        assertEquals("refused", noFowner.out(), noFowner::toString);

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"defaultAction\": \"SCMP_ACT_SOMETIMES\"}");
        DockerResult refused = docker("run", "--name", name, "--security-opt", "seccomp=" + bad, "busybox", "true");
        assertEquals(125, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("SCMP_ACT_SOMETIMES"), refused::toString);
        assertNoContainer(name);
    }

    @Test
    void noNewPrivilegesInEverySpelling() {
        for (String option : List.of("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true",
                "no-new-privileges=1")) {
            String name = name("nnp");
            DockerResult run = docker("run", "--name", name, "--security-opt", option, "busybox", "sh", "-c",
                    NO_NEW_PRIVS).assertOk();
            assertEquals("NoNewPrivs:1", run.out(), option);
            assertEquals("[\"" + option + "\"]", docker("inspect", "-f", "{{json .HostConfig.SecurityOpt}}", name)
                    .out());
            docker("rm", name).assertOk();
        }
        DockerResult off = docker("run", "--rm", "--security-opt", "no-new-privileges=false", "busybox", "sh", "-c",
                NO_NEW_PRIVS).assertOk();
        assertEquals("NoNewPrivs:0", off.out(), off::toString);
        DockerResult unset = docker("run", "--rm", "busybox", "sh", "-c", NO_NEW_PRIVS).assertOk();
        assertEquals("NoNewPrivs:0", unset.out(), unset::toString);
        String running = name("nnp-exec");
        docker("run", "-d", "--name", running, "--security-opt", "no-new-privileges", "busybox", "sleep", "1000")
                .assertOk();
        assertEquals("NoNewPrivs:1", docker("exec", running, "sh", "-c", NO_NEW_PRIVS).assertOk().out(),
                "an exec keeps the container's no-new-privileges");
        docker("rm", "-f", running).assertOk();
    }

    @Test
    void labelAndApparmorAreAcceptedOnlyOffAndUnknownOptionsAreRefused() {
        DockerResult off = docker("run", "--rm", "--security-opt", "label=disable", "--security-opt", "label:disable",
                "--security-opt", "apparmor=unconfined", "busybox", "sh", "-c", SECCOMP_MODE).assertOk();
        assertEquals("Seccomp:2", off.out(), off::toString);

        String name = name("refused");
        for (String[] refusal : List.of(
                new String[] {"label=type:spc_t", "SELinux is not enabled on this host"},
                new String[] {"apparmor=docker-default", "AppArmor is not enabled on this host"},
                new String[] {"foo=bar", "invalid --security-opt 2: \"foo=bar\""},
                new String[] {"no-new-privileges=maybe", "invalid --security-opt 2: \"no-new-privileges=maybe\""})) {
            DockerResult run = docker("run", "--name", name, "--security-opt", refusal[0], "busybox", "true");
            assertEquals(125, run.exitCode(), run::toString);
            assertTrue(run.stderr().contains(refusal[1]), run::toString);
            assertNoContainer(name);
        }
        // The CLI checks nothing but the separator: the daemon's own word for an option without one.
        EngineHttp.Response bare = http.post("/v1.47/containers/create?name=" + name, "application/json",
                "{\"Image\": \"busybox\", \"HostConfig\": {\"SecurityOpt\": [\"foo\"]}}");
        assertEquals(400, bare.status(), bare::toString);
        assertEquals("invalid --security-opt 1: \"foo\"", bare.message());
        assertNoContainer(name);
    }

    @Test
    void maskedAndReadonlyPathsReplaceDockersAndPrivilegedLiftsThem() {
        String mounts = "for p in /proc/keys /proc/version /proc/sys /tmp; do"
                + " grep -q \" $p \" /proc/self/mountinfo && echo \"$p mounted\"; done;"
                + " echo \"version=$(cat /proc/version)\"; touch /tmp/x 2>/dev/null || echo tmp-readonly";
        DockerResult defaults = docker("run", "--rm", "busybox", "sh", "-c", mounts).assertOk();
        assertTrue(defaults.out().startsWith("/proc/keys mounted\n/proc/sys mounted\nversion=Linux"),
                defaults::toString);
        String name = name("masks");
        EngineHttp.Response created = http.post("/v1.47/containers/create?name=" + name, "application/json",
                "{\"Image\": \"busybox\", \"Cmd\": [\"sh\", \"-c\", " + EngineHttp.JSON.valueToTree(mounts) + "],"
                        + " \"HostConfig\": {\"MaskedPaths\": [\"/proc/version\"], \"ReadonlyPaths\": [\"/tmp\"]}}");
        assertEquals(201, created.status(), created::toString);
        DockerResult custom = docker("start", "-a", name).assertOk();
        assertEquals("/proc/version mounted\n/tmp mounted\nversion=\ntmp-readonly", custom.out(), custom::toString);
        assertEquals("[\"/proc/version\"] [\"/tmp\"]", docker("inspect", "-f",
                "{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}", name).out());
        docker("rm", name).assertOk();

        String privileged = name("privmasks");
        DockerResult lifted = docker("run", "--name", privileged, "--privileged", "busybox", "sh", "-c", mounts)
                .assertOk();
        assertTrue(lifted.out().startsWith("version=Linux"), lifted::toString);
        assertEquals("null null", docker("inspect", "-f",
                "{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}", privileged).out());
        docker("rm", privileged).assertOk();

        EngineHttp.Response relative = http.post("/v1.47/containers/create?name=" + name, "application/json",
                "{\"Image\": \"busybox\", \"HostConfig\": {\"MaskedPaths\": [\"proc/version\"]}}");
        assertEquals(400, relative.status(), relative::toString);
        assertTrue(relative.message().contains("proc/version"), relative::toString);
        assertNoContainer(name);
    }

    private void assertNoContainer(String name) {
        DockerResult ps = docker("ps", "-a", "--filter", "name=^" + name + "$", "--format", "{{.Names}}").assertOk();
        assertFalse(ps.out().contains(name), () -> name + " was created: " + ps);
    }

    private DockerResult docker(String... args) {
        return holdfast.docker(args);
    }

    private static String name(String what) {
        return "sec-" + what + "-" + NAMES.incrementAndGet();
    }
}
