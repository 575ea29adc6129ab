/* proc.c - running local programs: posix_spawn, poll-driven capture of stdout and stderr, time
 * limits and cancellation. Every descriptor we open is O_CLOEXEC so that spawns made at the same
 * time by other threads inherit none of them. */
#include "config.h"

#include "proc.h"

#include "error.h"
#include "hostsvc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SLICE_MS 100         /* longest wait between two cancel polls */
#define NO_PIDFD_SLICE_MS 10 /* without a pidfd, how often the child's exit is looked for */
#define EXIT_GRACE_MS 1000   /* after the exit, how long leftover helpers may hold our pipes */
#define KILL_WAIT_MS 5000    /* how long SIGKILL may take before a reaper thread takes over */
#define READ_CHUNK 65536
#define TAIL_IN_MESSAGE 700 /* stderr characters quoted in an error message */

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HAVE_ADDCLOSEFROM 1
#endif

typedef struct run_state {
    pfx_proc_result *res;
    const pfx_proc_opts *opts;
    size_t out_max;
    size_t out_cap;
    char line[PFX_PROC_LINE_MAX + 1];
    size_t line_len;
    char errbuf[2 * PFX_PROC_STDERR_TAIL];
    size_t errbuf_len;
    int stop; /* on_line asked to stop */
} run_state;

typedef enum outcome { RAN, TIMED_OUT, CANCELLED, LEFTOVERS } outcome;

int64_t pfx_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void pfx_printable(const char *s, size_t len, char *buf, size_t buf_len)
{
    size_t n, keep, i;

    if (buf_len == 0)
        return;
    n = s != NULL ? strnlen(s, len) : 0;
    keep = n;
    if (n >= buf_len)
        keep = buf_len > 4 ? buf_len - 4 : buf_len - 1;
    for (i = 0; i < keep; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (keep < n && buf_len > 4) {
        memcpy(buf + keep, "...", 3);
        keep += 3;
    }
    buf[keep] = '\0';
}

/* "qemu-img convert", "drv_cfg --rescan": the program's base name and its first argument when
 * that reads like a subcommand (a word or a --long option, not a -short one), which is how an
 * operator recognises the call. */
static void label(const char *const *argv, char *buf, size_t buf_len)
{
    const char *base = strrchr(argv[0], '/');
    char a0[64], a1[32];

    pfx_printable(base != NULL ? base + 1 : argv[0], SIZE_MAX, a0, sizeof(a0));
    if (argv[1] != NULL && strlen(argv[1]) < sizeof(a1) && strchr(argv[1], '/') == NULL &&
        (argv[1][0] != '-' || argv[1][1] == '-')) {
        pfx_printable(argv[1], SIZE_MAX, a1, sizeof(a1));
        snprintf(buf, buf_len, "%s %s", a0, a1);
    } else {
        snprintf(buf, buf_len, "%s", a0);
    }
}

void pfx_proc_err_tail(const pfx_proc_result *res, char *buf, size_t buf_len)
{
    char tmp[3 * PFX_PROC_STDERR_TAIL + 1];
    size_t b = 0, e, n = 0, i;

    if (buf_len == 0)
        return;
    buf[0] = '\0';
    if (res == NULL)
        return;
    e = res->err_len;
    while (b < e && (res->err[b] == ' ' || res->err[b] == '\t' || res->err[b] == '\n' || res->err[b] == '\r'))
        b++;
    while (e > b && (res->err[e - 1] == ' ' || res->err[e - 1] == '\t' || res->err[e - 1] == '\n' ||
                     res->err[e - 1] == '\r'))
        e--;
    for (i = b; i < e; i++) {
        unsigned char c = (unsigned char)res->err[i];
        if (c == '\n') {
            memcpy(tmp + n, " | ", 3);
            n += 3;
        } else if (c == '\r') {
            continue;
        } else if (c == '\t') {
            tmp[n++] = ' ';
        } else {
            tmp[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
        }
    }
    tmp[n] = '\0';
    if (n < buf_len) {
        memcpy(buf, tmp, n + 1);
    } else if (buf_len > 4) {
        /* The end of stderr says why a program gave up; its beginning is the first to go. */
        memcpy(buf, "...", 3);
        memcpy(buf + 3, tmp + n - (buf_len - 4), buf_len - 4);
        buf[buf_len - 1] = '\0';
    }
}

sp_status pfx_proc_failed(const char *const *argv, const pfx_proc_result *res, sp_error *err)
{
    char name[96], tail[TAIL_IN_MESSAGE];

    label(argv, name, sizeof(name));
    pfx_proc_err_tail(res, tail, sizeof(tail));
    if (res->exited)
        return pfx_error(err, SP_E_IO, "%s exited with status %d: %s", name, res->exit_code,
                         tail[0] != '\0' ? tail : "(no error output)");
    return pfx_error(err, SP_E_IO, "%s was killed by signal %d%s%s", name, res->term_signal,
                     tail[0] != '\0' ? ": " : "", tail);
}

void pfx_proc_result_free(pfx_proc_result *res)
{
    if (res == NULL)
        return;
    free(res->out);
    res->out = NULL;
    res->out_len = 0;
}

sp_status pfx_proc_find_program(const char *name, char *buf, size_t buf_len, sp_error *err)
{
    static const char *const dirs[] = {"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin"};
    size_t i;

    if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL)
        return pfx_error(err, SP_E_INVALID, "program name \"%s\" is not a plain name", name ? name : "");
    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        struct stat sb;
        int n = snprintf(buf, buf_len, "%s/%s", dirs[i], name);
        if (n < 0 || (size_t)n >= buf_len)
            return pfx_error(err, SP_E_INVALID, "path of program %s does not fit in %zu bytes", name,
                             buf_len);
        if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
            return SP_OK;
    }
    buf[0] = '\0';
    return pfx_error(err, SP_E_NOT_FOUND,
                     "%s was not found in /usr/bin, /usr/local/bin, /bin, /usr/sbin or /sbin", name);
}

