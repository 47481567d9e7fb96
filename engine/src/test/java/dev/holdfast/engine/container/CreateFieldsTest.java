package dev.holdfast.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Walks the ContainerConfig and HostConfig of the Docker Engine API spec (a copy of v1.47.yaml in the test
 * resources): every field is either refused when set, or kept by holdfast and shown to work by a named compat test
 * that looks at its effect. A field added to the spec fails this test until it is one or the other.
 */
class CreateFieldsTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Path COMPAT_TESTS = Path.of("..", "compat-tests", "src", "test", "java", "dev", "holdfast",
            "compat");

    /** The compat test that shows each implemented field's effect, as {@code Class#method}. */
    private static final Map<String, String> CONFIG_EFFECTS = Map.ofEntries(
            Map.entry("Hostname", "CliLifecycleTest#runAppliesNameEnvWorkdirHostnameAndLabels"),
            Map.entry("Domainname", "CreateOptionsTest#dnsHostsAndDomainReachTheContainersFiles"),
            Map.entry("User", "CliLifecycleTest#runAsUserByUidAndByName"),
            Map.entry("AttachStdin", "InteractiveTest#pipedStdinReachesTheContainer"),
            Map.entry("AttachStdout", "CliLifecycleTest#runInForegroundPassesStdoutAndStderrSeparatelyAndExitsZero"),
            Map.entry("AttachStderr", "CliLifecycleTest#runInForegroundPassesStdoutAndStderrSeparatelyAndExitsZero"),
            Map.entry("ExposedPorts", "PublishedPortsTest#publishAllGivesEachContainerItsOwnHostPort"),
            Map.entry("Tty", "InteractiveTest#ttyContainerHasAPseudoTerminal"),
            Map.entry("OpenStdin", "InteractiveTest#pipedStdinReachesTheContainer"),
            Map.entry("StdinOnce", "InteractiveTest#pipedStdinReachesTheContainer"),
            Map.entry("Env", "ResourceOptionsTest#envEntriesWithoutAValueAreKeptAndUnsetTheVariable"),
            Map.entry("Cmd", "CliLifecycleTest#entrypointReplacesTheCommandAndTakesTheArguments"),
            Map.entry("Healthcheck", "HealthcheckTest#failingCheckTurnsUnhealthyInPsInspectAndEvents"),
            Map.entry("Image", "DockerLifecycleTest#runPrintsTheContainersOutput"),
            Map.entry("Volumes", "VolumesTest#anonymousVolumesGoWithRmV"),
            Map.entry("WorkingDir", "CliLifecycleTest#runCreatesAMissingWorkdir"),
            Map.entry("Entrypoint", "CliLifecycleTest#entrypointReplacesTheCommandAndTakesTheArguments"),
            Map.entry("MacAddress", "CreateOptionsTest#macAddressIsTheInterfacesAddress"),
            Map.entry("Labels", "CliLifecycleTest#runAppliesNameEnvWorkdirHostnameAndLabels"),
            Map.entry("StopSignal", "ResourceOptionsTest#stopDeliversTheStopSignalAndKillsAfterTheStopTimeout"),
            Map.entry("StopTimeout", "ResourceOptionsTest#stopDeliversTheStopSignalAndKillsAfterTheStopTimeout"));

    private static final Map<String, String> HOST_CONFIG_EFFECTS = Map.ofEntries(
            Map.entry("Binds", "VolumesTest#bindMountsFollowDockersRules"),
            Map.entry("Mounts", "VolumesTest#localDriverOptionsMountATmpfsOrAHostDirectoryWhileAContainerRuns"),
            Map.entry("Tmpfs", "VolumesTest#tmpfsIsEmptyAtEachStartAndHonoursItsSize"),
            Map.entry("VolumesFrom", "VolumesTest#volumesFromAndReadOnlyRootKeepVolumesWritable"),
            Map.entry("VolumeDriver", "VolumesTest#driversAndOptionsHoldfastLacksAreRefused"),
            Map.entry("LogConfig", "ContainerVerbsTest#rotatedLogsReadBackInOrderWithoutGaps"),
            Map.entry("NetworkMode", "NetworkingTest#networkNoneHasOnlyLoopback"),
            Map.entry("PortBindings", "PublishedPortsTest#publishedPortAnswersWithoutPauseThroughEngineAndSupervisorRestarts"),
            Map.entry("PublishAllPorts", "PublishedPortsTest#publishAllGivesEachContainerItsOwnHostPort"),
            Map.entry("Links", "NetworkingTest#legacyLinksGiveHostsEntriesAndVariablesOnTheDefaultBridgeAndAliasesOnUserNetworks"),
            Map.entry("RestartPolicy", "CliLifecycleTest#restartCountCountsTheRestartsOfTheRestartPolicy"),
            Map.entry("AutoRemove", "CliLifecycleTest#runWithRmRemovesTheContainerBeforeTheCliReturns"),
            Map.entry("Dns", "CreateOptionsTest#dnsHostsAndDomainReachTheContainersFiles"),
            Map.entry("DnsOptions", "CreateOptionsTest#dnsHostsAndDomainReachTheContainersFiles"),
            Map.entry("DnsSearch", "CreateOptionsTest#dnsHostsAndDomainReachTheContainersFiles"),
            Map.entry("ExtraHosts", "CreateOptionsTest#dnsHostsAndDomainReachTheContainersFiles"),
            Map.entry("ReadonlyRootfs", "VolumesTest#volumesFromAndReadOnlyRootKeepVolumesWritable"),
            Map.entry("Memory", "ContainerVerbsTest#limitsReachTheCgroupAndUpdateChangesThem"),
            Map.entry("MemorySwap", "ContainerVerbsTest#limitsReachTheCgroupAndUpdateChangesThem"),
            Map.entry("NanoCpus", "ContainerVerbsTest#limitsReachTheCgroupAndUpdateChangesThem"),
            Map.entry("PidsLimit", "ContainerVerbsTest#limitsReachTheCgroupAndUpdateChangesThem"),
            Map.entry("CpuShares", "CreateOptionsTest#cpuSharesQuotaAndPeriodReachTheCgroup"),
            Map.entry("CpuQuota", "CreateOptionsTest#cpuSharesQuotaAndPeriodReachTheCgroup"),
            Map.entry("CpuPeriod", "CreateOptionsTest#cpuSharesQuotaAndPeriodReachTheCgroup"),
            Map.entry("ContainerIDFile", "CreateOptionsTest#cidfileAndIsolationAreKeptAsDockerdKeepsThem"),
            Map.entry("Isolation", "CreateOptionsTest#cidfileAndIsolationAreKeptAsDockerdKeepsThem"),
            Map.entry("Runtime", "RuntimesTest#aContainerRunsWithTheRuntimeItNames"),
            Map.entry("CapAdd", "IsolationOptionsTest#capDropAllForbidsChownAndCapAddGrantsIt"),
            Map.entry("CapDrop", "IsolationOptionsTest#capDropAllForbidsChownAndCapAddGrantsIt"),
            Map.entry("PidMode", "IsolationOptionsTest#pidModeSharesTheHostsOrAnotherContainersProcesses"),
            Map.entry("IpcMode", "IsolationOptionsTest#ipcModesShareOrIsolateSharedMemory"),
            Map.entry("ShmSize", "IsolationOptionsTest#shmSizeIsTheSizeOfDevShm"),
            Map.entry("UTSMode", "IsolationOptionsTest#utsHostGivesTheHostsHostname"),
            Map.entry("CgroupnsMode", "IsolationOptionsTest#cgroupnsPrivateHidesTheContainersCgroupPath"),
            Map.entry("CgroupParent", "IsolationOptionsTest#cgroupParentPlacesTheContainerUnderIt"),
            Map.entry("Privileged", "IsolationOptionsTest#privilegedHasEveryCapabilityDeviceAndAWritableSys"),
            Map.entry("Devices", "IsolationOptionsTest#deviceIsCreatedWithItsNumbersAndPermissions"),
            Map.entry("DeviceCgroupRules", "IsolationOptionsTest#deviceCgroupRuleIsInTheDevicesCgroup"),
            Map.entry("Init", "IsolationOptionsTest#initIsPidOneAndReapsOrphans"),
            Map.entry("CpusetCpus", "ResourceOptionsTest#cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem"),
            Map.entry("CpusetMems", "ResourceOptionsTest#cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem"),
            Map.entry("MemoryReservation", "ResourceOptionsTest#cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem"),
            Map.entry("MemorySwappiness", "ResourceOptionsTest#cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem"),
            Map.entry("OomKillDisable", "ResourceOptionsTest#cpusetAndMemoryOptionsReachTheContainersCgroupAndUpdateChangesThem"),
            Map.entry("BlkioWeight", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("BlkioWeightDevice", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("BlkioDeviceReadBps", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("BlkioDeviceWriteBps", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("BlkioDeviceReadIOps", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("BlkioDeviceWriteIOps", "ResourceOptionsTest#blkioThrottlesReachTheCgroupAndWeightNeedsTheHostsSupport"),
            Map.entry("Ulimits", "ResourceOptionsTest#ulimitsReplaceTheDefaultsAndUnknownOnesAreRefused"),
            Map.entry("Sysctls", "ResourceOptionsTest#namespacedSysctlsAreSetAndOthersRefused"),
            Map.entry("OomScoreAdj", "ResourceOptionsTest#oomScoreAdjAndExtraGroupsApplyToTheProcessAndItsExecs"),
            Map.entry("GroupAdd", "ResourceOptionsTest#oomScoreAdjAndExtraGroupsApplyToTheProcessAndItsExecs"),
            Map.entry("ConsoleSize", "ResourceOptionsTest#consoleSizeSetsTheTtyBeforeAnyResizeAndAnnotationsReachTheSpec"),
            Map.entry("Annotations", "ResourceOptionsTest#consoleSizeSetsTheTtyBeforeAnyResizeAndAnnotationsReachTheSpec"),
            Map.entry("SecurityOpt", "SecurityOptionsTest#noNewPrivilegesInEverySpelling"),
            Map.entry("MaskedPaths", "SecurityOptionsTest#maskedAndReadonlyPathsReplaceDockersAndPrivilegedLiftsThem"),
            Map.entry("ReadonlyPaths", "SecurityOptionsTest#maskedAndReadonlyPathsReplaceDockersAndPrivilegedLiftsThem"));

    private static final JsonNode SPEC = loadSpec();

    @Test
    void everyConfigFieldIsRefusedOrHasAnEffectTest() throws IOException {
        walk("ContainerConfig", CreateFields.REFUSED_CONFIG, CONFIG_EFFECTS, ContainerConfig.class);
    }

    @Test
    void everyHostConfigFieldIsRefusedOrHasAnEffectTest() throws IOException {
        walk("HostConfig", CreateFields.REFUSED_HOST_CONFIG, HOST_CONFIG_EFFECTS, HostConfig.class);
    }

    @Test
    void inspectEchoesEveryFieldOfTheSpec() {
        ObjectNode config = CreateFields.echoConfig(Json.MAPPER.valueToTree(
                Json.MAPPER.convertValue(Map.of(), ContainerConfig.class)));
        ObjectNode host = CreateFields.echoHostConfig(Json.MAPPER.valueToTree(
                ContainerFactory.validHostConfig(null)));
        for (String field : properties("ContainerConfig").keySet()) {
            // dockerd leaves out a Healthcheck nobody set (omitempty); clients read its absence as none.
            assertTrue(config.has(field) || field.equals("Healthcheck"), "inspect's Config lacks " + field);
        }
        for (String field : properties("HostConfig").keySet()) {
            assertTrue(host.has(field), "inspect's HostConfig lacks " + field);
        }
        assertEquals("private", host.get("IpcMode").asText());
        assertEquals("runc", host.get("Runtime").asText());
    }

    @Test
    void defaultsOfRefusedFieldsAreAccepted() {
        ObjectNode body = NODES.objectNode().put("Image", "busybox");
        ObjectNode host = body.putObject("HostConfig");
        CreateFields.REFUSED_HOST_CONFIG.forEach(host::set);
        host.put("UsernsMode", "host");
        CreateFields.REFUSED_CONFIG.forEach(body::set);
        CreateRequest.parse(body);
        CreateFields.refuseUnsupportedUpdate(NODES.objectNode().put("Memory", 1 << 26).put("KernelMemory", 0)
                .put("CpusetCpus", ""), ContainerControl.UPDATABLE);
    }

    @Test
    void anUpdateOfAFieldItCannotChangeIsRefused() {
        DomainException e = assertThrows(DomainException.class, () -> CreateFields.refuseUnsupportedUpdate(
                NODES.objectNode().put("CpuRealtimeRuntime", 10), ContainerControl.UPDATABLE));
        assertEquals("updating HostConfig.CpuRealtimeRuntime is not supported by holdfast yet", e.getMessage());
    }

    /**
     * Refused fields: a create body setting the field is refused, naming it. Every other field: bound to holdfast's
     * record without being dropped, and a compat test of its effect exists.
     */
    private static void walk(String definition, Map<String, JsonNode> refused, Map<String, String> effects,
            Class<?> record) throws IOException {
        Map<String, JsonNode> fields = properties(definition);
        List<String> problems = new ArrayList<>();
        String section = definition.equals("HostConfig") ? "HostConfig" : "Config";
        for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
            String name = field.getKey();
            JsonNode value = sample(field.getValue(), 0);
            if (refused.containsKey(name)) {
                if (effects.containsKey(name)) {
                    problems.add(name + " is both refused and implemented");
                }
                DomainException e = assertThrows(DomainException.class, () -> CreateRequest.parse(body(section, name,
                        value)), section + "." + name + " set to " + value + " was not refused");
                assertEquals(ErrorKind.NOT_IMPLEMENTED, e.kind());
                assertEquals(section + "." + name + " is not supported by holdfast yet", e.getMessage());
                continue;
            }
            String test = effects.get(name);
            if (test == null) {
                problems.add(section + "." + name + " is neither refused nor shown to work by a compat test");
                continue;
            }
            if (!compatTestExists(test)) {
                problems.add(section + "." + name + ": its compat test " + test + " does not exist");
            }
            JsonNode kept = Json.MAPPER.valueToTree(Json.MAPPER.convertValue(NODES.objectNode().set(name, value), record))
                    .get(name);
            if (kept == null || CreateFields.isDefault(name, kept)) {
                problems.add(section + "." + name + " set to " + value + " is dropped by " + record.getSimpleName());
            }
        }
        for (String name : refused.keySet()) {
            if (!fields.containsKey(name)) {
                problems.add(section + "." + name + " is refused but not in the spec");
            }
        }
        for (String name : effects.keySet()) {
            if (!fields.containsKey(name)) {
                problems.add(section + "." + name + " has an effect test but is not in the spec");
            }
        }
        assertEquals(List.of(), problems);
    }

    private static ObjectNode body(String section, String field, JsonNode value) {
        ObjectNode body = NODES.objectNode().put("Image", "busybox");
        if (section.equals("HostConfig")) {
            body.putObject("HostConfig").set(field, value);
        } else {
            body.set(field, value);
        }
        return body;
    }

    /** A value that is not the field's default, from the spec's schema of it. */
    private static JsonNode sample(JsonNode schema, int depth) {
        if (schema.has("$ref")) {
            return sample(definition(schema.get("$ref").asText()), depth);
        }
        if (schema.has("allOf")) {
            ObjectNode merged = NODES.objectNode();
            for (JsonNode part : schema.get("allOf")) {
                JsonNode sampled = sample(part, depth);
                if (sampled.isObject()) {
                    merged.setAll((ObjectNode) sampled);
                }
            }
            return merged;
        }
        if (schema.has("enum")) {
            for (JsonNode option : schema.get("enum")) {
                if (!option.asText().isEmpty()) {
                    return option;
                }
            }
        }
        String type = schema.path("type").asText("object");
        return switch (type) {
            case "string" -> NODES.textNode("sample");
            case "integer", "number" -> NODES.numberNode(schema.has("minimum") && schema.get("minimum").asLong() > 1
                    ? schema.get("minimum").asLong() : 1);
            case "boolean" -> NODES.booleanNode(true);
            case "array" -> {
                ArrayNode array = NODES.arrayNode();
                array.add(depth > 3 ? NODES.textNode("sample") : sample(schema.path("items"), depth + 1));
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                if (depth > 3) {
                    object.put("sample", "sample");
                } else if (schema.has("properties")) {
                    Iterator<Map.Entry<String, JsonNode>> props = schema.get("properties").fields();
                    props.forEachRemaining(p -> object.set(p.getKey(), sample(p.getValue(), depth + 1)));
                } else {
                    JsonNode additional = schema.path("additionalProperties");
                    object.set("sample", additional.isObject() ? sample(additional, depth + 1) : NODES.textNode("x"));
                }
                yield object;
            }
        };
    }

    private static boolean compatTestExists(String test) throws IOException {
        String[] parts = test.split("#");
        Path source = COMPAT_TESTS.resolve(parts[0] + ".java");
        return Files.exists(source) && Files.readString(source).contains("void " + parts[1] + "(");
    }

    /** A definition's properties, those of the definitions it is built from (allOf) first. */
    private static Map<String, JsonNode> properties(String name) {
        JsonNode definition = SPEC.path("definitions").path(name);
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        for (JsonNode part : definition.path("allOf")) {
            if (part.has("$ref")) {
                properties.putAll(properties(part.get("$ref").asText().replace("#/definitions/", "")));
            } else {
                part.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), p.getValue()));
            }
        }
        definition.path("properties").fields().forEachRemaining(p -> properties.put(p.getKey(), p.getValue()));
        assertFalse(properties.isEmpty(), "the spec has no definition " + name);
        return properties;
    }

    private static JsonNode definition(String ref) {
        return SPEC.path("definitions").path(ref.replace("#/definitions/", ""));
    }

    private static JsonNode loadSpec() {
        try (InputStream in = CreateFieldsTest.class.getResourceAsStream("/docker-api/v1.47.yaml")) {
            return new YAMLMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("reading the API spec from the test resources", e);
        }
    }
}
