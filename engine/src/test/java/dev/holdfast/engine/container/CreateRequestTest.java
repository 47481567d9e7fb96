package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Decoding create bodies as Go's encoding/json decodes them into Docker's structs. */
class CreateRequestTest {

    @Test
    void aNumberWithAFractionOrAnExponentIsNoIntegerAndTheAnswerNamesTheField() throws IOException {
        assertRefused("{\"Image\": \"busybox\", \"HostConfig\": {\"Memory\": 4.5e9}}",
                "HostConfig.Memory must be an integer, not 4.5E9");
        // Go refuses 4.0 too: an int64 field takes only an integer literal.
        assertRefused("{\"Image\": \"busybox\", \"HostConfig\": {\"CpuShares\": 4.0}}",
                "HostConfig.CpuShares must be an integer, not 4.0");
        assertRefused("{\"Image\": \"busybox\", \"HostConfig\": {\"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 1.5, "
                + "\"Hard\": 2}]}}", "HostConfig.Ulimits[0].Soft must be an integer, not 1.5");
        assertRefused("{\"Image\": \"busybox\", \"StopTimeout\": 2.5}", "StopTimeout must be an integer, not 2.5");
        assertRefused("{\"Image\": \"busybox\", \"Healthcheck\": {\"Interval\": 1e9}}",
                "Healthcheck.Interval must be an integer, not 1.0E9");
    }

    @Test
    void integersAreStillTaken() throws IOException {
        CreateRequest request = CreateRequest.parse(Json.MAPPER.readTree(
                "{\"Image\": \"busybox\", \"StopTimeout\": 3, \"HostConfig\": {\"Memory\": 4500000000}}"));
        assertEquals(4_500_000_000L, request.hostConfig().memory());
        assertEquals(3, request.config().stopTimeout());
    }

    private static void assertRefused(String body, String why) throws IOException {
        JsonNode tree = Json.MAPPER.readTree(body);
        ApiException e = assertThrows(ApiException.class, () -> CreateRequest.parse(tree), body);
        assertEquals(400, e.status().code(), body);
        assertEquals("invalid container configuration: " + why, e.getMessage(), body);
    }
}
