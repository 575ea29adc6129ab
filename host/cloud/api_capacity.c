/* api_capacity.c - listCapacity (storage used and allocated, per zone or per pool) and the
 * "check storagepool" reconciliation: the array's volumes of this installation against the
 * harness's, mappings against running VMs, and the allocated aggregate against its rows. */
#include "config.h"

#include "alloc.h"
#include "api.h"
#include "cfg.h"
#include "clients.h"
#include "guestdata.h"
#include "objects.h"
#include "poolh.h"
#include "pools.h"
#include "settle.h"
#include "store.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CloudStack's capacity types for primary storage. */
#define CAPACITY_STORAGE 2           /* used, as the array reports it */
#define CAPACITY_STORAGE_ALLOCATED 3 /* allocated, against total x over-provisioning */

static void capacity_row(host_jsonw *w, int type, const char *name, const char *zid, const char *zname,
                         const char *pid, const char *pname, uint64_t used, uint64_t total)
{
    char pct[32];
    snprintf(pct, sizeof(pct), "%.2f", total > 0 ? 100.0 * (double)used / (double)total : 0.0);
    host_jsonw_object_begin(w, NULL);
    host_jsonw_int(w, "type", type);
    host_jsonw_string(w, "name", name);
    host_jsonw_string(w, "zoneid", zid);
    host_jsonw_string(w, "zonename", zname);
    if (pid != NULL) {
        host_jsonw_string(w, "storageid", pid);
        host_jsonw_string(w, "storagename", pname);
    }
    host_jsonw_uint(w, "capacityused", used);
    host_jsonw_uint(w, "capacitytotal", total);
    host_jsonw_string(w, "percentused", pct);
    host_jsonw_object_end(w);
}

/* listCapacity [zoneid] [type=2|3] [perpool=true]: per zone as CloudStack sums it, or per pool. */
static int list_capacity(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, type = 0, *ids = NULL;
    size_t n = 0, rows = 0;
    int perpool = 0;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_num(cmd, "type", 0, 0, INT32_MAX, &type, e) != 0 ||
        host_param_bool(cmd, "perpool", 0, &perpool, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM pool WHERE (?1 = 0 OR zone_id = ?1) ORDER BY zone_id, id", "i",
                          zone);
    if (st == NULL || host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    for (size_t i = 0; i < n && cs->sp != NULL; i++) {
        host_err ignored;
        host_pool_refresh(cs, ids[i], &ignored);
    }
    free(ids);
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        perpool ? "SELECT z.uuid, z.name, p.uuid, p.name, p.capacity_used, p.capacity_total, p.allocated, "
                  "p.zone_id, CASE WHEN p.thin THEN coalesce(p.overprov, -1) ELSE 1 END FROM pool p "
                  "JOIN zone z ON z.id = p.zone_id WHERE (?1 = 0 OR p.zone_id = ?1) ORDER BY p.zone_id, p.id"
                : "SELECT z.uuid, z.name, NULL, NULL, sum(p.capacity_used), sum(p.capacity_total), "
                  "sum(p.allocated), p.zone_id, -1 FROM pool p JOIN zone z ON z.id = p.zone_id "
                  "WHERE (?1 = 0 OR p.zone_id = ?1) GROUP BY p.zone_id ORDER BY p.zone_id",
        "i", zone);
    if (st == NULL)
        return host_fail_db(e, err);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *zid = host_col_text(st, 0), *zname = host_col_text(st, 1);
        const char *pid = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL : host_col_text(st, 2);
        uint64_t used = (uint64_t)sqlite3_column_int64(st, 4), total = (uint64_t)sqlite3_column_int64(st, 5);
        uint64_t alloc = (uint64_t)sqlite3_column_int64(st, 6);
        double factor = sqlite3_column_double(st, 8);
        if (factor < 0)
            factor = host_config_double(cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_ZONE, zid);
        /* No pool, no rows: CloudStack's empty answer {}. */
        if (rows == 0 && (type == 0 || type == CAPACITY_STORAGE || type == CAPACITY_STORAGE_ALLOCATED))
            host_jsonw_array_begin(w, "capacity");
        if (type == 0 || type == CAPACITY_STORAGE) {
            capacity_row(w, CAPACITY_STORAGE, "STORAGE", zid, zname, pid, host_col_text(st, 3), used, total);
            rows++;
        }
        if (type == 0 || type == CAPACITY_STORAGE_ALLOCATED) {
            capacity_row(w, CAPACITY_STORAGE_ALLOCATED, "STORAGE_ALLOCATED", zid, zname, pid,
                         host_col_text(st, 3), alloc, (uint64_t)((double)total * factor));
            rows++;
        }
    }
    sqlite3_finalize(st);
    if (rows > 0) {
        host_jsonw_array_end(w);
        host_jsonw_uint(w, "count", rows);
    }
    return 0;
}

