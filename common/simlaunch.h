/* simlaunch.h - the one way the harness, the tests and the benchmarks start powerflex-sim: the
 * options every start shares, its output to a log, and the wait for the line saying where it
 * listens. What to emulate (pools, SDCs, faults) is the caller's, as extra options. */
#ifndef HOST_SIMLAUNCH_H
#define HOST_SIMLAUNCH_H

#include <stddef.h>
#include <sys/types.h>

typedef struct host_sim_launch {
    const char *exe;           /* powerflex-sim's path */
    const char *cert, *key;    /* the server's certificate and key (PEM files) */
    const char *user;          /* NULL: the simulator's default */
    const char *password;      /* passed as --password, unless password_file is set */
    const char *password_file; /* passed as --password-file (keeps the password out of ps) */
    const char *state_dir;     /* --state-dir */
    char *const *extra;        /* further options, as argv words */
    size_t n_extra;
    const char *log;     /* the simulator's stdout and stderr (truncated) */
    int die_with_parent; /* SIGTERM to the simulator when this process dies */
    int new_session;     /* the simulator outlives this process's session */
    unsigned wait_ms;    /* how long it may take to say where it listens */
} host_sim_launch;

/* Starts the simulator on 127.0.0.1 (a port it picks, unless extra says --listen again) and
 * waits for "listening on URL" in its log. Returns its pid with *url ("https://HOST:PORT",
 * malloc'd), or -1 with err naming the log (a simulator that started is stopped). */
pid_t host_sim_launch_start(const host_sim_launch *l, char **url, char *err, size_t errlen);

/* "HOST:PORT" of such a URL (malloc'd; NULL when out of memory). */
char *host_sim_hostport(const char *url);

#endif
