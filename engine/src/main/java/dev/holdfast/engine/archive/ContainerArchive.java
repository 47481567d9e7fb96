package dev.holdfast.engine.archive;

import dev.holdfast.engine.host.LibC;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerEvents;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.container.MountPoint;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.events.EventBus;
import dev.holdfast.engine.spec.ProcessUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code docker cp}: a container's files read as tar archives and written from them, running or stopped
 * ({@code HEAD/GET/PUT /containers/{id}/archive}).
 *
 * <p>Where paths are resolved: for a running container, {@code /proc/PID/root}, its root as its own mount namespace
 * sees it, volumes, binds and tmpfs included, so the kernel crosses its mounts just as the container does. A stopped
 * container has no mount namespace: a path under one of its recorded volumes or binds is resolved in that mount's
 * source, any other in its root filesystem (the overlay snapshot, mounted for the purpose), as podman does. Either
 * way the kernel resolves inside that root ({@link FileHandle}), so no {@code ..}, absolute symlink or symlink
 * swapped in mid-copy leads out of it.
 */
public final class ContainerArchive {
    private static final int MAX_SYMLINKS = 40;

    private final ContainerService containers;
    private final EventBus events;

    public ContainerArchive(ContainerService containers, EventBus events) {
        this.containers = containers;
        this.events = events;
    }

    /** {@code HEAD}: what {@code path} is; a symlink is described, and where it leads is in the link target. */
    public PathStat stat(String ref, String path) {
        Container c = containers.store().get(ref);
        ContainerPath target = ContainerPath.of(path);
        try (Located at = locate(c, target.path()); FileHandle file = open(at, target)) {
            return stat(at, target, file);
        } catch (IOException e) {
            throw failure(ref, target.path(), e);
        }
    }

    /** {@code GET}: the path opened once, so the stat sent ahead of the archive describes what the archive holds. */
    public Download download(String ref, String path) {
        Container c = containers.store().get(ref);
        ContainerPath source = ContainerPath.of(path);
        Located at = locate(c, source.path());
        try {
            FileHandle file = open(at, source);
            Download download = new Download(ref, source, at, file, stat(at, source, file));
            events.publish(ContainerEvents.of(c, "archive-path", Map.of("path", source.path())));
            return download;
        } catch (IOException e) {
            at.close();
            throw failure(ref, source.path(), e);
        } catch (RuntimeException e) {
            at.close();
            throw e;
        }
    }

    /** An opened source: its stat for the header, then its archive. */
    public final class Download implements AutoCloseable {
        private final String ref;
        private final ContainerPath source;
        private final Located at;
        private final FileHandle file;
        private final PathStat stat;

        private Download(String ref, ContainerPath source, Located at, FileHandle file, PathStat stat) {
            this.ref = ref;
            this.source = source;
            this.at = at;
            this.file = file;
            this.stat = stat;
        }

        public PathStat stat() {
            return stat;
        }

        /** Streams the archive; entries are named from {@link ContainerPath#name()}, as dockerd rebases them. */
        public void writeTo(OutputStream out) {
            try {
                new TarWriter(out).write(file, source.name().equals("/") ? "." : source.name());
            } catch (IOException e) {
                throw failure(ref, source.path(), e);
            }
        }

        @Override
        public void close() {
            file.close();
            at.close();
        }
    }

    /**
     * {@code PUT}: unpacks {@code tar} into the directory {@code path}. {@code copyUidGid} gives every entry the
     * container's user and group ({@code docker cp -a}); without it entries keep the archive's owners.
     */
    public void upload(String ref, String path, InputStream tar, boolean noOverwriteDirNonDir, boolean copyUidGid) {
        Container c = containers.store().get(ref);
        ContainerPath destination = ContainerPath.of(path);
        refuseReadOnly(c, destination.path());
        TarExtractor.Owner owner = copyUidGid ? containerOwner(c) : null;
        try (Located at = locate(c, destination.path());
                FileHandle dir = at.root.resolve(at.inner, LibC.O_PATH)) {
            if (!dir.status().isDirectory()) {
                throw DomainException.invalidParameter("extraction point is not a directory: " + destination.path()
                        + " in container " + ref);
            }
            new TarExtractor(at.root, at.inner, noOverwriteDirNonDir, owner).extract(tar);
        } catch (IOException e) {
            throw failure(ref, destination.path(), e);
        }
        events.publish(ContainerEvents.of(c, "extract-to-dir", Map.of("path", destination.path())));
    }

    /** Where a container path is resolved: a root handle and the path inside it. */
    private record Located(FileHandle root, String inner, String mountDestination) implements AutoCloseable {
        /** {@code path} inside the root expressed as a path of the container. */
        String containerPath(String innerPath) {
            return mountDestination == null ? innerPath : ContainerPath.clean(mountDestination + innerPath);
        }

        @Override
        public void close() {
            root.close();
        }
    }

