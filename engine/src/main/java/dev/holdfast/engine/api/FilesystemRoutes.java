package dev.holdfast.engine.api;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.image.SnapshotChanges;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A container's filesystem over the API: {@code docker diff} and {@code docker export}, running or stopped. */
public final class FilesystemRoutes {
    private final ContainerService service;

    public FilesystemRoutes(ContainerService service) {
        this.service = service;
    }

    public void register(Router router) {
        router.get("/containers/{id}/changes", this::changes);
        router.get("/containers/{id}/export", this::export);
    }

    private Reply changes(ApiRequest r) throws IOException {
        Container c = service.store().get(r.pathParam("id"));
        List<SnapshotChanges.Change> changes = service.images().changes(c.record().image(), c.dir());
        return Reply.ok(changes.stream().map(change -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("Path", change.path());
            view.put("Kind", change.kind());
            return view;
        }).toList());
    }

    /**
     * The root filesystem as a tar, streamed from GNU tar run on the container's overlay mount: it never follows a
     * symlink out of the root and never holds the archive in memory. Mounts inside the container (volumes, /proc) are
     * not part of it, as with dockerd.
     */
    private Reply export(ApiRequest r) throws IOException, InterruptedException {
        Container c = service.store().get(r.pathParam("id"));
        service.images().mountRootfs(c.record().image(), c.dir());
        Process tar = new ProcessBuilder("tar", "--numeric-owner", "--xattrs", "-C", c.rootfs().toString(), "-cf", "-",
                ".").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        tar.getOutputStream().close();
        ResponseStream out = r.openStream("application/x-tar");
        try (InputStream archive = tar.getInputStream()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = archive.read(buffer)) > 0 && out.isOpen()) {
                out.write(buffer, 0, n);
            }
            out.flush();
        } finally {
            tar.destroy();
            tar.waitFor();
            out.close();
        }
        return Reply.streamed();
    }
}
