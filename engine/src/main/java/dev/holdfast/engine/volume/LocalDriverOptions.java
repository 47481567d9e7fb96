package dev.holdfast.engine.volume;

import dev.holdfast.engine.errdefs.DomainException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code local} driver's {@code --opt type=… device=… o=…}, as mount(8) takes them: the volume's data directory
 * becomes a mount of {@code device} with filesystem {@code type} and options {@code o} while a container uses it.
 * holdfast mounts {@code tmpfs} and binds ({@code type=none} with {@code o=bind}); other filesystem types are refused.
 */
record LocalDriverOptions(String type, String device, String o) {
    private static final Set<String> KEYS = Set.of("type", "device", "o");

    /** Validates a create request's options; empty options mean a plain directory. */
    static LocalDriverOptions parse(Map<String, String> options) {
        if (options == null || options.isEmpty()) {
            return null;
        }
        for (String key : options.keySet()) {
            if (!KEYS.contains(key)) {
                throw DomainException.invalidParameter("create volume: invalid option key: \"" + key + "\"");
            }
        }
        String type = options.getOrDefault("type", "");
        String device = options.getOrDefault("device", "");
        String o = options.getOrDefault("o", "");
        if (type.isEmpty()) {
            throw DomainException.invalidParameter("create volume: missing required option: \"type\"");
        }
        if (o.contains("\n") || device.contains("\n")) {
            throw DomainException.invalidParameter("create volume: options must be on one line");
        }
        switch (type) {
            case "tmpfs" -> { }
            case "none" -> {
                if (!List.of(o.split(",")).contains("bind") && !List.of(o.split(",")).contains("rbind")) {
                    throw DomainException.notImplemented("the local volume type \"none\" without o=bind");
                }
                if (!device.startsWith("/")) {
                    throw DomainException.invalidParameter("create volume: the device of a bind must be an absolute"
                            + " path, not \"" + device + "\"");
                }
            }
            default -> throw DomainException.notImplemented("the local volume type \"" + type + "\" (tmpfs and"
                    + " type=none o=bind are)");
        }
        return new LocalDriverOptions(type, device, o);
    }

    /** The mount(8) command that makes {@code data} this volume. */
    List<String> mountCommand(Path data) {
        List<String> command = new ArrayList<>(List.of("mount", "-t", type));
        if (!o.isEmpty()) {
            command.addAll(List.of("-o", o));
        }
        command.add(device.isEmpty() ? type : device);
        command.add(data.toString());
        return command;
    }
}
