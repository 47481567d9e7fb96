/* The process's stdio: pipes, or with --tty the terminal's master. stdout/stderr (a terminal has only
 * "stdout") are relayed (nonblocking) into the json-file log and to attach clients; stdin is fed from attach
 * clients. Fixed-size buffers only. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

struct stream {
    struct ev ev;
    int fd;
    int id; /* 1 stdout, 2 stderr (attach frame stream byte) */
    const char *name;
    size_t len;            /* bytes of the current unfinished line in buf */
    struct timespec start; /* when the current line's first byte was read */
    unsigned char buf[LINE_MAX_BYTES];
};

struct stdin_pipe {
    struct ev ev;
    int fd;       /* -1: no stdin, closed, or not there yet */
    bool waiting; /* --tty --stdin before the terminal arrived: input is buffered */
    bool out_armed;
    bool close_pending;
    size_t len;
    char buf[STDIN_BUF];
};

static struct stream streams[2] = {
    {.ev = {EV_STREAM}, .fd = -1, .id = 1, .name = "stdout"},
    {.ev = {EV_STREAM}, .fd = -1, .id = 2, .name = "stderr"},
};
static struct stdin_pipe in = {.ev = {EV_STDIN}, .fd = -1};
static int child_fds[3] = {-1, -1, -1}; /* the process's ends of the pipes, until runc has them */

