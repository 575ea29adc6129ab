/* alloc.h - CloudStack's storage pool allocator: storage tags, scope order (the host's cluster
 * before zone-wide), pool state, and the capacity thresholds with over-provisioning. */
#ifndef HOST_ALLOC_H
#define HOST_ALLOC_H

#include "cs.h"

typedef struct host_alloc_req {
    int64_t zone_id;
    int64_t cluster_id;  /* the host's cluster: its pools first; 0 = zone-wide pools only */
    int any_cluster;     /* a detached volume: cluster pools of every cluster qualify too */
    const char *tags;    /* comma-separated storage tags the pool must all carry; NULL = none */
    uint64_t size;       /* bytes the new object takes */
    int64_t template_id; /* its template's size counts too where no copy is seeded yet; 0 = none */
    uint64_t template_size;
    int64_t exclude_pool; /* never this pool (a migration's source); 0 = none */
} host_alloc_req;

/* The zone's thresholds and over-provisioning factor, read once per request. */
typedef struct host_alloc_limits {
    double capacity_threshold;  /* pool.storage.capacity.disablethreshold */
    double allocated_threshold; /* pool.storage.allocated.capacity.disablethreshold */
    double factor;              /* storage.overprovisioning.factor (a pool's own value wins) */
} host_alloc_limits;

int host_alloc_limits_load(host_cs *cs, int64_t zone_id, host_alloc_limits *out, host_err *e);

/* The first suitable pool in CloudStack's order (cluster-wide pools of the host's cluster, then
 * zone-wide; each by creation), or *out = 0 with `why` saying what ruled the pools out. Reads only
 * the pool rows and their aggregates: its cost does not grow with the number of volumes. */
int host_alloc_pool(host_cs *cs, const host_alloc_req *r, int64_t *out, char *why, size_t whylen,
                    host_err *e);

/* Whether one pool suits the request; `why` says why not. */
int host_alloc_check(host_cs *cs, int64_t pool_id, const host_alloc_req *r, const host_alloc_limits *lim,
                     int *ok, char *why, size_t whylen, host_err *e);

/* The same check for many pools with one prepared statement: r and lim are borrowed and must
 * outlive the checker; the caller owns the checker and frees it with host_alloc_checker_free. */
typedef struct host_alloc_checker host_alloc_checker;
host_alloc_checker *host_alloc_checker_new(host_cs *cs, const host_alloc_req *r, const host_alloc_limits *lim,
                                           host_err *e);
int host_alloc_checker_run(host_alloc_checker *ck, int64_t pool_id, int *ok, char *why, size_t whylen,
                           host_err *e);
void host_alloc_checker_free(host_alloc_checker *ck);

/* Whether each pool of the request's zone but its exclude_pool suits it (the same rules as
 * host_alloc_check, without the reason), in id order, from one statement: a zone of 10,000 pools
 * checked one by one prepared 30,000. each returns 0 to go on, -1 (with e) to stop. */
typedef int (*host_alloc_each)(void *ctx, int64_t pool_id, int ok, host_err *e);
int host_alloc_check_zone(host_cs *cs, const host_alloc_req *r, const host_alloc_limits *lim,
                          host_alloc_each each, void *ctx, host_err *e);

#endif
