/* ops-fixture.h - what bench/ops-bench runs against: the built module loaded through the harness's
 * loader, two simulated PowerFlex systems, a KVM host that is an SDC of both, a second KVM host
 * that is an SDC of system A (a live migration's destination), and the gateway requests each
 * system counted (GET /sim/stats, POST /sim/stats/reset). */
#ifndef OPS_FIXTURE_H
#define OPS_FIXTURE_H

#include "services.h"
#include "simproc.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

/* The pools: two on system A (a native V-Tree migration moves between them), one on system B
 * (a block copy through the host moves to it). */
enum { OF_MAIN = 0, OF_NATIVE = 1, OF_OTHER = 2, OF_POOLS = 3 };

typedef struct of_details {
    size_t n;
    sp_kv kv[32]; /* keys and values owned */
} of_details;

typedef struct of_fixture {
    host_services svc;
    struct host_plugin *plugin;
    const sp_plugin *sp;
    tsim *sim[2]; /* system A, system B */
    char *dir;    /* scratch root: SDC home, device dir, host cache, images */
    char *devdir; /* this host's device entries, for both systems */
    char *image;  /* a small RAW image to seed templates from */
    char pool_uuid[OF_POOLS][40];
    of_details details[OF_POOLS]; /* what initialize handed back, as the host stores it */
    sp_pool *warm[OF_POOLS];      /* opened, attached, logged in: steady state */
    sp_host_ref host;
    sp_host_ref host2; /* an SDC of system A only, with its own device directory */
} of_fixture;

/* Starts everything and warms the pools; 0, or -1 with the reason on stderr (the caller still
 * calls of_stop). */
int of_start(of_fixture *f);
void of_stop(of_fixture *f);

/* The create parameters of pool i (url points into url_buf). */
void of_create_params(of_fixture *f, int i, char *url_buf, size_t url_len, sp_kv *cafile,
                      sp_pool_create_params *p);
/* A handle opened from pool i's stored details: cold (no token, no connection, no SDC ids). */
sp_status of_open(of_fixture *f, int i, sp_pool **out, sp_error *err);

void of_details_set(of_details *d, const char *key, const char *value);
void of_details_free(of_details *d);
/* An sp_kv_sink into an of_details. */
void of_details_sink(void *ctx, const char *key, const char *value);

/* What the two systems answered between a reset and now. */
typedef struct of_count {
    char *key; /* "METHOD /api/template", prefixed "B: " for system B */
    int n;
} of_count;

typedef struct of_requests {
    int total; /* every /api request, logins included */
    int logins;
    size_t n;
    of_count items[64];
} of_requests;

int of_stats_reset(of_fixture *f);
/* 0, or -1 when a simulator did not answer. */
int of_stats_read(of_fixture *f, of_requests *out);
void of_requests_free(of_requests *r);

#endif
