/* Gateway-level helpers for the simulator's own suites: a logged-in client, calls that return
 * status and parsed JSON, and shortcuts for the objects most tests need. */
#ifndef SIMCLIENT_H
#define SIMCLIENT_H

#include <stdint.h>
#include <yajl/yajl_tree.h>

#include "simproc.h"
#include "thttp.h"

typedef struct sc {
    tsim *sim;
    thttp *h;
    char *token;
} sc;

struct sc_resp {
    int status;
    char *body;
    yajl_val json; /* NULL when the body is not JSON */
};

/* A client logged in as the sim's user. */
sc *sc_new(tsim *sim);
void sc_free(sc *c);
/* METHOD path (printf-style) with body (NULL: none). r is overwritten; free with sc_resp_free. */
int sc_call(sc *c, struct sc_resp *r, const char *method, const char *body, const char *path_fmt, ...)
    __attribute__((format(printf, 5, 6)));
void sc_resp_free(struct sc_resp *r);

yajl_val jget(yajl_val obj, const char *key);
const char *jstr(yajl_val obj, const char *key); /* NULL unless a string */
int64_t jint(yajl_val obj, const char *key);     /* INT64_MIN unless an integer */
int jerr(const struct sc_resp *r);               /* errorCode of an error body, -1 if none */
const char *jmsg(const struct sc_resp *r);       /* message of an error body */

/* The id of the Nth pool (0-based) in the pool list, malloc'd. */
char *sc_pool(sc *c, int n);
/* Creates a volume; returns its id (malloc'd) or NULL. size is volumeSizeInKb text. */
char *sc_volume(sc *c, const char *name, const char *pool, const char *size_kb, const char *type);
/* The id of the SDC with this IP (malloc'd). */
char *sc_sdc(sc *c, const char *ip);
int sc_map(sc *c, const char *vol, const char *sdc);
/* Snapshot of one volume; returns the snapshot id (malloc'd); group_out may be NULL. */
char *sc_snapshot(sc *c, const char *vol, const char *name, char **group_out);

/* Polls until test(arg) is true or timeout_ms passes; returns the final test value. */
int wait_until(int (*test)(void *arg), void *arg, int timeout_ms);
int path_exists(void *path);
int path_missing(void *path);

/* "<device dir>/<sdc id>/emc-vol-<system>-<volume>" (malloc'd) */
char *device_path(tsim *sim, const char *sdc_id, const char *system_id, const char *vol);
char *sc_system_id(sc *c);

/* Registers and runs a CUnit suite; the process exit status. */
struct sc_test {
    const char *name;
    void (*fn)(void);
};
int sc_run_suite(const char *suite, const struct sc_test *tests);

#endif
