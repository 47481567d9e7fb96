package dev.holdfast.engine.image;

/**
 * The AUFS-style whiteout markers of image layers: {@code .wh.NAME} deletes NAME from the layers below,
 * {@code .wh..wh..opq} makes its directory opaque (everything below is hidden), other {@code .wh..wh.} names are
 * AUFS bookkeeping with no meaning for an unpacked root filesystem.
 */
sealed interface Whiteout {
    String PREFIX = ".wh.";
    String META_PREFIX = ".wh..wh.";
    String OPAQUE = ".wh..wh..opq";

    /** Not a whiteout: a file to extract. */
    record None() implements Whiteout {}

    /** Delete {@code name} in the same directory. */
    record Remove(String name) implements Whiteout {}

    /** Delete what the lower layers put in the directory. */
    record Opaque() implements Whiteout {}

    /** AUFS metadata (hard link directory and the like): skipped. */
    record Ignored() implements Whiteout {}

    static Whiteout of(String fileName) {
        if (fileName.equals(OPAQUE)) {
            return new Opaque();
        }
        if (fileName.startsWith(META_PREFIX)) {
            return new Ignored();
        }
        if (fileName.startsWith(PREFIX)) {
            String name = fileName.substring(PREFIX.length());
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw ImageException.invalid("invalid whiteout entry \"" + fileName + "\"");
            }
            return new Remove(name);
        }
        return new None();
    }
}
