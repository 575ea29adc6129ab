/* alloc-bench.c - how long the harness's storage pool allocator takes to choose a pool in a
 * large installation (default 10,000 pools, 1,000,000 volumes). Builds the database through the
 * harness's own schema and triggers, then times host_alloc_pool. Last line: ms_per_call=X. */
#include "config.h"

#include "alloc.h"
#include "cs.h"
#include "fsutil.h"
#include "harness.h"
#include "session.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GIB (INT64_C(1) << 30)

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "alloc-bench: %s\n", msg != NULL ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* One zone, `clusters` clusters; half the pools cluster-wide (spread over the clusters), half
 * zone-wide; every pool tagged powerflex, a third also ssd; pools of 1 TiB with 0-90% used;
 * volumes of 8 GiB spread unevenly so that some pools pass the allocated threshold. */
static int build(host_cs *cs, long pools, long volumes, long clusters)
{
    sqlite3_stmt *pool_st = NULL, *tag_st = NULL, *vol_st = NULL;
    double t0 = now_ms();
    int rc = -1;

    if (exec(cs->db, "BEGIN; INSERT INTO zone(id, uuid, name, networktype, allocationstate, created) "
                     "VALUES (1, 'bench-zone', 'bench', 'Advanced', 'Enabled', 0);") != 0)
        return -1;
    if (sqlite3_prepare_v2(
            cs->db,
            "INSERT INTO pool(id, uuid, name, zone_id, cluster_id, scope, state, provider, hypervisor, url, "
            "capacity_total, capacity_used, created) VALUES (?1, printf('%08d-0000-4000-8000-000000000000', "
            "?1), "
            "printf('pool-%d', ?1), 1, ?2, ?3, ?4, 'PowerFlex', 'KVM', '', ?5, ?6, 0)",
            -1, &pool_st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(cs->db, "INSERT INTO pool_tag(pool_id, tag) VALUES (?, ?)", -1, &tag_st, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(
            cs->db,
            "INSERT INTO volume(uuid, name, type, pool_id, size, provisioning, zone_id, state, created) "
            "VALUES (printf('v-%d', ?1), 'v', 'DATA', ?2, ?3, 'thin', 1, 'Ready', 0)",
            -1, &vol_st, NULL) != SQLITE_OK) {
        fprintf(stderr, "alloc-bench: %s\n", sqlite3_errmsg(cs->db));
        goto out;
    }
    for (long i = 1; i <= pools; i++) {
        int cluster_scope = i % 2 == 0;
        sqlite3_reset(pool_st);
        sqlite3_bind_int64(pool_st, 1, i);
        if (cluster_scope)
            sqlite3_bind_int64(pool_st, 2, 1 + (i / 2) % clusters);
        else
            sqlite3_bind_null(pool_st, 2);
        sqlite3_bind_text(pool_st, 3, cluster_scope ? "CLUSTER" : "ZONE", -1, SQLITE_STATIC);
        sqlite3_bind_text(pool_st, 4, i % 50 == 0 ? "Maintenance" : "Up", -1, SQLITE_STATIC);
        sqlite3_bind_int64(pool_st, 5, 1024 * GIB);
        sqlite3_bind_int64(pool_st, 6, (int64_t)(next_rand() % 91) * 1024 * GIB / 100);
        if (sqlite3_step(pool_st) != SQLITE_DONE)
            goto dberr;
        for (int t = 0; t < (i % 3 == 0 ? 2 : 1); t++) {
            sqlite3_reset(tag_st);
            sqlite3_bind_int64(tag_st, 1, i);
            sqlite3_bind_text(tag_st, 2, t == 0 ? "powerflex" : "ssd", -1, SQLITE_STATIC);
            if (sqlite3_step(tag_st) != SQLITE_DONE)
                goto dberr;
        }
    }
    for (long v = 1; v <= volumes; v++) {
        /* Skewed: the first tenth of the pools take half the volumes. */
        long pool = (next_rand() % 2) ? 1 + (long)(next_rand() % (uint64_t)(pools / 10 > 0 ? pools / 10 : 1))
                                      : 1 + (long)(next_rand() % (uint64_t)pools);
        sqlite3_reset(vol_st);
        sqlite3_bind_int64(vol_st, 1, v);
        sqlite3_bind_int64(vol_st, 2, pool);
        sqlite3_bind_int64(vol_st, 3, 8 * GIB);
        if (sqlite3_step(vol_st) != SQLITE_DONE)
            goto dberr;
    }
    if (exec(cs->db, "COMMIT; ANALYZE;") != 0)
        goto out;
    fprintf(stderr, "alloc-bench: built %ld pools and %ld volumes in %.0f ms\n", pools, volumes,
            now_ms() - t0);
    rc = 0;
    goto out;
dberr:
    fprintf(stderr, "alloc-bench: %s\n", sqlite3_errmsg(cs->db));
out:
    sqlite3_finalize(pool_st);
    sqlite3_finalize(tag_st);
    sqlite3_finalize(vol_st);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"pools", required_argument, NULL, 'p'}, {"volumes", required_argument, NULL, 'v'},
        {"calls", required_argument, NULL, 'c'}, {"clusters", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    long pools = 10000, volumes = 1000000, calls = 2000, clusters = 100, found = 0, none = 0;
    char dir[256], db[320], work[320], why[4096];
    const char *tmp = getenv("TMPDIR");
    host_cs cs;
    host_err e;
    double t0, t1, worst = 0;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p': pools = atol(optarg); break;
        case 'v': volumes = atol(optarg); break;
        case 'c': calls = atol(optarg); break;
        case 'k': clusters = atol(optarg); break;
        default:
            fprintf(c == 'h' ? stdout : stderr,
                    "usage: alloc-bench [--pools N] [--volumes N] [--calls N] [--clusters N]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (pools < 1 || volumes < 0 || calls < 1 || clusters < 1)
        return 2;
    snprintf(dir, sizeof(dir), "%s/alloc-bench.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    snprintf(db, sizeof(db), "%s/state.db", dir);
    snprintf(work, sizeof(work), "%s/work", dir);
    if (host_cs_open(&cs, db, work, &e) != 0) {
        fprintf(stderr, "alloc-bench: %s\n", e.text);
        return 1;
    }
    if (build(&cs, pools, volumes, clusters) != 0)
        goto fail;
    t0 = now_ms();
    for (long i = 0; i < calls; i++) {
        host_alloc_req r;
        int64_t out = 0;
        double s = now_ms(), d;
        memset(&r, 0, sizeof(r));
        r.zone_id = 1;
        r.cluster_id = 1 + (int64_t)(next_rand() % (uint64_t)clusters);
        r.tags = i % 3 == 0 ? "powerflex,ssd" : "powerflex";
        r.size = (uint64_t)(8 + 8 * (int64_t)(next_rand() % 4)) * (uint64_t)GIB;
        if (host_alloc_pool(&cs, &r, &out, why, sizeof(why), &e) != 0) {
            fprintf(stderr, "alloc-bench: %s\n", e.text);
            goto fail;
        }
        d = now_ms() - s;
        if (d > worst)
            worst = d;
        if (out != 0)
            found++;
        else
            none++;
    }
    t1 = now_ms();
    /* The refusal path: nothing carries the tag, every candidate is looked at. */
    {
        host_alloc_req r;
        int64_t out = 0;
        double s = now_ms();
        memset(&r, 0, sizeof(r));
        r.zone_id = 1;
        r.cluster_id = 1;
        r.tags = "nosuchtag";
        r.size = 8 * (uint64_t)GIB;
        if (host_alloc_pool(&cs, &r, &out, why, sizeof(why), &e) != 0)
            goto fail;
        printf("refusal_ms=%.3f\n", now_ms() - s);
    }
    /* Start-up on this database: what a restarted harness does before its first command (open the
     * database, load settings, resolve what a kill interrupted). */
    host_cs_close(&cs);
    {
        host_jsonw w;
        double s = now_ms();
        if (host_cs_open(&cs, db, work, &e) != 0) {
            fprintf(stderr, "alloc-bench: %s\n", e.text);
            host_remove_tree(dir);
            return 1;
        }
        host_jsonw_init(&w, 0);
        if (host_session_restart(&cs, &w, &e) != 0) {
            fprintf(stderr, "alloc-bench: start-up: %s\n", e.text);
            host_jsonw_free(&w);
            goto fail;
        }
        host_jsonw_free(&w);
        printf("startup_ms=%.1f\n", now_ms() - s);
    }
    printf("pools=%ld volumes=%ld calls=%ld found=%ld none=%ld worst_ms=%.3f\n", pools, volumes, calls, found,
           none, worst);
    printf("ms_per_call=%.3f\n", (t1 - t0) / (double)calls);
    host_cs_close(&cs);
    host_remove_tree(dir);
    return 0;
fail:
    host_cs_close(&cs);
    host_remove_tree(dir);
    return 1;
}
