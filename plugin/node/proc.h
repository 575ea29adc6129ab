/* proc.h - runs a local program (qemu-img, drv_cfg, genisoimage) without a shell: a time limit,
 * bounded capture of its output, progress lines and cancellation. The only place the plugin forks.
 *
 * How a program is started
 *   posix_spawn with an argv array: no shell ever parses an argument, so ";", "$(...)" and
 *   newlines reach the program literally. argv[0] must be an absolute path unless the caller sets
 *   search_path (there is no implicit PATH lookup: the agent's PATH is not ours to trust). The
 *   child gets /dev/null as stdin, default signal dispositions, an empty signal mask, its own
 *   process group (so a timeout kills its helpers too) and no descriptor but 0, 1 and 2.
 *
 * Threads: every function here may be called from any number of threads at once. */
#ifndef PFX_PROC_H
#define PFX_PROC_H

#include "rlimitspawn.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_PROC_STDOUT_MAX_DEFAULT ((size_t)1 << 20) /* stdout kept when opts->stdout_max is 0 */
#define PFX_PROC_STDERR_TAIL 4096                     /* the last bytes of stderr that are kept */
#define PFX_PROC_LINE_MAX 4096                        /* longer stdout lines are cut into pieces */

/* Receives each stdout line without its terminator. '\r' ends a line as well as '\n', because
 * progress meters (qemu-img -p) redraw with '\r'; empty lines are not delivered. The line lives
 * only during the call. Return non-zero to stop the program: the run ends in SP_E_CANCELLED. */
typedef int (*pfx_proc_line_fn)(void *ctx, const char *line, size_t len);

/* Polled about every 100 ms while the program runs. Non-zero stops it (SP_E_CANCELLED). */
typedef int (*pfx_proc_cancel_fn)(void *ctx);

typedef struct pfx_proc_opts {
    unsigned timeout_ms;      /* 0: no limit */
    size_t stdout_max;        /* stdout bytes kept in the result; 0: PFX_PROC_STDOUT_MAX_DEFAULT */
    pfx_proc_line_fn on_line; /* may be NULL; sees every line, also past stdout_max */
    void *line_ctx;
    pfx_proc_cancel_fn cancel; /* may be NULL */
    void *cancel_ctx;
    int search_path; /* 1: a name without '/' is looked up in PATH (posix_spawnp) */
    /* Resource limits set in the child before exec (all 0: none). A program that reads untrusted
     * input (qemu-img info on a template) gets them: past the CPU limit the kernel kills it
     * (res.term_signal SIGKILL), past the address space limit its allocations fail. The program
     * is then started with fork and execve instead of posix_spawn; search_path is refused. */
    pfx_rlimits limits;
} pfx_proc_opts;

typedef struct pfx_proc_result {
    int exited; /* 1: ended by exit(), exit_code is valid; 0: ended by term_signal */
    int exit_code;
    int term_signal;
    char *out; /* stdout (first stdout_max bytes), NUL-terminated; owned by the result */
    size_t out_len;
    int out_truncated;                  /* more was written than was kept */
    char err[PFX_PROC_STDERR_TAIL + 1]; /* the last bytes of stderr, NUL-terminated */
    size_t err_len;
    int err_truncated; /* err lost its beginning */
} pfx_proc_result;

/* Runs argv (NULL-terminated) to its end. `opts` may be NULL (no limit, defaults). `res` is
 * always initialised, whatever the outcome, and must be released with pfx_proc_result_free.
 *   SP_OK          the program ended by itself; its exit status is in res, whatever it is
 *   SP_E_TIMEOUT   it ran past timeout_ms and was killed (res holds its output so far)
 *   SP_E_CANCELLED on_line or cancel asked to stop; it was killed
 *   SP_E_IO        it could not be started (missing, not executable) or waiting failed
 *   SP_E_INVALID   argv is empty or argv[0] is relative without search_path
 * Error messages name the program and end with the trimmed tail of its stderr. */
sp_status pfx_proc_run(const char *const *argv, const pfx_proc_opts *opts, pfx_proc_result *res,
                       sp_error *err);

/* pfx_proc_run, and an exit status other than 0 (or death by a signal) is SP_E_IO:
 * "<program> exited with status 3: <stderr tail>". */
sp_status pfx_proc_run_ok(const char *const *argv, const pfx_proc_opts *opts, pfx_proc_result *res,
                          sp_error *err);

/* Fills err with SP_E_IO describing how the finished program in res failed. Returns SP_E_IO. */
sp_status pfx_proc_failed(const char *const *argv, const pfx_proc_result *res, sp_error *err);

/* Writes res's stderr tail into buf for a message: surrounding blanks trimmed, line breaks shown
 * as " | ", tabs as spaces, other control characters as '?', the end kept when it does not fit. */
void pfx_proc_err_tail(const pfx_proc_result *res, char *buf, size_t buf_len);

/* Releases res->out; res may be reused afterwards. NULL is allowed. */
void pfx_proc_result_free(pfx_proc_result *res);

/* Copies up to len bytes of s (less at a NUL) into buf for an error message: control
 * characters become '?', and text that does not fit ends in "...". For anything that came from
 * outside (program output, ids, names) before it goes into a message or a log line. */
void pfx_printable(const char *s, size_t len, char *buf, size_t buf_len);

/* Milliseconds on the monotonic clock, for deadlines and durations. */
int64_t pfx_now_ms(void);

/* Finds the executable `name` in the fixed system directories /usr/bin, /usr/local/bin, /bin,
 * /usr/sbin, /sbin (in that order) and writes its absolute path into buf. SP_E_NOT_FOUND when
 * none has it. PATH is never consulted. */
sp_status pfx_proc_find_program(const char *name, char *buf, size_t buf_len, sp_error *err);

#endif
