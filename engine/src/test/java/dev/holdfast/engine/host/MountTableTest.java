package dev.holdfast.engine.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading {@code /proc/self/mountinfo} lines: mount point (field 5, escaped), the type after the separator. */
class MountTableTest {
    private static final List<String> MOUNTINFO = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "101 22 0:50 / /data/containers/abc/rootfs rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u",
            "102 101 0:51 / /data/containers/abc/rootfs rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u",
            "103 22 0:52 / /data/volumes/my\\040vol/_data rw shared:7 master:3 - tmpfs tmpfs rw,size=4096k",
            "104 22 0:4 net:[4026532] /run/hf/netns/abc rw - nsfs nsfs rw",
            "105 22 0:53 / /database rw - tmpfs tmpfs rw");

    @Test
    void mountPointsUnderAPrefixOncePerMountUnescapedAndOfTheTypeAsked() {
        assertEquals(List.of("/data/containers/abc/rootfs", "/data/containers/abc/rootfs", "/data/volumes/my vol/_data"),
                MountTable.mountPoints(MOUNTINFO, "/data/", null));
        assertEquals(List.of("/data/volumes/my vol/_data"), MountTable.mountPoints(MOUNTINFO, "/data/", "tmpfs"));
        assertEquals(List.of("/run/hf/netns/abc"), MountTable.mountPoints(MOUNTINFO, "/run/hf/", null));
        assertEquals(List.of(), MountTable.mountPoints(List.of("garbage", ""), "/", null));
    }
}