/* What the check keeps of each array volume: its strings at their length, not in the ABI's
 * fixed buffers (70,000 volumes and snapshots take 7 MB rather than 46). */
typedef struct array_vol {
    char *path;
    char *name;
    uint64_t size;
    int known;
} array_vol;

typedef struct array_list {
    array_vol *v;
    size_t n, cap;
    int failed;
} array_list;

static void collect(void *ctx, const sp_volume_info *vol)
{
    array_list *l = ctx;
    if (l->n == l->cap) {
        array_vol *nv = realloc(l->v, (l->cap = l->cap ? l->cap * 2 : 32) * sizeof(*nv));
        if (nv == NULL) {
            l->failed = 1;
            return;
        }
        l->v = nv;
    }
    l->v[l->n].path = strdup(vol->path);
    l->v[l->n].name = strdup(vol->name);
    if (l->v[l->n].path == NULL || l->v[l->n].name == NULL) {
        free(l->v[l->n].path);
        free(l->v[l->n].name);
        l->failed = 1;
        return;
    }
    l->v[l->n].size = vol->size_bytes;
    l->v[l->n].known = 0;
    l->n++;
}

static void count_stat(void *ctx, const char *key, const char *value)
{
    if (strcmp(key, "ConnectedSDCCount") == 0)
        *(int64_t *)ctx = strtoll(value, NULL, 10);
}

/* On demand, the clients connected to the pool's array are exactly the hosts that hold a volume
 * of it: of this pool or of another pool of the same array (CloudStack's same-storage test, equal
 * powerflex.storagepool.system.id). */
static int check_clients(host_cs *cs, sp_pool *pool, int64_t id, host_jsonw *w, host_buf *problems,
                         size_t *nproblems, host_err *e)
{
    char err[256];
    int64_t connected = -1, holding = 0;
    sp_error se;

    if (!SP_HAS(cs->sp->driver, get_custom_stats) || !host_clients_on_demand(cs, id))
        return 0;
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->get_custom_stats(pool, count_stat, &connected, &se) != SP_OK)
        return host_fail_sp(e, se.status, &se, "cannot read the custom statistics of storage pool %lld",
                            (long long)id);
    if (connected < 0)
        return 0; /* a plugin that counts no clients */
    if (host_sql_int(
            cs->db, &holding, err, sizeof(err),
            "SELECT count(DISTINCT a.host_id) FROM access a JOIN volume v ON v.id = a.volume_id "
            "JOIN pool_detail d ON d.pool_id = v.pool_id AND d.key = 'powerflex.storagepool.system.id' "
            "WHERE d.value = (SELECT value FROM pool_detail WHERE pool_id = ?1 "
            "AND key = 'powerflex.storagepool.system.id')",
            "i", id) < 0)
        return host_fail_db(e, err);
    host_jsonw_int(w, "connectedclients", connected);
    host_jsonw_int(w, "hostsholdingvolumes", holding);
    if (connected != holding) {
        host_buf_printf(problems,
                        "%lld storage clients are connected to the pool's array but %lld hosts hold its "
                        "volumes (clients connect on demand); ",
                        (long long)connected, (long long)holding);
        (*nproblems)++;
    }
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const array_vol *)a)->path, ((const array_vol *)b)->path);
}

