package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One mount of a container as the runtime makes it: a host path bound at {@code destination}, or a tmpfs. For a
 * volume, {@code name} is the volume's and {@code source} its data directory.
 *
 * @param type {@code bind}, {@code volume} or {@code tmpfs}
 * @param anonymous a volume made for this container alone ({@code -v /path}, the image's VOLUME): removed with it
 *     by {@code rm -v} and {@code --rm}
 * @param options a tmpfs's mount options ({@code size=...,mode=...}); empty for the others
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record MountPoint(String type, String name, String source, String destination, boolean readOnly,
        String propagation, boolean anonymous, String options) {

    public MountPoint {
        options = options == null ? "" : options;
    }

    public static MountPoint bind(String source, String destination, boolean readOnly, String propagation) {
        return new MountPoint("bind", "", source, destination, readOnly, propagation, false, "");
    }

    public static MountPoint volume(String name, String dataDir, String destination, boolean readOnly,
            boolean anonymous) {
        return new MountPoint("volume", name, dataDir, destination, readOnly, "", anonymous, "");
    }

    public static MountPoint tmpfs(String destination, String options) {
        return new MountPoint("tmpfs", "", "tmpfs", destination, false, "", false, options);
    }

    /** The same mount as another container sees it through {@code --volumes-from}: never anonymous to it. */
    public MountPoint sharedWith(boolean readOnlyThere) {
        return new MountPoint(type, name, source, destination, readOnlyThere, propagation, false, options);
    }
}
