package dev.holdfast.engine.container;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.spec.JoinedNamespaces;
import dev.holdfast.engine.spec.NamespaceModes;
import dev.holdfast.engine.spec.ShmMount;

/**
 * At start: finds the running containers whose pid and ipc namespaces a container joins ({@code --pid container:x},
 * {@code --ipc container:y}), 404 when there is no such container and 409 when it has no process to join, as dockerd;
 * and mounts the host tmpfs of a shareable IPC's {@code /dev/shm}.
 */
final class NamespaceHolders {
    private NamespaceHolders() {}

    static JoinedNamespaces resolve(ContainerRecord record, ContainerStore store) {
        HostConfig host = record.hostConfig();
        Container pidHolder = holder("PID", host.pidMode(), record, store);
        Container ipcHolder = holder("IPC", host.ipcMode(), record, store);
        String hostShm = null;
        if (ipcHolder != null) {
            // dockerd shares a container's IPC only when it was created to be shared.
            if (!"shareable".equals(ipcHolder.record().hostConfig().ipcMode())) {
                throw DomainException.conflict("can't join IPC of container " + ipcHolder.id()
                        + ": non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
            }
            hostShm = ShareableShm.pathOf(ipcHolder.dir()).toString();
        } else if ("shareable".equals(host.ipcMode())) {
            hostShm = ShareableShm.mount(store.dirOf(record.id()), ShmMount.size(host), record.id()).toString();
        }
        return new JoinedNamespaces(pidOf(pidHolder), pidOf(ipcHolder), hostShm);
    }

    /** The running container a {@code container:<name|id>} mode names, or null for any other mode. */
    private static Container holder(String kind, String mode, ContainerRecord record, ContainerStore store) {
        String ref = NamespaceModes.containerOf(mode);
        if (ref == null) {
            return null;
        }
        Container holder = store.find(ref).orElseThrow(() -> DomainException.notFound(
                "cannot join " + kind + " of container " + ref + ": No such container: " + ref));
        if (holder.id().equals(record.id())) {
            throw DomainException.invalidParameter("cannot join " + kind + " of container " + ref
                    + ": it is the container itself");
        }
        if (!holder.record().state().hasProcess()) {
            throw DomainException.conflict("cannot join " + kind + " of a non running container: container "
                    + holder.id() + " is not running");
        }
        return holder;
    }

    private static int pidOf(Container holder) {
        return holder == null ? 0 : holder.record().state().pid();
    }
}
