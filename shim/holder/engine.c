/* One engine process as the holder sees it: spawned with the API socket and two handover pipes, told "go", and
 * heard from ("warm": booted and waiting for go; "serving": answering on the socket). */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* In the child: put fd at target without CLOEXEC. */
static int place(int fd, int target) {
    if (fd == target) {
        return fcntl(fd, F_SETFD, 0);
    }
    return dup2(fd, target) < 0 ? -1 : 0;
}

bool engine_spawn(struct engine *e, enum role role, int listen_fd, char *const argv[]) {
    int go[2], notify[2];
    if (pipe2(go, O_CLOEXEC) < 0) {
        hlog("pipe: %s", strerror(errno));
        return false;
    }
    if (pipe2(notify, O_CLOEXEC) < 0) {
        hlog("pipe: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        hlog("fork: %s", strerror(errno));
        close(go[0]);
        close(go[1]);
        close(notify[0]);
        close(notify[1]);
        return false;
    }
    if (pid == 0) {
        /* Move the child's ends above 5 first, so that placing one never overwrites another. */
        int lfd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 10);
        int gfd = fcntl(go[0], F_DUPFD_CLOEXEC, 10);
        int nfd = fcntl(notify[1], F_DUPFD_CLOEXEC, 10);
        if (lfd < 0 || gfd < 0 || nfd < 0 || place(lfd, LISTEN_FD) < 0 || place(gfd, GO_FD) < 0 ||
            place(nfd, NOTIFY_FD) < 0) {
            dprintf(STDERR_FILENO, "holdfast-holder: placing the engine's fds: %s\n", strerror(errno));
            _exit(127);
        }
        char pidbuf[24];
        snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
        sigset_t none;
        sigemptyset(&none);
        if (setenv("LISTEN_FDS", "1", 1) < 0 || setenv("LISTEN_PID", pidbuf, 1) < 0 ||
            setenv("LISTEN_FDNAMES", "api", 1) < 0 || setenv("HOLDFAST_HANDOVER_FDS", "4,5", 1) < 0 ||
            sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
            dprintf(STDERR_FILENO, "holdfast-holder: preparing the engine: %s\n", strerror(errno));
            _exit(127);
        }
        execvp(argv[0], argv);
        dprintf(STDERR_FILENO, "holdfast-holder: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(go[0]);
    close(notify[1]);
    if (fcntl(notify[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(go[1], F_SETFL, O_NONBLOCK) < 0) {
        hlog("fcntl O_NONBLOCK: %s", strerror(errno));
    }
    *e = (struct engine){.role = role, .pid = pid, .go_fd = go[1], .notify_fd = notify[0],
                         .started_ms = mono_ms()};
    hlog("started engine pid %d (%s)", (int)pid, role == ROLE_ACTIVE ? "active" : "next");
    return true;
}

void engine_go(struct engine *e, bool after_release) {
    if (e->go_sent) {
        return;
    }
    e->go_sent = true;
    /* "go released": the previous engine stopped cleanly a moment ago, so its records agree with the tasks and the
     * new one may serve before its first reconcile. A few bytes into an empty pipe never block nor come out short.
     * EPIPE: it died, and its reaping follows. */
    const char *line = after_release ? "go released\n" : "go\n";
    if (write(e->go_fd, line, strlen(line)) != (ssize_t)strlen(line)) {
        hlog("telling engine %d to go: %s", (int)e->pid, strerror(errno));
    }
}

bool engine_read(struct engine *e, void (*on_line)(struct engine *e, const char *line)) {
    char chunk[256];
    ssize_t n = read(e->notify_fd, chunk, sizeof chunk);
    if (n < 0) {
        return errno == EAGAIN || errno == EINTR;
    }
    if (n == 0) {
        return false;
    }
    pid_t pid = e->pid;
    for (ssize_t i = 0; i < n; i++) {
        if (chunk[i] == '\n') {
            e->buf[e->len] = '\0';
            e->len = 0;
            on_line(e, e->buf);
            if (e->pid != pid) {
                return true; /* on_line retired it (the slot may hold another engine now) */
            }
        } else if (e->len < MSG_MAX - 1) {
            e->buf[e->len++] = chunk[i];
        }
    }
    return true;
}

void engine_forget(struct engine *e) {
    if (e->go_fd >= 0) {
        close(e->go_fd);
    }
    if (e->notify_fd >= 0) {
        close(e->notify_fd);
    }
    *e = (struct engine){.role = ROLE_NONE, .go_fd = -1, .notify_fd = -1};
}

void pidfile_write(const char *path, pid_t pid) {
    if (path == NULL) {
        return;
    }
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        hlog("pid file path too long: %s", path);
        return;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        hlog("open %s: %s", tmp, strerror(errno));
        return;
    }
    char line[24];
    int len = snprintf(line, sizeof line, "%d\n", (int)pid);
    if (write(fd, line, (size_t)len) != len || fsync(fd) < 0) {
        hlog("write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        hlog("rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
    }
}
