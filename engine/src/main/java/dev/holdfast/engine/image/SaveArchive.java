package dev.holdfast.engine.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.engine.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A {@code docker save} archive (or an OCI layout) unpacked into a scratch directory, and the images it holds. The
 * outer tar must be spooled: its manifest usually comes after the layers. Only regular files and directories are
 * written; symlinks and hard links (docker save links repeated layers) are kept as a lexical alias table and
 * resolved inside the archive, so the scratch directory never holds a link to follow.
 */
final class SaveArchive {
    private static final int MAX_LINK_HOPS = 16;

    private final Path dir;
    private final Map<String, String> aliases = new HashMap<>();

    /** One image the archive holds: its config file, its tags, its layer files in order. */
    record Entry(String config, List<String> repoTags, List<String> layers) {}

    private SaveArchive(Path dir) {
        this.dir = dir;
    }

    /** Unpacks the (already decompressed) archive stream into {@code scratch}, an empty directory. */
    static SaveArchive unpack(InputStream tarStream, Path scratch) throws IOException {
        SaveArchive archive = new SaveArchive(scratch);
        TarArchiveInputStream tar = new TarArchiveInputStream(tarStream);
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            archive.add(tar, entry);
        }
        return archive;
    }

    private void add(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
        List<String> parts = EntryPath.components(entry.getName());
        if (parts.isEmpty()) {
            return;
        }
        String name = String.join("/", parts);
        if (entry.isSymbolicLink()) {
            aliases.put(name, join(parent(name), entry.getLinkName(), entry.getName()));
        } else if (entry.isLink()) {
            aliases.put(name, join("", entry.getLinkName(), entry.getName()));
        } else if (entry.isDirectory()) {
            Files.createDirectories(dir.resolve(name));
        } else if (entry.isFile()) {
            Path target = dir.resolve(name);
            Files.createDirectories(target.getParent());
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                tar.transferTo(out);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw EntryPath.refused(entry.getName(), "duplicate entry");
            }
        }
    }

    /** The images of the archive: from manifest.json, or from an OCI layout's index.json without one. */
    List<Entry> images() throws IOException {
        Path manifest = file("manifest.json");
        if (!Files.isRegularFile(manifest, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(file("index.json"), LinkOption.NOFOLLOW_LINKS)) {
                return new OciLayout(this).entries();
            }
            throw ImageException.invalid("invalid archive: manifest.json not found (is this a docker save archive?)");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(manifest.toFile());
        } catch (IOException e) {
            throw ImageException.invalid("invalid manifest.json: " + e.getMessage());
        }
        if (root == null || !root.isArray()) {
            throw ImageException.invalid("invalid manifest.json: not a JSON array");
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode item : root) {
            String config = item.path("Config").asText("");
            if (config.isEmpty()) {
                throw ImageException.invalid("invalid manifest.json: an entry has no Config");
            }
            List<String> tags = new ArrayList<>();
            item.path("RepoTags").forEach(t -> tags.add(t.asText()));
            List<String> layers = new ArrayList<>();
            item.path("Layers").forEach(l -> layers.add(l.asText()));
            entries.add(new Entry(config, List.copyOf(tags), List.copyOf(layers)));
        }
        return entries;
    }

    /**
     * The unpacked file an archive path names, following the archive's own links; anything that would leave
     * the archive, or is not a regular file in it, is refused.
     */
    Path file(String archivePath) {
        String name = String.join("/", EntryPath.components(archivePath));
        for (int hops = 0; aliases.containsKey(name); hops++) {
            if (hops == MAX_LINK_HOPS) {
                throw EntryPath.refused(archivePath, "too many levels of links");
            }
            name = aliases.get(name);
        }
        return dir.resolve(name);
    }

    byte[] read(String archivePath) throws IOException {
        Path path = file(archivePath);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw ImageException.invalid("invalid archive: " + archivePath + " not found");
        }
        return Files.readAllBytes(path);
    }

    InputStream open(String archivePath) throws IOException {
        Path path = file(archivePath);
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw ImageException.invalid("invalid archive: " + archivePath + " not found");
        }
        return Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
    }

    private static String parent(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }

    /** {@code target} resolved against {@code base}, lexically, refused if it climbs out of the archive. */
    private static String join(String base, String target, String entryName) {
        if (target.startsWith("/")) {
            throw EntryPath.refused(entryName, "link to absolute path \"" + target + "\"");
        }
        List<String> parts = new ArrayList<>(base.isEmpty() ? List.of() : List.of(base.split("/")));
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw EntryPath.refused(entryName, "link to \"" + target + "\" points outside the archive");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }
}
