/* holdfast-shim entry point: arguments, daemonizing, the report line, and the epoll loop.
 *
 *   holdfast-shim --id ID --bundle DIR --socket PATH --log-path FILE --runc PATH --runc-root DIR
 *                 [--stdin] [--tty] [--log-max-size BYTES --log-max-files N]
 *   holdfast-shim --id ID --bundle DIR --socket PATH --runc PATH --runc-root DIR
 *                 --exec-id EID --process FILE --state-dir SDIR
 *                 [--stdin] [--tty] [--log-path FILE [--log-max-size BYTES --log-max-files N]]
 *
 * The process started by the supervisor forks; the child becomes the shim (new session, child subreaper),
 * runs `runc create` (exec mode: nothing until `start`) and reports back over a pipe; the parent prints
 * `ok <init pid> <shim pid>` (exec mode: `ok 0 <shim pid>`) or `error <message>` and exits 0 / 1. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct shim S = {.epfd = -1};

static char *owned[8]; /* absolute copies of the path arguments, freed at exit */

int ep_add(int fd, uint32_t events, struct ev *ev)
{
    struct epoll_event e = {.events = events, .data.ptr = ev};
    if (epoll_ctl(S.epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
        slog("epoll_ctl ADD fd %d: %s", fd, strerror(errno));
        return -1;
    }
    return 0;
}

int ep_mod(int fd, uint32_t events, struct ev *ev)
{
    struct epoll_event e = {.events = events, .data.ptr = ev};
    if (epoll_ctl(S.epfd, EPOLL_CTL_MOD, fd, &e) != 0) {
        slog("epoll_ctl MOD fd %d: %s", fd, strerror(errno));
        return -1;
    }
    return 0;
}

void ep_del(int fd)
{
    if (epoll_ctl(S.epfd, EPOLL_CTL_DEL, fd, NULL) != 0 && errno != ENOENT && errno != EBADF)
        slog("epoll_ctl DEL fd %d: %s", fd, strerror(errno));
}

static void usage_error(const char *msg)
{
    printf("error %s\n", msg);
    fflush(stdout);
    exit(1);
}

/* Absolute version of path (the shim chdirs to "/"). */
static const char *absolute(const char *path, int slot)
{
    if (path[0] == '/')
        return path;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        usage_error("getcwd failed; pass absolute paths");
    size_t n = strlen(cwd) + 1 + strlen(path) + 1;
    char *p = malloc(n);
    if (!p)
        usage_error("out of memory");
    snprintf(p, n, "%s/%s", cwd, path);
    owned[slot] = p;
    return p;
}

static long long parse_num(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s || v < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "invalid %s: %.100s", what, s);
        usage_error(msg);
    }
    return v;
}

static void parse_args(int argc, char **argv)
{
    enum {
        O_ID = 1, O_BUNDLE, O_SOCKET, O_LOGPATH, O_RUNC, O_RUNCROOT, O_STDIN, O_MAXSIZE, O_MAXFILES, O_TTY,
        O_EXECID, O_PROCESS, O_STATEDIR
    };
    static const struct option opts[] = {
        {"id", required_argument, NULL, O_ID},
        {"bundle", required_argument, NULL, O_BUNDLE},
        {"socket", required_argument, NULL, O_SOCKET},
        {"log-path", required_argument, NULL, O_LOGPATH},
        {"runc", required_argument, NULL, O_RUNC},
        {"runc-root", required_argument, NULL, O_RUNCROOT},
        {"stdin", no_argument, NULL, O_STDIN},
        {"log-max-size", required_argument, NULL, O_MAXSIZE},
        {"log-max-files", required_argument, NULL, O_MAXFILES},
        {"tty", no_argument, NULL, O_TTY},
        {"exec-id", required_argument, NULL, O_EXECID},
        {"process", required_argument, NULL, O_PROCESS},
        {"state-dir", required_argument, NULL, O_STATEDIR},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_ID:
            S.id = optarg;
            break;
        case O_BUNDLE:
            S.bundle = absolute(optarg, 0);
            break;
        case O_SOCKET:
            S.socket_path = absolute(optarg, 1);
            break;
        case O_LOGPATH:
            S.log_path = absolute(optarg, 2);
            break;
        case O_RUNC:
            S.runc = strchr(optarg, '/') ? absolute(optarg, 3) : optarg;
            break;
        case O_RUNCROOT:
            S.runc_root = absolute(optarg, 4);
            break;
        case O_STDIN:
            S.stdin_enabled = true;
            break;
        case O_MAXSIZE:
            S.log_max_size = parse_num(optarg, "--log-max-size");
            break;
        case O_MAXFILES:
            S.log_max_files = (int)parse_num(optarg, "--log-max-files");
            break;
        case O_TTY:
            S.tty = true;
            break;
        case O_EXECID:
            S.exec_id = optarg;
            break;
        case O_PROCESS:
            S.process_file = absolute(optarg, 5);
            break;
        case O_STATEDIR:
            S.state_dir = absolute(optarg, 6);
            break;
        default: {
            char msg[256];
            snprintf(msg, sizeof msg, "invalid argument: %.100s", argv[optind - 1]);
            usage_error(msg);
        }
        }
    }
    if (optind < argc)
        usage_error("unexpected positional argument");
    bool exec_mode = S.exec_id || S.process_file || S.state_dir;
    if (!S.id || !S.bundle || !S.socket_path || (!S.log_path && !exec_mode) || !S.runc || !S.runc_root ||
        (exec_mode && (!S.exec_id || !S.process_file || !S.state_dir)))
        usage_error("usage: holdfast-shim --id ID --bundle DIR --socket PATH --log-path FILE --runc PATH "
                    "--runc-root DIR [--stdin] [--tty] [--log-max-size BYTES --log-max-files N]; exec mode: "
                    "--exec-id EID --process FILE --state-dir DIR, --log-path optional");
    if (S.id[0] == '\0' || strchr(S.id, '/') || strchr(S.id, '\n'))
        usage_error("invalid --id");
    if (S.exec_id && (S.exec_id[0] == '\0' || strchr(S.exec_id, '/') || strchr(S.exec_id, '\n')))
        usage_error("invalid --exec-id");
    S.dir = exec_mode ? S.state_dir : S.bundle;
    int n = snprintf(S.runc_log, sizeof S.runc_log, "%s/runc.log", S.dir);
    if (n < 0 || (size_t)n >= sizeof S.runc_log)
        usage_error(exec_mode ? "--state-dir path too long" : "--bundle path too long");
}

