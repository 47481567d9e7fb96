/* Small state files written atomically: tmp file in the same directory, fsync, rename, fsync dir. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int write_file_atomic(const char *dir, const char *name, const char *data, size_t n)
{
    char tmp[4200], dst[4200];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        slog("open %s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            slog("write %s: %s", tmp, strerror(errno));
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        slog("fsync %s: %s", tmp, strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        slog("close %s: %s", tmp, strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, dst) != 0) {
        slog("rename %s -> %s: %s", tmp, dst, strerror(errno));
        goto fail;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        slog("open %s: %s", dir, strerror(errno));
        return 0; /* the file is in place; only durability is weaker */
    }
    if (fsync(dfd) != 0)
        slog("fsync %s: %s", dir, strerror(errno));
    close(dfd);
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    return -1;
}

/* shim.pid: "<pid> <start time in clock ticks, /proc/PID/stat field 22>\n" */
int write_shim_pid(const char *bundle)
{
    char stat[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        slog("open /proc/self/stat: %s", strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, stat, sizeof stat - 1);
    int e = errno;
    close(fd);
    if (n <= 0) {
        slog("read /proc/self/stat: %s", n < 0 ? strerror(e) : "empty");
        return -1;
    }
    stat[n] = '\0';
    /* fields after the comm, which may contain spaces and parens: start after the last ')' */
    char *p = strrchr(stat, ')');
    if (!p) {
        slog("parse /proc/self/stat: no ')'");
        return -1;
    }
    p++;
    /* p now points at " <field 3> ..."; field 22 is the 20th field after it */
    unsigned long long start = 0;
    int field = 2;
    char *tok = p;
    while (*tok && field < 22) {
        while (*tok == ' ')
            tok++;
        field++;
        if (field == 22)
            break;
        while (*tok && *tok != ' ')
            tok++;
    }
    if (field != 22 || sscanf(tok, "%llu", &start) != 1) {
        slog("parse /proc/self/stat: no start time");
        return -1;
    }
    char line[64];
    int len = snprintf(line, sizeof line, "%d %llu\n", (int)getpid(), start);
    return write_file_atomic(bundle, "shim.pid", line, (size_t)len);
}

int write_exit_json(const char *bundle, pid_t pid, int code, const struct timespec *at)
{
    char t[TIMEFMT_MAX];
    timefmt_rfc3339nano(at, t);
    char buf[160];
    int len = snprintf(buf, sizeof buf, "{\"pid\":%d,\"exit_code\":%d,\"exited_at\":\"%s\"}\n", (int)pid, code, t);
    return write_file_atomic(bundle, "exit.json", buf, (size_t)len);
}
