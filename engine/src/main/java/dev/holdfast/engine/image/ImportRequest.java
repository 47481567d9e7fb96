package dev.holdfast.engine.image;

import java.util.List;

/**
 * The parameters of {@code docker import}.
 *
 * @param tag the reference to give the new image, or null
 * @param message the commit message; empty means "Imported from -"
 * @param changes Dockerfile instructions applied to the config ({@code CMD ["sh"]}, {@code ENV A=b}…)
 */
public record ImportRequest(ImageReference tag, String message, List<String> changes) {}
