/* migrate.c - volume migration and the suitable pools for it (findStoragePoolsForMigration).
 * Same array: Driver.migrate_volume (V-Tree migration, snapshots move along). Different arrays:
 * Adaptor.copy_volume_across on a host that is an SDC of both, then the source is deleted. A
 * block copy is recorded as a job, committed before it starts, so a killed harness resolves it
 * at restart through Adaptor.recover_copies. */
#include "config.h"

#include "migrate.h"

#include "alloc.h"
#include "api.h"
#include "cfg.h"
#include "clients.h"
#include "crypt.h"
#include "objects.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"
#include "undo.h"
#include "volops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The allocator request for moving volume v: its size, its offering's tags, and the cluster its
 * VM needs (a detached volume may go to any pool of the zone). */
static int migration_req(host_cs *cs, const host_vol *v, host_alloc_req *r, char *tags, size_t tlen,
                         host_err *e)
{
    char err[256];
    int64_t host = 0;

    memset(r, 0, sizeof(*r));
    tags[0] = '\0';
    if (v->offering_id != 0 &&
        host_sql_text(cs->db, tags, tlen, err, sizeof(err), "SELECT tags FROM offering WHERE id = ?", "i",
                      v->offering_id) < 0)
        return host_fail_db(e, err);
    r->zone_id = v->zone_id;
    r->tags = tags;
    r->size = v->size;
    r->exclude_pool = v->pool_id;
    if (v->vm_id != 0) {
        if (host_sql_int(cs->db, &host, err, sizeof(err),
                         "SELECT coalesce(host_id, last_host_id, 0) FROM vm WHERE id = ?", "i", v->vm_id) < 0)
            return host_fail_db(e, err);
        if (host != 0 && host_sql_int(cs->db, &r->cluster_id, err, sizeof(err),
                                      "SELECT cluster_id FROM host WHERE id = ?", "i", host) < 0)
            return host_fail_db(e, err);
    }
    r->any_cluster = r->cluster_id == 0;
    return 0;
}

static int kind_between(host_cs *cs, int64_t src, int64_t dest, sp_migration_kind *k, host_err *e)
{
    return host_pool_migration_kind(cs, src, dest, k, e);
}

/* A pool's verdict; the reason a pool is refused is found again only for the pools an answer
 * shows (a page of 500 out of 10,000). */
typedef struct verdict {
    int64_t pool_id;
    int ok;
    int by_plugin;          /* refused by suitable(), not by the allocator */
    sp_migration_kind kind; /* set once the pool is found suitable */
} verdict;

typedef struct verdicts {
    verdict *v;
    size_t n, cap;
} verdicts;

static int by_pool(const void *a, const void *b)
{
    int64_t x = ((const verdict *)a)->pool_id, y = ((const verdict *)b)->pool_id;

    return (x > y) - (x < y);
}

static int keep_verdict(void *ctx, int64_t pool_id, int ok, host_err *e)
{
    verdicts *vs = ctx;

    if (vs->n == vs->cap) {
        verdict *nv = realloc(vs->v, (vs->cap = vs->cap ? vs->cap * 2 : 64) * sizeof(*nv));
        if (nv == NULL)
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        vs->v = nv;
    }
    vs->v[vs->n].pool_id = pool_id;
    vs->v[vs->n].ok = ok;
    vs->v[vs->n].by_plugin = 0;
    vs->v[vs->n].kind = SP_MIGRATE_NONE;
    vs->n++;
    return 0;
}

/* A V-Tree migration moves the whole tree: the volume, its snapshots and, for a ROOT made from a
 * template copy, the copy and every other volume cloned from it (fast clones share its V-Tree).
 * Before it starts, every other volume of the tree on the pool is accounted for: one in use by a
 * running VM whose host cannot reach dest (out of its scope, or its SDC not connected for it)
 * refuses the migration, as does one of a stopped VM whose last host dest is out of scope for, one
 * migrating itself, and a template copy dest already holds a copy of (two copies of one template
 * on a pool cannot be told apart). No block copy of the volume alone is offered instead: pools of
 * one system migrate V-Trees (the Adaptor copies only across systems). 0 with *ok and why. */
