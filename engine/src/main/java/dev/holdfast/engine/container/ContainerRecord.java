package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.holdfast.engine.health.HealthState;
import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What {@code <data>/containers/<id>/container.json} holds, in Docker's field names. Immutable: every change is a
 * new record, written atomically before it becomes the container's current one.
 *
 * @param image the image id ({@code sha256:…}); {@code config.image()} keeps the reference the user gave
 * @param name with Docker's leading slash
 * @param hasBeenManuallyStopped an explicit stop: keeps {@code unless-stopped} containers down across restarts
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record ContainerRecord(
        String id,
        String created,
        String path,
        List<String> args,
        ContainerState state,
        String image,
        String name,
        int restartCount,
        ContainerConfig config,
        HostConfig hostConfig,
        String logPath,
        String hostnamePath,
        String hostsPath,
        String resolvConfPath,
        boolean hasBeenStartedBefore,
        boolean hasBeenManuallyStopped) {

    public ContainerRecord withState(ContainerState newState) {
        return new ContainerRecord(id, created, path, args, newState, image, name, restartCount, config, hostConfig,
                logPath, hostnamePath, hostsPath, resolvConfPath, hasBeenStartedBefore, hasBeenManuallyStopped);
    }

    public ContainerRecord withState(UnaryOperator<ContainerState> change) {
        return withState(change.apply(state));
    }

    /** A new run: running, and its health checks starting over (dockerd keeps the earlier results). */
    public ContainerRecord started(int pid, Instant at) {
        ContainerState running = state.runningAs(pid, at).withHealth(HealthState.onStart(state.health(), config.healthcheck()));
        return new ContainerRecord(id, created, path, args, running, image, name, restartCount,
                config, hostConfig, logPath, hostnamePath, hostsPath, resolvConfPath, true, false);
    }

    public ContainerRecord withManuallyStopped(boolean stopped) {
        return new ContainerRecord(id, created, path, args, state, image, name, restartCount, config, hostConfig,
                logPath, hostnamePath, hostsPath, resolvConfPath, hasBeenStartedBefore, stopped);
    }

    public ContainerRecord withName(String newName) {
        return new ContainerRecord(id, created, path, args, state, image, newName, restartCount, config, hostConfig,
                logPath, hostnamePath, hostsPath, resolvConfPath, hasBeenStartedBefore, hasBeenManuallyStopped);
    }

    public ContainerRecord withHostConfig(HostConfig newHostConfig) {
        return new ContainerRecord(id, created, path, args, state, image, name, restartCount, config, newHostConfig,
                logPath, hostnamePath, hostsPath, resolvConfPath, hasBeenStartedBefore, hasBeenManuallyStopped);
    }

    public ContainerRecord withRestartCount(int count) {
        return new ContainerRecord(id, created, path, args, state, image, name, count, config, hostConfig,
                logPath, hostnamePath, hostsPath, resolvConfPath, hasBeenStartedBefore, hasBeenManuallyStopped);
    }

    /** The name without Docker's leading slash. */
    public String shortName() {
        return name.substring(1);
    }
}
