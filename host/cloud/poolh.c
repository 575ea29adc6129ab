/* poolh.c - pool handles, host references and progress for plugin calls.
 * A handle is opened from the stored details the first time a command needs the pool; secrets
 * are unsealed only for the open call and wiped right after. */
#include "config.h"

#include "poolh.h"

#include "secret.h"
#include "store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The open handles by pool id, hashed: a command over every pool of a large zone (10,000 in
 * findStoragePoolsForMigration) looks handles up twice per pool, and a list made that
 * quadratic. */
#define POOLH_BUCKETS 4096

typedef struct poolh_entry {
    int64_t pool_id;
    sp_pool *pool;
    struct poolh_entry *next;
} poolh_entry;

struct host_poolh {
    poolh_entry *buckets[POOLH_BUCKETS];
};

static poolh_entry **bucket_of(host_poolh *t, int64_t pool_id)
{
    return &t->buckets[(uint64_t)pool_id % POOLH_BUCKETS];
}

int host_need_plugin(host_cs *cs, host_err *e)
{
    if (cs->sp == NULL)
        return host_fail(e, HOST_E_INTERNAL, "no storage plugin is loaded (use --plugin)");
    return 0;
}

static void free_details(sp_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (kv[i].value != NULL) {
            host_wipe((char *)kv[i].value, strlen(kv[i].value));
            free((char *)kv[i].value);
        }
        free((char *)kv[i].key);
    }
    free(kv);
}

int host_pool_open(host_cs *cs, int64_t pool_id, sp_pool **out, host_err *e)
{
    char err[256], uuid[40];
    sqlite3_stmt *st = NULL;
    sp_kv *kv = NULL;
    size_t n = 0, cap = 0;
    sp_error se;
    sp_status s;
    poolh_entry *h;
    int rc;

    *out = NULL;
    for (h = cs->pools != NULL ? *bucket_of(cs->pools, pool_id) : NULL; h != NULL; h = h->next)
        if (h->pool_id == pool_id) {
            *out = h->pool;
            return 0;
        }
    if (host_need_plugin(cs, e) != 0)
        return -1;
    if (host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      pool_id) <= 0)
        return host_fail(e, HOST_E_INTERNAL, "storage pool %lld is not in the database", (long long)pool_id);
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT key, value FROM pool_detail WHERE pool_id = ? ORDER BY key", "i", pool_id);
    if (st == NULL)
        return host_fail_db(e, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            sp_kv *nk = realloc(kv, (cap = cap ? cap * 2 : 8) * sizeof(*nk));
            if (nk == NULL)
                goto nomem;
            kv = nk;
        }
        kv[n].key = strdup(host_col_text(st, 0));
        kv[n].value = host_secret_open(cs->key, host_col_text(st, 1));
        n++;
        if (kv[n - 1].key == NULL)
            goto nomem;
        if (kv[n - 1].value == NULL) {
            host_fail(e, HOST_E_INTERNAL,
                      "storage pool %s: detail %s cannot be unsealed (was the key file beside the database "
                      "replaced?)",
                      uuid, kv[n - 1].key);
            goto fail;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    memset(&se, 0, sizeof(se));
    s = cs->sp->lifecycle->open(uuid, kv, n, out, &se);
    free_details(kv, n);
    kv = NULL;
    if (s != SP_OK || *out == NULL) {
        *out = NULL;
        return host_fail_sp(e, s, &se, "cannot open storage pool %s", uuid);
    }
    if (cs->pools == NULL)
        cs->pools = calloc(1, sizeof(*cs->pools));
    h = calloc(1, sizeof(*h));
    if (h == NULL || cs->pools == NULL) {
        free(h);
        cs->sp->lifecycle->close(*out);
        *out = NULL;
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    h->pool_id = pool_id;
    h->pool = *out;
    h->next = *bucket_of(cs->pools, pool_id);
    *bucket_of(cs->pools, pool_id) = h;
    return 0;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
fail:
    if (st != NULL)
        sqlite3_finalize(st);
    free_details(kv, n);
    return -1;
}

void host_pool_forget(host_cs *cs, int64_t pool_id)
{
    if (cs->pools == NULL)
        return;
    for (poolh_entry **pp = bucket_of(cs->pools, pool_id); *pp != NULL; pp = &(*pp)->next)
        if ((*pp)->pool_id == pool_id) {
            poolh_entry *gone = *pp;
            *pp = gone->next;
            if (cs->sp != NULL)
                cs->sp->lifecycle->close(gone->pool);
            free(gone);
            return;
        }
}

void host_pools_close_all(host_cs *cs)
{
    if (cs->pools == NULL)
        return;
    for (size_t i = 0; i < POOLH_BUCKETS; i++)
        while (cs->pools->buckets[i] != NULL)
            host_pool_forget(cs, cs->pools->buckets[i]->pool_id);
    free(cs->pools);
    cs->pools = NULL;
}

int host_href_load(host_cs *cs, int64_t host_id, host_href *out, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err), "SELECT uuid, name, ip, cluster_id, zone_id, state FROM host WHERE id = ?",
        "i", host_id);
    int rc;

    memset(out, 0, sizeof(*out));
    if (st == NULL)
        return host_fail_db(e, err);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "host %lld is not in the database", (long long)host_id);
    }
    out->id = host_id;
    snprintf(out->uuid, sizeof(out->uuid), "%s", host_col_text(st, 0));
    snprintf(out->name, sizeof(out->name), "%s", host_col_text(st, 1));
    snprintf(out->ip, sizeof(out->ip), "%s", host_col_text(st, 2));
    out->cluster_id = sqlite3_column_int64(st, 3);
    out->zone_id = sqlite3_column_int64(st, 4);
    snprintf(out->state, sizeof(out->state), "%s", host_col_text(st, 5));
    sqlite3_finalize(st);
    out->ref = (sp_host_ref)SP_INIT(sp_host_ref);
    out->ref.uuid = out->uuid;
    out->ref.name = out->name;
    out->ref.ip = out->ip;
    return 0;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void crash_if(host_cs *cs, const char *phase, unsigned pct)
{
    if (cs->crash_phase != NULL && phase != NULL && strcmp(phase, cs->crash_phase) == 0 &&
        pct >= cs->crash_pct) {
        fprintf(stderr, "cs-harness: --crash-at %s:%u reached; killing this process\n", phase, cs->crash_pct);
        fflush(stderr);
        kill(getpid(), SIGKILL);
    }
}

