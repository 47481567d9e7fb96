package dev.holdfast.engine.spec;

import dev.holdfast.engine.errdefs.DomainException;
import java.util.Set;
import java.util.TreeSet;

/** A cpuset list ({@code 0-2,4}) of CPUs or memory nodes, as the kernel's cpuset files and {@code --cpuset-cpus} write it. */
record CpusetList(Set<Integer> members) {
    /** Linux's usual maximum number of CPUs: a larger number is accepted only when the host has it. */
    private static final int MAX = 8192;

    /** @throws DomainException {@code invalid format: <text>} or {@code value of out range, maximum is <max>} */
    static CpusetList parse(String text, int maximum) {
        Set<Integer> members = new TreeSet<>();
        if (text == null || text.isEmpty()) {
            return new CpusetList(members);
        }
        for (String part : text.split(",", -1)) {
            String[] range = part.split("-", -1);
            if (range.length > 2 || !range[0].matches("\\d{1,9}") || (range.length == 2 && !range[1].matches("\\d{1,9}"))) {
                throw DomainException.invalidParameter("invalid format: " + text);
            }
            int first = Integer.parseInt(range[0]);
            int last = range.length == 2 ? Integer.parseInt(range[1]) : first;
            if (last < first) {
                throw DomainException.invalidParameter("invalid format: " + text);
            }
            if (last > maximum) {
                throw DomainException.invalidParameter("value of out range, maximum is " + maximum);
            }
            for (int i = first; i <= last; i++) {
                members.add(i);
            }
        }
        return new CpusetList(members);
    }

    /**
     * dockerd's check of {@code CpusetCpus} or {@code CpusetMems} against what the host has ({@code available}).
     *
     * @param what "CPUs" or "memory nodes"; {@code field} "cpus" or "mems"
     */
    static void requireAvailable(String requested, String available, String what, String field) {
        if (requested == null || requested.isEmpty()) {
            return;
        }
        CpusetList host = parse(available, Integer.MAX_VALUE);
        int maximum = Math.max(MAX, host.members.stream().mapToInt(Integer::intValue).max().orElse(0));
        CpusetList asked;
        try {
            asked = parse(requested, maximum);
        } catch (DomainException e) {
            throw DomainException.invalidParameter("Invalid value " + requested + " for cpuset " + field + ": "
                    + e.getMessage());
        }
        if (!host.members.containsAll(asked.members)) {
            throw DomainException.invalidParameter("Requested " + what + " are not available - requested " + requested
                    + ", available: " + available);
        }
    }
}
