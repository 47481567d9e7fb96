package dev.holdfast.engine.api;

import dev.holdfast.engine.archive.ContainerArchive;
import dev.holdfast.engine.archive.PathStat;
import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerService;
import dev.holdfast.engine.image.SnapshotChanges;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's filesystem over the API, running or stopped: {@code docker cp} (the archive endpoints),
 * {@code docker diff} and {@code docker export}.
 */
public final class FilesystemRoutes {
    private final ContainerService service;
    private final ContainerArchive archive;

    public FilesystemRoutes(ContainerService service, ContainerArchive archive) {
        this.service = service;
        this.archive = archive;
    }

    public void register(Router router) {
        router.head("/containers/{id}/archive", this::statPath);
        router.get("/containers/{id}/archive", this::download);
        router.add(HttpMethod.PUT, "/containers/{id}/archive", this::upload);
        router.get("/containers/{id}/changes", this::changes);
        router.get("/containers/{id}/export", this::export);
    }

    private Reply statPath(ApiRequest r) {
        PathStat stat = archive.stat(r.pathParam("id"), requiredPath(r));
        r.setResponseHeader(PathStat.HEADER, stat.header());
        return new Reply.Empty(HttpResponseStatus.OK);
    }

    private Reply download(ApiRequest r) throws IOException {
        try (ContainerArchive.Download download = archive.download(r.pathParam("id"), requiredPath(r))) {
            r.setResponseHeader(PathStat.HEADER, download.stat().header());
            ResponseStream out = r.openStream("application/x-tar");
            try {
                download.writeTo(out);
            } finally {
                out.close();
            }
        }
        return Reply.streamed();
    }

    private Reply upload(ApiRequest r) {
        archive.upload(r.pathParam("id"), requiredPath(r), r.body(), r.queryBool("noOverwriteDirNonDir"),
                r.queryBool("copyUIDGID"));
        return new Reply.Empty(HttpResponseStatus.OK);
    }

    private static String requiredPath(ApiRequest r) {
        return r.query("path").filter(p -> !p.isEmpty())
                .orElseThrow(() -> ApiException.badRequest("the path query parameter is required"));
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