void host_crash_point(host_cs *cs, const char *phase)
{
    crash_if(cs, phase, 0);
}

static int progress_cb(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    host_progress *hp = ctx;
    host_cs *cs = hp->cs;
    unsigned pct = total > 0 ? (unsigned)(done * 100 / total) : 0;

    if (pct > 100)
        pct = 100;
    /* --crash-at PHASE:PCT: a harness killed in the middle of a long operation, for real. */
    crash_if(cs, phase, pct);
    if (cs->progress && (pct != hp->last_pct || !hp->drawn)) {
        char bar[41];
        unsigned fill = pct * 40 / 100;
        memset(bar, '#', fill);
        memset(bar + fill, '.', 40 - fill);
        bar[40] = '\0';
        fprintf(stderr, "\r%s %-8s [%s] %3u%%", hp->label, phase != NULL ? phase : "", bar, pct);
        fflush(stderr);
        hp->drawn = 1;
    }
    hp->last_pct = pct;
    if (hp->deadline_ms != 0 && monotonic_ms() >= hp->deadline_ms) {
        hp->timed_out = 1;
        return 1;
    }
    return 0;
}

void host_progress_deadline(host_progress *hp, int64_t seconds)
{
    hp->deadline_ms = monotonic_ms() + (seconds > 0 ? seconds * 1000 : 0);
    if (hp->deadline_ms == 0)
        hp->deadline_ms = 1;
}

void host_progress_init(host_progress *hp, host_cs *cs, const char *label)
{
    memset(hp, 0, sizeof(*hp));
    hp->cs = cs;
    hp->label = label;
    hp->p.report = progress_cb;
    hp->p.ctx = hp;
}

void host_progress_done(host_progress *hp)
{
    if (hp->drawn) {
        fputc('\n', stderr);
        fflush(stderr);
    }
}
