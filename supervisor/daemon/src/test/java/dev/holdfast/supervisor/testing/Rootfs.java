package dev.holdfast.supervisor.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A busybox root filesystem built from the host's static busybox (Debian busybox-static). */
public final class Rootfs {
    public static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> APPLETS = List.of("sh", "sleep", "usleep", "echo", "cat", "ls", "true",
            "false", "kill", "test", "[", "ps", "touch", "exit", "tty", "stty", "head", "yes", "printf");

    private Rootfs() {}

    public static Path build(Path dir) throws IOException {
        Path bin = dir.resolve("bin");
        Files.createDirectories(bin);
        for (String d : List.of("proc", "dev", "sys", "tmp", "etc")) {
            Files.createDirectories(dir.resolve(d));
        }
        Files.copy(BUSYBOX, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        return dir;
    }
}
