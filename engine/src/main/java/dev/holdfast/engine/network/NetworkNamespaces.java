package dev.holdfast.engine.network;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.HostCommand;
import dev.holdfast.engine.host.MountCalls;
import dev.holdfast.engine.host.MountTable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Containers' network namespaces as files under {@code <run>/netns}: a namespace bind-mounted onto a file lives as
 * long as the mount, independent of any process, so it outlives the engine, the supervisor and the container's
 * own restarts until holdfast unmounts it. {@code unshare --net=FILE} makes one without moving a JVM thread.
 */
public final class NetworkNamespaces {
    private static final Logger LOG = Logger.getLogger(NetworkNamespaces.class.getName());

    private final Path dir;

    public NetworkNamespaces(Path runRoot) {
        this.dir = runRoot.resolve("netns");
    }

    public Path pathOf(String containerId) {
        return dir.resolve(containerId);
    }

    /** A new namespace for the container; a leftover one (a crash after its mount) is replaced. */
    public Path create(String containerId) {
        Path file = pathOf(containerId);
        try {
            Files.createDirectories(dir);
            if (Files.exists(file)) {
                remove(containerId);
            }
            Files.createFile(file);
        } catch (IOException e) {
            throw DomainException.system("creating the network namespace file " + file + " of container "
                    + containerId + ": " + e.getMessage(), e);
        }
        HostCommand.Result result = HostCommand.run(List.of("unshare", "--net=" + file, "true"), new byte[0],
                "creating the network namespace of container " + containerId);
        if (!result.ok()) {
            deleteQuietly(file);
            throw DomainException.system("creating the network namespace " + file + " of container " + containerId
                    + ": unshare: " + result.stderr().strip(), null);
        }
        return file;
    }

    /** Unmounts (lazily: a process may still hold it open) and deletes the file. Idempotent. */
    public void remove(String containerId) {
        Path file = pathOf(containerId);
        if (!Files.exists(file)) {
            return;
        }
        try {
            MountCalls.unmount(file, true);
        } catch (IOException e) {
            throw DomainException.system("unmounting the network namespace of container " + containerId + ": "
                    + e.getMessage(), e);
        }
        deleteQuietly(file);
    }

    /**
     * Whether the container's namespace file still holds a namespace: after a host reboot a run directory on disk
     * keeps the file, but not the mount that made it one.
     */
    public boolean isLive(String containerId) {
        Path file = pathOf(containerId);
        try {
            return Files.exists(file) && MountTable.isMounted(file);
        } catch (IOException e) {
            LOG.warning("reading the mount table for " + file + ": " + e.getMessage());
            return Files.exists(file);
        }
    }

    /** Adds link-local addresses ({@code --link-local-ip}) to an interface netavark made. */
    public void addLinkLocal(String containerId, String interfaceName, List<String> addresses) {
        for (String address : addresses) {
            HostCommand.Result result = HostCommand.run(List.of("nsenter", "--net=" + pathOf(containerId), "ip",
                    "address", "add", address + "/16", "dev", interfaceName), new byte[0],
                    "adding link-local address " + address + " to container " + containerId);
            if (!result.ok()) {
                throw DomainException.system("adding link-local address " + address + " to " + interfaceName
                        + " of container " + containerId + ": " + result.stderr().strip(), null);
            }
        }
    }

    /** The container ids that have a namespace file. */
    public List<String> list() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            files.forEach(f -> ids.add(f.getFileName().toString()));
        } catch (IOException e) {
            LOG.warning("listing network namespaces in " + dir + ": " + e.getMessage());
        }
        return ids;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("deleting " + file + ": " + e.getMessage());
        }
    }
}
