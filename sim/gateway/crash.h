/* Crash points: a client process (the harness) killed with SIGKILL when the Nth request that
 * changes the array arrives, for crash-point sweeps. Several simulators count in one shared
 * counter file, so "the Nth change" spans every system a workload talks to. */
#ifndef SIM_CRASH_H
#define SIM_CRASH_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

enum sim_crash_when {
    SIM_CRASH_NONE,
    SIM_CRASH_BEFORE,  /* killed, then the request is dropped without being carried out */
    SIM_CRASH_APPLIED, /* the request carried out and saved, then killed before the answer */
    SIM_CRASH_AFTER    /* killed once the answer has been sent */
};

struct sim_crash {
    pthread_mutex_t lock;
    pid_t pid; /* whom to kill; 0: not counting */
    long at;   /* the count that fires (0: count only) */
    enum sim_crash_when when;
    char *counter; /* the shared counter file; NULL: counted here */
    long count;
};

void sim_crash_init(struct sim_crash *c);
void sim_crash_destroy(struct sim_crash *c);
/* {"pid":N,"at":K,"when":"before|applied|after","counter":"/path"}: counts from now on (a
 * counter file is left as it is: whoever shares it resets it). 0, or -1 with err. */
int sim_crash_arm(struct sim_crash *c, yajl_val v, char *err, size_t errsz);
void sim_crash_disarm(struct sim_crash *c);
/* {"armed":bool,"count":N,"at":K,"when":"..."} (malloc'd). */
char *sim_crash_json(struct sim_crash *c);
/* Counts one request that changes the array; when it is the one to fire, disarms and says when
 * to kill *pid. Lock-free for the caller; the counter file is locked while it is bumped. */
enum sim_crash_when sim_crash_count(struct sim_crash *c, pid_t *pid);
/* SIGKILL to pid (logged on stderr). */
void sim_crash_fire(pid_t pid, const char *what);

#endif