static void close_inherited_fds(void)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        close(fd);
}

/* ---- the report line (child -> parent -> supervisor) ---- */

static int report_fd = -1;

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
    if (report_fd < 0)
        return;
    char buf[1200];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    for (int i = 0; i < n; i++)
        if (buf[i] == '\n' || buf[i] == '\r')
            buf[i] = ' ';
    buf[n++] = '\n';
    size_t off = 0;
    while (off < (size_t)n) {
        ssize_t w = write(report_fd, buf + off, (size_t)n - off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            slog("write report pipe: %s", strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    close(report_fd);
    report_fd = -1;
    slog("reported: %.*s", n - 1, buf);
}

/* The original process: wait for the shim's report and print it. */
static int parent(pid_t child, int rfd)
{
    char buf[1300];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(rfd, buf + len, sizeof buf - 1 - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf - 1)
            break;
    }
    close(rfd);
    buf[len] = '\0';
    bool ok = len > 3 && strncmp(buf, "ok ", 3) == 0;
    if (!ok) {
        /* the shim exits after reporting an error: wait for it so that nothing is left behind */
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
        if (len == 0 || buf[len - 1] != '\n') {
            if (WIFSIGNALED(status))
                snprintf(buf, sizeof buf, "error shim died before reporting (signal %d)\n", WTERMSIG(status));
            else
                snprintf(buf, sizeof buf, "error shim exited before reporting (status %d)\n",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
    }
    fputs(buf, stdout);
    if (fflush(stdout) != 0)
        return 1;
    return ok ? 0 : 1;
}

static void free_owned(void)
{
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
        free(owned[i]);
        owned[i] = NULL;
    }
}

static void cleanup_and_exit(int code) __attribute__((noreturn));
static void cleanup_and_exit(int code)
{
    control_close_all();
    io_close_all();
    tty_close();
    jlog_close();
    reaper_close();
    if (S.epfd >= 0)
        close(S.epfd);
    slog("exit %d", code);
    slog_close();
    free_owned();
    exit(code);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
    char msg[1100];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slog("startup failed: %s", msg);
    report("error %s", msg);
    char path[4200];
    snprintf(path, sizeof path, "%s/shim.pid", S.dir);
    unlink(path);
    cleanup_and_exit(1);
}

static pid_t read_init_pid(void)
{
    char path[4200], buf[32];
    snprintf(path, sizeof path, "%s/init.pid", S.bundle);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        slog("open %s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int e = errno;
    close(fd);
    if (n <= 0) {
        slog("read %s: %s", path, n < 0 ? strerror(e) : "empty");
        return -1;
    }
    buf[n] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    if (v <= 0 || (*end != '\0' && *end != '\n')) {
        slog("parse %s: %s", path, buf);
        return -1;
    }
    return (pid_t)v;
}

void on_init_exit(int status)
{
    S.init_reaped = true;
    S.exit_code = S.forced_exit_code > 0 ? S.forced_exit_code : exit_status_code(status);
    now_realtime(&S.exited_at);
    S.state = ST_EXITING;
    S.drain_deadline_ms = now_mono_ms() + DRAIN_TIMEOUT_MS;
    slog("%s %d exited: code %d", S.exec_id ? "exec'd process" : "init", (int)S.init_pid, S.exit_code);
    io_close_stdin();
}

static void finish(void)
{
    if (!io_drained())
        slog("output pipes still open %d ms after init exited (shared pid namespace?): stop relaying",
             DRAIN_TIMEOUT_MS);
    io_flush_partial();
    io_close_all();
    tty_close();
    if (write_exit_json(S.dir, S.init_pid, S.exit_code, &S.exited_at) != 0)
        slog("exit.json not written");
    S.state = ST_STOPPED;
    control_unlink_socket(); /* nobody new connects to a finished shim */
    control_finish();
    /* connections queued before the unlink are still accepted and answered, briefly */
    S.drain_deadline_ms = now_mono_ms() + STOPPED_GRACE_MS;
}

/* Container mode: runc create, then the pipes or the terminal are read. */
static void create(void)
{
    char msg[1024];
    bool created = runc_run(RUNC_CREATE, NULL, io_child_fd(0), io_child_fd(1), io_child_fd(2), msg, sizeof msg);
    io_close_child_ends();
    if (!created)
        fail("%s", msg);
    char dmsg[256];
    S.init_pid = read_init_pid();
    if (S.init_pid <= 0) {
        runc_run(RUNC_DELETE, NULL, -1, -1, -1, dmsg, sizeof dmsg);
        fail("runc create succeeded but %s/init.pid is unreadable", S.bundle);
    }
    if (S.tty) {
        int master = tty_receive(msg, sizeof msg);
        if (master < 0 || io_use_terminal(master) != 0) {
            runc_run(RUNC_DELETE, NULL, -1, -1, -1, dmsg, sizeof dmsg);
            fail("%s", master < 0 ? msg : "setting up the terminal failed (see shim.log)");
        }
    }
    S.state = ST_CREATED;
    if (!S.tty)
        io_register(); /* the terminal was registered by io_use_terminal */
}

static void child(void)
{
    if (setsid() < 0)
        fail("setsid: %s", strerror(errno));
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        fail("prctl(PR_SET_CHILD_SUBREAPER): %s", strerror(errno));
    umask(022);
    slog_open(S.dir);
    if (S.exec_id)
        slog("shim for exec %s in %s starting (state dir %s)", S.exec_id, S.id, S.dir);
    else
        slog("shim for %s starting (bundle %s)", S.id, S.bundle);
    if (chdir("/") != 0)
        fail("chdir /: %s", strerror(errno));
    int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nul < 0)
        fail("open /dev/null: %s", strerror(errno));
    for (int fd = 0; fd < 3; fd++)
        if (dup2(nul, fd) < 0)
            fail("dup2 /dev/null: %s", strerror(errno));
    close(nul);

    S.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (S.epfd < 0)
        fail("epoll_create1: %s", strerror(errno));
    if (reaper_setup() != 0 || reaper_register() != 0)
        fail("signalfd setup: %s", strerror(errno));
    if (write_shim_pid(S.dir) != 0)
        fail("writing %s/shim.pid failed (see shim.log)", S.dir);
    if (control_listen(S.socket_path) != 0)
        fail("control socket %s: %s", S.socket_path, strerror(errno));
    if (S.log_path && jlog_open(S.log_path, S.log_max_size, S.log_max_files) != 0)
        fail("open log %s: %s", S.log_path, strerror(errno));
    if (S.tty) {
        if (tty_listen() != 0)
            fail("console socket %s/%s: %s", S.dir, TTY_SOCK, strerror(errno));
        io_setup_terminal();
    } else if (io_setup_pipes() != 0) {
        fail("creating stdio pipes: %s", strerror(errno));
    }

    if (S.exec_id) {
        S.state = ST_CREATED; /* runc exec runs at `start` */
        report("ok 0 %d", (int)getpid());
    } else {
        create();
        report("ok %d %d", (int)S.init_pid, (int)getpid());
    }

    for (;;) {
        int timeout = -1;
        if (S.state == ST_EXITING) {
            int64_t left = S.drain_deadline_ms - now_mono_ms();
            if (io_drained() || left <= 0)
                finish();
            else
                timeout = (int)left;
        }
        if (S.state == ST_STOPPED) {
            control_handle_listen();
            int64_t left = S.drain_deadline_ms - now_mono_ms();
            if (control_clients() == 0 || left <= 0)
                cleanup_and_exit(0);
            timeout = (int)left;
        }
        struct epoll_event evs[16];
        int n = epoll_wait(S.epfd, evs, 16, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            slog("epoll_wait: %s", strerror(errno));
            continue;
        }
        for (int i = 0; i < n; i++) {
            struct ev *ev = evs[i].data.ptr;
            switch (ev->kind) {
            case EV_SIGNAL:
                reaper_handle();
                break;
            case EV_LISTEN:
                control_handle_listen();
                break;
            case EV_STREAM:
            case EV_STDIN:
                io_handle(ev, evs[i].events);
                break;
            case EV_CLIENT:
                control_handle_client(ev, evs[i].events);
                break;
            }
        }
        control_free_closed();
    }
}

int main(int argc, char **argv)
{
    close_inherited_fds();
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        printf("error signal(SIGPIPE): %s\n", strerror(errno));
        return 1;
    }
    parse_args(argc, argv);

    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        printf("error pipe2: %s\n", strerror(errno));
        return 1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        printf("error fork: %s\n", strerror(errno));
        return 1;
    }
    if (pid > 0) {
        close(p[1]);
        int rc = parent(pid, p[0]);
        free_owned();
        return rc;
    }
    close(p[0]);
    report_fd = p[1];
    child();
    return 0;
}
