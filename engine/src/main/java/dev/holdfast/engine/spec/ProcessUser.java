package dev.holdfast.engine.spec;

import dev.holdfast.engine.api.ApiException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The uid, gid and supplementary gids of a container's process, from {@code Config.User} and the image's files. */
public record ProcessUser(int uid, int gid, List<Integer> additionalGids) {

    /** The OCI process's {@code user} object. */
    public Map<String, Object> toSpec() {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("uid", uid);
        user.put("gid", gid);
        user.put("additionalGids", additionalGids);
        return user;
    }

    private record PasswdEntry(String name, int uid, int gid) {}

    private record GroupEntry(String name, int gid, List<String> members) {}

    /**
     * Resolves {@code user} ({@code ""}, {@code uid}, {@code name}, with an optional {@code :gid} or
     * {@code :group}) against {@code rootfs/etc/passwd} and {@code rootfs/etc/group}.
     */
    public static ProcessUser resolve(String user, Path rootfs) {
        return resolve(user, List.of(), rootfs);
    }

    /**
     * The same, with {@code HostConfig.GroupAdd}'s groups (gids, or names from {@code rootfs/etc/group}) appended to
     * the supplementary gids, as dockerd adds them to the container's process and to every exec.
     */
    public static ProcessUser resolve(String user, List<String> groupAdd, Path rootfs) {
        String spec = user == null || user.isEmpty() ? "0" : user;
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        List<PasswdEntry> passwd = readPasswd(rootfs);

        Optional<PasswdEntry> entry;
        int uid;
        if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
            entry = passwd.stream().filter(p -> p.uid == uid).findFirst();
        } else {
            entry = passwd.stream().filter(p -> p.name.equals(userPart)).findFirst();
            uid = entry.orElseThrow(() -> ApiException.badRequest(
                    "unable to find user " + userPart + ": no matching entries in passwd file")).uid;
        }

        List<GroupEntry> groups = readGroups(rootfs);
        int gid = entry.map(PasswdEntry::gid).orElse(0);
        // The primary group is a supplementary group too (Docker since CVE-2023-25173): filled in below.
        List<Integer> additional = new ArrayList<>();
        if (groupPart != null && !groupPart.isEmpty()) {
            gid = isNumber(groupPart) ? Integer.parseInt(groupPart) : groups.stream()
                    .filter(g -> g.name.equals(groupPart)).findFirst()
                    .orElseThrow(() -> ApiException.badRequest(
                            "unable to find group " + groupPart + ": no matching entries in group file")).gid;
        } else if (entry.isPresent()) {
            String name = entry.get().name;
            for (GroupEntry group : groups) {
                if (group.members.contains(name) && group.gid != gid && !additional.contains(group.gid)) {
                    additional.add(group.gid);
                }
            }
        }
        additional.add(0, gid);
        for (String group : groupAdd == null ? List.<String>of() : groupAdd) {
            int added = groups.stream().filter(g -> g.name.equals(group)).findFirst().map(GroupEntry::gid)
                    .orElseGet(() -> {
                        if (!isNumber(group)) {
                            throw ApiException.badRequest("Unable to find group " + group
                                    + ": no matching entries in group file");
                        }
                        return Integer.parseInt(group);
                    });
            if (!additional.contains(added)) {
                additional.add(added);
            }
        }
        return new ProcessUser(uid, gid, List.copyOf(additional));
    }

    private static List<PasswdEntry> readPasswd(Path rootfs) {
        List<PasswdEntry> entries = new ArrayList<>();
        for (String[] f : records(rootfs.resolve("etc/passwd"))) {
            if (f.length >= 4 && isNumber(f[2]) && isNumber(f[3])) {
                entries.add(new PasswdEntry(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3])));
            }
        }
        return entries;
    }

    private static List<GroupEntry> readGroups(Path rootfs) {
        List<GroupEntry> entries = new ArrayList<>();
        for (String[] f : records(rootfs.resolve("etc/group"))) {
            if (f.length >= 3 && isNumber(f[2])) {
                List<String> members = f.length >= 4 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
                entries.add(new GroupEntry(f[0], Integer.parseInt(f[2]), members));
            }
        }
        return entries;
    }

    /**
     * The colon-separated records of a passwd-style file. A symlink is not followed: resolved on the host it could
     * point outside the container's root, so an image with a linked /etc/passwd only gets numeric users.
     */
    private static List<String[]> records(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split(":", -1))
                    .toList();
        } catch (IOException e) {
            throw ApiException.internal("reading " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isNumber(String s) {
        return s.matches("\\d{1,10}") && Long.parseLong(s) <= Integer.MAX_VALUE;
    }
}
