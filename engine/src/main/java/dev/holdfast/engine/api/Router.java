package dev.holdfast.engine.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps a method and a path template such as {@code /containers/{id}/json} to an {@link Endpoint}. A template
 * segment {@code {name}} matches one path segment; {@code {name*}} matches the rest of the path (image names hold
 * slashes: {@code /images/{name*}/json} is written as two routes by the image routes).
 */
public final class Router {
    private final List<Route> routes = new ArrayList<>();

    private record Route(HttpMethod method, String[] segments, Endpoint endpoint) {}

    /** A resolved route: the endpoint and the path parameters it captured. */
    public record Match(Endpoint endpoint, Map<String, String> params) {}

    public Router add(HttpMethod method, String template, Endpoint endpoint) {
        routes.add(new Route(method, split(template), endpoint));
        return this;
    }

    public Router get(String template, Endpoint endpoint) {
        return add(HttpMethod.GET, template, endpoint);
    }

    public Router post(String template, Endpoint endpoint) {
        return add(HttpMethod.POST, template, endpoint);
    }

    public Router delete(String template, Endpoint endpoint) {
        return add(HttpMethod.DELETE, template, endpoint);
    }

    public Router head(String template, Endpoint endpoint) {
        return add(HttpMethod.HEAD, template, endpoint);
    }

    /** Adds every route of {@code other}, in its order: routes built before it was known that they would serve. */
    public Router include(Router other) {
        routes.addAll(other.routes);
        return this;
    }

    public Optional<Match> resolve(HttpMethod method, String path) {
        String[] actual = split(path);
        for (Route route : routes) {
            if (!route.method.equals(method)) {
                continue;
            }
            Map<String, String> params = match(route.segments, actual);
            if (params != null) {
                return Optional.of(new Match(route.endpoint, params));
            }
        }
        return Optional.empty();
    }

    private static Map<String, String> match(String[] template, String[] actual) {
        Map<String, String> params = new HashMap<>();
        int t = 0;
        int a = 0;
        while (t < template.length) {
            String seg = template[t];
            if (seg.startsWith("{") && seg.endsWith("*}")) {
                // Greedy tail parameter: it takes every segment but those the rest of the template needs.
                int rest = template.length - t - 1;
                int end = actual.length - rest;
                if (end <= a) {
                    return null;
                }
                params.put(seg.substring(1, seg.length() - 2), String.join("/", List.of(actual).subList(a, end)));
                a = end;
            } else if (a >= actual.length) {
                return null;
            } else if (seg.startsWith("{") && seg.endsWith("}")) {
                params.put(seg.substring(1, seg.length() - 1), actual[a++]);
            } else if (!seg.equals(actual[a++])) {
                return null;
            }
            t++;
        }
        return a == actual.length ? params : null;
    }

    private static String[] split(String path) {
        String trimmed = path.replaceAll("^/+|/+$", "");
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/+");
    }
}