static int vtree_check_in(host_cs *cs, const host_vol *v, const char *tree, int64_t dest, int *ok, char *why,
                          size_t whylen, host_err *e)
{
    char err[256], duuid[40];
    sqlite3_stmt *st = NULL;
    int rc = -1;

    *ok = 1;
    if (tree[0] == '\0')
        return 0;
    host_pool_uuid(cs, dest, duuid);
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT o.name, o.uuid, o.state, coalesce(vm.name, ''), coalesce(vm.state, ''), "
        "coalesce(CASE WHEN vm.state = 'Running' THEN vm.host_id ELSE vm.last_host_id END, 0) "
        "FROM volume o LEFT JOIN vm ON vm.id = o.vm_id WHERE o.pool_id = ?1 AND o.tree_id = ?2 AND o.id != "
        "?3 "
        "ORDER BY o.id",
        "iti", v->pool_id, tree, v->id);
    if (st == NULL)
        return host_fail_db(e, err);
    while (*ok && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = host_col_text(st, 0), *vmname = host_col_text(st, 3),
                   *vmstate = host_col_text(st, 4);
        int64_t host = sqlite3_column_int64(st, 5);
        char hname[128] = "", reason[600] = "";
        int reach = 1;
        if (strcmp(host_col_text(st, 2), "Migrating") == 0) {
            *ok = 0;
            snprintf(why, whylen, "volume %s, which shares V-Tree %s with it, is migrating", name, tree);
            break;
        }
        if (host == 0)
            continue;
        host_sql_text(cs->db, hname, sizeof(hname), err, sizeof(err), "SELECT name FROM host WHERE id = ?",
                      "i", host);
        if (strcmp(vmstate, "Running") == 0) {
            if (host_pool_client_check(cs, dest, host, &reach, reason, sizeof(reason), e) != 0)
                goto out;
        } else if (host_pool_reaches(cs, dest, host, &reach, e) != 0) {
            goto out;
        }
        if (!reach) {
            *ok = 0;
            snprintf(why, whylen,
                     "a V-Tree migration moves the whole tree, and volume %s of VM %s (%s, %s host %s) "
                     "shares V-Tree %s "
                     "with it: that host cannot reach storage pool %s%s%.300s",
                     name, vmname, vmstate, strcmp(vmstate, "Running") == 0 ? "on" : "last on", hname, tree,
                     duuid, reason[0] ? ": " : "", reason);
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (*ok) {
        char tname[256] = "";
        if (host_sql_text(
                cs->db, tname, sizeof(tname), err, sizeof(err),
                "SELECT t.name FROM template_pool tp JOIN template t ON t.id = tp.template_id "
                "WHERE tp.pool_id = ?1 AND tp.tree_id = ?2 AND EXISTS (SELECT 1 FROM template_pool d "
                "WHERE d.pool_id = ?3 AND d.template_id = tp.template_id) LIMIT 1",
                "iti", v->pool_id, tree, dest) < 0)
            return host_fail_db(e, err);
        if (tname[0] != '\0') {
            *ok = 0;
            snprintf(why, whylen,
                     "V-Tree %s holds the copy of template %s the volume was cloned from, and storage pool "
                     "%s already holds a copy of that template: the migration would bring a second one",
                     tree, tname, duuid);
        }
    }
    rc = 0;
out:
    if (st != NULL)
        sqlite3_finalize(st);
    return rc;
}

static int vtree_of(host_cs *cs, const host_vol *v, char *tree, size_t len, host_err *e)
{
    char err[256];

    tree[0] = '\0';
    if (host_sql_text(cs->db, tree, len, err, sizeof(err), "SELECT tree_id FROM volume WHERE id = ?", "i",
                      v->id) < 0)
        return host_fail_db(e, err);
    return 0;
}

static int vtree_check(host_cs *cs, const host_vol *v, int64_t dest, int *ok, char *why, size_t whylen,
                       host_err *e)
{
    char tree[SP_ID_MAX];

    *ok = 1;
    if (vtree_of(cs, v, tree, sizeof(tree), e) != 0)
        return -1;
    return vtree_check_in(cs, v, tree, dest, ok, why, whylen, e);
}

/* What suitable() reads once per command instead of once per pool: the volume's V-Tree, and
 * the pools that share an Up host with its pool (a block copy needs a host that is an SDC of
 * both systems), sorted. */
typedef struct suit_ctx {
    const host_vol *v;
    char tree[SP_ID_MAX];
    int64_t *shared;
    size_t nshared;
    int shared_read;
} suit_ctx;

static int suit_ctx_init(host_cs *cs, const host_vol *v, suit_ctx *sc, host_err *e)
{
    memset(sc, 0, sizeof(*sc));
    sc->v = v;
    return vtree_of(cs, v, sc->tree, sizeof(sc->tree), e);
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

static int shares_host(host_cs *cs, suit_ctx *sc, int64_t pool, int *out, host_err *e)
{
    if (!sc->shared_read) {
        char err[256];
        sqlite3_stmt *st = host_sql_prepare(
            cs->db, err, sizeof(err),
            "SELECT DISTINCT b.pool_id FROM pool_host a JOIN pool_host b ON b.host_id = a.host_id "
            "JOIN host h ON h.id = a.host_id WHERE a.pool_id = ? AND a.status = 'Up' AND b.status = 'Up' "
            "AND h.state = 'Up' ORDER BY b.pool_id",
            "i", sc->v->pool_id);
        if (st == NULL)
            return host_fail_db(e, err);
        if (host_stmt_ids(cs, st, &sc->shared, &sc->nshared, e) != 0)
            return -1;
        sc->shared_read = 1;
    }
    *out = sc->nshared > 0 && bsearch(&pool, sc->shared, sc->nshared, sizeof(*sc->shared), by_id) != NULL;
    return 0;
}

/* The migration kind to a pool the allocator accepts, or why it cannot be one after all (why
 * NULL: the verdict alone, for a zone's worth of pools). */
static int suitable(host_cs *cs, suit_ctx *sc, int64_t pool, sp_migration_kind *k, char *why, size_t whylen,
                    int *ok, host_err *e)
{
    char scratch[1];

    if (why == NULL) {
        why = scratch;
        whylen = 0;
    }
    host_err ke;

    *ok = 1;
    *k = SP_MIGRATE_NONE;
    memset(&ke, 0, sizeof(ke));
    if (host_pool_migration_kind(cs, sc->v->pool_id, pool, k, &ke) != 0) {
        *ok = 0;
        snprintf(why, whylen, "%.1000s", ke.text);
    } else if (*k == SP_MIGRATE_NONE) {
        *ok = 0;
        if (whylen > 0)
            snprintf(why, whylen, "the plugin cannot migrate volumes from the current pool to it");
    } else if (*k == SP_MIGRATE_NATIVE) {
        if (vtree_check_in(cs, sc->v, sc->tree, pool, ok, why, whylen, e) != 0)
            return -1;
    } else if (*k == SP_MIGRATE_BLOCK_COPY) {
        if (shares_host(cs, sc, pool, ok, e) != 0)
            return -1;
        if (!*ok && whylen > 0)
            snprintf(why, whylen, "no Up host is connected to both storage pools for a block copy");
    }
    return 0;
}

/* Every other pool of the volume's zone with the allocator's verdict and the migration kind. The
 * verdicts come from one statement over the zone and the pools' fields from another: a zone of
 * 10,000 pools took 1.4 s with some ten statements prepared per pool (bench/scale-bench). The
 * suitable pools first, by name (scripts migrate to the first one listed, as CloudStack's answer
 * puts them), the others after in creation order, with the reason; count is every pool, and the
 * answer is the page that page and pagesize ask for (default.page.size pools at most). */
static int find_pools(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char tags[512], why[1024];
    int64_t id;
    size_t i = 0;
    host_vol v;
    host_alloc_req req;
    host_alloc_limits lim;
    host_alloc_checker *ck = NULL;
    suit_ctx sc = {0};
    verdicts vs = {NULL, 0, 0};
    sqlite3_stmt *st = NULL;
    size_t start, size, last, nok = 0;
    int rc = -1, step = SQLITE_DONE, in_array = 0;

    if (host_param_ref(cs, cmd, "id", "volume", 1, &id, e) != 0 || host_vol_load(cs, id, &v, e) != 0 ||
        host_param_page(cs, cmd, &start, &size, e) != 0 || host_need_plugin(cs, e) != 0)
        return -1;
    if (v.pool_id == 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is not on a storage pool yet", v.uuid);
    if (migration_req(cs, &v, &req, tags, sizeof(tags), e) != 0 ||
        host_alloc_limits_load(cs, v.zone_id, &lim, e) != 0 || suit_ctx_init(cs, &v, &sc, e) != 0)
        return -1;
    if (host_alloc_check_zone(cs, &req, &lim, keep_verdict, &vs, e) != 0)
        goto out;
    /* The rows are looked up by binary search: the zone's statement gives them in id order. */
    for (i = 1; i < vs.n; i++)
        if (vs.v[i - 1].pool_id >= vs.v[i].pool_id) {
            qsort(vs.v, vs.n, sizeof(*vs.v), by_pool);
            break;
        }
    /* The pools the allocator accepts: whether and how the plugin can migrate there. */
    for (i = 0; i < vs.n; i++) {
        int ok;
        if (!vs.v[i].ok)
            continue;
        if (suitable(cs, &sc, vs.v[i].pool_id, &vs.v[i].kind, NULL, 0, &ok, e) != 0)
            goto out;
        vs.v[i].ok = ok;
        vs.v[i].by_plugin = !ok;
    }
    for (i = 0; i < vs.n; i++)
        nok += vs.v[i].ok != 0;
    last = size == 0 || start + size > vs.n ? vs.n : start + size;
    if (vs.n > 0)
        host_jsonw_uint(w, "count", vs.n);
    if (start < last) {
        host_jsonw_array_begin(w, "storagepool");
        in_array = 1;
    }
    /* CloudStack's order (sortPoolsBySuitabilityAndName): the suitable pools by name, then the
     * others in id order; rows [0, nok) are the suitable ones. A group is walked only when the
     * page reaches into it, and a walk stops at the page's end. */
    for (int pass = 1; pass >= 0; pass--) {
        size_t lo = pass ? 0 : nok, hi = pass ? nok : vs.n, row = lo;
        if (last <= lo || start >= hi)
            continue;
        if ((st = host_pool_rows(cs, v.zone_id, v.pool_id, pass, e)) == NULL)
            goto out_arr;
        while (row < last && (step = sqlite3_step(st)) == SQLITE_ROW) {
            verdict key = {.pool_id = sqlite3_column_int64(st, sqlite3_column_count(st) - 1)};
            const verdict *pv = bsearch(&key, vs.v, vs.n, sizeof(*vs.v), by_pool);
            int ok;
            sp_migration_kind k;
            if (pv == NULL || (pv->ok != 0) != pass || row++ < start)
                continue;
            /* The reason, found again for this pool only. */
            if (!pv->ok && pv->by_plugin && suitable(cs, &sc, pv->pool_id, &k, why, sizeof(why), &ok, e) != 0)
                goto out_arr;
            if (!pv->ok && !pv->by_plugin &&
                ((ck == NULL && (ck = host_alloc_checker_new(cs, &req, &lim, e)) == NULL) ||
                 host_alloc_checker_run(ck, pv->pool_id, &ok, why, sizeof(why), e) != 0))
                goto out_arr;
            if (!pv->ok && why[0] == '\0')
                snprintf(why, sizeof(why), "it changed while the zone was being checked");
            /* The pool object as listStoragePools shows it, plus the verdict. */
            host_jsonw_object_begin(w, NULL);
            if (host_json_pool_row(cs, w, st, e) != 0) {
                host_jsonw_object_end(w);
                goto out_arr;
            }
            host_jsonw_bool(w, "suitableformigration", pv->ok);
            if (pv->ok)
                host_jsonw_string(w, "migrationtype", pv->kind == SP_MIGRATE_NATIVE ? "vtree" : "blockcopy");
            else
                host_jsonw_string(w, "notsuitablereason", why);
            host_jsonw_object_end(w);
        }
        if (row < last && step != SQLITE_DONE) {
            host_fail_db(e, sqlite3_errmsg(cs->db));
            goto out_arr;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = 0;
out_arr:
    if (in_array)
        host_jsonw_array_end(w);
out:
    if (st != NULL)
        sqlite3_finalize(st);
    host_alloc_checker_free(ck);
    free(sc.shared);
    free(vs.v);
    return rc;
}

/* After a V-Tree migration everything in the tree is on the destination: the volume, its
 * snapshots, and (for a ROOT made from a template copy) the template copy and its siblings. */
static int follow_tree(host_cs *cs, int64_t src, int64_t dest, const char *tree, host_err *e)
{
    char err[256];
    if (tree[0] == '\0')
        return 0;
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume SET pool_id = ?1 WHERE pool_id = ?2 AND tree_id = ?3", "iit", dest, src,
                     tree) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE snapshot SET pool_id = ?1 WHERE pool_id = ?2 AND tree_id = ?3", "iit", dest, src,
                     tree) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE vm_snapshot SET pool_id = ?1 WHERE pool_id = ?2 AND id IN "
                     "(SELECT vm_snapshot_id FROM snapshot WHERE tree_id = ?3)",
                     "iit", dest, src, tree) < 0 ||
        host_sql_run(
            cs->db, err, sizeof(err),
            "UPDATE template_pool SET pool_id = ?1 WHERE pool_id = ?2 AND tree_id = ?3 AND NOT EXISTS "
            "(SELECT 1 FROM template_pool t2 WHERE t2.pool_id = ?1 AND t2.template_id = "
            "template_pool.template_id)",
            "iit", dest, src, tree) < 0)
        return host_fail_db(e, err);
    return 0;
}

/* Records a migration before the array starts it, committed so that a harness killed meanwhile
 * finds it at restart; the transaction goes on. */
static int job_start(host_cs *cs, const char *kind, const host_vol *v, int64_t dest, int64_t host,
                     int64_t *job, host_err *e)
{
    char err[512];
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "INSERT INTO job(kind, volume_id, src_pool_id, dest_pool_id, host_id, src_path, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            "tiiiiti", kind, v->id, v->pool_id, dest, host, v->path, host_now()) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET state = 'Migrating' WHERE id = ?", "i",
                     v->id) < 0)
        return host_fail_db(e, err);
    *job = sqlite3_last_insert_rowid(cs->db);
    if (host_store_commit(cs->db, err, sizeof(err)) != 0 || host_store_begin(cs->db, err, sizeof(err)) != 0)
        return host_fail_db(e, err);
    return 0;
}