/* --- output ------------------------------------------------------------------------------ */

static void flush_line(run_state *st)
{
    if (st->line_len > 0 && !st->stop && st->opts->on_line != NULL) {
        st->line[st->line_len] = '\0';
        if (st->opts->on_line(st->opts->line_ctx, st->line, st->line_len) != 0)
            st->stop = 1;
    }
    st->line_len = 0;
}

static sp_status take_out(run_state *st, const char *p, size_t n, sp_error *err)
{
    pfx_proc_result *res = st->res;
    size_t keep = 0, i;

    if (res->out_len < st->out_max) {
        keep = st->out_max - res->out_len < n ? st->out_max - res->out_len : n;
        if (res->out_len + keep + 1 > st->out_cap) {
            size_t cap = st->out_cap != 0 ? st->out_cap : 4096;
            char *grown;
            while (cap < res->out_len + keep + 1)
                cap *= 2;
            if (cap > st->out_max + 1)
                cap = st->out_max + 1;
            grown = realloc(res->out, cap);
            if (grown == NULL)
                return pfx_error(err, SP_E_NOMEM, "no memory for %zu bytes of program output", cap);
            res->out = grown;
            st->out_cap = cap;
        }
        memcpy(res->out + res->out_len, p, keep);
        res->out_len += keep;
        res->out[res->out_len] = '\0';
    }
    if (keep < n)
        res->out_truncated = 1;
    if (st->opts->on_line == NULL)
        return SP_OK;
    for (i = 0; i < n; i++) {
        if (p[i] == '\n' || p[i] == '\r') {
            flush_line(st);
        } else {
            if (st->line_len == PFX_PROC_LINE_MAX)
                flush_line(st);
            st->line[st->line_len++] = p[i];
        }
    }
    return SP_OK;
}

static void take_err(run_state *st, const char *p, size_t n)
{
    if (n >= PFX_PROC_STDERR_TAIL) {
        if (st->errbuf_len > 0 || n > PFX_PROC_STDERR_TAIL)
            st->res->err_truncated = 1;
        memcpy(st->errbuf, p + n - PFX_PROC_STDERR_TAIL, PFX_PROC_STDERR_TAIL);
        st->errbuf_len = PFX_PROC_STDERR_TAIL;
        return;
    }
    if (st->errbuf_len + n > sizeof(st->errbuf)) {
        size_t keep = st->errbuf_len < PFX_PROC_STDERR_TAIL ? st->errbuf_len : PFX_PROC_STDERR_TAIL;
        memmove(st->errbuf, st->errbuf + st->errbuf_len - keep, keep);
        if (keep < st->errbuf_len)
            st->res->err_truncated = 1;
        st->errbuf_len = keep;
    }
    memcpy(st->errbuf + st->errbuf_len, p, n);
    st->errbuf_len += n;
}

