/* runprog.c - the one process runner (see runprog.h): fork and exec from an argv, never a
 * shell, so that no path or name passed can be read as shell syntax. fork rather than
 * posix_spawn because a child may have to ask for SIGTERM at its parent's death (prctl). */
#include "config.h"

#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

    if ((o->in_fd != NULL && pipe2(in, O_CLOEXEC) != 0) || (o->out_fd != NULL && pipe2(out, O_CLOEXEC) != 0) ||
        pipe2(report, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "cannot run %s: pipe: %s", argv[0], strerror(errno));
        goto out;
    }
    if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
        snprintf(err, errlen, "cannot run %s: /dev/null: %s", argv[0], strerror(errno));
        goto out;
    }
    if (o->log != NULL &&
        (logfd = open(o->log, O_WRONLY | O_CREAT | O_CLOEXEC | (o->log_append ? O_APPEND : O_TRUNC), 0600)) < 0) {
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
