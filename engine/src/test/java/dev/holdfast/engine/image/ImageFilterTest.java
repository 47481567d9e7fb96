package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFilterTest {
    private static Image image(List<String> tags, Map<String, String> labels, String created) {
        ImageConfig config = new ImageConfig(List.of(), List.of(), List.of(), "", "", labels, Map.of(), Map.of(), "", null);
        return new Image("sha256:" + "a".repeat(64), tags, Instant.parse(created), config, 1, List.of());
    }

    private static ImageFilter filter(Map<String, List<String>> filters) {
        return ImageFilter.of(filters, null);
    }

    @Test
    void referenceGlobsMatchNameOrNameAndTagAndNarrowTheTags() {
        Image image = image(List.of("busybox:latest", "me/app:1"), Map.of(), "2024-01-01T00:00:00Z");
        assertEquals(Optional.of(List.of("busybox:latest")), filter(Map.of("reference", List.of("busy*"))).select(image));
        assertEquals(Optional.of(List.of("me/app:1")), filter(Map.of("reference", List.of("me/*:1"))).select(image));
        assertEquals(Optional.empty(), filter(Map.of("reference", List.of("*"))).select(
                image(List.of("me/app:1"), Map.of(), "2024-01-01T00:00:00Z")), "* does not cross a slash");
        assertEquals(Optional.empty(), filter(Map.of("reference", List.of("nope"))).select(image));
    }

    @Test
    void danglingAndLabels() {
        Image tagged = image(List.of("a:1"), Map.of("k", "v"), "2024-01-01T00:00:00Z");
        Image untagged = image(List.of(), Map.of(), "2024-01-01T00:00:00Z");
        assertTrue(filter(Map.of("dangling", List.of("true"))).select(tagged).isEmpty());
        assertEquals(Optional.of(List.of()), filter(Map.of("dangling", List.of("true"))).select(untagged));
        assertTrue(filter(Map.of("dangling", List.of("false"))).select(untagged).isEmpty());
        assertTrue(filter(Map.of("label", List.of("k=v"))).select(tagged).isPresent());
        assertTrue(filter(Map.of("label", List.of("k"))).select(tagged).isPresent());
        assertTrue(filter(Map.of("label", List.of("k=w"))).select(tagged).isEmpty());
        assertTrue(filter(Map.of("label", List.of("k"))).select(untagged).isEmpty());
        assertThrows(ImageException.class, () -> filter(Map.of("dangling", List.of("maybe"))));
        assertThrows(ImageException.class, () -> filter(Map.of("bogus", List.of("x"))));
    }

    @Test
    void untilAcceptsDockersTimeForms() {
        Instant now = Instant.parse("2024-06-01T12:00:00Z");
        assertEquals(Instant.ofEpochSecond(1700000000, 500_000_000), ImageFilter.time("1700000000.5", now));
        assertEquals(Instant.parse("2024-06-01T10:30:00Z"), ImageFilter.time("1h30m", now));
        assertEquals(Instant.parse("2024-05-01T00:00:00Z"), ImageFilter.time("2024-05-01", now));
        assertEquals(Instant.parse("2024-05-01T01:02:03Z"), ImageFilter.time("2024-05-01T01:02:03Z", now));
        assertThrows(ImageException.class, () -> ImageFilter.time("yesterday", now));
        assertFalse(filter(Map.of("until", List.of("2023-01-01"))).select(
                image(List.of("a:1"), Map.of(), "2024-01-01T00:00:00Z")).isPresent());
    }

    @Test
    void globsFollowGoPathMatch() {
        assertTrue(Glob.compile("a?c").matcher("abc").matches());
        assertFalse(Glob.compile("a?c").matcher("a/c").matches());
        assertTrue(Glob.compile("[a-c]x").matcher("bx").matches());
        assertFalse(Glob.compile("[^a-c]x").matcher("bx").matches());
        assertTrue(Glob.compile("a\\*").matcher("a*").matches());
        assertTrue(Glob.compile("a.b").matcher("a.b").matches());
        assertFalse(Glob.compile("a.b").matcher("axb").matches());
        assertThrows(ImageException.class, () -> Glob.compile("[abc"));
    }
}