static void finish_err(run_state *st)
{
    size_t n = st->errbuf_len, from = 0;

    if (n > PFX_PROC_STDERR_TAIL) {
        from = n - PFX_PROC_STDERR_TAIL;
        n = PFX_PROC_STDERR_TAIL;
        st->res->err_truncated = 1;
    }
    memcpy(st->res->err, st->errbuf + from, n);
    st->res->err[n] = '\0';
    st->res->err_len = n;
}

/* --- the child --------------------------------------------------------------------------- */

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    /* A pidfd turns "the child exited" into a poll event; pidfds are always close-on-exec. */
    long fd = syscall(SYS_pidfd_open, (long)pid, 0L);
    if (fd >= 0)
        return (int)fd;
#else
    (void)pid;
#endif
    return -1;
}

/* The child leads its own process group, and until it is reaped neither its pid nor its group
 * id can be reused, so signalling the group is safe right up to the waitpid below. */
static void kill_group(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
}

static int has_exited(pid_t pid)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    /* WNOWAIT leaves the zombie in place: the group stays ours to signal. */
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno == ECHILD; /* reaped by someone else: nothing more will come */
    return si.si_pid != 0;
}

static void *reaper_main(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;

    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* A process stuck in uninterruptible I/O (a dead device) ignores even SIGKILL for a while; a
 * detached thread reaps it whenever it goes, so the caller need not hang with it. */
static void hand_to_reaper(pid_t pid)
{
    pthread_attr_t attr;
    pthread_t t;

    if (pthread_attr_init(&attr) != 0)
        return;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, reaper_main, (void *)(intptr_t)pid) != 0)
        pfx_log(SP_LOG_WARN, "process %ld did not exit after SIGKILL and no reaper thread could be started",
                (long)pid);
    pthread_attr_destroy(&attr);
}

/* Waits up to wait_ms for pid to be reapable. 1: reaped (status set), 0: still there, -1: errno. */
static int reap(pid_t pid, int pidfd, int wait_ms, int *status)
{
    int64_t deadline = pfx_now_ms() + wait_ms;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        int64_t left;
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        left = deadline - pfx_now_ms();
        if (left <= 0)
            return 0;
        if (pidfd >= 0) {
            struct pollfd p = {.fd = pidfd, .events = POLLIN, .revents = 0};
            poll(&p, 1, left < SLICE_MS ? (int)left : SLICE_MS);
        } else {
            struct timespec ts = {0, NO_PIDFD_SLICE_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

/* The same start as spawn below, with limits, which posix_spawn cannot set. */
static sp_status spawn_limited(const char *const *argv, const pfx_proc_opts *opts, int out_w, int err_w,
                               pid_t *pid, sp_error *err)
{
    int fds[3] = {-1, out_w, err_w}, rc;

    if (opts->search_path && strchr(argv[0], '/') == NULL)
        return pfx_error(err, SP_E_INVALID, "program %s: limits need its absolute path", argv[0]);
    fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fds[0] < 0)
        return pfx_error(err, SP_E_IO, "cannot open /dev/null for %s: %s", argv[0], strerror(errno));
    rc = pfx_spawn_limited(argv, fds, 1, &opts->limits, pid);
    close(fds[0]);
    if (rc != 0)
        return pfx_error(err, SP_E_IO, "cannot run %s: %s", argv[0], strerror(rc));
    return SP_OK;
}

static sp_status spawn(const char *const *argv, const pfx_proc_opts *opts, int out_w, int err_w, pid_t *pid,
                       sp_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sp_status st = SP_OK;
    int rc;

    if (opts->limits.cpu_s != 0 || opts->limits.as_bytes != 0)
        return spawn_limited(argv, opts, out_w, err_w, pid, err);
    if (posix_spawn_file_actions_init(&fa) != 0)
        return pfx_error(err, SP_E_NOMEM, "cannot prepare to start %s", argv[0]);
    if (posix_spawnattr_init(&attr) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return pfx_error(err, SP_E_NOMEM, "cannot prepare to start %s", argv[0]);
    }
    sigemptyset(&none);
    sigfillset(&all);
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out_w, 1);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, err_w, 2);
#ifdef HAVE_ADDCLOSEFROM
    /* Descriptors the host opened without O_CLOEXEC must not reach the program either. */
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    /* The agent may ignore SIGPIPE or block signals; ignored and blocked signals survive exec. */
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&attr, &all);
    if (rc == 0)
        rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr,
                                      POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    if (rc != 0) {
        st = pfx_error(err, SP_E_IO, "cannot prepare to start %s: %s", argv[0], strerror(rc));
        goto out;
    }
    if (opts->search_path)
        rc = posix_spawnp(pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    else
        rc = posix_spawn(pid, argv[0], &fa, &attr, (char *const *)argv, environ);
    if (rc != 0)
        st = pfx_error(err, SP_E_IO, "cannot run %s: %s", argv[0], strerror(rc));
out:
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    return st;
}

