package dev.holdfast.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineConfigNetworkTest {
    @Test
    void networkSectionHasDefaultsAndTakesDnsAsAnArrayOrAString(@TempDir Path dir) throws Exception {
        EngineConfig defaults = EngineConfig.defaults();
        assertEquals("10.89.0.0/16", defaults.pool());
        assertEquals(24, defaults.poolSize());
        assertEquals(List.of(), defaults.dns());
        Path array = Files.writeString(dir.resolve("a.toml"), "[network]\ndns = [\"10.0.0.2\", \"10.0.0.3\"]\n");
        assertEquals(List.of("10.0.0.2", "10.0.0.3"), EngineConfig.load(array).dns());
        Path text = Files.writeString(dir.resolve("b.toml"), "[network]\ndns = \"127.0.0.9, 10.0.0.3\"\n");
        assertEquals(List.of("127.0.0.9", "10.0.0.3"), EngineConfig.load(text).dns());
    }
}
