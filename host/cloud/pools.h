/* pools.h - primary storage pools as the orchestration uses them: connecting hosts, refreshing
 * capacity from the array, and the pool's scope. The APIs are in api_pool.c. */
#ifndef HOST_POOLS_H
#define HOST_POOLS_H

#include "cs.h"

/* Attaches pool_id to hosts (every Up host of its scope when host_id is 0) and records each
 * host's outcome. Fails when require_one and no host connected, or on database errors. */
int host_pool_attach(host_cs *cs, int64_t pool_id, int64_t host_id, int require_one, host_err *e);

/* Connects host_id to every pool of its cluster and zone (Lifecycle.attach, one host). A host
 * the plugin cannot connect is recorded with the reason; only database errors fail. */
int host_pools_attach_host(host_cs *cs, int64_t host_id, host_err *e);

/* Reads total and used capacity from the array (Driver.get_capacity) into the pool row. */
int host_pool_refresh(host_cs *cs, int64_t pool_id, host_err *e);

/* Whether host_id can reach pool_id: the pool is in its zone (zone scope) or cluster, and the
 * plugin connected the host's SDC when the pool was attached. */
int host_pool_reaches(host_cs *cs, int64_t pool_id, int64_t host_id, int *out, host_err *e);

/* Whether host_id's client (PowerFlex: its SDC) is connected for pool_id now, asked through
 * Lifecycle.attach for that one host, as CloudStack asks before each grant. The pool must be in the
 * host's scope (else *ok = 0). Not connected: the host is recorded as not connected to the pool
 * and a host alert is raised (both outlive the command); connected again: recorded Up. A plugin
 * failure that gives no verdict for the host leaves the recorded status as the answer. 0, or -1
 * on database errors. */
int host_pool_client_check(host_cs *cs, int64_t pool_id, int64_t host_id, int *ok, char *why, size_t whylen,
                           host_err *e);

/* The uuid of a pool (for messages and settings). "" when unknown. */
void host_pool_uuid(host_cs *cs, int64_t pool_id, char out[40]);

#endif
