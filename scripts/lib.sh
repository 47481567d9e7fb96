# shellcheck shell=bash
# Shared helpers for holdfast's scripts. Source it; it defines functions and HOLDFAST_HOME, nothing else runs.
#
#   find_java        sets JAVA_HOME and JAVA to a JDK >= 21 (HOLDFAST_MIN_JAVA overrides the minimum)
#   ensure_packages  apt-get installs the host packages holdfast needs, only those that are missing
#   ensure_built     runs Maven when the engine/supervisor jars or the shim are missing or older than the sources
#
# Environment knobs: HOLDFAST_SKIP_PACKAGES=1 (ensure_packages does nothing), HOLDFAST_SKIP_BUILD=1 (ensure_built
# only checks that the artifacts exist; the compat tests set it because Maven has just built them).

if [[ -z "${HOLDFAST_HOME:-}" ]]; then
    HOLDFAST_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
fi
export HOLDFAST_HOME

# HOLDFAST_ENGINE_JAR may name another engine jar (an upgrade test runs a copy it replaces between restarts).
HOLDFAST_ENGINE_JAR="${HOLDFAST_ENGINE_JAR:-$HOLDFAST_HOME/engine/target/holdfast-engine.jar}"
HOLDFAST_SUPERVISOR_JAR="$HOLDFAST_HOME/supervisor/daemon/target/holdfast-supervisor.jar"
HOLDFAST_SHIM="$HOLDFAST_HOME/shim/target/holdfast-shim"
HOLDFAST_HOLDER="$HOLDFAST_HOME/shim/target/holdfast-holder"

# Host packages (Debian names) and what proves each one is there.
HOLDFAST_PACKAGES=(runc busybox-static netavark aardvark-dns iptables tini gcc make maven valgrind)

# daemon_jvm_opts NAME: the JVM options of engine or supervisor (scripts/holdfast and the systemd units use these
# same ones).
# - Sized for a daemon: the JVM's defaults (initial heap 1/64 of RAM, maximum 1/4) commit hundreds of MB on a big
#   host and keep them: a small initial heap grows as needed. Native memory is most of the rest: freed malloc memory
#   is returned every 5 s (with MALLOC_ARENA_MAX=2, which the callers set, instead of glibc's 8 arenas per core), and
#   netty keeps one pooled arena of each kind instead of two per core (40 MB of RSS less than without these three,
#   measured).
# - The serial collector: the heaps are 10-25 MB, where G1's native structures (remembered sets, card and mark
#   tables, its refine, marker and service threads) cost more than the heap; 7-10 MiB of RSS less per daemon idle
#   with 50 containers. It gives heap back after a full collection (MaxHeapFreeRatio), not on a timer as G1's
#   periodic collection did: what stays committed is bounded by the young and tenured sizes of the last peak.
# - C1 only (TieredStopAtLevel=1): no C2 compiler thread, its arenas and the profiled code; 6-15 MiB of RSS less per
#   daemon idle, more after load, and less CPU per `docker run --rm` in the first hundreds of requests (C2 no longer
#   compiles them); the daemons wait on runc, shims and disks, not on their own code.
# - The class-data archives are mapped where they were written (ArchiveRelocationMode=0, the default before JDK 20)
#   instead of at a random address, which rewrites every pointer in them: relocated, their pages are private and
#   dirty; mapped in place, the JDK's archive is shared by both daemons and the daemon's own stays clean page cache
#   (the same RSS, 14 MiB less USS for the two).
# - Lambdas are not looked up in the class-data archive: JDK 25.0.3 crashed (SIGSEGV in
#   LambdaProxyClassDictionary::find_lambda_proxy_class) loading an archived lambda of java.net.http's selector
#   thread, 4 times in 40 minutes of tests; spinning them at run time measured no slower.
# Together, with 50 running containers on a loaded 2-core machine: engine + supervisor 168 MiB RSS idle (194 with
# G1, C2 and relocation), 181 after 23 `docker run --rm` and 1000 GET /containers/json (217).
daemon_jvm_opts() {
    local max_heap=512m
    [[ "$1" == engine ]] || max_heap=192m
    echo -Xms8m "-Xmx$max_heap" -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 \
        -XX:TieredStopAtLevel=1 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 \
        -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 \
        -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1 \
        -Djdk.internal.lambda.disableEagerInitialization=true
}

