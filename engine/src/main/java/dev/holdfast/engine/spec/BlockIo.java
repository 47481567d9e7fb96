package dev.holdfast.engine.spec;

import dev.holdfast.engine.container.HostConfig;
import dev.holdfast.engine.errdefs.DomainException;
import dev.holdfast.engine.host.CgroupFeature;
import dev.holdfast.engine.host.DeviceNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * HostConfig's Blkio fields as the OCI spec's {@code linux.resources.blockIO}: device paths become the host device's
 * major:minor, as dockerd stats them. A field whose cgroup file the host lacks is refused, not dropped.
 */
final class BlockIo {
    private BlockIo() {}

    private record Throttle(String ociName, String field, CgroupFeature feature,
            Function<HostConfig, List<HostConfig.ThrottleDevice>> devices) {}

    private static final List<Throttle> THROTTLES = List.of(
            new Throttle("throttleReadBpsDevice", "BlkioDeviceReadBps", CgroupFeature.BLKIO_READ_BPS,
                    HostConfig::blkioDeviceReadBps),
            new Throttle("throttleWriteBpsDevice", "BlkioDeviceWriteBps", CgroupFeature.BLKIO_WRITE_BPS,
                    HostConfig::blkioDeviceWriteBps),
            new Throttle("throttleReadIOPSDevice", "BlkioDeviceReadIOps", CgroupFeature.BLKIO_READ_IOPS,
                    HostConfig::blkioDeviceReadIops),
            new Throttle("throttleWriteIOPSDevice", "BlkioDeviceWriteIOps", CgroupFeature.BLKIO_WRITE_IOPS,
                    HostConfig::blkioDeviceWriteIops));

    static void validate(HostConfig host) {
        if (host.blkioWeight() != 0) {
            if (host.blkioWeight() < 10 || host.blkioWeight() > 1000) {
                throw DomainException.invalidParameter("Range of blkio weight is from 10 to 1000");
            }
            CgroupFeature.BLKIO_WEIGHT.require("HostConfig.BlkioWeight");
        }
        if (!empty(host.blkioWeightDevice())) {
            CgroupFeature.BLKIO_WEIGHT_DEVICE.require("HostConfig.BlkioWeightDevice");
        }
        for (Throttle throttle : THROTTLES) {
            if (!empty(throttle.devices.apply(host))) {
                throttle.feature.require("HostConfig." + throttle.field);
            }
        }
        of(host);
    }

    /** The OCI LinuxBlockIO object; empty when no Blkio field is set. */
    static Map<String, Object> of(HostConfig host) {
        Map<String, Object> blockIo = new LinkedHashMap<>();
        if (host.blkioWeight() != 0) {
            blockIo.put("weight", host.blkioWeight());
        }
        if (!empty(host.blkioWeightDevice())) {
            List<Map<String, Object>> devices = new ArrayList<>();
            for (HostConfig.WeightDevice device : host.blkioWeightDevice()) {
                Map<String, Object> entry = device(device.path());
                entry.put("weight", device.weight());
                devices.add(entry);
            }
            blockIo.put("weightDevice", devices);
        }
        for (Throttle throttle : THROTTLES) {
            List<HostConfig.ThrottleDevice> asked = throttle.devices.apply(host);
            if (!empty(asked)) {
                List<Map<String, Object>> devices = new ArrayList<>();
                for (HostConfig.ThrottleDevice device : asked) {
                    Map<String, Object> entry = device(device.path());
                    entry.put("rate", device.rate());
                    devices.add(entry);
                }
                blockIo.put(throttle.ociName, devices);
            }
        }
        return blockIo;
    }

    /** {@code {"major": M, "minor": m}} of the host's device at {@code path}. */
    private static Map<String, Object> device(String path) {
        long rdev;
        try {
            rdev = (Long) Files.getAttribute(Path.of(path == null ? "" : path), "unix:rdev");
        } catch (NoSuchFileException e) {
            throw DomainException.invalidParameter("stat " + path + ": no such file or directory");
        } catch (IOException | RuntimeException e) {
            throw DomainException.invalidParameter("stat " + path + ": " + e.getMessage());
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("major", DeviceNumber.major(rdev));
        entry.put("minor", DeviceNumber.minor(rdev));
        return entry;
    }

    private static boolean empty(List<?> list) {
        return list == null || list.isEmpty();
    }
}
