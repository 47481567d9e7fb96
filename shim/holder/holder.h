/* holdfast-holder: holds the engine's API socket across engine restarts and keeps an engine serving on it.
 * See docs/internals.md ("The socket holder") for the command line and the handover protocol. */
#ifndef HOLDFAST_HOLDER_H
#define HOLDFAST_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LISTEN_FD 3        /* where an engine finds the API socket (sd_listen_fds: SD_LISTEN_FDS_START) */
#define GO_FD 4            /* the engine reads "go\n" here */
#define NOTIFY_FD 5        /* the engine writes "warm\n" and "serving\n" here */
#define MSG_MAX 64         /* longest notify line we keep; longer ones are cut */
#define QUICK_DEATH_MS 10000 /* an engine that dies sooner than this after its start counts as a failed start */
#define BACKOFF_MAX_MS 30000

void hlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int64_t mono_ms(void);

/* ---- listen.c ---- */
/* The API socket: fd 3 when LISTEN_FDS/LISTEN_PID pass it to us (socket activation), else bound at path with
 * mode 0660 (a stale socket file nobody answers on is replaced). Sets *bound_here. Returns the fd or -1. */
int listen_acquire(const char *path, bool *bound_here);

/* ---- engine.c ---- */
enum role { ROLE_NONE, ROLE_ACTIVE, ROLE_NEXT };
struct engine {
    enum role role;
    pid_t pid;
    int go_fd;        /* our end: we write "go\n" */
    int notify_fd;    /* our end: the engine writes lines */
    bool warm;        /* said "warm": booted, waiting for go */
    bool go_sent;
    bool serving;     /* said "serving" */
    bool released;    /* said "released": stopped serving, writes nothing more, still exiting */
    bool terminating; /* we sent it SIGTERM */
    int64_t started_ms;
    char buf[MSG_MAX];
    size_t len;
};

/* Forks and execs argv with the API socket as fd 3 (LISTEN_FDS=1, LISTEN_PID) and the handover pipes as fds 4
 * and 5 (HOLDFAST_HANDOVER_FDS=4,5). Returns false (and logs) when it could not. */
bool engine_spawn(struct engine *e, enum role role, int listen_fd, char *const argv[]);
/* Writes "go\n", or "go released\n" after the previous engine released the socket (once; the pipe buffers it if
 * the engine is not reading yet). */
void engine_go(struct engine *e, bool after_release);
/* Reads what the engine wrote; returns each complete line through on_line. False at EOF or error. */
bool engine_read(struct engine *e, void (*on_line)(struct engine *e, const char *line));
/* Closes our ends of its pipes and forgets it (after it was reaped). */
void engine_forget(struct engine *e);
/* <path>: "<pid>\n", written atomically (temp file, fsync, rename). */
void pidfile_write(const char *path, pid_t pid);

#endif
