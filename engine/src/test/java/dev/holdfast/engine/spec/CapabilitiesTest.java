package dev.holdfast.engine.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    @Test
    void theBoundingSetSaysWhatCanBeGranted() {
        // A sandbox withholding CAP_SYS_RESOURCE (bit 24) of the 41 capabilities.
        var caps = Capabilities.grantable(0x1fffeffffffL);
        assertEquals(40, caps.size());
        assertFalse(caps.contains("CAP_SYS_RESOURCE"));
        assertTrue(caps.contains("CAP_SYS_ADMIN") && caps.contains("CAP_CHECKPOINT_RESTORE"));
        assertEquals("CAP_CHOWN", caps.get(0));
    }
}
