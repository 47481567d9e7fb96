package dev.holdfast.engine.container;

import java.util.List;
import java.util.Map;

/**
 * Networking as the container lifecycle sees it (implemented by the {@code network} package): the create and start
 * path call it, and never touch addresses, namespaces or firewall rules themselves.
 */
public interface ContainerNetworking {
    /**
     * Checks the network part of a create request and records the container's networks; a bad request throws and
     * records nothing.
     *
     * @return the network mode as the record keeps it ({@code container:<full id>} for a shared namespace)
     */
    String create(String containerId, String name, HostConfig host, ContainerConfig config, NetworkingConfig asked);

    /** Before the task is created: namespace, addresses, published ports. Undone by {@link #detach} on failure. */
    NetworkSandbox attach(Container container);

    /** After a run ended (or failed to start): frees what {@link #attach} took. Idempotent. */
    void detach(String containerId);

    /** The container is gone: forget its networks. */
    void remove(String containerId);

    /** Docker's {@code NetworkSettings} of {@code docker inspect}. */
    Map<String, Object> settings(Container container);

    /** Docker's {@code Ports} of {@code docker ps}. */
    List<Map<String, Object>> portSummary(Container container);

    /** {@code NetworkSettings.Networks} of {@code docker ps}. */
    Map<String, Object> networkSummary(Container container);
}
