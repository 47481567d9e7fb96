package dev.holdfast.engine.image;

/**
 * A failure of an image operation the client caused, with the kind the API turns into a status (404, 409, 400).
 * Anything else (disk full, I/O) stays an IOException: a server error.
 */
public final class ImageException extends RuntimeException {
    public enum Kind { NOT_FOUND, CONFLICT, INVALID }

    private final Kind kind;

    private ImageException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static ImageException notFound(String message) {
        return new ImageException(Kind.NOT_FOUND, message);
    }

    public static ImageException conflict(String message) {
        return new ImageException(Kind.CONFLICT, message);
    }

    public static ImageException invalid(String message) {
        return new ImageException(Kind.INVALID, message);
    }

    /** Docker's "No such image: busybox:latest", naming the reference as the user wrote it plus the implied tag. */
    public static ImageException noSuchImage(String reference) {
        String shown = reference;
        if (!ImageReference.isFullId(reference)) {
            try {
                shown = ImageReference.parse(reference).withDefaultTag().familiarString();
            } catch (IllegalArgumentException e) {
                shown = reference;
            }
        }
        return notFound("No such image: " + shown);
    }
}
