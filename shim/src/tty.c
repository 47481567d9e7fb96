/* The terminal (--tty): the console socket over which runc hands over the pty master (SCM_RIGHTS), and the
 * terminal size. The socket is bound as "tty.sock" relative to the shim's directory and runc runs with that
 * directory as its working directory, so a long directory path never hits the 108-byte sun_path limit. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define MAX_PASSED_FDS 4 /* runc sends one; room to close any extra a confused peer sends */

static int listen_fd = -1;
static int master_fd = -1; /* kept for resizing; io.c reads and writes through dups of it */
static bool size_pending;
static struct winsize pending;

static void sock_path(char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/%s", S.dir, TTY_SOCK);
}

int tty_listen(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, TTY_SOCK);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        slog("console socket: socket: %s", strerror(errno));
        return -1;
    }
    /* bind relative to the directory, then back to "/" where the shim lives */
    if (chdir(S.dir) != 0) {
        int e = errno;
        slog("console socket: chdir %s: %s", S.dir, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    if (unlink(TTY_SOCK) != 0 && errno != ENOENT)
        slog("console socket: unlink stale %s/%s: %s", S.dir, TTY_SOCK, strerror(errno));
    mode_t old = umask(0177); /* mode 0600 */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    umask(old);
    if (chdir("/") != 0) {
        e = errno;
        slog("console socket: chdir /: %s", strerror(e));
        rc = -1;
    } else if (rc != 0) {
        slog("console socket: bind %s/%s: %s", S.dir, TTY_SOCK, strerror(e));
    }
    if (rc == 0 && listen(fd, 4) != 0) {
        e = errno;
        slog("console socket: listen: %s", strerror(e));
        rc = -1;
    }
    if (rc != 0) {
        char p[4200];
        sock_path(p, sizeof p);
        unlink(p);
        close(fd);
        errno = e;
        return -1;
    }
    listen_fd = fd;
    return 0;
}

static void close_listener(void)
{
    if (listen_fd < 0)
        return;
    close(listen_fd);
    listen_fd = -1;
    char p[4200];
    sock_path(p, sizeof p);
    if (unlink(p) != 0 && errno != ENOENT)
        slog("unlink %s: %s", p, strerror(errno));
}

/* The master from one queued connection; -1 if this connection carried none. */
static int recv_master(int conn)
{
    char name[256];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * MAX_PASSED_FDS)];
    } ctl;
    memset(&ctl, 0, sizeof ctl);
    struct iovec iov = {name, sizeof name - 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
    ssize_t n;
    do
        n = recvmsg(conn, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        slog("console socket: recvmsg: %s", strerror(errno));
        return -1;
    }
    int fd = -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        size_t nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < nfds; i++) {
            int f;
            memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof f);
            if (fd < 0)
                fd = f;
            else
                close(f);
        }
    }
    if (mh.msg_flags & MSG_CTRUNC)
        slog("console socket: control data truncated");
    if (fd < 0) {
        slog("console socket: a connection without a file descriptor");
        return -1;
    }
    if (!isatty(fd)) {
        slog("console socket: received fd is not a terminal: %s", strerror(errno));
        close(fd);
        return -1;
    }
    name[n] = '\0';
    slog("terminal received (%s)", name);
    return fd;
}

int tty_receive(char *msg, size_t msgsz)
{
    int fd = -1;
    /* runc has exited: its connection, if any, is queued. Anything else queued is skipped. */
    for (int tries = 0; fd < 0 && tries < 4 && listen_fd >= 0; tries++) {
        int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN)
                slog("console socket: accept: %s", strerror(errno));
            break;
        }
        fd = recv_master(conn);
        close(conn);
    }
    close_listener();
    if (fd < 0) {
        snprintf(msg, msgsz, "runc sent no terminal");
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(msg, msgsz, "terminal: fcntl O_NONBLOCK: %s", strerror(errno));
        slog("%s", msg);
        close(fd);
        return -1;
    }
    master_fd = fd;
    if (size_pending) {
        size_pending = false;
        if (ioctl(master_fd, TIOCSWINSZ, &pending) != 0)
            slog("TIOCSWINSZ %ux%u: %s", pending.ws_col, pending.ws_row, strerror(errno));
    }
    return fd;
}

bool tty_resize(unsigned width, unsigned height, char *msg, size_t msgsz)
{
    if (!S.tty) {
        snprintf(msg, msgsz, "not a tty");
        return false;
    }
    struct winsize ws = {.ws_row = (unsigned short)height, .ws_col = (unsigned short)width};
    if (master_fd < 0) { /* exec mode before start: applied when the terminal arrives */
        pending = ws;
        size_pending = true;
        return true;
    }
    if (ioctl(master_fd, TIOCSWINSZ, &ws) != 0) {
        snprintf(msg, msgsz, "resize: ioctl(TIOCSWINSZ): %s", strerror(errno));
        slog("%s", msg);
        return false;
    }
    return true;
}

void tty_close(void)
{
    close_listener();
    if (master_fd >= 0 && close(master_fd) != 0)
        slog("close terminal: %s", strerror(errno));
    master_fd = -1;
}
