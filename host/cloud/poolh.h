/* poolh.h - how commands reach the plugin: pool handles opened lazily from the stored (sealed)
 * details and kept for the process, host references, and progress reporting. */
#ifndef HOST_POOLH_H
#define HOST_POOLH_H

#include "cs.h"

/* The plugin's handle for pool_id, opening it on first use. Borrowed until host_pool_forget. */
int host_pool_open(host_cs *cs, int64_t pool_id, sp_pool **out, host_err *e);
/* Closes and forgets the handle of pool_id (no-op when none). */
/* The plugin's Driver.migration_kind from src to dest, opening both handles. The answer depends
 * only on the two handles (abi/storage_plugin.h): the last one asked of dest is kept until either
 * is opened again, so a command over a zone's pools reads the harness's table, not each handle. */
int host_pool_migration_kind(host_cs *cs, int64_t src, int64_t dest, sp_migration_kind *k, host_err *e);
void host_pool_forget(host_cs *cs, int64_t pool_id);
void host_pools_close_all(host_cs *cs);

/* Fails with a clear error when no plugin is loaded. */
int host_need_plugin(host_cs *cs, host_err *e);

/* A harness host as the plugin sees it; `ref` points into the struct. */
typedef struct host_href {
    int64_t id;
    int64_t cluster_id;
    int64_t zone_id;
    char uuid[40];
    char name[128];
    char ip[64];
    char state[16];
    sp_host_ref ref;
} host_href;

int host_href_load(host_cs *cs, int64_t host_id, host_href *out, host_err *e);

/* A progress reporter for a long plugin call: draws a bar on stderr when cs->progress is set,
 * and implements --crash-at (the process kills itself with SIGKILL at that point). */
typedef struct host_progress {
    sp_progress p; /* hand &p to the plugin */
    host_cs *cs;
    const char *label;
    int drawn;
    unsigned last_pct;
    int64_t deadline_ms; /* CLOCK_MONOTONIC ms after which the operation is asked to stop; 0: none */
    int timed_out;       /* set when a report came after the deadline (the plugin was asked to stop) */
} host_progress;

void host_progress_init(host_progress *hp, host_cs *cs, const char *label);
/* --crash-at PHASE:0 between two steps of a command (no progress there): kills the process. */
void host_crash_point(host_cs *cs, const char *phase);
/* Asks the plugin to stop (SP_E_CANCELLED) at its first report after `seconds` from now. */
void host_progress_deadline(host_progress *hp, int64_t seconds);
/* Ends the bar's line when one was drawn. */
void host_progress_done(host_progress *hp);

#endif
