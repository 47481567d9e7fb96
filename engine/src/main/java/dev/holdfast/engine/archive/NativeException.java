package dev.holdfast.engine.archive;

import dev.holdfast.engine.host.LibC;
import java.io.IOException;

/** A failed libc call, with its errno and the call and path it was made for. */
final class NativeException extends IOException {
    private final int errno;

    NativeException(String call, String path, int errno) {
        super(call + " " + path + ": " + LibC.INSTANCE.strerror(errno));
        this.errno = errno;
    }

    int errno() {
        return errno;
    }
}
