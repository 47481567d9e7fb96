package dev.holdfast.engine.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.holdfast.engine.api.Json;
import dev.holdfast.engine.errdefs.DomainException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A seccomp profile in Docker's format: OCI's {@code linux.seccomp} plus rules that apply only for some capabilities,
 * architectures or kernels ({@code includes}/{@code excludes}). It is what {@code docker run --security-opt
 * seccomp=file.json} sends, and the form of holdfast's own default profile (seccomp-default.json beside this class).
 * Resolving it for a container's capabilities gives the OCI form that runc loads, as dockerd does at spec time.
 */
public record SeccompProfile(
        String defaultAction,
        Integer defaultErrnoRet,
        List<String> architectures,
        List<ArchMap> archMap,
        List<String> flags,
        String listenerPath,
        List<Rule> syscalls) {

    /** An architecture and the ones its processes may also run as (x86-64 runs i386 and x32 binaries). */
    public record ArchMap(String architecture, List<String> subArchitectures) {}

    /** Exactly one of {@code name} and {@code names}. */
    public record Rule(String name, List<String> names, String action, Integer errnoRet, List<Arg> args,
            Filter includes, Filter excludes) {}

    /** A condition on one argument; values are 64-bit unsigned. */
    public record Arg(int index, BigInteger value, BigInteger valueTwo, String op) {}

    /** Capabilities (all of them), architectures (Go's names: amd64, arm64...), minimum kernel. */
    public record Filter(List<String> caps, List<String> arches, String minKernel) {}

    /** The machine a profile is resolved for: its architecture in Docker's and libseccomp's names, its kernel. */
    public record Platform(String nativeArch, String seccompArch, int kernelMajor, int kernelMinor) {
        public static Platform current() {
            String arch = System.getProperty("os.arch");
            String[] release = System.getProperty("os.version").split("[.-]");
            int major = Integer.parseInt(release[0]);
            int minor = release.length > 1 ? Integer.parseInt(release[1]) : 0;
            return switch (arch) {
                case "amd64", "x86_64" -> new Platform("amd64", "SCMP_ARCH_X86_64", major, minor);
                case "aarch64", "arm64" -> new Platform("arm64", "SCMP_ARCH_AARCH64", major, minor);
                default -> new Platform(arch, "", major, minor);
            };
        }

        boolean kernelAtLeast(String version) {
            String[] parts = version.split("\\.");
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return kernelMajor > major || (kernelMajor == major && kernelMinor >= minor);
        }
    }

    // What runc (libseccomp 2.5) knows; anything else would only fail later, when the container starts.
    private static final Set<String> ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
            "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG");
    private static final Set<String> OPERATORS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
            "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");
    private static final Set<String> ARCHES = Set.of("SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
            "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
            "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X");
    private static final Set<String> FLAGS = Set.of("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW");

    private static final SeccompProfile BUILTIN = load();

    /** holdfast's default profile: Docker's allowlist, with system calls gated by the capabilities that guard them. */
    public static SeccompProfile builtin() {
        return BUILTIN;
    }

    /** A profile a client sent; 400 for JSON that is not one, or that runc would refuse when the container starts. */
    public static SeccompProfile parse(String json) {
        SeccompProfile profile;
        try {
            profile = Json.MAPPER.readValue(json, SeccompProfile.class);
        } catch (JsonProcessingException e) {
            throw DomainException.invalidParameter("Decoding seccomp profile failed: " + e.getOriginalMessage());
        }
        if (profile == null) {
            throw DomainException.invalidParameter("Decoding seccomp profile failed: empty profile");
        }
        profile.validate();
        return profile;
    }

    private static SeccompProfile load() {
        try (InputStream in = SeccompProfile.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp-default.json is missing from the engine's classpath");
            }
            SeccompProfile profile = Json.MAPPER.readValue(in, SeccompProfile.class);
            profile.validate();
            return profile;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the default seccomp profile", e);
        }
    }

    private void validate() {
        if (architectures != null && !architectures.isEmpty() && archMap != null && !archMap.isEmpty()) {
            throw invalid("'architectures' and 'archMap' were specified in the seccomp profile, use either"
                    + " 'architectures' or 'archMap'");
        }
        if (listenerPath != null && !listenerPath.isEmpty()) {
            throw DomainException.notImplemented("a seccomp profile with listenerPath (SCMP_ACT_NOTIFY)");
        }
        if (defaultAction != null && !defaultAction.isEmpty()) {
            known("action", defaultAction, ACTIONS);
        }
        for (String arch : list(architectures)) {
            known("architecture", arch, ARCHES);
        }
        for (ArchMap map : list(archMap)) {
            known("architecture", map.architecture(), ARCHES);
            list(map.subArchitectures()).forEach(sub -> known("architecture", sub, ARCHES));
        }
        list(flags).forEach(flag -> known("flag", flag, FLAGS));
        for (Rule rule : list(syscalls)) {
            boolean hasName = rule.name() != null && !rule.name().isEmpty();
            if (hasName && !list(rule.names()).isEmpty()) {
                throw invalid("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
            }
            if (!hasName && list(rule.names()).isEmpty()) {
                throw invalid("a syscalls entry names no system call");
            }
            known("action", rule.action(), ACTIONS);
            for (Arg arg : list(rule.args())) {
                known("operator", arg.op(), OPERATORS);
                if (arg.index() < 0 || arg.index() > 5) {
                    throw invalid("argument index " + arg.index() + " is out of range 0-5");
                }
            }
            for (Filter filter : new Filter[] {rule.includes(), rule.excludes()}) {
                if (filter != null && filter.minKernel() != null && !filter.minKernel().matches("\\d+(\\.\\d+)*")) {
                    throw invalid("minKernel " + filter.minKernel() + " is not a kernel version like 4.8");
                }
            }
        }
    }

    /**
     * The OCI {@code linux.seccomp} for a container, or null where the profile is empty (no default action and no
     * rules: Docker's way of saying no filter).
     *
     * @param bounding the container's bounding capabilities ({@code CAP_SYS_ADMIN}...), which gate the rules
     */
    public Map<String, Object> resolve(List<String> bounding, Platform platform) {
        if ((defaultAction == null || defaultAction.isEmpty()) && list(syscalls).isEmpty()) {
            return null;
        }
        Map<String, Object> oci = new LinkedHashMap<>();
        oci.put("defaultAction", defaultAction);
        if (defaultErrnoRet != null) {
            oci.put("defaultErrnoRet", defaultErrnoRet);
        }
        List<String> arches = new ArrayList<>(list(architectures));
        for (ArchMap map : list(archMap)) {
            if (map.architecture().equals(platform.seccompArch())) {
                arches.add(map.architecture());
                arches.addAll(list(map.subArchitectures()));
            }
        }
        if (!arches.isEmpty()) {
            oci.put("architectures", arches);
        }
        if (!list(flags).isEmpty()) {
            oci.put("flags", flags);
        }
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Rule rule : list(syscalls)) {
            if (applies(rule, bounding, platform)) {
                rules.add(oci(rule));
            }
        }
        oci.put("syscalls", rules);
        return oci;
    }

    private static boolean applies(Rule rule, List<String> bounding, Platform platform) {
        Filter excludes = rule.excludes();
        if (excludes != null) {
            if (list(excludes.arches()).contains(platform.nativeArch())
                    || list(excludes.caps()).stream().anyMatch(bounding::contains)
                    || (excludes.minKernel() != null && platform.kernelAtLeast(excludes.minKernel()))) {
                return false;
            }
        }
        Filter includes = rule.includes();
        if (includes != null) {
            if ((!list(includes.arches()).isEmpty() && !includes.arches().contains(platform.nativeArch()))
                    || !bounding.containsAll(list(includes.caps()))
                    || (includes.minKernel() != null && !platform.kernelAtLeast(includes.minKernel()))) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> oci(Rule rule) {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("names", rule.name() != null && !rule.name().isEmpty() ? List.of(rule.name()) : rule.names());
        call.put("action", rule.action());
        if (rule.errnoRet() != null) {
            call.put("errnoRet", rule.errnoRet());
        }
        if (!list(rule.args()).isEmpty()) {
            call.put("args", rule.args().stream().map(arg -> {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("index", arg.index());
                a.put("value", arg.value() == null ? BigInteger.ZERO : arg.value());
                a.put("valueTwo", arg.valueTwo() == null ? BigInteger.ZERO : arg.valueTwo());
                a.put("op", arg.op());
                return a;
            }).toList());
        }
        return call;
    }

    private static void known(String what, String value, Set<String> known) {
        if (value == null || !known.contains(value)) {
            throw invalid("unknown " + what + " " + (value == null ? "(none)" : "\"" + value + "\"")
                    + " in the seccomp profile");
        }
    }

    private static DomainException invalid(String message) {
        return DomainException.invalidParameter("Decoding seccomp profile failed: " + message);
    }

    private static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : values;
    }
}
