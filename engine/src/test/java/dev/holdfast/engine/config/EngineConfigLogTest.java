package dev.holdfast.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineConfigLogTest {
    @Test
    void logSectionGivesDefaultJsonFileOptions(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.toml"), "[log]\nmax_size = \"10m\"\nmax_file = 3\n");
        assertEquals(Map.of("max-size", "10m", "max-file", "3"), EngineConfig.load(file).logOptions());
        assertEquals(Map.of(), EngineConfig.defaults().logOptions());
    }
}
