package dev.holdfast.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Layered image storage with the docker CLI: layers shared between images and containers, freed with their last
 * user; {@code docker commit} (whiteouts and opaque directories included), {@code history}, {@code save | load}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImagesTest {
    @AutoClose
    private final HoldfastDaemon holdfast = HoldfastDaemon.start();

    @Test
    void commitMakesALayerThatDeletesAndHidesAndHistoryAndSaveLoadKeepTheImage() {
        holdfast.docker("run", "--name", "cm1", "busybox", "sh", "-c",
                "echo added > /added; rm /bin/ls; mkdir -p /opaque && echo old > /opaque/old").assertOk();
        holdfast.docker("commit", "-m", "first", "-a", "tester", "--change", "CMD [\"cat\", \"/added\"]", "cm1",
                "committed:one").assertOk();
        holdfast.docker("run", "--name", "cm2", "committed:one", "sh", "-c",
                "rm -rf /opaque && mkdir /opaque && echo new > /opaque/new").assertOk();
        holdfast.docker("commit", "cm2", "committed:two").assertOk();

        assertEquals("added", holdfast.docker("run", "--rm", "committed:one").assertOk().out());
        assertEquals("/opaque/new|missing", holdfast.docker("run", "--rm", "committed:two", "sh", "-c",
                "f=$(echo /opaque/*); echo \"$f|$(test -e /bin/ls && echo present || echo missing)\"").assertOk().out());
        List<String> history = holdfast.docker("history", "--format", "{{.Comment}}|{{.CreatedBy}}",
                "--no-trunc", "committed:two").assertOk().out().lines().toList();
        assertTrue(history.get(0).contains("rm -rf /opaque") && history.get(1).startsWith("first|"),
                history::toString);
        assertEquals("tester", holdfast.docker("inspect", "-f", "{{.Author}}", "committed:one").assertOk().out());

        String id = holdfast.docker("image", "inspect", "-f", "{{.Id}}", "committed:two").assertOk().out();
        Path archive = holdfast.root().resolve("two.tar");
        holdfast.docker("save", "-o", archive.toString(), "committed:two").assertOk();
        holdfast.docker("rm", "cm1", "cm2").assertOk();
        holdfast.docker("rmi", "committed:two").assertOk();
        holdfast.docker("load", "-i", archive.toString()).assertOk();
        assertEquals(id, holdfast.docker("image", "inspect", "-f", "{{.Id}}", "committed:two").assertOk().out());
        assertEquals("/opaque/new", holdfast.docker("run", "--rm", "committed:two", "sh", "-c", "echo /opaque/*")
                .assertOk().out());
        holdfast.docker("rmi", "committed:one", "committed:two").assertOk();
    }

    @Test
    void imagesAndContainersShareLayersAndTheLastUserFreesThem() throws IOException {
        int before = layers().size();
        holdfast.docker("run", "--name", "base1", "busybox", "sh", "-c", "echo a > /a").assertOk();
        holdfast.docker("commit", "base1", "shared:a").assertOk();
        holdfast.docker("run", "--name", "base2", "busybox", "sh", "-c", "echo b > /b").assertOk();
        holdfast.docker("commit", "base2", "shared:b").assertOk();
        holdfast.docker("rm", "base1", "base2").assertOk();
        assertEquals(before + 2, layers().size(), "busybox's layer is held once, under both images");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(holdfast.docker("create", "shared:a", "true").assertOk().out());
        }
        assertEquals(before + 2, layers().size(), "containers add no layer");
        for (String id : ids) {
            Path upper = holdfast.dataDir().resolve("containers").resolve(id).resolve("diff");
            assertTrue(Files.isDirectory(upper), "each container has an upper directory of its own");
        }
        List<String> rm = new ArrayList<>(List.of("rm"));
        rm.addAll(ids);
        holdfast.docker(rm.toArray(String[]::new)).assertOk();
        for (String id : ids) {
            assertFalse(Files.exists(holdfast.dataDir().resolve("containers").resolve(id)), "rm frees the upper dir");
            assertFalse(NetworkLeftovers.host("cat", "/proc/self/mountinfo").contains(id), "rm unmounts");
        }

        holdfast.docker("rmi", "shared:a").assertOk();
        assertEquals(before + 1, layers().size(), "rmi frees the layer nobody uses");
        holdfast.docker("rmi", "shared:b").assertOk();
        assertEquals(before, layers().size());
    }

    private List<Path> layers() throws IOException {
        try (Stream<Path> entries = Files.list(holdfast.dataDir().resolve("layers"))) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }
}
