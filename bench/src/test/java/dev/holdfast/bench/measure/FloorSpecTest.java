package dev.holdfast.bench.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.holdfast.bench.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class FloorSpecTest {
    @Test
    void runsTrueWithoutATerminalFromAReadOnlyRootfsInTheCgroupGiven() {
        String runcSpec = "{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":true,\"args\":[\"sh\"],\"cwd\":\"/\"},"
                + "\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
                + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]}}";
        Object floor = Json.parse(FloorSpec.floor(runcSpec, "/hfw-x/floor"));
        assertEquals(Boolean.FALSE, Json.at(floor, "process", "terminal"));
        assertEquals(List.of("true"), Json.at(floor, "process", "args"));
        assertEquals("/", Json.at(floor, "process", "cwd"));
        assertEquals(Boolean.TRUE, Json.at(floor, "root", "readonly"));
        assertEquals("/hfw-x/floor", Json.at(floor, "linux", "cgroupsPath"));
        assertEquals(Json.at(Json.parse(runcSpec), "linux", "namespaces"), Json.at(floor, "linux", "namespaces"));
    }
}
