/* holdfast-holder [--socket PATH] [--pid-file FILE] [--standby] -- ENGINE COMMAND...
 *
 * Holds the API socket and keeps one engine serving on it: an engine that dies is replaced at once (by the warm
 * standby with --standby), SIGHUP hands the socket over to a freshly started engine (graceful restart: the new one
 * boots while the old one serves), SIGTERM stops the engine and exits. The states and the protocol are described
 * in docs/internals.md ("The socket holder"). */
#include "holder.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct {
    int listen_fd;
    const char *socket_path;
    bool bound_here;
    const char *pid_file;
    bool standby;
    char **argv;
    struct engine active, next;
    pid_t retiring; /* a released engine still exiting: reaped, nothing more */
    bool restarting; /* next is the restart's target: the active one is stopped once next is warm */
    bool stopping;
    int failures;        /* engines in a row that died soon after their start */
    int64_t respawn_at;  /* when a replacement is due (after a back-off); 0: none due */
} h;

void hlog(const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    dprintf(STDERR_FILENO, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ holdfast-holder: %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, msg);
}

int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(void) {
    dprintf(STDERR_FILENO,
            "usage: holdfast-holder [--socket PATH] [--pid-file FILE] [--standby] -- ENGINE COMMAND...\n");
    exit(2);
}

static void signal_engine(struct engine *e, int sig) {
    if (e->pid > 0 && kill(e->pid, sig) < 0 && errno != ESRCH) {
        hlog("kill %d %s: %s", (int)e->pid, strsignal(sig), strerror(errno));
    }
}

/* next becomes the active engine: it is told to go (the pipe keeps the word until it has warmed up). */
static void promote(bool after_release) {
    h.active = h.next;
    h.active.role = ROLE_ACTIVE;
    h.next = (struct engine){.role = ROLE_NONE, .go_fd = -1, .notify_fd = -1};
    h.restarting = false;
    pidfile_write(h.pid_file, h.active.pid); /* first: whoever sees it answer finds its pid written */
    engine_go(&h.active, after_release);
    hlog("engine %d takes over the socket", (int)h.active.pid);
}

/* Kills the standby (or a restart target that has not taken over) and forgets it: its reaping is ignored. */
static void discard_next(void) {
    if (h.next.pid > 0) {
        signal_engine(&h.next, SIGKILL);
        engine_forget(&h.next);
    }
}

static void spawn_next(void) {
    if (!engine_spawn(&h.next, ROLE_NEXT, h.listen_fd, h.argv)) {
        h.respawn_at = mono_ms() + 1000;
    }
}

/* Starts an engine that goes as soon as it has booted (nothing else serves). */
static void start_active(void) {
    spawn_next();
    if (h.next.pid > 0) {
        promote(false);
    }
}

/* The active engine is gone: the standby or restart target takes over, or a new engine is started (after a
 * back-off when engines keep dying right after their start). */
static void replace_active(bool after_release) {
    if (h.next.pid > 0) {
        promote(after_release);
        return;
    }
    if (h.failures == 0) {
        start_active();
        return;
    }
    int64_t delay = 500LL << (h.failures < 6 ? h.failures : 6);
    delay = delay > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : delay;
    hlog("%d engine starts in a row failed: next start in %lld ms", h.failures, (long long)delay);
    h.respawn_at = mono_ms() + delay;
}

static void on_line(struct engine *e, const char *line) {
    if (strcmp(line, "warm") == 0) {
        e->warm = true;
        hlog("engine %d is warm", (int)e->pid);
        if (e->role == ROLE_NEXT && h.restarting && h.active.pid > 0 && !h.active.terminating) {
            h.active.terminating = true;
            signal_engine(&h.active, SIGTERM); /* it stops accepting, finishes what it serves, exits */
        }
    } else if (strcmp(line, "serving") == 0) {
        e->serving = true;
        h.failures = 0;
        hlog("engine %d serves", (int)e->pid);
        if (e->role == ROLE_ACTIVE && h.standby && h.next.pid == 0 && !h.stopping) {
            spawn_next();
        }
    } else if (strcmp(line, "released") == 0) {
        hlog("engine %d released the socket", (int)e->pid);
        if (e->role == ROLE_ACTIVE && e->terminating && !h.stopping) {
            /* It has stopped serving and writes nothing more: the next engine need not wait for its JVM to exit. */
            h.retiring = e->pid;
            engine_forget(e);
            replace_active(true);
        }
    } else {
        hlog("engine %d said something unknown: %s", (int)e->pid, line);
    }
}

static void reaped(pid_t pid, int status) {
    if (pid == h.retiring) {
        hlog("released engine %d has exited", (int)pid);
        h.retiring = 0;
        return;
    }
    struct engine *e = pid == h.active.pid ? &h.active : pid == h.next.pid ? &h.next : NULL;
    if (e == NULL) {
        return;
    }
    enum role role = e->role;
    bool expected = e->terminating || h.stopping;
    bool quick = !e->serving && mono_ms() - e->started_ms < QUICK_DEATH_MS;
    if (WIFSIGNALED(status)) {
        hlog("engine %d was killed by signal %d", (int)pid, WTERMSIG(status));
    } else {
        hlog("engine %d exited with status %d", (int)pid, WEXITSTATUS(status));
    }
    engine_forget(e);
    if (h.stopping) {
        return;
    }
    if (!expected && quick) {
        h.failures++;
    }
    if (role == ROLE_ACTIVE) {
        replace_active(false);
    } else if (h.restarting) {
        hlog("the restart's new engine died before it took over; the running engine keeps serving");
        h.restarting = false;
    } else if (h.standby) {
        h.respawn_at = mono_ms() + (quick ? 1000 : 0);
    }
}

