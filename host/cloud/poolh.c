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

/* The open handles by pool id, in one open-addressing table (linear probing, at most half full,
 * ids are never 0): a command over every pool of a large zone (10,000 in
 * findStoragePoolsForMigration) looks a handle up per pool, and a list made that quadratic;
 * entries chained from buckets cost a cache miss or two each on top of the plugin's own. */
typedef struct poolh_entry {
    int64_t pool_id; /* 0: free */
    sp_pool *pool;
    uint64_t opened;   /* this opening's number, never reused */
    uint64_t kind_src; /* the opening kind is the migration kind from (0: none yet) */
    sp_migration_kind kind;
} poolh_entry;

struct host_poolh {
    poolh_entry *slots;
    size_t cap, n; /* cap a power of two */
    uint64_t openings;
};

static size_t slot_of(const host_poolh *t, int64_t pool_id)
{
    /* Ids are handed out in order: each in its own slot, and a walk over a zone's pools reads
     * the table in order too. */
    return (size_t)pool_id & (t->cap - 1);
}

static poolh_entry *table_find(const host_poolh *t, int64_t pool_id)
{
    if (t == NULL || t->cap == 0)
        return NULL;
    for (size_t i = slot_of(t, pool_id);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i].pool_id == pool_id)
            return &t->slots[i];
        if (t->slots[i].pool_id == 0)
            return NULL;
    }
}

static void table_put(host_poolh *t, const poolh_entry *entry)
{
    size_t i = slot_of(t, entry->pool_id);

    while (t->slots[i].pool_id != 0)
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = *entry;
    t->n++;
}

/* Room for one more entry; -1 when out of memory. */
static int table_reserve(host_poolh *t)
{
    host_poolh bigger;

    if (t->cap != 0 && (t->n + 1) * 2 <= t->cap)
        return 0;
    bigger.cap = t->cap ? t->cap * 2 : 256;
    bigger.n = 0;
    bigger.openings = t->openings;
    if ((bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))) == NULL)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].pool_id != 0)
            table_put(&bigger, &t->slots[i]);
    free(t->slots);
    *t = bigger;
    return 0;
}

/* Takes the entry out and returns its handle (NULL: none); the entries after it in its run move
 * back so that every lookup still finds them. */
static sp_pool *table_take(host_poolh *t, int64_t pool_id)
{
    size_t i, j;
    sp_pool *gone;

    if (t == NULL || t->cap == 0)
        return NULL;
    for (i = slot_of(t, pool_id); t->slots[i].pool_id != pool_id; i = (i + 1) & (t->cap - 1))
        if (t->slots[i].pool_id == 0)
            return NULL;
    gone = t->slots[i].pool;
    t->slots[i].pool_id = 0;
    t->n--;
    for (j = (i + 1) & (t->cap - 1); t->slots[j].pool_id != 0; j = (j + 1) & (t->cap - 1)) {
        size_t home = slot_of(t, t->slots[j].pool_id);
        /* The entry at j may move to the hole at i when its home is not in (i, j] (cyclically). */
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            t->slots[i] = t->slots[j];
            t->slots[j].pool_id = 0;
            i = j;
        }
    }
    return gone;
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
    int rc;
    poolh_entry *h = table_find(cs->pools, pool_id);

    if (h != NULL) {
        *out = h->pool;
        return 0;
    }
    *out = NULL;
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
    if (cs->pools == NULL || table_reserve(cs->pools) != 0) {
        cs->sp->lifecycle->close(*out);
        *out = NULL;
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    table_put(cs->pools, &(poolh_entry){.pool_id = pool_id, .pool = *out, .opened = ++cs->pools->openings});
    return 0;
nomem:
    host_fail(e, HOST_E_INTERNAL, "out of memory");
fail:
    if (st != NULL)
        sqlite3_finalize(st);
    free_details(kv, n);
    return -1;
}

int host_pool_migration_kind(host_cs *cs, int64_t src, int64_t dest, sp_migration_kind *k, host_err *e)
{
    sp_pool *a, *b;
    poolh_entry *hs, *hd;
    sp_error se;
    sp_status s;

    *k = SP_MIGRATE_NONE;
    if (((hs = table_find(cs->pools, src)) == NULL || (hd = table_find(cs->pools, dest)) == NULL) &&
        (host_pool_open(cs, src, &a, e) != 0 || host_pool_open(cs, dest, &b, e) != 0 ||
         (hs = table_find(cs->pools, src)) == NULL || (hd = table_find(cs->pools, dest)) == NULL))
        return -1;
    a = hs->pool;
    b = hd->pool;
    if (hd->kind_src == hs->opened) {
        *k = hd->kind;
        return 0;
    }
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->migration_kind(a, b, k, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "cannot tell how to migrate between the two storage pools");
    hd->kind_src = hs->opened;
    hd->kind = *k;
    return 0;
}

void host_pool_forget(host_cs *cs, int64_t pool_id)
{
    sp_pool *gone = table_take(cs->pools, pool_id);

    if (gone != NULL && cs->sp != NULL)
        cs->sp->lifecycle->close(gone);
}

void host_pools_close_all(host_cs *cs)
{
    if (cs->pools == NULL)
        return;
    for (size_t i = 0; i < cs->pools->cap; i++)
        if (cs->pools->slots[i].pool_id != 0 && cs->sp != NULL)
            cs->sp->lifecycle->close(cs->pools->slots[i].pool);
    free(cs->pools->slots);
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
