/* The control socket: one request line per connection, answered by one line (then closed), except
 * `wait`/`state` while exiting (answered once exit.json is written) and `attach` (frames until exit). */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

enum ckind { C_REQ, C_WAIT, C_STATE, C_ATTACH, C_RUNC };

struct client {
    struct ev ev;
    int fd;
    enum ckind kind;
    struct client *next, *prev;
    uint32_t events;
    bool dead;       /* closed; freed after the current epoll batch */
    bool in_eof;     /* the peer shut down its write side */
    bool stdin_once; /* attach stdin-once: close the container's stdin at the peer's EOF */
    size_t inlen;
    char in[REQ_MAX];
    unsigned char *out; /* attach only: ATTACH_BUF bytes of frames not yet accepted by the socket */
    size_t outoff, outlen;
};

static int listen_fd = -1;
static struct ev listen_ev = {EV_LISTEN};
static struct client *clients;
static struct client *graveyard; /* closed clients, freed once no pending event can refer to them */
static int nclients;

int control_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) {
        slog("socket path too long (%zu bytes, max %zu): %s", strlen(path), sizeof sa.sun_path - 1, path);
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        slog("socket: %s", strerror(errno));
        return -1;
    }
    if (unlink(path) != 0 && errno != ENOENT) {
        slog("unlink stale %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    mode_t old = umask(0177); /* the socket file gets mode 0600 */
    int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    int e = errno;
    umask(old);
    if (rc != 0) {
        slog("bind %s: %s", path, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    if (listen(fd, 64) != 0) {
        e = errno;
        slog("listen %s: %s", path, strerror(e));
        close(fd);
        unlink(path);
        errno = e;
        return -1;
    }
    listen_fd = fd;
    return ep_add(fd, EPOLLIN, &listen_ev);
}

static void client_close(struct client *c)
{
    ep_del(c->fd);
    if (close(c->fd) != 0)
        slog("close client: %s", strerror(errno));
    if (c->prev)
        c->prev->next = c->next;
    else
        clients = c->next;
    if (c->next)
        c->next->prev = c->prev;
    nclients--;
    runc_cmd_forget_client(c);
    free(c->out);
    c->out = NULL;
    c->dead = true;
    c->fd = -1;
    c->next = graveyard;
    graveyard = c;
}

void control_free_closed(void)
{
    while (graveyard) {
        struct client *c = graveyard;
        graveyard = c->next;
        free(c);
    }
}

static void client_set_events(struct client *c, uint32_t events)
{
    if (events != c->events && ep_mod(c->fd, events, &c->ev) == 0)
        c->events = events;
}

/* One-line answers are tiny: a fresh unix socket always has room; then the connection is done. */
static void reply_and_close(struct client *c, const char *line)
{
    size_t n = strlen(line), off = 0;
    while (off < n) {
        ssize_t w = send(c->fd, line + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EPIPE && errno != ECONNRESET)
                slog("send answer: %s", strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    client_close(c);
}

void control_handle_listen(void)
{
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno != EAGAIN)
                slog("accept %s: %s", S.socket_path, strerror(errno));
            return;
        }
        if (nclients >= MAX_CLIENTS) {
            slog("too many control clients, refusing one");
            (void)send(fd, "error too many clients\n", 23, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd);
            continue;
        }
        struct client *c = calloc(1, sizeof *c);
        if (!c) {
            slog("calloc client: %s", strerror(errno));
            close(fd);
            continue;
        }
        c->ev.kind = EV_CLIENT;
        c->fd = fd;
        c->kind = C_REQ;
        if (ep_add(fd, EPOLLIN, &c->ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        c->events = EPOLLIN;
        c->next = clients;
        if (clients)
            clients->prev = c;
        clients = c;
        nclients++;
    }
}

void fmt_stopped(char *out, size_t outsz)
{
    char t[TIMEFMT_MAX];
    timefmt_rfc3339nano(&S.exited_at, t);
    snprintf(out, outsz, "stopped %d %d %s\n", (int)S.init_pid, S.exit_code, t);
}

static const struct {
    const char *name;
    int sig;
} signames[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},   {"BUS", SIGBUS},   {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV}, {"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},   {"SYS", SIGSYS},
};

/* A signal as a number ("9", "0" probes) or a name ("KILL", "SIGKILL"); -1 if invalid. */
static int parse_signal(const char *s)
{
    if (*s >= '0' && *s <= '9') {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end != '\0' || v < 0 || v > SIGRTMAX)
            return -1;
        return (int)v;
    }
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof signames / sizeof signames[0]; i++)
        if (strcmp(s, signames[i].name) == 0)
            return signames[i].sig;
    return -1;
}

/* Runs runc for c, answered when the reaper collects it; false (c answered, msg set) if it did not run. */
static bool start_runc(struct client *c, enum runc_op op, const char *arg, const int fds[3], char *msg,
                       size_t msgsz)
{
    struct runc_cmd *slot = runc_cmd_slot();
    if (!slot) {
        snprintf(msg, msgsz, "too many runc commands in progress");
        reply_and_close(c, "error too many runc commands in progress\n");
        return false;
    }
    char answer[600];
    off_t off;
    pid_t pid = runc_spawn(op, arg, fds[0], fds[1], fds[2], &off, msg, msgsz);
    if (pid < 0) {
        snprintf(answer, sizeof answer, "error %s\n", msg);
        reply_and_close(c, answer);
        return false;
    }
    slot->pid = pid;
    slot->op = op;
    slot->log_off = off;
    slot->client = c;
    c->kind = C_RUNC;
    return true;
}

static bool parse_dim(const char *s, const char *end, unsigned *out)
{
    if (s == end || end - s > 5)
        return false;
    unsigned v = 0;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    if (v > 65535)
        return false;
    *out = v;
    return true;
}

/* "<width> <height>", each 0..65535 */
static bool parse_size(const char *arg, unsigned *w, unsigned *h)
{
    if (!arg)
        return false;
    const char *sp = strchr(arg, ' ');
    return sp && parse_dim(arg, sp, w) && parse_dim(sp + 1, sp + 1 + strlen(sp + 1), h);
}

static void attach_update(struct client *c)
{
    uint32_t ev = 0;
    if (!c->in_eof && io_stdin_room() > 0)
        ev |= EPOLLIN;
    if (c->outlen > 0)
        ev |= EPOLLOUT;
    client_set_events(c, ev);
}

static bool attach_now; /* set by dispatch when the client became an attach client */

static void dispatch(struct client *c, char *line)
{
    attach_now = false;
    char answer[256];
    char *arg = strchr(line, ' ');
    if (arg)
        *arg++ = '\0';
    if (strcmp(line, "state") != 0 && strcmp(line, "wait") != 0) /* keep shim.log small: no polls */
        slog("request: %s%s%s", line, arg ? " " : "", arg ? arg : "");

    if (strcmp(line, "state") == 0) {
        if (S.state == ST_EXITING) {
            c->kind = C_STATE; /* answered once exit.json is written */
            return;
        }
        if (S.state == ST_STOPPED)
            fmt_stopped(answer, sizeof answer);
        else
            snprintf(answer, sizeof answer, "%s %d\n", S.state == ST_CREATED ? "created" : "running",
                     (int)S.init_pid);
        reply_and_close(c, answer);
    } else if (S.state == ST_STOPPED && strcmp(line, "wait") != 0 && strcmp(line, "attach") != 0) {
        reply_and_close(c, "error container is not running\n");
    } else if (strcmp(line, "start") == 0) {
        bool start_pending = runc_cmd_pending(S.exec_id ? RUNC_EXEC : RUNC_START);
        if (S.state != ST_CREATED || start_pending) {
            reply_and_close(c, start_pending ? "error start already in progress\n"
                                             : "error container is not in created state\n");
            return;
        }
        const int none[3] = {-1, -1, -1};
        char msg[512];
        if (!S.exec_id) {
            start_runc(c, RUNC_START, NULL, none, msg, sizeof msg);
            return;
        }
        /* exec: the process gets the pipes (with --tty, runc gets /dev/null and hands over a terminal) */
        const int pipes[3] = {io_child_fd(0), io_child_fd(1), io_child_fd(2)};
        bool ran = start_runc(c, RUNC_EXEC, NULL, S.tty ? none : pipes, msg, sizeof msg);
        io_close_child_ends();
        if (!ran)
            exec_failed(msg);
    } else if (strcmp(line, "resize") == 0) {
        unsigned w, h;
        char msg[200];
        if (!parse_size(arg, &w, &h)) {
            snprintf(answer, sizeof answer, "error invalid size: %.64s\n", arg ? arg : "(none)");
            reply_and_close(c, answer);
        } else if (!tty_resize(w, h, msg, sizeof msg)) {
            snprintf(answer, sizeof answer, "error %s\n", msg);
            reply_and_close(c, answer);
        } else {
            reply_and_close(c, "ok\n");
        }
    } else if (strcmp(line, "kill-all") == 0 && S.exec_id) {
        reply_and_close(c, "error kill-all is for the container's shim\n");
    } else if (strcmp(line, "kill") == 0 || strcmp(line, "kill-all") == 0) {
        int sig = arg ? parse_signal(arg) : -1;
        if (sig < 0 || (sig == 0 && line[4] == '-')) {
            snprintf(answer, sizeof answer, "error invalid signal: %s\n", arg ? arg : "(none)");
            reply_and_close(c, answer);
            return;
        }
        if (line[4] == '-') {
            char num[16];
            snprintf(num, sizeof num, "%d", sig);
            const int none[3] = {-1, -1, -1};
            char msg[512];
            start_runc(c, RUNC_KILL_ALL, num, none, msg, sizeof msg);
            return;
        }
        if (S.init_reaped) {
            reply_and_close(c, "error container is not running\n");
            return;
        }
        if (S.init_pid <= 0) { /* exec mode before start: never kill(0 or -1, ...) */
            reply_and_close(c, "error process not started\n");
            return;
        }
        /* safe: init is our child (via subreaping) and has not been reaped, so the pid is still its */
        if (kill(S.init_pid, sig) != 0) {
            snprintf(answer, sizeof answer, "error kill(%d, %d): %s\n", (int)S.init_pid, sig, strerror(errno));
            reply_and_close(c, answer);
            return;
        }
        reply_and_close(c, "ok\n");
    } else if (strcmp(line, "wait") == 0) {
        if (S.state == ST_STOPPED) {
            fmt_stopped(answer, sizeof answer);
            reply_and_close(c, answer);
            return;
        }
        c->kind = C_WAIT;
        client_set_events(c, EPOLLIN);
    } else if (strcmp(line, "close-stdin") == 0) {
        io_stdin_close_after_flush();
        reply_and_close(c, "ok\n");
    } else if (strcmp(line, "attach") == 0) {
        bool once = false;
        if (arg && strcmp(arg, "stdin-once") == 0) {
            once = true;
        } else if (arg) {
            snprintf(answer, sizeof answer, "error unknown attach option: %s\n", arg);
            reply_and_close(c, answer);
            return;
        }
        if (S.state == ST_STOPPED) {
            reply_and_close(c, "ok\n"); /* nothing more will come */
            return;
        }
        c->out = malloc(ATTACH_BUF);
        if (!c->out) {
            slog("malloc attach buffer: %s", strerror(errno));
            reply_and_close(c, "error out of memory\n");
            return;
        }
        memcpy(c->out, "ok\n", 3);
        c->outlen = 3;
        c->kind = C_ATTACH;
        c->stdin_once = once;
        attach_now = true;
        /* anything after the request line already read is stdin data */
        attach_update(c);
    } else {
        char *p = line;
        for (; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = '?';
        snprintf(answer, sizeof answer, "error unknown request: %.64s\n", line);
        reply_and_close(c, answer);
    }
}

void control_runc_done(struct client *c, const char *answer)
{
    reply_and_close(c, answer);
}

/* Returns false if c was closed. */
static bool attach_flush(struct client *c)
{
    while (c->outlen > 0) {
        ssize_t w = send(c->fd, c->out + c->outoff, c->outlen, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            client_close(c);
            return false;
        }
        c->outoff += (size_t)w;
        c->outlen -= (size_t)w;
    }
    if (c->outlen == 0)
        c->outoff = 0;
    attach_update(c);
    return true;
}

static void attach_frame(struct client *c, int stream, const unsigned char *data, size_t n)
{
    unsigned char hdr[5] = {(unsigned char)stream, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                            (unsigned char)(n >> 8), (unsigned char)n};
    size_t total = sizeof hdr + n, done = 0;
    if (c->outlen == 0) {
        struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)data, n}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t w = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            client_close(c);
            return;
        }
        if (w > 0)
            done = (size_t)w;
        if (done == total)
            return;
    }
    size_t rest = total - done;
    if (c->outlen + rest > ATTACH_BUF) {
        slog("attach client too slow: dropped");
        client_close(c);
        return;
    }
    if (c->outoff + c->outlen + rest > ATTACH_BUF) {
        memmove(c->out, c->out + c->outoff, c->outlen);
        c->outoff = 0;
    }
    unsigned char *dst = c->out + c->outoff + c->outlen;
    if (done < sizeof hdr) {
        memcpy(dst, hdr + done, sizeof hdr - done);
        dst += sizeof hdr - done;
        memcpy(dst, data, n);
    } else {
        memcpy(dst, data + (done - sizeof hdr), total - done);
    }
    c->outlen += rest;
    attach_update(c);
}