/* The job is over: on failure the volume is usable again where it was, and that is committed
 * even though the command answers with the failure (e already holds it). */
static int job_end(host_cs *cs, int64_t job, int64_t vol_id, int failed, host_err *e)
{
    char err[512];
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM job WHERE id = ?", "i", job) < 0)
        return host_fail_db(e, err);
    if (!failed)
        return 0;
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET state = 'Ready' WHERE id = ?", "i",
                     vol_id) < 0 ||
        host_store_commit(cs->db, err, sizeof(err)) != 0 || host_store_begin(cs->db, err, sizeof(err)) != 0)
        return host_fail_db(e, err);
    return -1;
}

/* After the plugin renamed what moved (CloudStack's setVolumeName to the destination pool's key),
 * each row of the tree on dest takes the path the array now answers for its old one (the id in
 * it has not changed), and an event names each volume that moved along. */
static int refresh_tree_paths(host_cs *cs, int64_t vol_id, int64_t dest, const char *tree, host_err *e)
{
    static const char *const tables[] = {"volume", "snapshot", "template_pool"};
    char err[256], sql[256], duuid[40];
    sp_pool *pool;

    if (tree[0] == '\0')
        return 0;
    if (host_pool_open(cs, dest, &pool, e) != 0)
        return -1;
    host_pool_uuid(cs, dest, duuid);
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        sqlite3_stmt *st;
        snprintf(sql, sizeof(sql), "SELECT rowid, path, %s FROM %s WHERE pool_id = ? AND tree_id = ?",
                 strcmp(tables[t], "template_pool") == 0 ? "template_id" : "name", tables[t]);
        if ((st = host_sql_prepare(cs->db, err, sizeof(err), sql, "it", dest, tree)) == NULL)
            return host_fail_db(e, err);
        while (sqlite3_step(st) == SQLITE_ROW) {
            int64_t rowid = sqlite3_column_int64(st, 0);
            char old[SP_PATH_MAX];
            sp_volume_info info = SP_INIT(sp_volume_info);
            sp_error se;
            snprintf(old, sizeof(old), "%s", host_col_text(st, 1));
            memset(&se, 0, sizeof(se));
            if (cs->sp->driver->get_volume(pool, &(sp_volume_ref){old}, &info, &se) != SP_OK ||
                info.path[0] == '\0')
                continue; /* the old path still names it: its id comes first */
            if (strcmp(info.path, old) != 0) {
                snprintf(sql, sizeof(sql), "UPDATE %s SET path = ? WHERE rowid = ?", tables[t]);
                if (host_sql_run(cs->db, err, sizeof(err), sql, "ti", info.path, rowid) < 0) {
                    sqlite3_finalize(st);
                    return host_fail_db(e, err);
                }
            }
            if (strcmp(tables[t], "volume") == 0 && rowid != vol_id)
                host_event(cs, "VOLUME.MIGRATE", "volume %s moved along with V-Tree %s to storage pool %s",
                           host_col_text(st, 2), tree, duuid);
        }
        sqlite3_finalize(st);
    }
    return 0;
}