    private Located locate(Container c, String path) {
        int pid = c.record().state().hasProcess() ? c.record().state().pid() : 0;
        if (pid > 0) {
            try {
                return new Located(FileHandle.openRoot(Path.of("/proc/" + pid + "/root")), path, null);
            } catch (NativeException exited) {
                // The process is gone since the record was read: resolve as for a stopped container.
            }
        }
        Optional<MountPoint> mount = mountAt(c, path).filter(m -> !m.type().equals("tmpfs"));
        try {
            if (mount.isPresent()) {
                String destination = ContainerPath.clean(mount.get().destination());
                String inner = path.equals(destination) ? "/" : path.substring(destination.length());
                return new Located(FileHandle.openRoot(Path.of(mount.get().source())), inner, destination);
            }
            containers.images().mountRootfs(c.record().image(), c.dir());
            return new Located(FileHandle.openRoot(c.rootfs()), path, null);
        } catch (IOException e) {
            throw DomainException.system("opening the filesystem of container " + c.record().shortName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The recorded mount {@code path} is on, if any: the one with the longest destination holding it. */
    private Optional<MountPoint> mountAt(Container c, String path) {
        List<MountPoint> mounts = containers.volumes().mounts(c.record());
        return mounts.stream()
                .filter(m -> {
                    String destination = ContainerPath.clean(m.destination());
                    return path.equals(destination) || path.startsWith(destination.equals("/") ? "/" : destination + "/");
                })
                .max(Comparator.comparingInt(m -> ContainerPath.clean(m.destination()).length()));
    }

    /** dockerd's checks before extracting: a read-only root or volume takes nothing. */
    private void refuseReadOnly(Container c, String path) {
        Optional<MountPoint> mount = mountAt(c, path);
        if (mount.isPresent() && mount.get().readOnly()) {
            throw DomainException.forbidden("mounted volume is marked read-only: " + mount.get().destination()
                    + " in container " + c.record().shortName());
        }
        if (mount.isEmpty() && c.record().hostConfig().readonlyRootfs()) {
            throw DomainException.forbidden("container rootfs is marked read-only: container "
                    + c.record().shortName());
        }
    }

    private TarExtractor.Owner containerOwner(Container c) {
        try {
            containers.images().mountRootfs(c.record().image(), c.dir());
        } catch (IOException e) {
            throw DomainException.system("mounting the filesystem of container " + c.record().shortName()
                    + " to read its users: " + e.getMessage(), e);
        }
        ProcessUser user = ProcessUser.resolve(c.record().config().user(), c.rootfs());
        return new TarExtractor.Owner(user.uid(), user.gid());
    }

    /** The final element unfollowed unless the request asked for it ({@code /} or {@code /.} at the end). */
    private static FileHandle open(Located at, ContainerPath target) throws NativeException {
        if (target.followFinal() || at.inner.equals("/")) {
            return at.root.resolve(at.inner, LibC.O_PATH);
        }
        ContainerPath inner = ContainerPath.of(at.inner);
        try (FileHandle parent = at.root.resolve(inner.parent(), LibC.O_PATH | LibC.O_DIRECTORY)) {
            return parent.child(inner.last(), LibC.O_PATH);
        }
    }

    private static PathStat stat(Located at, ContainerPath target, FileHandle file) throws IOException {
        FileStatus status = file.status();
        String linkTarget = status.isSymlink() ? at.containerPath(followLinks(at.root, at.inner)) : "";
        return PathStat.of(target.name(), status, linkTarget);
    }

    /**
     * Where {@code path} leads inside {@code root}, symlinks followed one component at a time as the kernel would
     * (a missing rest is kept as named). Only reported, as dockerd reports it: nothing is opened by this name.
     */
    private static String followLinks(FileHandle root, String path) throws IOException {
        Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                resolved.pollLast();
                continue;
            }
            String candidate = "/" + String.join("/", resolved) + (resolved.isEmpty() ? "" : "/") + part;
            FileHandle entry;
            try {
                entry = root.resolve(candidate, LibC.O_PATH | LibC.O_NOFOLLOW);
            } catch (NativeException e) {
                if (e.errno() != LibC.ENOENT && e.errno() != LibC.ENOTDIR) {
                    throw e;
                }
                resolved.addLast(part);
                resolved.addAll(todo);
                break;
            }
            try (entry) {
                if (!entry.status().isSymlink()) {
                    resolved.addLast(part);
                    continue;
                }
                if (++links > MAX_SYMLINKS) {
                    throw new NativeException("following symlinks in", path, LibC.ELOOP);
                }
                String target = entry.readLink();
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                List<String> parts = List.of(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
            }
        }
        return ContainerPath.clean(String.join("/", resolved));
    }

    private static DomainException failure(String ref, String path, IOException e) {
        if (e instanceof NativeException n) {
            switch (n.errno()) {
                case LibC.ENOENT, LibC.ENOTDIR -> {
                    return DomainException.notFound("Could not find the file " + path + " in container " + ref);
                }
                case LibC.EROFS, LibC.EACCES, LibC.EPERM -> {
                    return DomainException.forbidden("cannot write " + path + " in container " + ref + ": "
                            + e.getMessage());
                }
                case LibC.ELOOP, LibC.EXDEV -> {
                    return DomainException.invalidParameter("cannot resolve " + path + " in container " + ref + ": "
                            + e.getMessage());
                }
                default -> { }
            }
        }
        return DomainException.system("copying " + path + " in container " + ref + ": " + e.getMessage(), e);
    }
}
