package dev.holdfast.compat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A minimal ustar writer for tests: entries are written exactly as named (so {@code ../x} and {@code /abs} can be
 * produced on purpose), mtime 0, uid/gid 0. Also builds {@code docker save} archives of one image.
 */
final class TarWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean finished;

    TarWriter file(String name, byte[] content, int mode) {
        header(name, '0', content.length, mode, "");
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    TarWriter file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    TarWriter directory(String name) {
        header(name.endsWith("/") ? name : name + "/", '5', 0, 0755, "");
        return this;
    }

    TarWriter symlink(String name, String target) {
        header(name, '2', 0, 0777, target);
        return this;
    }

    TarWriter hardLink(String name, String target) {
        header(name, '1', 0, 0644, target);
        return this;
    }

    /** The archive, with its two zero blocks at the end. */
    byte[] toByteArray() {
        if (!finished) {
            out.writeBytes(new byte[1024]);
            finished = true;
        }
        return out.toByteArray();
    }

    private void header(String name, char type, long size, int mode, String linkName) {
        if (finished) {
            throw new IllegalStateException("archive already finished");
        }
        byte[] header = new byte[512];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("name longer than 100 bytes: " + name);
        }
        byte[] link = linkName.getBytes(StandardCharsets.UTF_8);
        if (link.length > 100) {
            throw new IllegalArgumentException("link target longer than 100 bytes: " + linkName);
        }
        System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
        octal(header, 100, 8, mode);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        octal(header, 124, 12, size);
        octal(header, 136, 12, 0);
        header[156] = (byte) type;
        System.arraycopy(link, 0, header, 157, link.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 6);
        header[263] = '0';
        header[264] = '0';
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 265, 4);
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, header, 297, 4);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        System.arraycopy(checksum.getBytes(StandardCharsets.US_ASCII), 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        out.writeBytes(header);
    }

    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = String.format("%0" + (length - 1) + "o", value);
        System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }

    private void pad(long size) {
        int rest = (int) (size % 512);
        if (rest != 0) {
            out.writeBytes(new byte[512 - rest]);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One image as {@code docker save} writes it: its config (exact bytes: the image id is their sha256). */
    record SavedImage(byte[] archive, byte[] config) {
        /** {@code sha256:<hex>}: what {@code docker image inspect} must report as Id. */
        String id() {
            return "sha256:" + sha256(config);
        }
    }

    /** A docker-save archive of one single-layer linux/amd64 image tagged {@code repoTag}, running {@code cmd}. */
    static SavedImage savedImage(String repoTag, byte[] layer, List<String> cmd) {
        StringBuilder cmdJson = new StringBuilder("[");
        for (int i = 0; i < cmd.size(); i++) {
            cmdJson.append(i == 0 ? "" : ",").append(jsonString(cmd.get(i)));
        }
        cmdJson.append(']');
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
                + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Cmd\":" + cmdJson + "},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256(layer) + "\"]},"
                + "\"history\":[{\"created\":\"2024-01-02T03:04:05Z\",\"created_by\":\"holdfast compat test\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        String configName = sha256(config) + ".json";
        String layerName = sha256(layer) + "/layer.tar";
        byte[] manifest = ("[{\"Config\":" + jsonString(configName) + ",\"RepoTags\":[" + jsonString(repoTag)
                + "],\"Layers\":[" + jsonString(layerName) + "]}]").getBytes(StandardCharsets.UTF_8);
        TarWriter archive = new TarWriter();
        for (Map.Entry<String, byte[]> e : List.of(
                Map.entry(configName, config),
                Map.entry(layerName, layer),
                Map.entry("manifest.json", manifest))) {
            if (e.getKey().contains("/")) {
                archive.directory(e.getKey().substring(0, e.getKey().indexOf('/')));
            }
            archive.file(e.getKey(), e.getValue(), 0644);
        }
        return new SavedImage(archive.toByteArray(), config);
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