static void on_signal(int sig) {
    switch (sig) {
    case SIGCHLD:
        for (;;) {
            int status;
            pid_t pid = waitpid(-1, &status, WNOHANG);
            if (pid <= 0) {
                break;
            }
            reaped(pid, status);
        }
        break;
    case SIGHUP:
        if (h.stopping || h.restarting) {
            hlog("restart asked while %s: ignored", h.stopping ? "stopping" : "restarting");
            break;
        }
        hlog("restart: starting a new engine to hand the socket over to");
        /* An idle standby has written nothing: it may simply go. The new engine runs the command as it is on disk
         * now (an upgraded jar). */
        discard_next();
        h.restarting = true;
        spawn_next();
        if (h.next.pid == 0) {
            h.restarting = false;
        } else if (h.active.pid == 0) {
            promote(false);
        }
        break;
    case SIGTERM:
    case SIGINT:
        hlog("stopping the engine");
        h.stopping = true;
        h.respawn_at = 0;
        discard_next();
        if (h.active.pid > 0) {
            h.active.terminating = true;
            signal_engine(&h.active, SIGTERM);
        }
        break;
    default:
        break;
    }
}

static void parse_args(int argc, char **argv) {
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            h.socket_path = argv[++i];
        } else if (strcmp(argv[i], "--pid-file") == 0 && i + 1 < argc) {
            h.pid_file = argv[++i];
        } else if (strcmp(argv[i], "--standby") == 0) {
            h.standby = true;
        } else {
            usage();
        }
    }
    if (i >= argc) {
        usage();
    }
    h.argv = &argv[i];
}

static int signals_open(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE); /* a write to a dead engine's pipe: EPIPE, not death */
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
        hlog("sigprocmask: %s", strerror(errno));
        return -1;
    }
    sigdelset(&set, SIGPIPE);
    int fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (fd < 0) {
        hlog("signalfd: %s", strerror(errno));
    }
    return fd;
}

/* One poll entry per engine pipe we listen to; returns how many were added. */
static int watch(struct pollfd *fds, struct engine **owners, struct engine *e) {
    if (e->pid <= 0 || e->notify_fd < 0) {
        return 0;
    }
    fds[0] = (struct pollfd){.fd = e->notify_fd, .events = POLLIN};
    owners[0] = e;
    return 1;
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    h.active = h.next = (struct engine){.role = ROLE_NONE, .go_fd = -1, .notify_fd = -1};
    int sig_fd = signals_open();
    if (sig_fd < 0) {
        return 1;
    }
    h.listen_fd = listen_acquire(h.socket_path, &h.bound_here);
    if (h.listen_fd < 0) {
        return 1;
    }
    start_active();
    while (!h.stopping || h.active.pid > 0) {
        struct pollfd fds[3] = {{.fd = sig_fd, .events = POLLIN}};
        struct engine *owners[3] = {NULL};
        int n = 1;
        n += watch(&fds[n], &owners[n], &h.active);
        n += watch(&fds[n], &owners[n], &h.next);
        int timeout = -1;
        if (h.respawn_at > 0) {
            int64_t left = h.respawn_at - mono_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        if (poll(fds, (nfds_t)n, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            hlog("poll: %s", strerror(errno));
            break;
        }
        for (int i = 1; i < n; i++) {
            if (fds[i].revents != 0 && owners[i]->pid > 0 && !engine_read(owners[i], on_line)) {
                /* It closed its notify pipe (it is exiting): stop polling it until it is reaped. */
                close(owners[i]->notify_fd);
                owners[i]->notify_fd = -1;
            }
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            ssize_t got = read(sig_fd, &si, sizeof si);
            if (got == (ssize_t)sizeof si) {
                on_signal((int)si.ssi_signo);
            } else if (got < 0 && errno != EAGAIN && errno != EINTR) {
                hlog("read signalfd: %s", strerror(errno));
            }
        }
        if (h.respawn_at > 0 && mono_ms() >= h.respawn_at && !h.stopping) {
            h.respawn_at = 0;
            if (h.active.pid == 0) {
                start_active();
            } else if (h.standby && h.next.pid == 0) {
                spawn_next();
            }
        }
    }
    if (h.bound_here && h.socket_path != NULL && unlink(h.socket_path) < 0 && errno != ENOENT) {
        hlog("unlink %s: %s", h.socket_path, strerror(errno));
    }
    if (h.pid_file != NULL && unlink(h.pid_file) < 0 && errno != ENOENT) {
        hlog("unlink %s: %s", h.pid_file, strerror(errno));
    }
    hlog("stopped");
    return 0;
}
