package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    private static final String HEX = "a".repeat(64);

    @Test
    void officialImagesLiveInLibrary() {
        ImageReference ref = ImageReference.parse("busybox");
        assertEquals("docker.io", ref.domain());
        assertEquals("library/busybox", ref.path());
        assertNull(ref.tag());
        assertEquals("docker.io/library/busybox", ref.name());
        assertEquals("busybox", ref.familiarName());
        assertEquals("busybox:latest", ref.withDefaultTag().familiarString());
    }

    @Test
    void normalizesEveryWayOfWritingTheSameName() {
        for (String text : new String[] {"busybox:1.36", "library/busybox:1.36", "docker.io/library/busybox:1.36",
                "index.docker.io/library/busybox:1.36"}) {
            ImageReference ref = ImageReference.parse(text);
            assertEquals("docker.io/library/busybox:1.36", ref.toString(), text);
            assertEquals("busybox:1.36", ref.familiarString(), text);
        }
    }

    @Test
    void userRepositoriesAndRegistries() {
        assertEquals("docker.io/me/app:v1", ImageReference.parse("me/app:v1").toString());
        assertEquals("me/app:v1", ImageReference.parse("me/app:v1").familiarString());
        ImageReference local = ImageReference.parse("localhost:5000/app:2");
        assertEquals("localhost:5000", local.domain());
        assertEquals("app", local.path());
        assertEquals("localhost:5000/app:2", local.familiarString());
        assertEquals("localhost", ImageReference.parse("localhost/app").domain());
        assertEquals("registry.example.com", ImageReference.parse("registry.example.com/a/b/c").domain());
        assertEquals("[::1]:5000", ImageReference.parse("[::1]:5000/app").domain());
        assertEquals("docker.io/library/a/b", ImageReference.parse("library/a/b").toString());
    }

    @Test
    void digests() {
        ImageReference ref = ImageReference.parse("busybox@sha256:" + HEX);
        assertEquals("sha256:" + HEX, ref.digest());
        assertNull(ref.tag());
        assertEquals("busybox@sha256:" + HEX, ref.familiarString());
        assertEquals(ref, ref.withDefaultTag(), "a digest reference needs no tag");
        assertEquals("1", ImageReference.parse("busybox:1@sha256:" + HEX).tag());
    }

    @Test
    void errorsUseDockersWording() {
        assertEquals("invalid reference format: repository name (library/Busybox) must be lowercase",
                assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("Busybox")).getMessage());
        assertEquals("invalid repository name (" + HEX + "), cannot specify 64-byte hexadecimal strings",
                assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(HEX)).getMessage());
        for (String bad : new String[] {"", "busybox:", "busy box", "a:b:c", "-a", "a/", "a//b", "busybox:-tag",
                "busybox@sha256:short", ":tag"}) {
            assertEquals("invalid reference format",
                    assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(bad), bad).getMessage(), bad);
        }
        assertEquals("repository name must not be more than 255 characters",
                assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a".repeat(256))).getMessage());
    }

    @Test
    void tagsFollowDockersCharset() {
        assertTrue(ImageReference.isValidTag("v1.2-rc_3"));
        assertTrue(ImageReference.isValidTag("_x"));
        assertFalse(ImageReference.isValidTag(".x"));
        assertFalse(ImageReference.isValidTag("-x"));
        assertFalse(ImageReference.isValidTag("a".repeat(129)));
        assertEquals("invalid tag format",
                assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a").withTag("a b")).getMessage());
    }

    @Test
    void fullIds() {
        assertTrue(ImageReference.isFullId(HEX));
        assertTrue(ImageReference.isFullId("sha256:" + HEX));
        assertFalse(ImageReference.isFullId("sha256:" + HEX.substring(1)));
        assertFalse(ImageReference.isFullId("busybox"));
    }
}
