/* Running runc: create (synchronously, before the shim reports), start / exec / kill --all (asynchronously,
 * answered when the reaper collects them), and the error message from runc's json log. With --tty, create and
 * exec run in the shim's directory and get "--console-socket tty.sock". */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static struct runc_cmd cmds[MAX_RUNC_CMDS];

const char *runc_op_name(enum runc_op op)
{
    switch (op) {
    case RUNC_CREATE:
        return "create";
    case RUNC_START:
        return "start";
    case RUNC_KILL_ALL:
        return "kill";
    case RUNC_DELETE:
        return "delete";
    case RUNC_EXEC:
        return "exec";
    }
    return "?";
}

static off_t runc_log_size(void)
{
    struct stat st;
    if (stat(S.runc_log, &st) != 0)
        return 0;
    return st.st_size;
}

pid_t runc_spawn(enum runc_op op, const char *arg, int in, int out, int err, off_t *log_off, char *msg,
                 size_t msgsz)
{
    char pidfile[4200];
    const char *argv[24];
    int a = 0;
    argv[a++] = S.runc;
    argv[a++] = "--root";
    argv[a++] = S.runc_root;
    argv[a++] = "--log";
    argv[a++] = S.runc_log;
    argv[a++] = "--log-format";
    argv[a++] = "json";
    argv[a++] = runc_op_name(op);
    switch (op) {
    case RUNC_CREATE:
        snprintf(pidfile, sizeof pidfile, "%s/init.pid", S.bundle);
        argv[a++] = "--bundle";
        argv[a++] = S.bundle;
        argv[a++] = "--pid-file";
        argv[a++] = pidfile;
        if (S.tty) {
            argv[a++] = "--console-socket";
            argv[a++] = TTY_SOCK;
        }
        argv[a++] = S.id;
        break;
    case RUNC_EXEC:
        snprintf(pidfile, sizeof pidfile, "%s/exec.pid", S.dir);
        argv[a++] = "--detach";
        argv[a++] = "--pid-file";
        argv[a++] = pidfile;
        argv[a++] = "--process";
        argv[a++] = S.process_file;
        if (S.tty) {
            argv[a++] = "--console-socket";
            argv[a++] = TTY_SOCK;
        }
        argv[a++] = S.id;
        break;
    case RUNC_START:
        argv[a++] = S.id;
        break;
    case RUNC_KILL_ALL:
        argv[a++] = "--all";
        argv[a++] = S.id;
        argv[a++] = arg;
        break;
    case RUNC_DELETE:
        argv[a++] = "--force";
        argv[a++] = S.id;
        break;
    }
    argv[a] = NULL;

    *log_off = runc_log_size();

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) {
        snprintf(msg, msgsz, "posix_spawn_file_actions_init: %s", strerror(rc));
        return -1;
    }
    rc = posix_spawnattr_init(&at);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&fa);
        snprintf(msg, msgsz, "posix_spawnattr_init: %s", strerror(rc));
        return -1;
    }
    const int fds[3] = {in, out, err};
    for (int i = 0; i < 3 && rc == 0; i++) {
        if (fds[i] < 0)
            rc = posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
        else
            rc = posix_spawn_file_actions_adddup2(&fa, fds[i], i);
    }
    /* the console socket path is relative to the directory */
    if (rc == 0 && S.tty && (op == RUNC_CREATE || op == RUNC_EXEC))
        rc = posix_spawn_file_actions_addchdir_np(&fa, S.dir);
    /* runc and, through it, the container start with default dispositions and nothing blocked */
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&at, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&at, &all);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    if (rc == 0)
        rc = posix_spawnp(&pid, S.runc, &fa, &at, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        snprintf(msg, msgsz, "spawn %s %s: %s", S.runc, runc_op_name(op), strerror(rc));
        slog("%s", msg);
        return -1;
    }
    slog("runc %s%s%s: pid %d", runc_op_name(op), arg ? " " : "", arg ? arg : "", (int)pid);
    return pid;
}

bool runc_result(enum runc_op op, int status, off_t log_off, char *msg, size_t msgsz)
{
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        msg[0] = '\0';
        return true;
    }
    char text[8192];
    off_t size = runc_log_size();
    off_t from = log_off;
    if (size - from > (off_t)sizeof text)
        from = size - (off_t)sizeof text;
    bool found = false;
    int fd = open(S.runc_log, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        slog("open %s: %s", S.runc_log, strerror(errno));
    } else {
        ssize_t n = pread(fd, text, sizeof text, from);
        if (n < 0)
            slog("read %s: %s", S.runc_log, strerror(errno));
        else if (n > 0)
            found = json_last_error_msg(text, (size_t)n, msg, msgsz);
        close(fd);
    }
    if (!found) {
        if (WIFEXITED(status))
            snprintf(msg, msgsz, "runc %s failed: exit status %d", runc_op_name(op), WEXITSTATUS(status));
        else
            snprintf(msg, msgsz, "runc %s failed: killed by signal %d", runc_op_name(op),
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    slog("runc %s failed: %s", runc_op_name(op), msg);
    return false;
}

bool runc_run(enum runc_op op, const char *arg, int in, int out, int err, char *msg, size_t msgsz)
{
    off_t off;
    pid_t pid = runc_spawn(op, arg, in, out, err, &off, msg, msgsz);
    if (pid < 0)
        return false;
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(msg, msgsz, "waitpid runc %s: %s", runc_op_name(op), strerror(errno));
            slog("%s", msg);
            return false;
        }
    }
    return runc_result(op, status, off, msg, msgsz);
}

struct runc_cmd *runc_cmd_slot(void)
{
    for (int i = 0; i < MAX_RUNC_CMDS; i++)
        if (cmds[i].pid == 0)
            return &cmds[i];
    return NULL;
}

struct runc_cmd *runc_cmd_find(pid_t pid)
{
    for (int i = 0; i < MAX_RUNC_CMDS; i++)
        if (cmds[i].pid == pid)
            return &cmds[i];
    return NULL;
}

void runc_cmd_forget_client(struct client *c)
{
    for (int i = 0; i < MAX_RUNC_CMDS; i++)
        if (cmds[i].client == c)
            cmds[i].client = NULL;
}

bool runc_cmd_pending(enum runc_op op)
{
    for (int i = 0; i < MAX_RUNC_CMDS; i++)
        if (cmds[i].pid != 0 && cmds[i].op == op)
            return true;
    return false;
}