/* --- the run ----------------------------------------------------------------------------- */

/* Reads what is ready on *fd; closes it at end of file. */
static sp_status drain(run_state *st, int *fd, int is_out, char *chunk, sp_error *err)
{
    ssize_t n = read(*fd, chunk, READ_CHUNK);

    if (n > 0) {
        if (is_out)
            return take_out(st, chunk, (size_t)n, err);
        take_err(st, chunk, (size_t)n);
        return SP_OK;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return SP_OK;
    close(*fd);
    *fd = -1;
    return SP_OK;
}

static sp_status wait_loop(run_state *st, pid_t pid, int pidfd, int *out_r, int *err_r, char *chunk,
                           outcome *how, sp_error *err)
{
    const pfx_proc_opts *o = st->opts;
    int64_t start = pfx_now_ms(), exit_at = 0, next_cancel = start + SLICE_MS;
    int64_t deadline = o->timeout_ms != 0 ? start + (int64_t)o->timeout_ms : 0;
    int exited = 0;
    sp_status s;

    *how = RAN;
    for (;;) {
        struct pollfd p[3];
        nfds_t n = 0;
        int64_t now = pfx_now_ms(), wait = SLICE_MS;

        if (!exited && has_exited(pid)) {
            exited = 1;
            exit_at = now;
        }
        if (exited && *out_r < 0 && *err_r < 0)
            return SP_OK;
        if (st->stop) {
            *how = CANCELLED;
            return SP_OK;
        }
        if (o->cancel != NULL && now >= next_cancel) {
            next_cancel = now + SLICE_MS;
            if (o->cancel(o->cancel_ctx) != 0) {
                *how = CANCELLED;
                return SP_OK;
            }
        }
        if (deadline != 0 && now >= deadline) {
            *how = TIMED_OUT;
            return SP_OK;
        }
        if (exited && now - exit_at >= EXIT_GRACE_MS) {
            /* Something the program started still holds its output open. */
            *how = LEFTOVERS;
            return SP_OK;
        }
        if (!exited && pidfd < 0)
            wait = NO_PIDFD_SLICE_MS;
        if (exited && exit_at + EXIT_GRACE_MS - now < wait)
            wait = exit_at + EXIT_GRACE_MS - now;
        if (deadline != 0 && deadline - now < wait)
            wait = deadline - now;
        if (o->cancel != NULL && next_cancel - now < wait)
            wait = next_cancel - now;
        if (*out_r >= 0)
            p[n++] = (struct pollfd){.fd = *out_r, .events = POLLIN, .revents = 0};
        if (*err_r >= 0)
            p[n++] = (struct pollfd){.fd = *err_r, .events = POLLIN, .revents = 0};
        if (!exited && pidfd >= 0)
            p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN, .revents = 0};
        if (poll(p, n, (int)(wait > 0 ? wait : 0)) < 0 && errno != EINTR)
            return pfx_error(err, SP_E_IO, "waiting for process %ld: %s", (long)pid, strerror(errno));
        for (nfds_t i = 0; i < n; i++) {
            if (p[i].revents == 0 || p[i].fd == pidfd)
                continue;
            if (p[i].fd == *out_r)
                s = drain(st, out_r, 1, chunk, err);
            else
                s = drain(st, err_r, 0, chunk, err);
            if (s != SP_OK)
                return s;
        }
    }
}

