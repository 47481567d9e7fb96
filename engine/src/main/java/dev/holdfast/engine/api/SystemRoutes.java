package dev.holdfast.engine.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /_ping} and {@code /version}: what clients call first to find the daemon and negotiate a version. */
public final class SystemRoutes {
    public static final String ENGINE_VERSION = "28.0.0-holdfast";
    /** The engine jar's Implementation-Version: which build serves (it changes with an upgrade). */
    private static final String BUILD = java.util.Objects.requireNonNullElse(
            SystemRoutes.class.getPackage().getImplementationVersion(), "holdfast");

    public void register(Router router) {
        router.get("/_ping", request -> Reply.text("text/plain; charset=utf-8", "OK"));
        router.head("/_ping", request -> Reply.text("text/plain; charset=utf-8", "OK"));
        router.get("/version", request -> Reply.ok(version()));
    }

    static Map<String, Object> version() {
        Map<String, Object> details = Map.of("ApiVersion", ApiVersion.CURRENT.toString(),
                "MinAPIVersion", ApiVersion.MINIMUM.toString(), "Os", "linux", "Arch", "amd64");
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("Platform", Map.of("Name", "holdfast"));
        v.put("Components", List.of(Map.of("Name", "Engine", "Version", ENGINE_VERSION, "Details", details)));
        v.put("Version", ENGINE_VERSION);
        v.put("ApiVersion", ApiVersion.CURRENT.toString());
        v.put("MinAPIVersion", ApiVersion.MINIMUM.toString());
        v.put("GitCommit", BUILD);
        v.put("GoVersion", "java" + Runtime.version().feature());
        v.put("Os", "linux");
        v.put("Arch", "amd64");
        v.put("KernelVersion", System.getProperty("os.version"));
        v.put("BuildTime", "");
        return v;
    }
}
