/* holdfast-shim: one container's (or one exec'd process's) stdio or terminal, json-file log, reaping and
 * exit status.
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
#define REAPED_STASH 16 /* statuses of unknown children kept for a later lookup (exec: exit before exec.pid) */
#define TTY_SOCK "tty.sock" /* the console socket, relative to the shim's directory */

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
enum runc_op { RUNC_CREATE, RUNC_START, RUNC_KILL_ALL, RUNC_DELETE, RUNC_EXEC };
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

/* ---- io.c: the process's pipes or terminal ---- */
/* Pipes; the process's ends stay open (io_child_fd: 0 stdin or -1, 1 stdout, 2 stderr) until closed. */
int io_setup_pipes(void);
int io_child_fd(int i);
void io_close_child_ends(void);
/* --tty: no pipes; with --stdin, input is buffered until io_use_terminal(master) (which dups it). */
void io_setup_terminal(void);
int io_use_terminal(int master);
void io_register(void); /* start reading the output pipes */
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
/* The status of pid if it was reaped before it was known (then forgotten). */
bool reaper_take(pid_t pid, int *status);

/* ---- tty.c: --tty ---- */
int tty_listen(void);                        /* bind <dir>/tty.sock before runc runs */
int tty_receive(char *msg, size_t msgsz);    /* after runc succeeded: the master (owned by tty.c) or -1 */
bool tty_resize(unsigned width, unsigned height, char *msg, size_t msgsz);
void tty_close(void);

/* ---- exec.c: exec mode ---- */
/* runc exec finished (status from waitpid): the answer for the start request, "ok <pid>\n" or "error ..\n" */
void exec_done(int status, off_t log_off, char *answer, size_t answersz);
void exec_failed(const char *msg);
/* The exit code of an exec whose start failed (dockerd's, also for a command that is not found). */
#define EXEC_START_FAILED 126

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
    const char *exec_id, *process_file, *state_dir; /* exec mode: exec_id != NULL */
    const char *dir;                                /* bundle, or state_dir in exec mode: the shim's files */
    bool stdin_enabled, tty;
    long long log_max_size;
    int log_max_files;

    int epfd;
    enum task_state state;
    pid_t init_pid; /* the process: container init, or the exec'd process (0 until started) */
    bool init_reaped;
    int forced_exit_code; /* > 0: the exit code regardless of the status (exec started without a terminal) */
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
