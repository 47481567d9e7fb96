package dev.holdfast.engine.spec;

/**
 * What a container shares with other containers at start: the running containers whose pid and ipc namespaces it
 * joins ({@code --pid container:x}, {@code --ipc container:y}), as the host pids of their processes (0: none), and the
 * host tmpfs bound as its {@code /dev/shm} when its IPC is shareable or joined (null: a tmpfs of its own).
 */
public record JoinedNamespaces(int pidHolder, int ipcHolder, String hostShm) {
    public static final JoinedNamespaces NONE = new JoinedNamespaces(0, 0, null);
}
