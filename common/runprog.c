/* runprog.c - the one process runner (see runprog.h): fork and exec from an argv, never a
 * shell, so that no path or name passed can be read as shell syntax. fork rather than
 * posix_spawn because a child may have to ask for SIGTERM at its parent's death (prctl). */
#include "config.h"

#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

pid_t host_spawn(char *const argv[], const host_spawn_opts *opts, char *err, size_t errlen)
{
    static const host_spawn_opts none;
    const host_spawn_opts *o = opts != NULL ? opts : &none;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, report[2] = {-1, -1}, logfd = -1, null = -1, child_errno = 0;
    pid_t pid = -1;
    ssize_t n;

    if ((o->in_fd != NULL && pipe2(in, O_CLOEXEC) != 0) ||
        (o->out_fd != NULL && pipe2(out, O_CLOEXEC) != 0) || pipe2(report, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot run %s: pipe: %s", argv[0], strerror(errno));
        goto out;
    }
    if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "cannot run %s: /dev/null: %s", argv[0], strerror(errno));
        goto out;
    }
    if (o->log != NULL &&
        (logfd = open(o->log, O_WRONLY | O_CREAT | O_CLOEXEC | (o->log_append ? O_APPEND : O_TRUNC), 0600)) <
            0) {
        snprintf(err, errlen, "cannot run %s: cannot open %s: %s", argv[0], o->log, strerror(errno));
        goto out;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        /* The child: only async-signal-safe calls until exec; an exec failure is reported through
         * the close-on-exec pipe, which an exec that succeeds closes unwritten. */
        int e;
        if (o->die_with_parent)
            prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (o->new_session)
            setsid();
        dup2(in[0] >= 0 ? in[0] : null, 0);
        if (out[1] >= 0)
            dup2(out[1], 1);
        else if (logfd >= 0)
            dup2(logfd, 1);
        if (logfd >= 0)
            dup2(logfd, 2);
        if (strchr(argv[0], '/') != NULL)
            execv(argv[0], argv);
        else
            execvp(argv[0], argv);
        e = errno;
        n = write(report[1], &e, sizeof(e));
        (void)n;
        _exit(127);
    }
    if (pid < 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
        goto out;
    }
    close_fd(&report[1]);
    while ((n = read(report[0], &child_errno, sizeof(child_errno))) < 0 && errno == EINTR)
        ;
    if (n == (ssize_t)sizeof(child_errno)) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(child_errno));
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        pid = -1;
        goto out;
    }
    if (o->in_fd != NULL) {
        *o->in_fd = in[1];
        in[1] = -1;
    }
    if (o->out_fd != NULL) {
        *o->out_fd = out[0];
        out[0] = -1;
    }
out:
    close_fd(&in[0]);
    close_fd(&in[1]);
    close_fd(&out[0]);
    close_fd(&out[1]);
    close_fd(&report[0]);
    close_fd(&report[1]);
    close_fd(&logfd);
    close_fd(&null);
    return pid;
}

int host_wait(pid_t pid, int *status, char *err, size_t errlen)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waiting for process %ld: %s", (long)pid, strerror(errno));
            return -1;
        }
    return 0;
}