/* The rows after a V-Tree migration: the volume and everything in its tree on dest. */
int host_migrate_finish_native(host_cs *cs, int64_t vol_id, int64_t src, int64_t dest,
                               const sp_volume_info *info, host_err *e)
{
    char err[256];
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "UPDATE volume SET pool_id = ?, path = ?, size = ?, tree_id = ?, state = 'Ready' WHERE id = ?",
            "ituti", dest, info->path, info->size_bytes, info->lineage_id, vol_id) < 0)
        return host_fail_db(e, err);
    if (follow_tree(cs, src, dest, info->lineage_id, e) != 0)
        return -1;
    return refresh_tree_paths(cs, vol_id, dest, info->lineage_id, e);
}

/* After a failed V-Tree migration: whether the array has the volume in dest's pool all the same
 * (one the plugin could neither watch to its end nor take back), with *info filled when it has. */
static int landed_in(host_cs *cs, sp_pool *a, const host_vol *v, int64_t dest, sp_volume_info *info)
{
    char err[256], dpath[SP_ID_MAX] = "";
    sp_error se;

    if (host_sql_text(cs->db, dpath, sizeof(dpath), err, sizeof(err), "SELECT path FROM pool WHERE id = ?",
                      "i", dest) < 0 ||
        dpath[0] == '\0')
        return 0;
    memset(&se, 0, sizeof(se));
    *info = (sp_volume_info)SP_INIT(sp_volume_info);
    return cs->sp->driver->get_volume(a, &(sp_volume_ref){v->path}, info, &se) == SP_OK &&
           strcmp(info->array_pool_id, dpath) == 0;
}

