package dev.holdfast.engine.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Docker's {@code ContainerPathStat}, sent base64-encoded JSON in the {@code X-Docker-Container-Path-Stat} header:
 * the CLI decides from it whether a {@code docker cp} destination is a directory and where a symlink leads.
 * {@code mode} is Go's {@code os.FileMode}: permission bits below, the file type as high bits.
 */
public record PathStat(String name, long size, long mode, Instant modified, String linkTarget) {
    public static final String HEADER = "X-Docker-Container-Path-Stat";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final long GO_DIR = 1L << 31;
    private static final long GO_SYMLINK = 1L << 27;
    private static final long GO_DEVICE = 1L << 26;
    private static final long GO_NAMED_PIPE = 1L << 25;
    private static final long GO_SOCKET = 1L << 24;
    private static final long GO_SETUID = 1L << 23;
    private static final long GO_SETGID = 1L << 22;
    private static final long GO_CHAR_DEVICE = 1L << 21;
    private static final long GO_STICKY = 1L << 20;

    static PathStat of(String name, FileStatus status, String linkTarget) {
        return new PathStat(name, status.size(), goMode(status.mode()), status.modified(), linkTarget);
    }

    public boolean isDirectory() {
        return (mode & GO_DIR) != 0;
    }

    static long goMode(int unixMode) {
        long mode = unixMode & 0777;
        mode |= switch (unixMode & FileStatus.S_IFMT) {
            case FileStatus.S_IFDIR -> GO_DIR;
            case FileStatus.S_IFLNK -> GO_SYMLINK;
            case FileStatus.S_IFBLK -> GO_DEVICE;
            case FileStatus.S_IFCHR -> GO_DEVICE | GO_CHAR_DEVICE;
            case FileStatus.S_IFIFO -> GO_NAMED_PIPE;
            case FileStatus.S_IFSOCK -> GO_SOCKET;
            default -> 0L;
        };
        if ((unixMode & 04000) != 0) {
            mode |= GO_SETUID;
        }
        if ((unixMode & 02000) != 0) {
            mode |= GO_SETGID;
        }
        if ((unixMode & 01000) != 0) {
            mode |= GO_STICKY;
        }
        return mode;
    }

    /** The header's value. */
    public String header() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("size", size);
        json.put("mode", mode);
        json.put("mtime", modified.toString());
        json.put("linkTarget", linkTarget);
        try {
            return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