void host_stop(pid_t pid, int child, unsigned grace_ms)
{
    struct timespec delay = {0, 20 * 1000 * 1000};

    if (pid <= 0 || kill(pid, SIGTERM) != 0)
        return;
    for (unsigned waited = 0; waited < grace_ms; waited += 20) {
        if (child) {
            if (waitpid(pid, NULL, WNOHANG) == pid)
                return;
        } else if (kill(pid, 0) != 0) {
            return;
        }
        nanosleep(&delay, NULL);
    }
    kill(pid, SIGKILL);
    if (child)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

int host_run(char *const argv[], host_buf *out, const char *log, char *err, size_t errlen)
{
    host_spawn_opts o = {.log = log != NULL ? log : "/dev/null", .log_append = log != NULL};
    int outfd = -1, status = 0, rc;
    char buf[4096];
    ssize_t n;
    pid_t pid;

    /* stdout to /dev/null unless captured; stderr to the log. */
    o.out_fd = &outfd;
    if ((pid = host_spawn(argv, &o, err, errlen)) < 0)
        return -1;
    while ((n = read(outfd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && out != NULL)
            host_buf_add(out, buf, (size_t)n);
    close(outfd);
    if (host_wait(pid, &status, err, errlen) != 0)
        return -1;
    if (WIFSIGNALED(status)) {
        snprintf(err, errlen, "%s died of signal %d", argv[0], WTERMSIG(status));
        return -1;
    }
    rc = WEXITSTATUS(status);
    if (rc != 0)
        snprintf(err, errlen, "%s exited with status %d%s%s", argv[0], rc, log != NULL ? " (see " : "",
                 log != NULL ? log : "");
    if (rc != 0 && log != NULL && strlen(err) + 2 < errlen)
        strcat(err, ")");
    return rc;
}

/* argv[0] as an absolute path: PATH is searched here, before the fork, where that is allowed. */
static int resolve(const char *name, char *buf, size_t len)
{
    const char *path = getenv("PATH"), *p;

    if (strchr(name, '/') != NULL) {
        char *real = realpath(name, NULL);
        int ok = real != NULL && (size_t)snprintf(buf, len, "%s", real) < len;
        free(real);
        return ok ? 0 : -1;
    }
    for (p = path != NULL && *path ? path : "/usr/bin:/bin"; *p != '\0';) {
        size_t n = strcspn(p, ":");
        struct stat sb;
        if (n > 0 && (size_t)snprintf(buf, len, "%.*s/%s", (int)n, p, name) < len && buf[0] == '/' &&
            stat(buf, &sb) == 0 && S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
            return 0;
        p += n + (p[n] == ':');
    }
    return -1;
}

/* The last bytes of stderr, for the message. */
static void keep_tail(char *tail, size_t *tail_len, size_t cap, const char *p, size_t n)
{
    if (n >= cap) {
        memcpy(tail, p + n - cap, cap);
        *tail_len = cap;
        return;
    }
    if (*tail_len + n > cap) {
        size_t drop = *tail_len + n - cap;
        memmove(tail, tail + drop, *tail_len - drop);
        *tail_len -= drop;
    }
    memcpy(tail + *tail_len, p, n);
    *tail_len += n;
}

int host_run_limited(char *const argv[], const pfx_rlimits *lim, host_buf *out, char *err, size_t errlen)
{
    char prog[4096], buf[4096], tail[512];
    const char *args[64];
    int outp[2] = {-1, -1}, errp[2] = {-1, -1}, fds[3], status = 0, rc = -1;
    size_t tail_len = 0, n = 0;
    pid_t pid;

    while (argv[n] != NULL && n < sizeof(args) / sizeof(args[0]) - 1) {
        args[n] = argv[n];
        n++;
    }
    args[n] = NULL;
    if (argv[n] != NULL) {
        snprintf(err, errlen, "%s: too many arguments", argv[0]);
        return -1;
    }
    if (resolve(argv[0], prog, sizeof(prog)) != 0) {
        snprintf(err, errlen, "cannot run %s: not found", argv[0]);
        return -1;
    }
    args[0] = prog;
    fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fds[0] < 0 || pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot prepare to run %s: %s", argv[0], strerror(errno));
        goto out;
    }
    fds[1] = outp[1];
    fds[2] = errp[1];
    rc = pfx_spawn_limited(args, fds, 0, lim, &pid);
    close(outp[1]);
    close(errp[1]);
    outp[1] = errp[1] = -1;
    if (rc != 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
        rc = -1;
        goto out;
    }
    while (outp[0] >= 0 || errp[0] >= 0) {
        struct pollfd p[2] = {{.fd = outp[0], .events = POLLIN}, {.fd = errp[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            int *fd = i == 0 ? &outp[0] : &errp[0];
            ssize_t got;
            if (*fd < 0 || p[i].revents == 0)
                continue;
            got = read(*fd, buf, sizeof(buf));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                close(*fd);
                *fd = -1;
            } else if (i == 0 && out != NULL) {
                host_buf_add(out, buf, (size_t)got);
            } else if (i == 1) {
                keep_tail(tail, &tail_len, sizeof(tail) - 1, buf, (size_t)got);
            }
        }
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
            rc = -1;
            goto out;
        }
    while (tail_len > 0 && (tail[tail_len - 1] == '\n' || tail[tail_len - 1] == '\r'))
        tail_len--;
    for (size_t i = 0; i < tail_len; i++)
        if ((unsigned char)tail[i] < 0x20 || tail[i] == 0x7f)
            tail[i] = ' ';
    tail[tail_len] = '\0';
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        snprintf(err, errlen, "%s was killed by signal %d%s", argv[0], sig,
                 lim != NULL && lim->cpu_s != 0 && (sig == SIGKILL || sig == SIGXCPU)
                     ? " (past its CPU time limit)"
                     : "");
        rc = -1;
    } else {
        rc = WEXITSTATUS(status);
        if (rc != 0)
            snprintf(err, errlen, "%s exited with status %d: %s", argv[0], rc,
                     tail_len > 0 ? tail : "(no error output)");
    }
out:
    if (fds[0] >= 0)
        close(fds[0]);
    for (int i = 0; i < 2; i++) {
        if (outp[i] >= 0)
            close(outp[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    return rc;
}