sp_status pfx_proc_run(const char *const *argv, const pfx_proc_opts *opts, pfx_proc_result *res,
                       sp_error *err)
{
    static const pfx_proc_opts defaults;
    run_state *st = NULL;
    char *chunk = NULL;
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, pidfd = -1, status = 0, reaped;
    pid_t pid = -1;
    outcome how = RAN;
    sp_status s = SP_OK;
    char name[96], tail[TAIL_IN_MESSAGE];

    if (res != NULL)
        memset(res, 0, sizeof(*res));
    if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0' || res == NULL)
        return pfx_error(err, SP_E_INVALID, "no program to run");
    if (opts == NULL)
        opts = &defaults;
    if (argv[0][0] != '/' && !opts->search_path)
        return pfx_error(err, SP_E_INVALID, "program %s is not an absolute path", argv[0]);
    /* glibc's posix_spawn reports a failed exec, but not every libc (nor valgrind) does: a
     * missing program must not pass for one that exited with 127. */
    if (argv[0][0] == '/' && access(argv[0], X_OK) != 0)
        return pfx_error(err, SP_E_IO, "cannot run %s: %s", argv[0], strerror(errno));
    label(argv, name, sizeof(name));

    st = calloc(1, sizeof(*st));
    chunk = malloc(READ_CHUNK);
    if (st == NULL || chunk == NULL) {
        s = pfx_error(err, SP_E_NOMEM, "no memory to run %s", name);
        goto out;
    }
    st->res = res;
    st->opts = opts;
    st->out_max = opts->stdout_max != 0 ? opts->stdout_max : PFX_PROC_STDOUT_MAX_DEFAULT;
    if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        s = pfx_error(err, SP_E_IO, "cannot create pipes for %s: %s", name, strerror(errno));
        goto out;
    }
    s = spawn(argv, opts, outp[1], errp[1], &pid, err);
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    if (s != SP_OK) {
        pid = -1;
        goto out;
    }
    pidfd = open_pidfd(pid);
    s = wait_loop(st, pid, pidfd, &outp[0], &errp[0], chunk, &how, err);
    if (s != SP_OK || how != RAN)
        kill_group(pid);
    if (outp[0] >= 0) {
        close(outp[0]);
        outp[0] = -1;
    }
    if (errp[0] >= 0) {
        close(errp[0]);
        errp[0] = -1;
    }
    if (how == RAN || how == LEFTOVERS)
        flush_line(st);
    finish_err(st);

    reaped = reap(pid, pidfd, KILL_WAIT_MS, &status);
    if (reaped == 0)
        hand_to_reaper(pid);
    pid = -1;
    if (reaped == 1) {
        if (WIFEXITED(status)) {
            res->exited = 1;
            res->exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            res->term_signal = WTERMSIG(status);
        }
    }
    if (s != SP_OK)
        goto out;
    pfx_proc_err_tail(res, tail, sizeof(tail));
    if (how == TIMED_OUT) {
        s = pfx_error(err, SP_E_TIMEOUT, "%s did not finish within %u.%03u s and was killed%s%s%s", name,
                      opts->timeout_ms / 1000, opts->timeout_ms % 1000,
                      reaped == 1 ? "" : " (it has not exited yet)", tail[0] != '\0' ? ": " : "", tail);
    } else if (how == CANCELLED) {
        s = pfx_error(err, SP_E_CANCELLED, "%s was cancelled and killed", name);
    } else if (reaped != 1) {
        s = pfx_error(err, SP_E_IO, "%s: its exit status was lost (%s)", name,
                      reaped < 0 ? strerror(errno) : "it did not exit");
    } else if (how == LEFTOVERS) {
        pfx_log(SP_LOG_WARN, "%s exited but left processes holding its output; they were killed", name);
    }

out:
    if (pid > 0) {
        kill_group(pid);
        if (reap(pid, pidfd, KILL_WAIT_MS, &status) == 0)
            hand_to_reaper(pid);
    }
    if (pidfd >= 0)
        close(pidfd);
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    free(chunk);
    free(st);
    return s;
}

sp_status pfx_proc_run_ok(const char *const *argv, const pfx_proc_opts *opts, pfx_proc_result *res,
                          sp_error *err)
{
    sp_status s = pfx_proc_run(argv, opts, res, err);

    if (s != SP_OK)
        return s;
    if (!res->exited || res->exit_code != 0)
        return pfx_proc_failed(argv, res, err);
    return SP_OK;
}