void control_attach_broadcast(int stream, const unsigned char *data, size_t n)
{
    struct client *c = clients, *next;
    for (; c; c = next) {
        next = c->next;
        if (c->kind == C_ATTACH)
            attach_frame(c, stream, data, n);
    }
}

void control_attach_stdin_resume(void)
{
    for (struct client *c = clients; c; c = c->next)
        if (c->kind == C_ATTACH)
            attach_update(c);
}

static void attach_input(struct client *c)
{
    char buf[STDIN_BUF];
    size_t room = io_stdin_room();
    ssize_t n = recv(c->fd, buf, room < sizeof buf ? room : sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        client_close(c);
        return;
    }
    if (n == 0) {
        c->in_eof = true;
        if (c->stdin_once)
            io_stdin_close_after_flush();
        attach_update(c);
        return;
    }
    io_stdin_push(buf, (size_t)n); /* fits: we read at most the free room */
    control_attach_stdin_resume();
}

void control_handle_client(struct ev *ev, uint32_t events)
{
    struct client *c = (struct client *)ev;
    if (c->dead)
        return;
    if (c->kind == C_ATTACH) {
        if ((events & EPOLLOUT) && !attach_flush(c))
            return;
        if ((events & EPOLLIN) && io_stdin_room() > 0) {
            attach_input(c);
            return; /* c may be gone; a hangup is seen again on the next round */
        }
        if (events & (EPOLLHUP | EPOLLERR)) {
            if (c->stdin_once)
                io_stdin_close_after_flush();
            client_close(c);
        }
        return;
    }
    if (events & EPOLLIN) {
        if (c->kind != C_REQ) {
            /* waiting for an answer: further input is ignored, EOF just stops reading */
            char junk[64];
            ssize_t n = recv(c->fd, junk, sizeof junk, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                if (n < 0 || (events & EPOLLHUP)) {
                    client_close(c);
                    return;
                }
                client_set_events(c, 0);
            }
            return;
        }
        ssize_t n = recv(c->fd, c->in + c->inlen, sizeof c->in - 1 - c->inlen, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                client_close(c);
            return;
        }
        if (n == 0) {
            if (c->inlen == 0) {
                client_close(c);
                return;
            }
            c->in[c->inlen++] = '\n'; /* a request without its newline */
        } else {
            c->inlen += (size_t)n;
        }
        char *nl = memchr(c->in, '\n', c->inlen);
        if (!nl) {
            if (c->inlen >= sizeof c->in - 1)
                reply_and_close(c, "error request too long\n");
            return;
        }
        *nl = '\0';
        if (nl > c->in && nl[-1] == '\r')
            nl[-1] = '\0';
        size_t rest = c->inlen - (size_t)(nl + 1 - c->in);
        char extra[REQ_MAX];
        memcpy(extra, nl + 1, rest);
        dispatch(c, c->in);
        /* c is gone now unless it waits or attached; bytes after an attach request are stdin */
        if (attach_now && rest > 0)
            io_stdin_push(extra, rest);
        return;
    }
    if (events & (EPOLLHUP | EPOLLERR))
        client_close(c);
}