static int native(host_cs *cs, host_vol *v, int64_t dest, host_err *e)
{
    char why[1024];
    sp_pool *a, *b;
    sp_volume_info info = SP_INIT(sp_volume_info);
    host_progress hp;
    sp_error se;
    sp_status s;
    int64_t job;
    int ok;

    if (vtree_check(cs, v, dest, &ok, why, sizeof(why), e) != 0)
        return -1;
    if (!ok)
        return host_fail(e, HOST_E_PARAM, "Cannot migrate volume %s: %s", v->uuid, why);
    if (host_pool_open(cs, v->pool_id, &a, e) != 0 || host_pool_open(cs, dest, &b, e) != 0 ||
        job_start(cs, "vtree", v, dest, 0, &job, e) != 0)
        return -1;
    host_progress_init(&hp, cs, "migrate volume");
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->migrate_volume(a, &(sp_volume_ref){v->path}, b, &hp.p, &info, &se);
    host_progress_done(&hp);
    if (s != SP_OK) {
        char err[512];
        host_fail_sp(e, s, &se, "Failed to migrate volume %s", v->uuid);
        /* The array has the last word: a volume it moved is recorded where it is (committed,
         * though the command still fails), never kept on the source behind the failure. */
        if (landed_in(cs, a, v, dest, &info)) {
            host_err failure = *e;
            if (job_end(cs, job, v->id, 0, e) != 0 ||
                host_migrate_finish_native(cs, v->id, v->pool_id, dest, &info, e) != 0)
                return -1;
            host_event(cs, "VOLUME.MIGRATE", "volume %s ended in the destination pool despite a failure",
                       v->uuid);
            if (host_store_commit(cs->db, err, sizeof(err)) != 0 ||
                host_store_begin(cs->db, err, sizeof(err)) != 0)
                return host_fail_db(e, err);
            return host_fail(e, failure.code,
                             "%.1900s; the array has the volume in the destination pool all the same, "
                             "where it is now recorded",
                             failure.text);
        }
    }
    if (job_end(cs, job, v->id, s != SP_OK, e) != 0)
        return -1;
    return host_migrate_finish_native(cs, v->id, v->pool_id, dest, &info, e);
}

/* Adds "; <what>" to the error already in e. */
static void append(host_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(host_err *e, const char *fmt, ...)
{
    size_t n = strlen(e->text);
    va_list ap;

    if (n + 2 >= sizeof(e->text))
        return;
    memcpy(e->text + n, "; ", 3);
    va_start(ap, fmt);
    vsnprintf(e->text + n + 2, sizeof(e->text) - n - 2, fmt, ap);
    va_end(ap);
}

/* A live migration's source on the VM's host: unmapped and its device gone before it is deleted
 * (the VM uses the copy now). Failures are logged: deleting it unmaps it anyway. */
static void retire_live_source(host_cs *cs, sp_pool *a, int64_t src, int64_t vol_id, const char *src_path,
                               const host_href *href)
{
    sp_error se;
    host_err e;

    /* A kill before the command commits: the rows still give the VM the source, and the next
     * start maps it back there (resolve.c) before the job's recovery pivots again (recover.c). */
    memset(&e, 0, sizeof(e));
    if (host_undo_announce(cs, HOST_INTENT_MAP, src, "volume", 0, vol_id, 0, src_path, href->id, NULL, &e) !=
        0) {
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, e.text);
        return; /* left mapped: deleting the source unmaps it */
    }
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->revoke_access(a, &(sp_volume_ref){src_path}, &href->ref, &se) != SP_OK ||
        (memset(&se, 0, sizeof(se)),
         cs->sp->adaptor->disconnect_volume(a, &(sp_volume_ref){src_path}, &href->ref, &se)) != SP_OK)
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, se.message);
}

