/* rlimitspawn.c - fork, limits, execve. Between fork and execve the child of a threaded process
 * may only make async-signal-safe calls: everything it needs is prepared before the fork. */
#include "config.h"

#include "rlimitspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct child_plan {
    const char *const *argv;
    const int *fds;
    int new_group;
    int report_fd; /* close-on-exec: end of file tells the parent execve worked */
    int set_cpu, set_as;
    struct rlimit cpu, as;
    struct sigaction dfl;
    sigset_t none;
} child_plan;

/* Closes every descriptor from `from` up, but `keep`. */
static void close_from(int from, int keep)
{
#ifdef SYS_close_range
    if (keep >= from) {
        if (keep > from)
            syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0u);
        if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
            return;
    } else if (syscall(SYS_close_range, (unsigned)from, ~0u, 0u) == 0) {
        return;
    }
#endif
    {
        struct rlimit nofile;
        long top = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY
                       ? (long)nofile.rlim_cur
                       : 65536;
        for (long fd = from; fd < top; fd++)
            if (fd != keep)
                close((int)fd);
    }
}

static void child_main(const child_plan *p) __attribute__((noreturn));

static void child_main(const child_plan *p)
{
    int moved[3], e;

    if (p->new_group && setpgid(0, 0) != 0)
        goto fail;
    for (int s = 1; s < NSIG; s++)
        if (s != SIGKILL && s != SIGSTOP)
            sigaction(s, &p->dfl, NULL); /* numbers libc keeps for itself just fail */
    if (sigprocmask(SIG_SETMASK, &p->none, NULL) != 0)
        goto fail;
    /* Out of the way first, so that a source that is itself 0, 1 or 2 is not overwritten. */
    for (int i = 0; i < 3; i++)
        if ((moved[i] = fcntl(p->fds[i], F_DUPFD_CLOEXEC, 3)) < 0)
            goto fail;
    for (int i = 0; i < 3; i++)
        if (dup2(moved[i], i) < 0)
            goto fail;
    close_from(3, p->report_fd);
    if (p->set_cpu && setrlimit(RLIMIT_CPU, &p->cpu) != 0)
        goto fail;
    if (p->set_as && setrlimit(RLIMIT_AS, &p->as) != 0)
        goto fail;
    execve(p->argv[0], (char *const *)p->argv, environ);
fail:
    e = errno;
    while (write(p->report_fd, &e, sizeof(e)) < 0 && errno == EINTR)
        ;
    _exit(127);
}

/* The limit asked for, never above the hard limit we have (raising it would fail). */
static int plan_limit(int resource, uint64_t want, struct rlimit *out)
{
    struct rlimit have;

    if (getrlimit(resource, &have) != 0)
        return errno;
    if (have.rlim_max != RLIM_INFINITY && (uint64_t)have.rlim_max < want)
        want = have.rlim_max;
    out->rlim_cur = out->rlim_max = (rlim_t)want;
    return 0;
}

int pfx_spawn_limited(const char *const *argv, const int fds[3], int new_group, const pfx_rlimits *lim,
                      pid_t *pid)
{
    child_plan p;
    int report[2], e = 0, rc;
    ssize_t n;
    pid_t child;

    if (argv == NULL || argv[0] == NULL || argv[0][0] != '/' || fds == NULL || pid == NULL)
        return EINVAL;
    memset(&p, 0, sizeof(p));
    p.argv = argv;
    p.fds = fds;
    p.new_group = new_group;
    p.dfl.sa_handler = SIG_DFL;
    sigemptyset(&p.dfl.sa_mask);
    sigemptyset(&p.none);
    if (lim != NULL && lim->cpu_s != 0) {
        if ((rc = plan_limit(RLIMIT_CPU, lim->cpu_s, &p.cpu)) != 0)
            return rc;
        p.set_cpu = 1;
    }
    if (lim != NULL && lim->as_bytes != 0) {
        if ((rc = plan_limit(RLIMIT_AS, lim->as_bytes, &p.as)) != 0)
            return rc;
        p.set_as = 1;
    }
    if (pipe2(report, O_CLOEXEC) != 0)
        return errno;
    p.report_fd = report[1];
    child = fork();
    if (child < 0) {
        e = errno;
        close(report[0]);
        close(report[1]);
        return e;
    }
    if (child == 0)
        child_main(&p);
    close(report[1]);
    while ((n = read(report[0], &e, sizeof(e))) < 0 && errno == EINTR)
        ;
    close(report[0]);
    if (n == (ssize_t)sizeof(e)) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
        return e != 0 ? e : ECHILD;
    }
    *pid = child;
    return 0;
}
