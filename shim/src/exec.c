/* Exec mode: the shim of one additional process in a running container. Nothing runs until `start`, which runs
 * `runc exec --detach` (control.c); this file handles its outcome. A failed start ends the exec with exit code
 * 126 whatever the reason (a missing binary included), as dockerd reports a failed exec start. */
#include "shim.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void exec_failed(const char *msg)
{
    slog("exec %s failed: %s", S.exec_id, msg);
    io_close_all(); /* nothing ran: no output to wait for (runc's own error text is not relayed) */
    tty_close();
    S.init_pid = 0;
    S.init_reaped = true;
    S.exit_code = EXEC_START_FAILED;
    now_realtime(&S.exited_at);
    S.state = ST_EXITING; /* the main loop writes exit.json, answers waiters and exits */
    S.drain_deadline_ms = now_mono_ms();
}

static pid_t read_exec_pid(char *msg, size_t msgsz)
{
    char path[4200], buf[32];
    snprintf(path, sizeof path, "%s/exec.pid", S.dir);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(msg, msgsz, "runc exec succeeded but open exec.pid: %s", strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    int e = errno;
    close(fd);
    if (n <= 0) {
        snprintf(msg, msgsz, "runc exec succeeded but read exec.pid: %s", n < 0 ? strerror(e) : "empty");
        return -1;
    }
    buf[n] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    if (v <= 0 || (*end != '\0' && *end != '\n')) {
        snprintf(msg, msgsz, "runc exec succeeded but exec.pid holds no pid");
        return -1;
    }
    return (pid_t)v;
}

void exec_done(int status, off_t log_off, char *answer, size_t answersz)
{
    char msg[1024];
    if (!runc_result(RUNC_EXEC, status, log_off, msg, sizeof msg)) {
        snprintf(answer, answersz, "error %s\n", msg);
        exec_failed(msg);
        return;
    }
    pid_t pid = read_exec_pid(msg, sizeof msg);
    if (pid < 0) {
        slog("%s", msg);
        snprintf(answer, answersz, "error %s\n", msg);
        exec_failed(msg);
        return;
    }
    S.init_pid = pid;
    S.state = ST_RUNNING;
    /* it may have exited (and been reaped as a stranger) before runc wrote exec.pid */
    int st;
    bool gone = reaper_take(pid, &st);
    if (S.tty) {
        int master = tty_receive(msg, sizeof msg);
        if (master < 0 || io_use_terminal(master) != 0) {
            if (master >= 0)
                snprintf(msg, sizeof msg, "setting up the terminal failed (see shim.log)");
            /* the process runs without anyone serving its terminal: end it, as a failed exec */
            slog("exec %s: %s: killing %d", S.exec_id, msg, (int)pid);
            if (!gone && kill(pid, SIGKILL) != 0 && errno != ESRCH)
                slog("kill(%d, SIGKILL): %s", (int)pid, strerror(errno));
            S.forced_exit_code = EXEC_START_FAILED;
            snprintf(answer, answersz, "error %s\n", msg);
            io_close_all();
        } else {
            snprintf(answer, answersz, "ok %d\n", (int)pid);
        }
    } else {
        io_register();
        snprintf(answer, answersz, "ok %d\n", (int)pid);
    }
    slog("exec %s started: pid %d", S.exec_id, (int)pid);
    if (gone)
        on_init_exit(st);
}
