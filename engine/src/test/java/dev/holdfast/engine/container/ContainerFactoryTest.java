package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.ApiException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import dev.holdfast.engine.image.Image;
import dev.holdfast.engine.image.ImageConfig;
import dev.holdfast.engine.log.LogRotation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerFactoryTest {
    static final String ID = "0123456789ab" + "c".repeat(52);
    static final Image IMAGE = new Image("sha256:" + "f".repeat(64), List.of("app:latest"), Instant.EPOCH,
            new ImageConfig(List.of("serve", "--port", "80"), List.of("/entry"), List.of("PATH=/bin", "MODE=image"),
                    "/srv", "app", Map.of("from", "image", "both", "image"), Map.of("80/tcp", Map.of()), Map.of(),
                    "SIGQUIT", null),
            100, List.of());

    static ContainerRecord build(String json) throws Exception {
        JsonNode body = Json.MAPPER.readTree(json);
        return ContainerFactory.build(ID, "/web", CreateRequest.parse(body), IMAGE, Path.of("/data/containers/" + ID),
                Instant.parse("2026-01-01T00:00:00Z"));
    }

    @Test
    void imageDefaultsFillWhatTheRequestLeavesOut() throws Exception {
        ContainerRecord r = build("{\"Image\":\"app\"}");
        assertEquals("/entry", r.path());
        assertEquals(List.of("serve", "--port", "80"), r.args());
        assertEquals("/srv", r.config().workingDir());
        assertEquals("app", r.config().user());
        assertEquals("SIGQUIT", r.config().stopSignal());
        assertEquals("0123456789ab", r.config().hostname());
        assertEquals("app", r.config().image());
        assertEquals(IMAGE.id(), r.image());
        assertEquals("/web", r.name());
        assertEquals("/data/containers/" + ID + "/" + ID + "-json.log", r.logPath());
        assertEquals("created", r.state().status());
        assertEquals("no", r.hostConfig().restartPolicy().name());
        assertEquals("json-file", r.hostConfig().logConfig().type());
    }

    @Test
    void requestOverridesMergeEnvAndLabelsByKey() throws Exception {
        ContainerRecord r = build("{\"Image\":\"app\",\"Env\":[\"MODE=user\",\"NEW=1\"],"
                + "\"Labels\":{\"both\":\"user\"},\"Cmd\":[\"other\"],\"User\":\"1000:1000\",\"Hostname\":\"h\"}");
        // dockerd's order: the request's entries, then the image's that it does not override.
        assertEquals(List.of("MODE=user", "NEW=1", "PATH=/bin"), r.config().env());
        assertEquals(Map.of("from", "image", "both", "user"), r.config().labels());
        assertEquals("/entry", r.path());
        assertEquals(List.of("other"), r.args());
        assertEquals("1000:1000", r.config().user());
        assertEquals("h", r.config().hostname());
    }

    @Test
    void envEntriesWithoutAValueAreKeptAsGiven() throws Exception {
        // docker-py's environment={'Foo': None}: stored as "Foo", which unsets Foo (here the image's MODE) at start.
        ContainerRecord r = build("{\"Image\":\"app\",\"Env\":[\"Foo\",\"MODE\",\"Blank=\"]}");
        assertEquals(List.of("Foo", "MODE", "Blank=", "PATH=/bin"), r.config().env());
    }

    @Test
    void anExplicitEntrypointDropsTheImagesCmd() throws Exception {
        ContainerRecord r = build("{\"Image\":\"app\",\"Entrypoint\":[\"/bin/sh\",\"-c\"]}");
        assertEquals("/bin/sh", r.path());
        assertEquals(List.of("-c"), r.args());
    }

    @Test
    void anEmptyEntrypointRunsTheCmdAlone() throws Exception {
        ContainerRecord r = build("{\"Image\":\"app\",\"Entrypoint\":[\"\"],\"Cmd\":[\"echo\",\"hi there\"]}");
        assertEquals("echo", r.path());
        assertEquals(List.of("hi there"), r.args());
        assertNull(r.config().entrypoint());
        assertEquals("echo 'hi there'", ContainerViews.command(r.path(), r.args()));
    }

    @Test
    void badHostConfigIsRejectedBeforeAnythingExists() {
        assertEquals(400, assertThrows(ApiException.class, () -> build(
                "{\"Image\":\"app\",\"HostConfig\":{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}}"))
                .status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> build(
                "{\"Image\":\"app\",\"HostConfig\":{\"Binds\":[\"./relative:/x\"]}}")).status().code());
        assertEquals(ErrorKind.NOT_IMPLEMENTED, assertThrows(DomainException.class, () -> build(
                "{\"Image\":\"app\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}")).kind());
        assertEquals("log option \"labels\" is not supported by holdfast yet", assertThrows(DomainException.class,
                () -> build("{\"Image\":\"app\",\"HostConfig\":{\"LogConfig\":{\"Config\":{\"labels\":\"a\"}}}}"))
                .getMessage());
        assertEquals(400, assertThrows(ApiException.class, () -> build(
                "{\"Image\":\"app\",\"HostConfig\":{\"CapAdd\":[\"NOT_A_CAP\"]}}")).status().code());
        assertEquals(400, assertThrows(ApiException.class, () -> build(
                "{\"Image\":\"app\",\"StopSignal\":\"SIGNOPE\"}")).status().code());
    }

    @Test
    void aContainersLogOptionsOverrideTheDaemonsKeyByKey() throws Exception {
        ContainerFactory.daemonLogOptions(Map.of("max-size", "10m"));
        try {
            HostConfig.LogConfig own = build(
                    "{\"Image\":\"app\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{\"max-file\":\"3\"}}}}")
                    .hostConfig().logConfig();
            assertEquals(Map.of("max-file", "3"), own.config());
            assertEquals(new LogRotation(10 << 20, 3), LogRotation.of(ContainerFactory.effectiveLogConfig(own)));
        } finally {
            ContainerFactory.daemonLogOptions(Map.of());
        }
    }

    @Test
    void createBodiesThatAreNotConfigsAre400() {
        assertEquals("config cannot be empty in order to create a container",
                assertThrows(ApiException.class, () -> CreateRequest.parse(null)).getMessage());
        assertEquals(400, assertThrows(ApiException.class,
                () -> CreateRequest.parse(Json.MAPPER.readTree("[1]"))).status().code());
        for (String wrong : new String[] {"{\"Cmd\":{\"a\":1}}", "{\"Image\":\"x\",\"Env\":\"A=b\"}",
                "{\"Image\":\"x\",\"Cmd\":5}", "{\"Image\":\"x\",\"Cmd\":[5]}", "{\"Image\":[\"x\"]}",
                "{\"Image\":\"x\",\"Labels\":[\"a=b\"]}", "{\"Image\":\"x\",\"HostConfig\":\"none\"}",
                "{\"Image\":\"x\",\"Tty\":\"yes\"}", "{\"Image\":\"x\",\"StopTimeout\":\"5\"}",
                "{\"Image\":\"x\",\"HostConfig\":{\"Binds\":\"/a:/b\"}}"}) {
            assertEquals(400, assertThrows(ApiException.class, () -> CreateRequest.parse(Json.MAPPER.readTree(wrong)),
                    wrong).status().code(), wrong);
        }
    }

    @Test
    void aCmdStringIsACommandOfOneWord() throws Exception {
        ContainerRecord r = build("{\"Image\":\"app\",\"Entrypoint\":[],\"Cmd\":\"date\"}");
        assertEquals("date", r.path());
        assertEquals(List.of(), r.args());
    }
}
