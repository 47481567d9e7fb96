package dev.holdfast.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NetworkRoutesTest {
    @Test
    void gatewayIsTheFirstHostOfTheSubnet() {
        assertEquals("10.88.0.1", NetworkRoutes.gateway("10.88.0.0/16"));
        assertEquals("10.201.7.1", NetworkRoutes.gateway("10.201.7.0/24"));
    }
}
