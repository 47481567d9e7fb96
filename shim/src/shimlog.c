/* The shim's own diagnostics: <bundle>/shim.log, appended, kept small (rotated once to shim.log.1). */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SLOG_MAX (64 * 1024)

static int slog_fd = -1;
static char slog_path[4096];
static off_t slog_size;

void slog_open(const char *bundle)
{
    int n = snprintf(slog_path, sizeof slog_path, "%s/shim.log", bundle);
    if (n < 0 || (size_t)n >= sizeof slog_path)
        return;
    slog_fd = open(slog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    struct stat st;
    if (slog_fd >= 0 && fstat(slog_fd, &st) == 0)
        slog_size = st.st_size;
}

void slog_close(void)
{
    if (slog_fd >= 0)
        close(slog_fd);
    slog_fd = -1;
}

static void slog_rotate(void)
{
    char old[sizeof slog_path + 4];
    snprintf(old, sizeof old, "%s.1", slog_path);
    if (rename(slog_path, old) != 0)
        return;
    int fd = open(slog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return;
    if (dup3(fd, slog_fd, O_CLOEXEC) < 0) {
        close(fd);
        return;
    }
    close(fd);
    slog_size = 0;
}

void slog(const char *fmt, ...)
{
    if (slog_fd < 0)
        return;
    int saved = errno;
    char buf[1024];
    struct timespec ts;
    now_realtime(&ts);
    size_t n = timefmt_rfc3339nano(&ts, buf);
    int m = snprintf(buf + n, sizeof buf - n, " [%d] ", (int)getpid());
    if (m > 0)
        n += (size_t)m;
    va_list ap;
    va_start(ap, fmt);
    m = vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    if (m > 0)
        n += ((size_t)m < sizeof buf - n - 1) ? (size_t)m : sizeof buf - n - 2;
    buf[n++] = '\n';
    if (slog_size + (off_t)n > SLOG_MAX)
        slog_rotate();
    ssize_t w = write(slog_fd, buf, n);
    if (w > 0)
        slog_size += w;
    errno = saved;
}
