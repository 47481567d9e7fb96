package dev.holdfast.engine.container;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's legacy links ({@code --link upstream:alias}) on the default bridge, kept in {@code HostConfig.Links} as
 * dockerd keeps them: {@code /upstream:/linker/alias}.
 */
public final class LegacyLinks {
    private LegacyLinks() {}

    /** One link: the upstream container's name (no slash) and the alias the linker knows it by. */
    public record Link(String upstream, String alias) {}

    /** {@code upstream}, {@code upstream:alias}, or the stored {@code /upstream:/linker/alias}. */
    public static Link parse(String link) {
        String[] parts = link.split(":", 2);
        String upstream = parts[0].startsWith("/") ? parts[0].substring(1) : parts[0];
        String alias = parts.length > 1 ? parts[1].substring(parts[1].lastIndexOf('/') + 1) : upstream;
        if (upstream.isEmpty() || alias.isEmpty() || upstream.contains("/")) {
            throw DomainException.invalidParameter("invalid link: \"" + link + "\": expected container:alias");
        }
        return new Link(upstream, alias);
    }

    /** The links as dockerd stores them, each upstream checked to exist. */
    static List<String> normalize(List<String> links, String linkerName, ContainerStore store) {
        List<String> normalized = new ArrayList<>();
        for (String text : links) {
            Link link = parse(text);
            Container upstream = store.find(link.upstream()).orElseThrow(() -> DomainException.invalidParameter(
                    "could not get container for " + link.upstream()));
            normalized.add(upstream.record().name() + ":" + linkerName + "/" + link.alias());
        }
        return normalized;
    }

    /**
     * {@code DELETE /containers/linker/alias?link=1}: removes the link from the linker; the upstream container is
     * left alone.
     */
    static void remove(ContainerStore store, String ref) {
        String path = ref.startsWith("/") ? ref.substring(1) : ref;
        int slash = path.lastIndexOf('/');
        if (slash <= 0) {
            throw DomainException.invalidParameter("Conflict, cannot remove the default link name of the container");
        }
        Container linker = store.find(path.substring(0, slash)).orElseThrow(() -> DomainException.notFound(
                "No such container: " + path.substring(0, slash)));
        String alias = path.substring(slash + 1);
        linker.lock().lock();
        try {
            List<String> links = linker.record().hostConfig().links() == null ? List.of()
                    : linker.record().hostConfig().links();
            List<String> kept = links.stream().filter(l -> !parse(l).alias().equals(alias)).toList();
            if (kept.size() == links.size()) {
                throw DomainException.notFound("Could not find link: /" + path);
            }
            store.update(linker, r -> r.withHostConfig(r.hostConfig().withLinks(kept)));
        } finally {
            linker.lock().unlock();
        }
    }
}
