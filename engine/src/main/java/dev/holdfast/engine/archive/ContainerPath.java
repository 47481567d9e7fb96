package dev.holdfast.engine.archive;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A path inside a container as the archive API names it, cleaned lexically as Go's {@code filepath.Clean} does
 * ({@code /a/./b/../c} is {@code /a/c}; {@code ..} stops at {@code /}). A trailing {@code /} or {@code /.} asks for
 * the final element to be followed if it is a symlink, as in dockerd. This is only naming: what the path leads to
 * is resolved by the kernel, inside the container's root.
 *
 * @param path absolute and clean
 * @param followFinal the request ended in {@code /} or {@code /.}
 * @param name the name Docker reports and archives the entry under ({@code .} for {@code /a/.}, {@code /} for root)
 */
record ContainerPath(String path, boolean followFinal, String name) {

    static ContainerPath of(String requested) {
        if (requested == null || requested.isEmpty()) {
            throw DomainException.invalidParameter("a path inside the container is required");
        }
        String clean = clean(requested);
        boolean dotted = requested.endsWith("/.") || requested.equals(".");
        boolean followFinal = dotted || requested.endsWith("/") || clean.equals("/");
        String name = dotted ? "." : clean.equals("/") ? "/" : clean.substring(clean.lastIndexOf('/') + 1);
        return new ContainerPath(clean, followFinal, name);
    }

    /** The directory holding the final element. */
    String parent() {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }

    /** The final element ({@code .} for the root). */
    String last() {
        return path.equals("/") ? "." : path.substring(path.lastIndexOf('/') + 1);
    }

    /** {@code requested} made absolute and clean. */
    static String clean(String requested) {
        return "/" + String.join("/", components(requested, null));
    }

    /**
     * An archive entry's name as a path below the extraction directory ({@code ""} for the directory itself). A name
     * that climbs out of it ({@code ../x}, {@code a/../../x}) is refused, as dockerd refuses a breakout.
     */
    static String entryBelow(String entryName) {
        return String.join("/", components(entryName, entryName));
    }

    /** The parts of {@code path} with {@code .} and {@code ..} applied; {@code ..} above the top is refused when
     * {@code entryName} is given, dropped otherwise (as at {@code /}). */
    private static Deque<String> components(String path, String entryName) {
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (!part.equals("..")) {
                parts.addLast(part);
            } else if (parts.pollLast() == null && entryName != null) {
                throw DomainException.invalidParameter("archive entry \"" + entryName
                        + "\" points outside the extraction directory");
            }
        }
        return parts;
    }

    static String join(String directory, String relative) {
        if (relative.isEmpty()) {
            return directory;
        }
        return directory.endsWith("/") ? directory + relative : directory + "/" + relative;
    }
}
