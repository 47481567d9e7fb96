package dev.holdfast.engine.task;

import dev.holdfast.engine.container.Container;
import dev.holdfast.engine.container.ContainerConfig;
import dev.holdfast.engine.container.ContainerNetworking;
import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.container.NetworkSandbox;
import dev.holdfast.engine.container.NetworkingConfig;
import java.util.List;
import java.util.Map;

/**
 * Networking for lifecycle tests against a fake supervisor: every container gets a namespace with loopback only,
 * so the tests exercise the lifecycle without netavark or root-only kernel state.
 */
final class LoopbackNetworking implements ContainerNetworking {
    @Override
    public String create(String containerId, String name, HostConfig host, ContainerConfig config,
            NetworkingConfig asked) {
        return host.networkMode();
    }

    @Override
    public NetworkSandbox attach(Container container) {
        return NetworkSandbox.unattached();
    }

    @Override
    public void detach(String containerId) {}

    @Override
    public void remove(String containerId) {}

    @Override
    public Map<String, Object> settings(Container container) {
        return Map.of();
    }

    @Override
    public List<Map<String, Object>> portSummary(Container container) {
        return List.of();
    }

    @Override
    public Map<String, Object> networkSummary(Container container) {
        return Map.of();
    }
}
