package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.errdefs.ErrorKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SeccompProfileTest {
    private static final SeccompProfile.Platform AMD64 = new SeccompProfile.Platform("amd64", "SCMP_ARCH_X86_64", 6, 1);
    private static final SeccompProfile.Platform ARM64 = new SeccompProfile.Platform("arm64", "SCMP_ARCH_AARCH64", 4, 4);

    @Test
    void theBuiltinProfileDeniesWithEpermAndListsTheHostsArchitectures() {
        Map<String, Object> oci = SeccompProfile.builtin().resolve(Capabilities.DOCKER_DEFAULTS, AMD64);
        assertEquals("SCMP_ACT_ERRNO", oci.get("defaultAction"));
        assertEquals(1, oci.get("defaultErrnoRet"));
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), oci.get("architectures"));
        assertEquals(List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"),
                SeccompProfile.builtin().resolve(Capabilities.DOCKER_DEFAULTS, ARM64).get("architectures"));
    }

    @Test
    void capabilitiesGateTheirSystemCalls() {
        List<String> defaults = allowed(Capabilities.DOCKER_DEFAULTS, AMD64);
        assertTrue(defaults.containsAll(List.of("read", "execve", "chroot", "arch_prctl", "ptrace")), defaults::toString);
        assertFalse(defaults.contains("mount") || defaults.contains("unshare") || defaults.contains("setns"));
        assertFalse(defaults.contains("reboot") || defaults.contains("init_module") || defaults.contains("kcmp"));

        List<String> admin = allowed(Capabilities.effective(List.of("SYS_ADMIN"), List.of()), AMD64);
        assertTrue(admin.containsAll(List.of("mount", "unshare", "setns", "clone3")), admin::toString);

        List<String> noChroot = allowed(Capabilities.effective(List.of(), List.of("SYS_CHROOT")), AMD64);
        assertFalse(noChroot.contains("chroot"));
    }

    @Test
    void withoutSysAdminCloneIsLimitedToNoNewNamespacesAndClone3FallsBack() {
        Map<String, Object> oci = SeccompProfile.builtin().resolve(Capabilities.DOCKER_DEFAULTS, AMD64);
        List<Map<String, Object>> clone = rules(oci).stream()
                .filter(rule -> ((List<?>) rule.get("names")).contains("clone")).toList();
        assertEquals(1, clone.size());
        Map<?, ?> arg = (Map<?, ?>) ((List<?>) clone.get(0).get("args")).get(0);
        assertEquals("SCMP_CMP_MASKED_EQ", arg.get("op"));
        assertEquals(0x7E020000L, ((Number) arg.get("value")).longValue());
        Map<String, Object> clone3 = rules(oci).stream()
                .filter(rule -> ((List<?>) rule.get("names")).contains("clone3")).findFirst().orElseThrow();
        assertEquals(Map.of("names", List.of("clone3"), "action", "SCMP_ACT_ERRNO", "errnoRet", 38), clone3);
    }

    @Test
    void architectureAndKernelFiltersApply() {
        List<String> arm = allowed(Capabilities.DOCKER_DEFAULTS, ARM64);
        assertFalse(arm.contains("arch_prctl"));
        assertTrue(arm.contains("set_tls"));
        assertFalse(allowed(Capabilities.DOCKER_DEFAULTS, AMD64).contains("set_tls"));
        SeccompProfile.Platform old = new SeccompProfile.Platform("amd64", "SCMP_ARCH_X86_64", 4, 4);
        assertFalse(allowed(Capabilities.DOCKER_DEFAULTS, old).contains("ptrace"));
    }

    @Test
    void aClientProfileIsConvertedToOciForm() {
        SeccompProfile profile = SeccompProfile.parse("""
                {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                 "syscalls": [{"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "comment": "no dirs",
                               "args": [{"index": 1, "value": 18446744073709551615, "op": "SCMP_CMP_NE"}]},
                              {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "excludes": {"caps": ["CAP_FOWNER"]}}]}
                """);
        Map<String, Object> oci = profile.resolve(Capabilities.DOCKER_DEFAULTS, AMD64);
        assertEquals("SCMP_ACT_ALLOW", oci.get("defaultAction"));
        assertFalse(oci.containsKey("defaultErrnoRet"));
        assertEquals(List.of("SCMP_ARCH_X86_64"), oci.get("architectures"));
        assertEquals(1, rules(oci).size());
        Map<String, Object> mkdir = rules(oci).get(0);
        assertEquals(List.of("mkdir"), mkdir.get("names"));
        assertEquals(13, mkdir.get("errnoRet"));
        assertEquals("18446744073709551615",
                String.valueOf(((Map<?, ?>) ((List<?>) mkdir.get("args")).get(0)).get("value")));
        assertEquals(2, rules(profile.resolve(List.of(), AMD64)).size());
    }

    @Test
    void anEmptyProfileMeansNoFilter() {
        assertNull(SeccompProfile.parse("{}").resolve(Capabilities.DOCKER_DEFAULTS, AMD64));
    }

    @Test
    void profilesRuncWouldRefuseAreBadRequests() {
        for (String bad : List.of("not json", "{\"defaultAction\": \"SCMP_ACT_MAYBE\"}",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": \"a\", \"names\": [\"b\"],"
                        + " \"action\": \"SCMP_ACT_ERRNO\"}]}",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\","
                        + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_SOMEWHAT\"}]}]}",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\"],"
                        + " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\"}]}",
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": \"SCMP_ACT_ERRNO\"}]}")) {
            DomainException e = assertThrows(DomainException.class, () -> SeccompProfile.parse(bad), bad);
            assertEquals(ErrorKind.INVALID_PARAMETER, e.kind(), bad);
            assertTrue(e.getMessage().startsWith("Decoding seccomp profile failed: "), e.getMessage());
        }
    }

    private static List<String> allowed(List<String> caps, SeccompProfile.Platform platform) {
        return rules(SeccompProfile.builtin().resolve(caps, platform)).stream()
                .filter(rule -> rule.get("action").equals("SCMP_ACT_ALLOW") && !rule.containsKey("args"))
                .flatMap(rule -> ((List<?>) rule.get("names")).stream().map(String::valueOf))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Map<String, Object> oci) {
        return (List<Map<String, Object>>) oci.get("syscalls");
    }
}
