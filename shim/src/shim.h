/* holdfast-shim: one container's stdio, json-file log, reaping and exit status.
 * See docs/internals.md ("The shim") for the CLI and the control protocol. */
#ifndef HOLDFAST_SHIM_H
#define HOLDFAST_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define LINE_MAX_BYTES (16 * 1024) /* Docker splits log lines at 16 KiB */
#define MAX_CLIENTS 64
#define REQ_MAX 256             /* longest control request line */
#define ATTACH_BUF (32 * 1024)  /* per attach client: a slower reader is dropped */
#define STDIN_BUF (4 * 1024)
#define DRAIN_TIMEOUT_MS 2000
#define STOPPED_GRACE_MS 1000 /* answering connections queued before the socket was unlinked */
#define MAX_RUNC_CMDS 8

/* Every epoll-registered object starts with this. */
enum ev_kind { EV_SIGNAL, EV_LISTEN, EV_STREAM, EV_STDIN, EV_CLIENT };
struct ev {
    enum ev_kind kind;
};

enum task_state { ST_CREATED, ST_RUNNING, ST_EXITING, ST_STOPPED };

struct client;

/* ---- shimlog.c: the shim's own diagnostics, <bundle>/shim.log ---- */
void slog_open(const char *bundle);
void slog_close(void);
void slog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- timefmt.c ---- */
#define TIMEFMT_MAX 40
/* RFC3339Nano in UTC exactly as Go formats it; returns the length. */
size_t timefmt_rfc3339nano(const struct timespec *ts, char *out);
void now_realtime(struct timespec *ts);
int64_t now_mono_ms(void);

/* ---- json.c ---- */
/* Go encoding/json string escaping (HTML-safe, invalid UTF-8 -> \ufffd), without quotes.
 * out may be NULL to only compute the length. */
size_t json_escape(const unsigned char *in, size_t n, char *out);
/* Worst-case expansion of one input byte. */
#define JSON_ESC_MAX 6
/* From a runc --log-format json file's text, the "msg" of the last level=error line (or "fatal"),
 * unescaped, newlines folded to spaces. Returns false if there is none. */
bool json_last_error_msg(const char *text, size_t n, char *out, size_t outsz);

/* ---- log.c: Docker json-file writer ---- */
int jlog_open(const char *path, long long max_size, int max_files);
/* Write one entry; partial = no trailing "\n" in the log field was in the data. */
void jlog_write(const char *stream, const unsigned char *data, size_t n, const struct timespec *ts);
void jlog_close(void);

/* ---- exitfile.c ---- */
int write_file_atomic(const char *dir, const char *name, const char *data, size_t n);
int write_shim_pid(const char *bundle);
int write_exit_json(const char *bundle, pid_t pid, int code, const struct timespec *at);

/* ---- runc.c ---- */
enum runc_op { RUNC_CREATE, RUNC_START, RUNC_KILL_ALL, RUNC_DELETE };
struct runc_cmd {
    pid_t pid;              /* 0: slot free */
    enum runc_op op;
    off_t log_off;          /* runc.log size before the command ran */
    struct client *client;  /* who gets the answer; NULL if gone */
};
/* Spawn runc; stdio fds (-1 = /dev/null). Returns pid or -1 with msg filled. */
pid_t runc_spawn(enum runc_op op, const char *arg, int in, int out, int err, off_t *log_off,
                 char *msg, size_t msgsz);
/* Message for a finished runc (status from waitpid): "" when it succeeded. */
bool runc_result(enum runc_op op, int status, off_t log_off, char *msg, size_t msgsz);
/* Run synchronously (used for create and the cleanup delete). */
bool runc_run(enum runc_op op, const char *arg, int in, int out, int err, char *msg, size_t msgsz);
struct runc_cmd *runc_cmd_slot(void);
struct runc_cmd *runc_cmd_find(pid_t pid);
void runc_cmd_forget_client(struct client *c);
bool runc_cmd_pending(enum runc_op op);
const char *runc_op_name(enum runc_op op);

/* ---- io.c: container pipes ---- */
int io_setup_pipes(int *child_in, int *child_out, int *child_err);
void io_register(void);
void io_handle(struct ev *ev, uint32_t events);
bool io_drained(void);
void io_flush_partial(void);
void io_close_stdin(void);
/* Attach client input for the container's stdin; returns bytes accepted (0: buffer full). */
size_t io_stdin_push(const char *data, size_t n);
size_t io_stdin_room(void);
void io_stdin_close_after_flush(void);
void io_close_all(void);

/* ---- reaper.c ---- */
int reaper_setup(void);
int reaper_register(void);
void reaper_close(void);
void reaper_handle(void);
int exit_status_code(int status);

/* ---- control.c ---- */
int control_listen(const char *path);
void control_handle_listen(void);
void control_handle_client(struct ev *ev, uint32_t events);
void control_runc_done(struct client *c, const char *answer);
void control_attach_broadcast(int stream, const unsigned char *data, size_t n);
void control_attach_stdin_resume(void);
void control_finish(void);   /* answer waiters, close attach clients */
void control_close_listener(void);
void control_unlink_socket(void);
int control_clients(void);
void control_close_all(void);
void control_free_closed(void);

/* ---- main.c: global state ---- */
struct shim {
    const char *id, *bundle, *socket_path, *log_path, *runc, *runc_root;
    bool stdin_enabled;
    long long log_max_size;
    int log_max_files;

    int epfd;
    enum task_state state;
    pid_t init_pid;
    bool init_reaped;
    int exit_code;
    struct timespec exited_at;
    int64_t drain_deadline_ms; /* ST_EXITING: stop draining; ST_STOPPED: stop answering */
    char runc_log[4096];
};
extern struct shim S;

int ep_add(int fd, uint32_t events, struct ev *ev);
int ep_mod(int fd, uint32_t events, struct ev *ev);
void ep_del(int fd);
void on_init_exit(int status);
void fmt_stopped(char *out, size_t outsz);

#endif