die() {
    printf '%s: error: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

warn() {
    printf '%s: warning: %s\n' "${0##*/}" "$*" >&2
}

info() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# java_major DIR: prints the feature version of the JDK in DIR (17, 21, 25, ...), or nothing.
# Reads DIR/release (no JVM start); falls back to `java -version`.
java_major() {
    local dir=$1 version=""
    if [[ -r "$dir/release" ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$dir/release" | head -n 1)
    fi
    if [[ -z "$version" && -x "$dir/bin/java" ]]; then
        version=$("$dir/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    [[ -n "$version" ]] || return 0
    if [[ "$version" == 1.* ]]; then
        version=${version#1.}
    fi
    version=${version%%[!0-9]*}
    if [[ -n "$version" ]]; then
        printf '%s\n' "$version"
    fi
}

# find_java: exports JAVA_HOME and JAVA. $JAVA_HOME wins when it is a JDK >= the minimum; otherwise the newest JDK
# (a directory with bin/javac) under /usr/lib/jvm (HOLDFAST_JVM_DIR overrides).
find_java() {
    local min=${HOLDFAST_MIN_JAVA:-21} jvm_dir=${HOLDFAST_JVM_DIR:-/usr/lib/jvm}
    local searched=() best="" best_major=0 dir major
    if [[ -n "${JAVA_HOME:-}" ]]; then
        major=$(java_major "$JAVA_HOME")
        searched+=("\$JAVA_HOME=$JAVA_HOME (${major:-not a JDK})")
        if [[ -x "$JAVA_HOME/bin/javac" && -n "$major" ]] && ((major >= min)); then
            JAVA="$JAVA_HOME/bin/java"
            export JAVA_HOME JAVA
            return 0
        fi
    fi
    if [[ -d "$jvm_dir" ]]; then
        for dir in "$jvm_dir"/*/; do
            dir=${dir%/}
            [[ -x "$dir/bin/javac" && -x "$dir/bin/java" ]] || continue
            major=$(java_major "$dir")
            searched+=("$dir (${major:-unknown version})")
            [[ -n "$major" ]] || continue
            if ((major >= min && major > best_major)); then
                best=$dir
                best_major=$major
            fi
        done
    else
        searched+=("$jvm_dir (does not exist)")
    fi
    if [[ -z "$best" ]]; then
        printf '%s: error: no JDK >= %s found. Searched:\n' "${0##*/}" "$min" >&2
        if ((${#searched[@]} == 0)); then
            printf '  %s (no directory with bin/javac)\n' "$jvm_dir" >&2
        else
            printf '  %s\n' "${searched[@]}" >&2
        fi
        printf 'Install one (e.g. apt-get install openjdk-21-jdk-headless) or set JAVA_HOME.\n' >&2
        return 1
    fi
    JAVA_HOME=$best
    JAVA="$best/bin/java"
    export JAVA_HOME JAVA
}

package_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root to run: $*"
    fi
}

# ensure_packages: installs what is missing among HOLDFAST_PACKAGES. Fast and offline when nothing is missing.
ensure_packages() {
    if [[ "${HOLDFAST_SKIP_PACKAGES:-0}" == 1 ]]; then
        return 0
    fi
    command -v dpkg-query >/dev/null 2>&1 || {
        warn "dpkg-query not found: not a Debian system, not checking packages"
        return 0
    }
    local missing=() pkg
    for pkg in "${HOLDFAST_PACKAGES[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    info "installing missing packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# newer_sources ARTIFACT DIR...: prints the first source file under DIR... newer than ARTIFACT. Build output
# (target/) and tests (src/test/, shim/test/) do not count: they do not go into the artifacts.
newer_sources() {
    local artifact=$1
    shift
    find "$@" \( -name target -o -path '*/src/test' -o -path '*/shim/test' \) -prune \
        -o -type f -newer "$artifact" -print -quit 2>/dev/null
}

# stale_artifacts: prints why the engine jar, the supervisor jar, the shim or the holder need a build; nothing when
# they do not.
stale_artifacts() {
    local h=$HOLDFAST_HOME artifact newer
    local -A sources=(
        ["$HOLDFAST_ENGINE_JAR"]="$h/engine $h/supervisor/api $h/supervisor/pom.xml"
        ["$HOLDFAST_SUPERVISOR_JAR"]="$h/supervisor"
        ["$HOLDFAST_SHIM"]="$h/shim"
        ["$HOLDFAST_HOLDER"]="$h/shim"
    )
    for artifact in "$HOLDFAST_ENGINE_JAR" "$HOLDFAST_SUPERVISOR_JAR" "$HOLDFAST_SHIM" "$HOLDFAST_HOLDER"; do
        if [[ ! -e "$artifact" ]]; then
            printf '%s is missing\n' "$artifact"
            return 0
        fi
        if [[ "${HOLDFAST_SKIP_BUILD:-0}" != 1 ]]; then
            local -a dirs
            read -r -a dirs <<<"$h/pom.xml ${sources[$artifact]}"
            newer=$(newer_sources "$artifact" "${dirs[@]}")
            if [[ -n "$newer" ]]; then
                printf '%s is newer than %s\n' "${newer#"$h"/}" "${artifact#"$h"/}"
                return 0
            fi
        fi
    done
}

# ensure_built: builds the engine jar, the supervisor jar and the shim when missing or stale. Serialized with a lock
# so that concurrent `holdfast up` calls do not run Maven twice at once.
ensure_built() {
    local h=$HOLDFAST_HOME stale
    stale=$(stale_artifacts)
    [[ -z "$stale" ]] && return 0
    if [[ "${HOLDFAST_SKIP_BUILD:-0}" == 1 ]]; then
        die "$stale (HOLDFAST_SKIP_BUILD=1: build with 'mvn -DskipTests install' first)"
    fi
    find_java
    mkdir -p "$h/build"
    (
        flock 9
        # Someone else may have built while we waited for the lock.
        stale=$(stale_artifacts)
        [[ -n "$stale" ]] || exit 0
        info "building: $stale"
        cd "$h"
        JAVA_HOME=$JAVA_HOME mvn -B -q -DskipTests -pl shim,supervisor/daemon,engine -am install
        # Maven (make, for the shim) may leave an artifact untouched when its own inputs did not change: mark all
        # three as built from the current sources, or every later call would run Maven again.
        touch -c "$HOLDFAST_ENGINE_JAR" "$HOLDFAST_SUPERVISOR_JAR" "$HOLDFAST_SHIM" "$HOLDFAST_HOLDER"
    ) 9>"$h/build/.build.lock" || die "maven build failed"
    stale=$(stale_artifacts)
    [[ -z "$stale" ]] || die "still not built after maven: $stale"
}
