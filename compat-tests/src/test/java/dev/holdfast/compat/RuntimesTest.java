package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * {@code HostConfig.Runtime}: a runtime named in config.toml's {@code [runtimes.<name>]} runs the containers that
 * ask for it, with its own state directory, also after the daemons restart; an unknown one is refused as dockerd
 * does. The runtime here is runc behind a script that logs its calls (crun 1.8 refuses hosts whose cgroup v2
 * mount has controllers next to v1, as this test machine's has).
 */
class RuntimesTest {
    @AutoClose
    private HoldfastDaemon holdfast;
    private Path wrapper;
    private Path calls;

    @AfterEach
    void removeWrapper() throws IOException {
        Files.deleteIfExists(wrapper);
        Files.deleteIfExists(calls);
    }

    @Test
    void aContainerRunsWithTheRuntimeItNames() throws IOException {
        calls = Files.createTempFile("hf-runtime-calls", ".txt");
        wrapper = Files.createTempFile("hf-runtime", ".sh");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$@\" >> " + calls + "\nexec runc \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        holdfast = HoldfastDaemon.builder().config("runtimes.alt.path", wrapper.toString()).start();

        assertEquals("hi", holdfast.docker("run", "--rm", "--runtime", "alt", "busybox", "echo", "hi").assertOk().out());
        assertTrue(Files.readString(calls).contains("--root " + holdfast.runDir().resolve("runtimes/alt") + " "),
                "the runtime ran with its own state directory: " + Files.readString(calls));
        assertTrue(holdfast.docker("info", "-f", "{{json .Runtimes}} {{.DefaultRuntime}}").assertOk().out()
                .matches("\\{\"alt\":\\{\"path\":\"" + wrapper + "\"},\"runc\":\\{\"path\":\"runc\"}} runc"));

        holdfast.docker("run", "-d", "--name", "alt1", "--runtime", "alt", "busybox", "sleep", "1000").assertOk();
        assertEquals("alt", holdfast.docker("inspect", "-f", "{{.HostConfig.Runtime}}", "alt1").assertOk().out());
        holdfast.docker("run", "-d", "--name", "plain", "busybox", "sleep", "1000").assertOk();
        assertEquals("runc", holdfast.docker("inspect", "-f", "{{.HostConfig.Runtime}}", "plain").assertOk().out());

        holdfast.supervisor("restart");
        holdfast.engine("restart");
        assertEquals("running", holdfast.docker("inspect", "-f", "{{.State.Status}}", "alt1").assertOk().out());
        Files.writeString(calls, "");
        holdfast.docker("pause", "alt1").assertOk();
        holdfast.docker("unpause", "alt1").assertOk();
        holdfast.docker("rm", "-f", "alt1").assertOk();
        String after = Files.readString(calls);
        assertTrue(after.contains(" pause ") && after.contains(" delete "),
                "the adopted task still goes through its runtime: " + after);

        DockerResult unknown = holdfast.docker("run", "--runtime", "nope", "busybox", "true");
        assertEquals(125, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.stderr().contains("unknown or invalid runtime name: nope"), unknown.toString());
    }
}
