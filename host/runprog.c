/* runprog.c - running external programs from an argv with posix_spawn, never through a shell, so
 * that no path or name the harness passes can be read as shell syntax. */
#include "config.h"

#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int host_run(char *const argv[], host_buf *out, const char *log, char *err, size_t errlen)
{
    posix_spawn_file_actions_t fa;
    int pipefd[2] = {-1, -1}, status = 0, rc;
    pid_t pid;
    char buf[4096];
    ssize_t n;

    if (posix_spawn_file_actions_init(&fa) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out != NULL) {
        if (pipe2(pipefd, O_CLOEXEC) != 0) {
            snprintf(err, errlen, "pipe: %s", strerror(errno));
            posix_spawn_file_actions_destroy(&fa);
            return -1;
        }
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    } else {
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    }
    posix_spawn_file_actions_addopen(&fa, 2, log != NULL ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    if (rc != 0) {
        snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(rc));
        if (pipefd[0] >= 0)
            close(pipefd[0]);
        return -1;
    }
    if (pipefd[0] >= 0) {
        while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
            if (n > 0)
                host_buf_add(out, buf, (size_t)n);
        close(pipefd[0]);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
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