/* The array's volume of that path, or NULL (arr sorted by path). */
static array_vol *array_find(const array_list *arr, const char *path)
{
    array_vol key = {(char *)path, NULL, 0, 0};

    return arr->n > 0 ? bsearch(&key, arr->v, arr->n, sizeof(*arr->v), by_path) : NULL;
}

/* Every step is linear in the pool's objects, or n log n: one listing of the array (streamed by
 * the plugin), harness rows matched against it by binary search, sizes compared with the
 * listing's (bench/scale-bench times it at 5,000 to 20,000 volumes with 2.5 snapshots each). */
static int check_pool(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[512], uuid[40];
    int64_t id, allocated = 0, sum = 0;
    array_list arr = {NULL, 0, 0, 0};
    sp_pool *pool;
    sp_error se;
    sp_status s;
    sqlite3_stmt *st = NULL;
    host_buf problems = HOST_BUF_INIT;
    size_t nproblems = 0, harness = 0;
    host_guestdata_tally data = {0, 0};
    int rc = -1, verify_detached = 0, repair = 0;

    if (host_param_ref(cs, cmd, "id", "pool", 1, &id, e) != 0 ||
        host_param_bool(cmd, "verifydata", 0, &verify_detached, e) != 0 ||
        host_param_bool(cmd, "repair", 0, &repair, e) != 0 || host_pool_open(cs, id, &pool, e) != 0)
        return -1;
    host_pool_uuid(cs, id, uuid);
    /* repair=true: what failed commands could not take back on this pool is tried again first
     * (and committed, whatever the check finds). */
    if (repair) {
        host_jsonw_object_begin(w, "storagepoolrepair");
        rc = host_settle_repair(cs, id, w, e);
        host_jsonw_object_end(w);
        if (rc != 0)
            return -1;
        rc = -1;
    }
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->list_volumes(pool, collect, &arr, &se);
    if (s != SP_OK) {
        host_fail_sp(e, s, &se, "cannot list the volumes of storage pool %s", uuid);
        goto out;
    }
    if (arr.failed) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (arr.n > 1)
        qsort(arr.v, arr.n, sizeof(*arr.v), by_path);
    host_jsonw_object_begin(w, "storagepoolcheck");
    host_jsonw_string(w, "id", uuid);
    host_jsonw_uint(w, "arrayvolumes", arr.n);
    /* Harness objects on this pool missing on the array. */
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT 'volume', uuid, path FROM volume WHERE pool_id = ?1 UNION ALL "
        "SELECT 'snapshot', uuid, path FROM snapshot WHERE pool_id = ?1 UNION ALL "
        "SELECT 'template', (SELECT uuid FROM template t WHERE t.id = template_id), path FROM template_pool "
        "WHERE pool_id = ?1",
        "i", id);
    if (st == NULL) {
        host_fail_db(e, err);
        goto out_obj;
    }
    host_jsonw_array_begin(w, "missingonarray");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *path = host_col_text(st, 2);
        array_vol *av = array_find(&arr, path);
        harness++;
        if (av != NULL)
            av->known = 1;
        if (av == NULL) {
            host_jsonw_object_begin(w, NULL);
            host_jsonw_string(w, "type", host_col_text(st, 0));
            host_jsonw_string(w, "id", host_col_text(st, 1));
            host_jsonw_string(w, "path", path);
            host_jsonw_object_end(w);
            host_buf_printf(&problems, "%s %s (%s) is missing on the array; ", host_col_text(st, 0),
                            host_col_text(st, 1), path);
            nproblems++;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    host_jsonw_array_end(w);
    host_jsonw_uint(w, "harnessobjects", harness);
    host_jsonw_array_begin(w, "unknownonarray");
    for (size_t i = 0; i < arr.n; i++)
        if (!arr.v[i].known) {
            host_jsonw_object_begin(w, NULL);
            host_jsonw_string(w, "name", arr.v[i].name);
            host_jsonw_string(w, "path", arr.v[i].path);
            host_jsonw_object_end(w);
            host_buf_printf(&problems, "array volume %s is not known to the harness; ", arr.v[i].name);
            nproblems++;
        }
    host_jsonw_array_end(w);
    /* Mappings: a host sees a volume's device exactly when the harness granted it there. The ABI
     * has no list of a volume's mappings, so each connected host is asked for the device. */
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT v.id, v.uuid, v.path, ph.host_id, h.name, "
        "EXISTS (SELECT 1 FROM access a WHERE a.volume_id = v.id AND a.host_id = ph.host_id) "
        "FROM volume v JOIN pool_host ph ON ph.pool_id = v.pool_id AND ph.status = 'Up' "
        "JOIN host h ON h.id = ph.host_id WHERE v.pool_id = ? ORDER BY v.id, ph.host_id",
        "i", id);
    if (st == NULL) {
        host_fail_db(e, err);
        goto out_obj;
    }
    host_jsonw_array_begin(w, "mappingproblems");
    while (sqlite3_step(st) == SQLITE_ROW) {
        host_href href;
        sp_disk_info disk = SP_INIT(sp_disk_info);
        int expected = sqlite3_column_int(st, 5), present;
        if (host_href_load(cs, sqlite3_column_int64(st, 3), &href, e) != 0)
            goto out_arr;
        memset(&se, 0, sizeof(se));
        s = cs->sp->adaptor->get_physical_disk(pool, &(sp_volume_ref){host_col_text(st, 2)}, &href.ref, &disk,
                                               &se);
        if (s != SP_OK && s != SP_E_NOT_FOUND) {
            host_fail_sp(e, s, &se, "host %s cannot tell whether it sees volume %s", href.name,
                         host_col_text(st, 1));
            goto out_arr;
        }
        present = s == SP_OK;
        if (present != expected) {
            host_jsonw_object_begin(w, NULL);
            host_jsonw_string(w, "volumeid", host_col_text(st, 1));
            host_jsonw_string(w, "hostname", href.name);
            host_jsonw_string(w, "problem",
                              present ? "mapped to a host that does not run its VM"
                                      : "not mapped to its VM's host");
            host_jsonw_object_end(w);
            host_buf_printf(&problems, "volume %s is %s host %s; ", host_col_text(st, 1),
                            present ? "mapped to" : "not mapped to", href.name);
            nproblems++;
        }
    }
    /* The grants themselves: a volume of a VM running on host H is granted to H and to no other
     * host, any other volume to none. */
    sqlite3_finalize(st);
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT v.uuid, h.name, 'granted to a host that does not run its VM' FROM access a "
        "JOIN volume v ON v.id = a.volume_id JOIN host h ON h.id = a.host_id LEFT JOIN vm ON vm.id = v.vm_id "
        "WHERE v.pool_id = ?1 AND NOT (vm.state IS 'Running' AND vm.host_id IS a.host_id) UNION ALL "
        "SELECT v.uuid, h.name, 'not granted to the host running its VM' FROM volume v "
        "JOIN vm ON vm.id = v.vm_id AND vm.state = 'Running' JOIN host h ON h.id = vm.host_id "
        "WHERE v.pool_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM access a WHERE a.volume_id = v.id AND a.host_id = vm.host_id)",
        "i", id);
    if (st == NULL) {
        host_fail_db(e, err);
        goto out_arr;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        host_jsonw_object_begin(w, NULL);
        host_jsonw_string(w, "volumeid", host_col_text(st, 0));
        host_jsonw_string(w, "hostname", host_col_text(st, 1));
        host_jsonw_string(w, "problem", host_col_text(st, 2));
        host_jsonw_object_end(w);
        host_buf_printf(&problems, "volume %s is %s (%s); ", host_col_text(st, 0), host_col_text(st, 2),
                        host_col_text(st, 1));
        nproblems++;
    }
    host_jsonw_array_end(w);
    sqlite3_finalize(st);
    st = NULL;
    if (check_clients(cs, pool, id, w, &problems, &nproblems, e) != 0)
        goto out_obj;
    /* Sizes: every harness volume's size is the array's virtual size, as the listing above read
     * it (one request for the pool; Pool.get_volume_stats per volume would be two each). */
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT uuid, path, size FROM volume WHERE pool_id = ? ORDER BY id", "i", id);
    if (st == NULL) {
        host_fail_db(e, err);
        goto out_obj;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        array_vol *av = array_find(&arr, host_col_text(st, 1));
        if (av != NULL && av->size != (uint64_t)sqlite3_column_int64(st, 2)) {
            host_buf_printf(&problems, "volume %s is %llu bytes on the array, %lld in the harness; ",
                            host_col_text(st, 0), (unsigned long long)av->size,
                            (long long)sqlite3_column_int64(st, 2));
            nproblems++;
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    {
        sp_capacity drv = SP_INIT(sp_capacity), kvm = SP_INIT(sp_capacity);
        drv = (sp_capacity)SP_INIT(sp_capacity);
        kvm = (sp_capacity)SP_INIT(sp_capacity);
        memset(&se, 0, sizeof(se));
        if ((s = cs->sp->driver->get_capacity(pool, &drv, &se)) != SP_OK ||
            (s = cs->sp->pool->get_capacity(pool, &kvm, &se)) != SP_OK) {
            host_fail_sp(e, s, &se, "cannot read the capacity of storage pool %s", uuid);
            goto out_obj;
        }
        host_jsonw_uint(w, "disksizetotal", drv.total_bytes);
        host_jsonw_uint(w, "disksizeused", drv.used_bytes);
        if (drv.total_bytes != kvm.total_bytes) {
            host_buf_printf(&problems, "total capacity %llu (driver) differs from %llu (host); ",
                            (unsigned long long)drv.total_bytes, (unsigned long long)kvm.total_bytes);
            nproblems++;
        }
    }
    /* Data: what guests wrote reads back the same (volumes no host has connected only when
     * verifydata=true asks for a short-lived mapping to read them through). */
    if (host_guestdata_verify(cs, pool, id, verify_detached, &problems, &nproblems, &data, e) != 0)
        goto out_obj;
    host_jsonw_uint(w, "dataverified", data.verified);
    host_jsonw_uint(w, "dataunverified", data.unverified);
    /* The aggregate the allocator reads must equal the sum of its rows. */
    if (host_sql_int(cs->db, &allocated, err, sizeof(err), "SELECT allocated FROM pool WHERE id = ?", "i",
                     id) < 0 ||
        host_sql_int(cs->db, &sum, err, sizeof(err),
                     "SELECT (SELECT coalesce(sum(size), 0) FROM volume WHERE pool_id = ?1) + "
                     "(SELECT coalesce(sum(size), 0) FROM snapshot WHERE pool_id = ?1) + "
                     "(SELECT coalesce(sum(size), 0) FROM template_pool WHERE pool_id = ?1)",
                     "i", id) < 0) {
        host_fail_db(e, err);
        goto out_obj;
    }
    host_jsonw_uint(w, "disksizeallocated", (uint64_t)allocated);
    if (allocated != sum) {
        host_buf_printf(&problems, "allocated %lld differs from the sum of its objects %lld; ",
                        (long long)allocated, (long long)sum);
        nproblems++;
    }
    host_jsonw_bool(w, "consistent", nproblems == 0);
    host_jsonw_object_end(w);
    if (nproblems > 0) {
        host_fail(e, HOST_E_INTERNAL, "storage pool %s is not consistent: %.1200s", uuid,
                  host_buf_str(&problems));
        goto out;
    }
    rc = 0;
    goto out;
out_arr:
    host_jsonw_array_end(w);
out_obj:
    host_jsonw_object_end(w);
out:
    if (st != NULL)
        sqlite3_finalize(st);
    host_buf_free(&problems);
    for (size_t i = 0; i < arr.n; i++) {
        free(arr.v[i].path);
        free(arr.v[i].name);
    }
    free(arr.v);
    return rc;
}

const host_api host_api_capacity[] = {
    {"listCapacity", list_capacity, 0},
    {"checkStoragePool", check_pool, 0},
    {NULL, NULL, 0},
};
