package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityOptionsTest {

    @Test
    void noOptionsMeanTheBuiltinProfileAndPrivilegesAsUsual() {
        SecurityOptions options = SecurityOptions.parse(null);
        assertFalse(options.noNewPrivileges());
        assertSame(SeccompProfile.builtin(), options.seccomp());
    }

    @Test
    void noNewPrivilegesInDockersSpellings() {
        for (String on : List.of("no-new-privileges", "no-new-privileges:true", "no-new-privileges=true",
                "no-new-privileges=1", "no-new-privileges=T")) {
            assertTrue(SecurityOptions.parse(List.of(on)).noNewPrivileges(), on);
        }
        assertFalse(SecurityOptions.parse(List.of("no-new-privileges", "no-new-privileges=false")).noNewPrivileges());
        DomainException e = assertThrows(DomainException.class,
                () -> SecurityOptions.parse(List.of("no-new-privileges=yes")));
        assertEquals("invalid --security-opt 2: \"no-new-privileges=yes\"", e.getMessage());
    }

    @Test
    void seccompChoices() {
        assertNull(SecurityOptions.parse(List.of("seccomp=unconfined")).seccomp());
        assertNull(SecurityOptions.parse(List.of("seccomp:unconfined")).seccomp());
        assertSame(SeccompProfile.builtin(), SecurityOptions.parse(List.of("seccomp=builtin")).seccomp());
        SeccompProfile custom = SecurityOptions.parse(List.of("seccomp={\"defaultAction\":\"SCMP_ACT_LOG\"}")).seccomp();
        assertEquals("SCMP_ACT_LOG", custom.defaultAction());
    }

    @Test
    void onlyTheOffValuesOfSelinuxAndApparmorAreAccepted() {
        SecurityOptions.parse(List.of("label=disable", "label:disable", "disable", "apparmor=unconfined"));
        assertTrue(assertThrows(DomainException.class, () -> SecurityOptions.parse(List.of("label=level:s0")))
                .getMessage().contains("SELinux is not enabled"));
        assertTrue(assertThrows(DomainException.class, () -> SecurityOptions.parse(List.of("apparmor=my-profile")))
                .getMessage().contains("AppArmor is not enabled"));
    }

    @Test
    void unknownOptionsGetDockersMessages() {
        assertEquals("invalid --security-opt 1: \"foo\"",
                assertThrows(DomainException.class, () -> SecurityOptions.parse(List.of("foo"))).getMessage());
        assertEquals("invalid --security-opt 2: \"foo=bar\"",
                assertThrows(DomainException.class, () -> SecurityOptions.parse(List.of("foo=bar"))).getMessage());
    }

    @Test
    void theFilterFollowsTheSpecsCapabilitiesAndPrivilegedHasNone() {
        Map<String, Object> spec = spec(List.of("CAP_CHOWN"));
        SecurityOptions.parse(List.of("no-new-privileges")).applyTo(spec, false);
        assertEquals(true, ((Map<?, ?>) spec.get("process")).get("noNewPrivileges"));
        Map<?, ?> seccomp = (Map<?, ?>) ((Map<?, ?>) spec.get("linux")).get("seccomp");
        assertEquals("SCMP_ACT_ERRNO", seccomp.get("defaultAction"));

        Map<String, Object> privileged = spec(List.of("CAP_SYS_ADMIN"));
        SecurityOptions.parse(List.of()).applyTo(privileged, true);
        assertEquals(false, ((Map<?, ?>) privileged.get("process")).get("noNewPrivileges"));
        assertFalse(((Map<?, ?>) privileged.get("linux")).containsKey("seccomp"));
    }

    private static Map<String, Object> spec(List<String> caps) {
        Map<String, Object> process = new HashMap<>();
        process.put("capabilities", Map.of("bounding", caps, "effective", caps, "permitted", caps));
        Map<String, Object> spec = new HashMap<>();
        spec.put("process", process);
        spec.put("linux", new HashMap<>());
        return spec;
    }
}
