package dev.holdfast.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Entry names, whiteout markers and Dockerfile word splitting: no files involved. */
class PureLogicTest {
    @Test
    void entryPathsAreSplitAndCleaned() {
        assertEquals(List.of("bin", "sh"), EntryPath.components("bin/sh"));
        assertEquals(List.of("bin", "sh"), EntryPath.components("./bin//sh"));
        assertEquals(List.of("etc"), EntryPath.components("etc/"));
        assertEquals(List.of(), EntryPath.components("./"));
    }

    @Test
    void escapingEntryPathsAreRefused() {
        for (String name : List.of("../x", "/etc/passwd", "a/../../x", "a/..", "..", "./../x")) {
            ImageException e = assertThrows(ImageException.class, () -> EntryPath.components(name), name);
            assertEquals("refusing archive entry \"" + name + "\": "
                    + (name.startsWith("/") ? "absolute path" : "path escapes the root"), e.getMessage());
        }
    }

    @Test
    void whiteoutsAreRecognized() {
        assertEquals(new Whiteout.Remove("passwd"), Whiteout.of(".wh.passwd"));
        assertInstanceOf(Whiteout.Opaque.class, Whiteout.of(".wh..wh..opq"));
        assertInstanceOf(Whiteout.Ignored.class, Whiteout.of(".wh..wh.plnk"));
        assertInstanceOf(Whiteout.None.class, Whiteout.of("passwd"));
        assertInstanceOf(Whiteout.None.class, Whiteout.of("x.wh.y"));
        assertThrows(ImageException.class, () -> Whiteout.of(".wh."));
        assertThrows(ImageException.class, () -> Whiteout.of(".wh.."));
    }

    @Test
    void shellWordsHonourQuotesAndEscapes() {
        assertEquals(List.of("a=1", "b=two words", "c=it's"), ShellWords.split("a=1 b=\"two words\" c=it\\'s"));
        assertEquals(List.of("x=y z"), ShellWords.split("'x=y z'"));
        assertEquals(List.of(), ShellWords.split("   "));
        assertThrows(ImageException.class, () -> ShellWords.split("a=\"open"));
    }

    @Test
    void relativeWorkdirContinuesTheCurrentOne() {
        assertEquals("/app", ConfigChanges.workdir("/app", "/x"));
        assertEquals("/x/app", ConfigChanges.workdir("app", "/x"));
        assertEquals("/app", ConfigChanges.workdir("app", ""));
        assertEquals("/a", ConfigChanges.workdir("../a", "/x"));
    }
}
