package dev.holdfast.engine.image;

import java.util.ArrayList;
import java.util.List;

/**
 * The name of a tar entry checked and split into components. Absolute names and any {@code ..} component are
 * refused outright: legitimate layers never contain them, and refusing is simpler to trust than cleaning.
 */
final class EntryPath {
    private EntryPath() {}

    /** The components of {@code name}; empty for the archive root ({@code ./}). */
    static List<String> components(String name) {
        if (name.startsWith("/")) {
            throw refused(name, "absolute path");
        }
        List<String> out = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refused(name, "path escapes the root");
            }
            if (part.indexOf('\0') >= 0) {
                throw refused(name, "NUL in path");
            }
            out.add(part);
        }
        return List.copyOf(out);
    }

    static ImageException refused(String name, String why) {
        return ImageException.invalid("refusing archive entry \"" + name + "\": " + why);
    }
}