/* The copy on dest given to the VM's host instead of the source (the pivot), inside savepoint
 * live_pivot taken before the row moved. On failure the row goes back to the source and the copy
 * is deleted: -2, the VM keeps its disk. */
static int pivot(host_cs *cs, int64_t vol_id, const host_vol *old, int64_t dest, const sp_volume_info *info,
                 int64_t live_host, host_err *e)
{
    char err[256];
    sp_pool *b;
    sp_error se;

    if (host_access_grant(cs, vol_id, live_host, 0, e) == 0)
        return host_sql_run(cs->db, err, sizeof(err), "RELEASE live_pivot", "") < 0 ? host_fail_db(e, err)
                                                                                    : 0;
    if (host_sql_run(cs->db, err, sizeof(err), "ROLLBACK TO live_pivot", "") < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "RELEASE live_pivot", "") < 0)
        return host_fail_db(e, err);
    memset(&se, 0, sizeof(se));
    if (host_pool_open(cs, dest, &b, e) == 0 &&
        cs->sp->driver->delete_volume(b, &(sp_volume_ref){info->path}, &se) == SP_OK) {
        append(e, "the copy %s was deleted and the VM keeps volume %s where it was", info->path, old->uuid);
        return -2;
    }
    append(e, "the copy %s could not be deleted (%s)", info->path, se.message);
    return -1;
}

/* Moves the volume row to the copy on dest and deletes the source on the array. live_host (a
 * running VM's host, else 0): the copy is granted and connected there first, and the source
 * leaves it; -2 when that fails and was undone (the VM keeps the source). */
int host_migrate_finish_copy(host_cs *cs, int64_t vol_id, int64_t src, const char *src_path, int64_t dest,
                             const sp_volume_info *info, int64_t live_host, host_err *e)
{
    char err[256], path[SP_PATH_MAX];
    host_vol old;
    host_href href;
    sp_pool *a;
    sp_error se;
    sp_status s;
    int rc;

    snprintf(path, sizeof(path), "%s", src_path);
    if (host_vol_load(cs, vol_id, &old, e) != 0)
        return -1;
    if (live_host != 0 && host_sql_run(cs->db, err, sizeof(err), "SAVEPOINT live_pivot", "") < 0)
        return host_fail_db(e, err);
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "UPDATE volume SET pool_id = ?, path = ?, size = ?, tree_id = ?, state = 'Ready' WHERE id = ?",
            "ituti", dest, info->path, info->size_bytes, info->lineage_id, vol_id) < 0)
        return host_fail_db(e, err);
    if (live_host != 0 && (rc = pivot(cs, vol_id, &old, dest, info, live_host, e)) != 0)
        return rc;
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM access WHERE volume_id = ? AND host_id != ?",
                     "ii", vol_id, live_host) < 0)
        return host_fail_db(e, err);
    if (host_pool_open(cs, src, &a, e) != 0)
        return -1;
    if (live_host != 0) {
        if (host_href_load(cs, live_host, &href, e) != 0)
            return -1;
        retire_live_source(cs, a, src, vol_id, path, &href);
    }
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->delete_volume(a, &(sp_volume_ref){path}, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "volume copied, but its source %s could not be deleted", path);
    if (live_host != 0) {
        /* The host's last volume of the source's array may have gone: on demand, its client leaves. */
        host_err ce;
        memset(&ce, 0, sizeof(ce));
        if (host_client_release(cs, a, src, &href, 1, &ce) != 0)
            cs->svc.table.log(&cs->svc, SP_LOG_WARN, ce.text);
    }
    return 0;
}

/* The host that copies: a running VM's own host (live: the source stays its disk until the
 * pivot), else an Up host that is a client of both pools, the VM's last host first. */
