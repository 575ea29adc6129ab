/* runprog.h - the one process runner of the harness, the tests and the benchmarks: starting
 * external programs from an argv (never through a shell), waiting for them, stopping them. */
#ifndef HOST_RUNPROG_H
#define HOST_RUNPROG_H

#include "rlimitspawn.h"
#include "strbuf.h"

#include <stddef.h>
#include <sys/types.h>

/* How host_spawn wires the child. Zeroed: stdin from /dev/null, stdout and stderr inherited. */
typedef struct host_spawn_opts {
    const char *log;     /* stdout and stderr (stderr only with out_fd) go to this file */
    int log_append;      /* append to log (else it is truncated) */
    int *in_fd;          /* stdin is a pipe; *in_fd receives its write end (close it for EOF) */
    int *out_fd;         /* stdout is a pipe; *out_fd receives its read end */
    int die_with_parent; /* the child gets SIGTERM when this process dies */
    int new_session;     /* the child leaves this process's session (outlives its terminal) */
} host_spawn_opts;

/* Starts argv[0] (a path, or a name looked up in PATH) without waiting. Returns its pid, or -1
 * with err (the program could not be run: the exec's own error is reported). The pipe ends
 * handed back are close-on-exec. */
pid_t host_spawn(char *const argv[], const host_spawn_opts *opts, char *err, size_t errlen);

/* Waits for pid (restarting on EINTR) and returns its wait status, or -1 with err. */
int host_wait(pid_t pid, int *status, char *err, size_t errlen);

/* SIGTERM, then SIGKILL when pid has not ended after grace_ms; reaps it when it is our child
 * (else only waits for it to be gone). */
void host_stop(pid_t pid, int child, unsigned grace_ms);

/* Runs argv[0] (looked up in PATH) and waits. stdout goes to out when not NULL (else to
 * /dev/null); stderr to the file log when not NULL (else /dev/null). Returns the exit status,
 * or -1 with err when it could not run or died of a signal. */
int host_run(char *const argv[], host_buf *out, const char *log, char *err, size_t errlen);

/* host_run for a program reading untrusted input (qemu-img info on a template): started under
 * the limits `lim` (see rlimitspawn.h; argv[0] without a '/' is looked up in PATH first), stdout
 * into out, stderr kept for err. Returns the exit status, or -1 with err when it could not run
 * or was killed (past its CPU limit: err says so). */
int host_run_limited(char *const argv[], const pfx_rlimits *lim, host_buf *out, char *err, size_t errlen);

#endif