void control_finish(void)
{
    char answer[128];
    fmt_stopped(answer, sizeof answer);
    struct client *c = clients, *next;
    for (; c; c = next) {
        next = c->next;
        switch (c->kind) {
        case C_WAIT:
        case C_STATE:
            reply_and_close(c, answer);
            break;
        case C_ATTACH:
            if (attach_flush(c)) /* best effort: the rest of the output is in the log */
                client_close(c);
            break;
        case C_RUNC:
            break; /* answered when its runc exits (start/kill racing with a quick exit) */
        case C_REQ:
            break; /* its request is answered when it arrives (state STOPPED) */
        }
    }
}

static bool unlinked;

/* After exit.json is written: nobody new can connect; connections already queued are still answered. */
void control_unlink_socket(void)
{
    if (unlinked)
        return;
    unlinked = true;
    if (unlink(S.socket_path) != 0)
        slog("unlink %s: %s", S.socket_path, strerror(errno));
}

void control_close_listener(void)
{
    if (listen_fd < 0)
        return;
    control_unlink_socket();
    ep_del(listen_fd);
    close(listen_fd);
    listen_fd = -1;
}

int control_clients(void)
{
    return nclients;
}

void control_close_all(void)
{
    while (clients)
        client_close(clients);
    control_close_listener();
    control_free_closed();
}