static int copy_host(host_cs *cs, const host_vol *v, int64_t dest, int64_t live_host, int64_t *out,
                     host_err *e)
{
    char err[512], why[1024] = "";
    int64_t prefer = 0, up = 0;
    int reach_src = 0, reach_dest = 0, ok = 1;

    *out = 0;
    if (live_host != 0) {
        if (host_sql_int(cs->db, &up, err, sizeof(err),
                         "SELECT count(*) FROM host WHERE id = ? AND state = 'Up'", "i", live_host) < 0)
            return host_fail_db(e, err);
        if (up && (host_pool_reaches(cs, v->pool_id, live_host, &reach_src, e) != 0 ||
                   host_pool_reaches(cs, dest, live_host, &reach_dest, e) != 0 ||
                   host_client_can_access(cs, dest, live_host, &ok, why, sizeof(why), e) != 0))
            return -1;
        if (!up)
            return host_fail(e, HOST_E_UNAVAILABLE,
                             "volume %s cannot be migrated live: the host of its VM is not Up", v->uuid);
        if (!reach_src || !reach_dest)
            return host_fail(e, HOST_E_UNAVAILABLE,
                             "volume %s cannot be migrated live: the host of its VM is not connected to both "
                             "storage pools",
                             v->uuid);
        if (!ok)
            return host_fail(e, HOST_E_UNAVAILABLE,
                             "volume %s cannot be migrated live: the host of its VM cannot connect to the "
                             "destination storage pool: %s",
                             v->uuid, why);
        *out = live_host;
        return 0;
    }
    if (v->vm_id != 0)
        host_sql_int(cs->db, &prefer, err, sizeof(err),
                     "SELECT coalesce(last_host_id, 0) FROM vm WHERE id = ?", "i", v->vm_id);
    if (host_sql_int(cs->db, out, err, sizeof(err),
                     "SELECT a.host_id FROM pool_host a JOIN pool_host b ON b.host_id = a.host_id JOIN host "
                     "h ON h.id = a.host_id "
                     "WHERE a.pool_id = ? AND b.pool_id = ? AND a.status = 'Up' AND b.status = 'Up' AND "
                     "h.state = 'Up' "
                     "ORDER BY a.host_id = ? DESC, a.host_id LIMIT 1",
                     "iii", v->pool_id, dest, prefer) < 0)
        return host_fail_db(e, err);
    if (*out == 0)
        return host_fail(e, HOST_E_UNAVAILABLE,
                         "no Up host is connected to both storage pools to copy volume %s", v->uuid);
    return 0;
}

/* A live migration that did not happen: the host's client leaves the destination's array again
 * when nothing else of it is there (logged when it cannot). */
static void release_dest(host_cs *cs, sp_pool *b, int64_t dest, const host_href *href)
{
    host_err ce;

    memset(&ce, 0, sizeof(ce));
    if (host_client_release(cs, b, dest, href, 1, &ce) != 0)
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, ce.text);
}

/* A copy to another array through one host (Adaptor.copy_volume_across). live_host: the running
 * VM's host, as CloudStack 4.19+ migrates a running VM's PowerFlex volume to another system (PR
 * #7408): the copy is made on that host while the source stays its disk, within migratewait, then
 * the copy is granted there and the source retired (host_migrate_finish_copy). */
static int block_copy(host_cs *cs, host_vol *v, int64_t dest, int64_t live_host, host_jsonw *w, host_err *e)
{
    char err[512], wait[32] = "";
    int64_t host = 0, job, nsnap = 0;
    host_href href;
    sp_pool *a, *b;
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_volume_info info = SP_INIT(sp_volume_info);
    host_progress hp;
    sp_error se;
    sp_status s;
    int rc;

    if (host_sql_int(cs->db, &nsnap, err, sizeof(err), "SELECT count(*) FROM snapshot WHERE volume_id = ?",
                     "i", v->id) < 0)
        return host_fail_db(e, err);
    if (nsnap > 0)
        return host_fail(
            e, HOST_E_PARAM,
            "volume %s has %lld snapshots: migration to another %s system copies blocks and cannot carry "
            "snapshots; delete them first",
            v->uuid, (long long)nsnap, cs->sp->name);
    if (copy_host(cs, v, dest, live_host, &host, e) != 0)
        return -1;
    if (host_href_load(cs, host, &href, e) != 0 || host_pool_open(cs, v->pool_id, &a, e) != 0 ||
        host_pool_open(cs, dest, &b, e) != 0)
        return -1;
    /* Live: the host's client joins the destination's array for good (the copy stays there). */
    if (live_host != 0 && host_client_prepare(cs, b, dest, &href, 0, e) != 0)
        return -1;
    /* The job is committed before the copy starts: a harness killed during the copy finds it. */
    if (job_start(cs, "copy", v, dest, host, &job, e) != 0)
        return -1;
    spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
    spec.kind = strcmp(v->type, "ROOT") == 0 ? SP_VOLUME_ROOT : SP_VOLUME_DATA;
    spec.id = (uint64_t)v->id;
    spec.size_bytes = v->size;
    spec.provisioning = host_provisioning(v->provisioning);
    spec.qos = host_vol_qos(v);
    host_progress_init(&hp, cs, "migrate volume");
    if (live_host != 0) {
        host_config_get(cs, HOST_CFG_MIGRATE_WAIT, SP_SCOPE_GLOBAL, NULL, wait, sizeof(wait));
        host_progress_deadline(&hp, strtoll(wait, NULL, 10));
    }
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    {
        host_crypt c;
        int enc = host_crypt_open(cs, v->id, &c, e);
        if (enc < 0)
            return -1;
        if (enc && !SP_HAS(cs->sp->adaptor, copy_volume_across_encrypted)) {
            host_crypt_close(&c);
            return host_fail(e, HOST_E_UNSUPPORTED, "the storage plugin cannot copy encrypted volumes");
        }
        /* An encrypted volume keeps its passphrase and what its guest sees: the target gets the
         * source's usable size. */
        if (enc)
            s = cs->sp->adaptor->copy_volume_across_encrypted(a, &(sp_volume_ref){v->path}, b, &spec,
                                                              &href.ref, &c.enc, &hp.p, &info, &se);
        else
            s = cs->sp->adaptor->copy_volume_across(a, &(sp_volume_ref){v->path}, b, &spec, &href.ref, &hp.p,
                                                    &info, &se);
        host_crypt_close(&c);
    }
    host_progress_done(&hp);
    if (s != SP_OK && hp.timed_out)
        host_fail(
            e, HOST_E_INTERNAL,
            "live migration of volume %s did not finish within migratewait (%s s) and was given up; its VM "
            "keeps it where it was (%s)",
            v->uuid, wait, se.message);
    else if (s != SP_OK)
        host_fail_sp(e, s, &se, "Failed to copy volume %s through host %s", v->uuid, href.name);
    if (s != SP_OK && live_host != 0)
        release_dest(cs, b, dest, &href);
    if (job_end(cs, job, v->id, s != SP_OK, e) != 0)
        return -1;
    (void)w;
    /* --crash-at finish:0: killed between the copy and the rows (recovery finishes the move). */
    host_crash_point(cs, "finish");
    /* A live pivot changes mappings (the copy granted to the VM's host, the source taken from
     * it): journaled from here, in the transaction that also ends the job, so that a kill before
     * its commit leaves the VM its source (resolve.c) and the job to finish again (recover.c). */
    if (live_host != 0 && host_undo_begin(cs, e) != 0)
        return -1;
    rc = host_migrate_finish_copy(cs, v->id, v->pool_id, v->path, dest, &info, live_host, e);
    if (rc == -2) {
        /* The pivot failed and was undone: the volume is Ready where it was, committed. */
        host_err ignored;
        release_dest(cs, b, dest, &href);
        memset(&ignored, 0, sizeof(ignored));
        job_end(cs, 0, v->id, 1, &ignored);
        return -1;
    }
    return rc;
}

