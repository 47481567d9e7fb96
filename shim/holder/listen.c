/* The API socket, inherited (socket activation) or bound here. It stays open in the holder for its whole life, so
 * that connections made while no engine accepts wait in the listen backlog instead of being refused. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int inherited(void) {
    const char *fds = getenv("LISTEN_FDS");
    const char *pid = getenv("LISTEN_PID");
    if (fds == NULL || pid == NULL || atoi(fds) < 1 || (pid_t)atol(pid) != getpid()) {
        return -1;
    }
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDNAMES");
    int accepting = 0;
    socklen_t len = sizeof accepting;
    if (getsockopt(LISTEN_FD, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 || !accepting) {
        hlog("LISTEN_FDS is set but fd %d is not a listening socket", LISTEN_FD);
        return -2;
    }
    return LISTEN_FD;
}

/* True when something accepts connections at addr (then it is not ours to replace). */
static bool answered(const struct sockaddr_un *addr) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    bool ok = connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0;
    close(fd);
    return ok;
}

int listen_acquire(const char *path, bool *bound_here) {
    *bound_here = false;
    int fd = inherited();
    if (fd != -1) {
        return fd < 0 ? -1 : fd;
    }
    if (path == NULL) {
        hlog("no --socket given and no socket inherited (LISTEN_FDS)");
        return -1;
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        hlog("socket path %s is longer than %zu bytes", path, sizeof addr.sun_path - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if (answered(&addr)) {
        hlog("%s already accepts connections: another engine serves it", path);
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        hlog("unlink stale %s: %s", path, strerror(errno));
        return -1;
    }
    /* Non-blocking, as the engine's accept loop needs it (it sets the flag itself too, for sockets systemd passes). */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        hlog("socket: %s", strerror(errno));
        return -1;
    }
    mode_t old = umask(0117); /* the file is created 0660 from the start: no moment where others may connect */
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc < 0) {
        hlog("bind %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    *bound_here = true;
    if (listen(fd, SOMAXCONN) < 0) {
        hlog("listen %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return -1;
    }
    return fd;
}
