package dev.holdfast.supervisor.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OciSpecTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void keepsAGivenCgroupsPathByteForByte() {
        byte[] spec = "{\"linux\": {\"cgroupsPath\": \"/mine/x\"}, \"z\": 1}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(spec, OciSpec.prepare(spec, "/holdfast", "x"));
    }

    @Test
    void addsCgroupParentSlashId() throws Exception {
        byte[] out = OciSpec.prepare("{\"ociVersion\":\"1.0.2\"}".getBytes(StandardCharsets.UTF_8), "/holdfast", "c1");
        assertEquals("/holdfast/c1", JSON.readTree(out).at("/linux/cgroupsPath").asText());
        out = OciSpec.prepare("{\"linux\":{\"namespaces\":[]}}".getBytes(StandardCharsets.UTF_8), "/", "c1");
        assertEquals("/c1", JSON.readTree(out).at("/linux/cgroupsPath").asText());
        assertEquals(0, JSON.readTree(out).at("/linux/namespaces").size());
    }

    @Test
    void rejectsNonObjects() {
        for (String bad : new String[] {"", "[]", "{", "3", "{\"linux\": 3}"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> OciSpec.prepare(bad.getBytes(StandardCharsets.UTF_8), "/h", "x"), bad);
        }
    }

    @Test
    void terminalMustMatchTheRequest() {
        byte[] tty = "{\"process\":{\"terminal\":true,\"args\":[\"sh\"]}}".getBytes(StandardCharsets.UTF_8);
        byte[] plain = "{\"process\":{\"args\":[\"sh\"]}}".getBytes(StandardCharsets.UTF_8);
        OciSpec.checkTerminal(tty, true);
        OciSpec.checkTerminal(plain, false);
        OciSpec.checkTerminal("{}".getBytes(StandardCharsets.UTF_8), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OciSpec.checkTerminal(plain, true));
        assertEquals("spec: process.terminal is false but terminal is true in the request; they must agree",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OciSpec.checkTerminal(tty, false));
        assertThrows(IllegalArgumentException.class,
                () -> OciSpec.checkTerminal("{\"process\":7}".getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void execProcessIsAnObjectWithTheRightTerminal() {
        OciSpec.checkExecProcess("{\"terminal\":true,\"args\":[\"sh\"]}".getBytes(StandardCharsets.UTF_8), true);
        OciSpec.checkExecProcess("{\"args\":[\"sh\"]}".getBytes(StandardCharsets.UTF_8), false);
        for (String bad : new String[] {"[]", "nope", "{\"terminal\":true}", ""}) {
            assertThrows(IllegalArgumentException.class,
                    () -> OciSpec.checkExecProcess(bad.getBytes(StandardCharsets.UTF_8), false), bad);
        }
    }
}