static int make_pipe(int p[2], int nonblock_end)
{
    if (pipe2(p, O_CLOEXEC) != 0) {
        slog("pipe2: %s", strerror(errno));
        return -1;
    }
    int fl = fcntl(p[nonblock_end], F_GETFL);
    if (fl < 0 || fcntl(p[nonblock_end], F_SETFL, fl | O_NONBLOCK) < 0) {
        slog("fcntl O_NONBLOCK: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    return 0;
}

int io_setup_pipes(void)
{
    int p[2];
    if (make_pipe(p, 0) != 0)
        return -1;
    streams[0].fd = p[0];
    child_fds[1] = p[1];
    if (make_pipe(p, 0) != 0)
        return -1;
    streams[1].fd = p[0];
    child_fds[2] = p[1];
    if (S.stdin_enabled) {
        if (make_pipe(p, 1) != 0)
            return -1;
        child_fds[0] = p[0];
        in.fd = p[1];
        /* registered now: input may arrive (and fill the pipe) before the process runs */
        if (ep_add(in.fd, 0, &in.ev) != 0) /* armed for EPOLLOUT only while data is pending */
            return -1;
    }
    return 0;
}

int io_child_fd(int i)
{
    return child_fds[i];
}

void io_close_child_ends(void)
{
    for (int i = 0; i < 3; i++) {
        if (child_fds[i] >= 0 && close(child_fds[i]) != 0)
            slog("close child end %d: %s", i, strerror(errno));
        child_fds[i] = -1;
    }
}

void io_setup_terminal(void)
{
    in.waiting = S.stdin_enabled;
}

static void stdin_flush(void);

int io_use_terminal(int master)
{
    int r = fcntl(master, F_DUPFD_CLOEXEC, 3);
    if (r < 0) {
        slog("dup terminal: %s", strerror(errno));
        return -1;
    }
    streams[0].fd = r;
    if (ep_add(r, EPOLLIN, &streams[0].ev) != 0)
        return -1;
    if (in.waiting) {
        in.waiting = false;
        int w = fcntl(master, F_DUPFD_CLOEXEC, 3);
        if (w < 0) {
            slog("dup terminal: %s", strerror(errno));
            in.len = 0;
            return -1;
        }
        in.fd = w;
        if (ep_add(w, 0, &in.ev) != 0)
            return -1;
        stdin_flush(); /* input buffered before the terminal existed */
    }
    return 0;
}

void io_register(void)
{
    for (int i = 0; i < 2; i++)
        if (streams[i].fd >= 0)
            ep_add(streams[i].fd, EPOLLIN, &streams[i].ev);
}

static void emit(struct stream *s, const unsigned char *p, size_t n, const struct timespec *ts)
{
    jlog_write(s->name, p, n, ts);
}

static void stream_eof(struct stream *s)
{
    if (s->len > 0) {
        emit(s, s->buf, s->len, &s->start); /* partial remainder, no trailing newline */
        s->len = 0;
    }
    ep_del(s->fd);
    if (close(s->fd) != 0)
        slog("close %s pipe: %s", s->name, strerror(errno));
    s->fd = -1;
}

static void stream_read(struct stream *s)
{
    ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        if (errno != EIO || !S.tty) /* a terminal's master: EIO once every slave fd is closed */
            slog("read %s: %s", s->name, strerror(errno));
        stream_eof(s);
        return;
    }
    if (n == 0) {
        stream_eof(s);
        return;
    }
    struct timespec now;
    now_realtime(&now);
    control_attach_broadcast(s->id, s->buf + s->len, (size_t)n);

    bool had_partial = s->len > 0;
    size_t end = s->len + (size_t)n;
    size_t start = 0, scan = s->len;
    for (;;) {
        unsigned char *nl = memchr(s->buf + scan, '\n', end - scan);
        if (!nl)
            break;
        size_t stop = (size_t)(nl - s->buf) + 1;
        emit(s, s->buf + start, stop - start, (start == 0 && had_partial) ? &s->start : &now);
        start = scan = stop;
    }
    if (start < end) {
        if (start > 0 || !had_partial)
            s->start = now;
        if (start > 0)
            memmove(s->buf, s->buf + start, end - start);
    }
    s->len = end - start;
    if (s->len == sizeof s->buf) { /* 16 KiB without a newline: a partial message */
        emit(s, s->buf, s->len, &s->start);
        s->len = 0;
    }
}

static void stdin_close_now(void)
{
    in.waiting = false;
    if (in.fd < 0) {
        in.len = 0;
        in.close_pending = false;
        return;
    }
    ep_del(in.fd);
    if (close(in.fd) != 0)
        slog("close stdin pipe: %s", strerror(errno));
    in.fd = -1;
    in.len = 0;
    in.close_pending = false;
    in.out_armed = false;
}

static void stdin_flush(void)
{
    while (in.fd >= 0 && in.len > 0) {
        ssize_t w = write(in.fd, in.buf, in.len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            if (errno != EPIPE)
                slog("write stdin: %s", strerror(errno));
            stdin_close_now(); /* the container closed its stdin: discard */
            return;
        }
        memmove(in.buf, in.buf + w, in.len - (size_t)w);
        in.len -= (size_t)w;
    }
    if (in.fd < 0)
        return;
    bool want = in.len > 0;
    if (want != in.out_armed) {
        ep_mod(in.fd, want ? EPOLLOUT : 0, &in.ev);
        in.out_armed = want;
    }
    if (in.len == 0 && in.close_pending)
        stdin_close_now();
}

size_t io_stdin_room(void)
{
    if ((in.fd < 0 && !in.waiting) || in.close_pending)
        return sizeof in.buf; /* discarded anyway */
    return sizeof in.buf - in.len;
}

size_t io_stdin_push(const char *data, size_t n)
{
    if ((in.fd < 0 && !in.waiting) || in.close_pending)
        return n; /* no stdin (or closing): discard */
    size_t room = sizeof in.buf - in.len;
    if (n > room)
        n = room;
    memcpy(in.buf + in.len, data, n);
    in.len += n;
    stdin_flush();
    return n;
}

void io_stdin_close_after_flush(void)
{
    if (in.fd < 0 && !in.waiting)
        return;
    in.close_pending = true;
    stdin_flush();
}

void io_close_stdin(void)
{
    stdin_close_now();
}

void io_handle(struct ev *ev, uint32_t events)
{
    if (ev->kind == EV_STREAM) {
        struct stream *s = (struct stream *)ev;
        if (s->fd >= 0)
            stream_read(s);
        return;
    }
    if (ev->kind == EV_STDIN) {
        if (events & (EPOLLERR | EPOLLHUP)) {
            stdin_close_now();
        } else {
            stdin_flush();
        }
        control_attach_stdin_resume();
    }
}

bool io_drained(void)
{
    return streams[0].fd < 0 && streams[1].fd < 0;
}

void io_flush_partial(void)
{
    for (int i = 0; i < 2; i++) {
        struct stream *s = &streams[i];
        if (s->len > 0) {
            emit(s, s->buf, s->len, &s->start);
            s->len = 0;
        }
    }
}

void io_close_all(void)
{
    io_close_child_ends();
    for (int i = 0; i < 2; i++) {
        if (streams[i].fd >= 0) {
            ep_del(streams[i].fd);
            close(streams[i].fd);
            streams[i].fd = -1;
        }
    }
    stdin_close_now();
}
