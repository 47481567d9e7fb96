package dev.holdfast.engine.container;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One mount of a container as the runtime makes it: a host path bound at {@code destination}. For a volume,
 * {@code name} is the volume's and {@code source} its data directory.
 *
 * @param type {@code bind} or {@code volume}
 * @param anonymous a volume made for this container alone ({@code -v /path}, the image's VOLUME): removed with it
 *     by {@code rm -v} and {@code --rm}
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record MountPoint(String type, String name, String source, String destination, boolean readOnly,
        String propagation, boolean anonymous) {}