static int migrate_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[512], tags[512], why[1024], vmstate[16] = "";
    int64_t id, dest, src;
    host_vol v;
    host_alloc_req req;
    host_alloc_limits lim;
    sp_migration_kind k;
    int ok, live = 0, running, rc = -1;
    int64_t vm_host = 0;

    if (host_store_begin(cs->db, err, sizeof(err)) != 0)
        return host_fail_db(e, err);
    if (host_param_ref(cs, cmd, "volumeid", "volume", 1, &id, e) != 0 ||
        host_param_ref(cs, cmd, "storageid", "pool", 1, &dest, e) != 0 ||
        host_param_bool(cmd, "livemigrate", 0, &live, e) != 0 || host_need_plugin(cs, e) != 0 ||
        host_vol_load(cs, id, &v, e) != 0)
        goto out;
    src = v.pool_id;
    if (src == 0) {
        host_fail(e, HOST_E_PARAM, "volume %s is not on a storage pool yet", v.uuid);
        goto out;
    }
    if (strcmp(v.state, "Ready") != 0) {
        host_fail(e, HOST_E_PARAM, "volume %s is %s", v.uuid, v.state);
        goto out;
    }
    if (v.vm_id != 0)
        host_sql_text(cs->db, vmstate, sizeof(vmstate), err, sizeof(err), "SELECT state FROM vm WHERE id = ?",
                      "i", v.vm_id);
    /* CloudStack: a running VM's volume moves only when livemigrate says so; otherwise the flag
     * does not matter. */
    running = strcmp(vmstate, "Running") == 0;
    if (running && !live) {
        host_fail(e, HOST_E_PARAM,
                  "The volume %s is attached to a running VM and for migrating it the parameter livemigrate "
                  "should be specified",
                  v.uuid);
        goto out;
    }
    if (running && host_sql_int(cs->db, &vm_host, err, sizeof(err),
                                "SELECT coalesce(host_id, 0) FROM vm WHERE id = ?", "i", v.vm_id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    if (migration_req(cs, &v, &req, tags, sizeof(tags), e) != 0 ||
        host_alloc_limits_load(cs, v.zone_id, &lim, e) != 0 ||
        host_alloc_check(cs, dest, &req, &lim, &ok, why, sizeof(why), e) != 0)
        goto out;
    if (!ok) {
        host_fail(e, HOST_E_CAPACITY, "storage pool %s is not suitable for volume %s: %s",
                  host_param(cmd, "storageid", 1, e), v.uuid, why);
        goto out;
    }
    if (kind_between(cs, src, dest, &k, e) != 0)
        goto out;
    if (k == SP_MIGRATE_NONE) {
        host_fail(e, HOST_E_UNSUPPORTED, "the plugin cannot migrate volume %s to that storage pool", v.uuid);
        goto out;
    }
    /* A V-Tree migration keeps the volume's id and mapping: a running VM notices nothing. */
    if ((k == SP_MIGRATE_NATIVE ? native(cs, &v, dest, e) : block_copy(cs, &v, dest, vm_host, w, e)) != 0)
        goto out;
    {
        host_err ignored;
        host_pool_refresh(cs, src, &ignored);
        host_pool_refresh(cs, dest, &ignored);
    }
    host_event(cs, "VOLUME.MIGRATE", "volume %s migrated (%s%s)", v.uuid,
               k == SP_MIGRATE_NATIVE ? "V-Tree" : "block copy", running ? ", live" : "");
    if (host_json_volume(cs, w, "volume", id, e) != 0)
        goto out;
    if (host_store_commit(cs->db, err, sizeof(err)) != 0) {
        host_fail_db(e, err);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        host_store_rollback(cs->db);
    return rc;
}

const host_api host_api_migrate[] = {
    {"findStoragePoolsForMigration", find_pools, 0},
    {"migrateVolume", migrate_volume, HOST_API_OWN_TXN},
    {NULL, NULL, 0},
};
