/* Crash points (see crash.h). */
#include <config.h>
#include "crash.h"
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static const char *const when_names[] = {"none", "before", "applied", "after"};

void sim_crash_init(struct sim_crash *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
}

void sim_crash_destroy(struct sim_crash *c)
{
    free(c->counter);
    pthread_mutex_destroy(&c->lock);
}

int sim_crash_arm(struct sim_crash *c, yajl_val v, char *err, size_t errsz)
{
    yajl_val pid = sim_jr_get(v, "pid"), at = sim_jr_get(v, "at"), when = sim_jr_get(v, "when");
    yajl_val counter = sim_jr_get(v, "counter");
    enum sim_crash_when w = SIM_CRASH_APPLIED;

    if (!pid || !YAJL_IS_INTEGER(pid) || YAJL_GET_INTEGER(pid) <= 1 || (at && !YAJL_IS_INTEGER(at)) ||
        (at && YAJL_GET_INTEGER(at) < 0) || (counter && !YAJL_IS_STRING(counter))) {
        snprintf(err, errsz, "crash: give pid (a process to kill), at (>= 0), when, counter (a file)");
        return -1;
    }
    if (when) {
        w = SIM_CRASH_NONE;
        const char *name = YAJL_IS_STRING(when) ? when->u.string : "";
        for (int i = SIM_CRASH_BEFORE; i <= SIM_CRASH_AFTER; i++)
            if (!strcmp(name, when_names[i]))
                w = (enum sim_crash_when)i;
        if (w == SIM_CRASH_NONE) {
            snprintf(err, errsz, "crash: when is before, applied or after");
            return -1;
        }
    }
    pthread_mutex_lock(&c->lock);
    c->pid = (pid_t)YAJL_GET_INTEGER(pid);
    c->at = at ? (long)YAJL_GET_INTEGER(at) : 0;
    c->when = w;
    free(c->counter);
    c->counter = counter ? sim_xstrdup(counter->u.string) : NULL;
    c->count = 0;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void sim_crash_disarm(struct sim_crash *c)
{
    pthread_mutex_lock(&c->lock);
    c->pid = 0;
    pthread_mutex_unlock(&c->lock);
}

/* Adds delta to the number in the file (locked) and returns the new value, -1 on failure. */
static long bump(const char *path, long delta)
{
    char buf[32];
    long n = -1;
    ssize_t got;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600), len;

    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX) == 0) {
        got = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[got > 0 ? got : 0] = '\0';
        n = strtol(buf, NULL, 10) + delta;
        len = snprintf(buf, sizeof(buf), "%ld\n", n);
        if (delta != 0 && (pwrite(fd, buf, (size_t)len, 0) != len || ftruncate(fd, len) != 0))
            n = -1;
        flock(fd, LOCK_UN);
    }
    close(fd);
    return n;
}

char *sim_crash_json(struct sim_crash *c)
{
    sim_jw *w = sim_jw_new();
    pthread_mutex_lock(&c->lock);
    sim_jw_obj(w);
    sim_jw_kbool(w, "armed", c->pid != 0);
    sim_jw_kint(w, "count", c->counter ? bump(c->counter, 0) : c->count);
    sim_jw_kint(w, "at", c->at);
    sim_jw_kstr(w, "when", when_names[c->when]);
    sim_jw_obj_end(w);
    pthread_mutex_unlock(&c->lock);
    return sim_jw_finish(w);
}

enum sim_crash_when sim_crash_count(struct sim_crash *c, pid_t *pid)
{
    enum sim_crash_when fire = SIM_CRASH_NONE;
    long n;

    pthread_mutex_lock(&c->lock);
    if (c->pid != 0) {
        n = c->counter ? bump(c->counter, 1) : ++c->count;
        if (n < 0)
            fprintf(stderr, "powerflex-sim: crash: cannot count in %s: %s\n", c->counter, strerror(errno));
        if (c->at > 0 && n == c->at) {
            fire = c->when;
            *pid = c->pid;
            c->pid = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return fire;
}

void sim_crash_fire(pid_t pid, const char *what)
{
    fprintf(stderr, "powerflex-sim: crash point: killing process %ld %s\n", (long)pid, what);
    if (kill(pid, SIGKILL) != 0)
        fprintf(stderr, "powerflex-sim: crash point: cannot kill %ld: %s\n", (long)pid, strerror(errno));
}
