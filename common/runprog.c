/* runprog.c - running external programs from an argv with posix_spawn, never through a shell, so
 * that no path or name the harness passes can be read as shell syntax. */
#include "config.h"

#include "runprog.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
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
