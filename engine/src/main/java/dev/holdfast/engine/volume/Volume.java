package dev.holdfast.engine.volume;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * A volume of the {@code local} driver: a directory under {@code <data>/volumes/<name>/_data}, recorded in
 * {@code <data>/volumes/<name>/volume.json}.
 *
 * @param anonymous made for one container ({@code -v /path}, an image's VOLUME) rather than by name
 */
@JsonNaming(PropertyNamingStrategies.UpperCamelCaseStrategy.class)
public record Volume(String name, String driver, String mountpoint, String createdAt, Map<String, String> labels,
        Map<String, String> options, boolean anonymous) {

    public static final String LOCAL = "local";
    /** The label dockerd puts on anonymous volumes, which clients (and prune filters) look for. */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";
}
