package dev.holdfast.engine.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InterfaceCountersTest {
    @Test
    void readsEveryInterfaceButLoopbackInDockersFieldNames() {
        String netDev = """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
                  eth0:    4200      31    1    2    0     0          0         0     1500      12    3    4    0     0       0          0
                """;
        Map<String, Object> counters = InterfaceCounters.parse(netDev);
        assertEquals(Map.of("eth0", Map.of("rx_bytes", 4200L, "rx_packets", 31L, "rx_errors", 1L, "rx_dropped", 2L,
                "tx_bytes", 1500L, "tx_packets", 12L, "tx_errors", 3L, "tx_dropped", 4L)), counters);
    }
}
