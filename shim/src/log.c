/* The container log in Docker's json-file format:
 *   {"log":"hello\n","stream":"stdout","time":"2026-11-22T03:58:37.123456789Z"}\n
 * with optional rotation like Docker's (file, file.1, ... file.N-1).
 * A line that cannot be written (a full disk) is dropped, never waited for: the container's writes must not block
 * on its log. A line cut short is cut off the file again, so it stays line-aligned JSON, and once writing works
 * again a stderr line says how many lines were dropped and why, as dockerd's json-file drops and logs them. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OUTBUF (LINE_MAX_BYTES + 1024)

static int log_fd = -1;
static const char *log_path;
static long long log_max_size; /* 0: unlimited */
static int log_max_files;
static long long log_size;
static int last_errno;
static char outbuf[OUTBUF];
static size_t outlen;
static int line_failed;         /* a write of the current line failed: the rest of it is not written */
static long long dropped_lines; /* lines lost since the last one written */
static int dropped_errno;       /* why the first of them was lost */

static int open_log(void)
{
    int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        slog("open %s: %s", log_path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        slog("fstat %s: %s", log_path, strerror(errno));
        log_size = 0;
    } else {
        log_size = st.st_size;
    }
    return fd;
}

int jlog_open(const char *path, long long max_size, int max_files)
{
    log_path = path;
    log_max_size = max_size > 0 ? max_size : 0;
    log_max_files = max_files > 0 ? max_files : 1;
    log_fd = open_log();
    return log_fd < 0 ? -1 : 0;
}

void jlog_close(void)
{
    if (log_fd >= 0 && close(log_fd) != 0)
        slog("close %s: %s", log_path, strerror(errno));
    log_fd = -1;
}

static void rotate(void)
{
    if (log_max_files < 2) {
        if (ftruncate(log_fd, 0) != 0)
            slog("ftruncate %s: %s", log_path, strerror(errno));
        else
            log_size = 0;
        return;
    }
    char from[4200], to[4200];
    for (int i = log_max_files - 1; i >= 1; i--) {
        if (i == 1)
            snprintf(from, sizeof from, "%s", log_path);
        else
            snprintf(from, sizeof from, "%s.%d", log_path, i - 1);
        snprintf(to, sizeof to, "%s.%d", log_path, i);
        if (rename(from, to) != 0 && errno != ENOENT)
            slog("rename %s -> %s: %s", from, to, strerror(errno));
    }
    int fd = open_log();
    if (fd < 0)
        return; /* keep writing to the renamed file rather than losing output */
    close(log_fd);
    log_fd = fd;
}

static void flush_out(void)
{
    size_t off = 0;
    while (off < outlen && !line_failed) {
        ssize_t w = write(log_fd, outbuf + off, outlen - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != last_errno)
                slog("write %s: %s (log lines dropped until it works again)", log_path, strerror(errno));
            last_errno = errno;
            line_failed = 1;
            break;
        }
        off += (size_t)w;
        log_size += w;
    }
    outlen = 0;
}

static void put(const char *s, size_t n)
{
    if (outlen + n > OUTBUF)
        flush_out();
    memcpy(outbuf + outlen, s, n);
    outlen += n;
}

/* Escape data into outbuf, flushing between slices that never split a UTF-8 sequence. */
static void put_escaped(const unsigned char *data, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t room = (OUTBUF - outlen) / JSON_ESC_MAX;
        if (room < 64) {
            flush_out();
            continue;
        }
        size_t e = n - i <= room ? n : i + room;
        if (e < n) {
            size_t b = e;
            for (int k = 0; k < 3 && b > i && (data[b] & 0xC0) == 0x80; k++)
                b--;
            if ((data[b] & 0xC0) != 0x80 && b > i)
                e = b;
        }
        outlen += json_escape(data + i, e - i, outbuf + outlen);
        i = e;
    }
}

/* Writes one JSON line; 0 when all of it is in the file, -1 when it is not (and none of it is). */
static int write_line(const char *stream, const unsigned char *data, size_t n, const struct timespec *ts)
{
    char tbuf[TIMEFMT_MAX];
    size_t tlen = timefmt_rfc3339nano(ts, tbuf);
    static const char p1[] = "{\"log\":\"";
    static const char p2[] = "\",\"stream\":\"";
    static const char p3[] = "\",\"time\":\"";
    static const char p4[] = "\"}\n";
    size_t slen = strlen(stream);
    if (log_max_size > 0) {
        long long total = (long long)(sizeof p1 - 1 + json_escape(data, n, NULL) + sizeof p2 - 1 + slen +
                                      sizeof p3 - 1 + tlen + sizeof p4 - 1);
        if (log_size > 0 && log_size + total > log_max_size)
            rotate();
    }
    long long line_start = log_size;
    line_failed = 0;
    put(p1, sizeof p1 - 1);
    put_escaped(data, n);
    put(p2, sizeof p2 - 1);
    put(stream, slen);
    put(p3, sizeof p3 - 1);
    put(tbuf, tlen);
    put(p4, sizeof p4 - 1);
    flush_out();
    if (!line_failed) {
        last_errno = 0;
        return 0;
    }
    if (log_size > line_start) {
        if (ftruncate(log_fd, line_start) == 0)
            log_size = line_start;
        else
            slog("ftruncate %s to the last whole line: %s", log_path, strerror(errno));
    }
    return -1;
}

void jlog_write(const char *stream, const unsigned char *data, size_t n, const struct timespec *ts)
{
    if (log_fd < 0)
        return;
    if (dropped_lines > 0) {
        char notice[256];
        int len = snprintf(notice, sizeof notice, "holdfast: %lld log lines dropped: %s\n", dropped_lines,
                           strerror(dropped_errno));
        if (len < 0 || (size_t)len >= sizeof notice || write_line("stderr", (const unsigned char *)notice,
                                                                   (size_t)len, ts) != 0) {
            dropped_lines++;
            return;
        }
        slog("%lld log lines dropped, writing again", dropped_lines);
        dropped_lines = 0;
    }
    if (write_line(stream, data, n, ts) != 0) {
        if (dropped_lines == 0)
            dropped_errno = last_errno;
        dropped_lines++;
    }
}
