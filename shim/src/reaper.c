/* Signals through a signalfd: SIGCHLD reaps every child (the shim is a subreaper, so runc's children and
 * the container init or the exec'd process end up here); only that process's status becomes the exit status.
 * Statuses of unknown children are kept briefly: an exec'd process can exit before runc exec has exited. SIGTERM/SIGINT/SIGHUP are
 * logged and otherwise ignored: stopping the shim must never stop the container. */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static struct ev sig_ev = {EV_SIGNAL};
static int sig_fd = -1;

static struct {
    pid_t pid; /* 0: free */
    int status;
} stash[REAPED_STASH];
static unsigned stash_next;

static void stash_put(pid_t pid, int status)
{
    stash[stash_next].pid = pid;
    stash[stash_next].status = status;
    stash_next = (stash_next + 1) % REAPED_STASH;
}

bool reaper_take(pid_t pid, int *status)
{
    for (int i = 0; i < REAPED_STASH; i++) {
        if (stash[i].pid == pid) {
            *status = stash[i].status;
            stash[i].pid = 0;
            return true;
        }
    }
    return false;
}

int reaper_setup(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        slog("sigprocmask: %s", strerror(errno));
        return -1;
    }
    sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sig_fd < 0) {
        slog("signalfd: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int reaper_register(void)
{
    return ep_add(sig_fd, EPOLLIN, &sig_ev);
}

int exit_status_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

static void reap(void)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0)
            return;
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            if (errno != ECHILD)
                slog("waitpid: %s", strerror(errno));
            return;
        }
        if (pid == S.init_pid && !S.init_reaped) {
            on_init_exit(status);
            continue;
        }
        struct runc_cmd *c = runc_cmd_find(pid);
        if (c) {
            char msg[1024], answer[1100];
            struct client *cl = c->client;
            enum runc_op op = c->op;
            off_t log_off = c->log_off;
            c->pid = 0;
            c->client = NULL;
            if (op == RUNC_EXEC)
                exec_done(status, log_off, answer, sizeof answer);
            else if (runc_result(op, status, log_off, msg, sizeof msg))
                snprintf(answer, sizeof answer, "ok\n");
            else
                snprintf(answer, sizeof answer, "error %s\n", msg);
            if (op == RUNC_START && answer[0] == 'o' && S.state == ST_CREATED)
                S.state = ST_RUNNING;
            if (cl)
                control_runc_done(cl, answer);
            continue;
        }
        if (S.exec_id && S.init_pid == 0)
            stash_put(pid, status); /* perhaps the exec'd process, before runc exec is done */
        slog("reaped pid %d (status 0x%x)", (int)pid, (unsigned)status);
    }
}

void reaper_handle(void)
{
    for (;;) {
        struct signalfd_siginfo si;
        ssize_t n = read(sig_fd, &si, sizeof si);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                slog("read signalfd: %s", strerror(errno));
            break;
        }
        if (n != (ssize_t)sizeof si)
            break;
        if (si.ssi_signo != SIGCHLD)
            slog("ignoring signal %d from pid %u", (int)si.ssi_signo, si.ssi_pid);
    }
    reap();
}

void reaper_close(void)
{
    if (sig_fd >= 0)
        close(sig_fd);
    sig_fd = -1;
}
