/* api_pool.c - primary storage pools: createStoragePool (Lifecycle.initialize + attach),
 * listStoragePools, updateStoragePool, maintenance, deleteStoragePool. The pool URL's password
 * goes only to the plugin; the database keeps the plugin's details sealed and the URL masked. */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "mask.h"
#include "objects.h"
#include "poolh.h"
#include "pools.h"
#include "poolurl.h"
#include "secret.h"
#include "store.h"
#include "undo.h"
#include "vmops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int host_json_pool(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    int rc;
    host_jsonw_object_begin(w, key);
    rc = host_json_pool_fields(cs, w, id, e);
    host_jsonw_object_end(w);
    return rc;
}

/* A pool as listStoragePools shows it, with the names of its zone, pod and cluster and its tags in
 * the same row. Columns in host_json_pool_row's order. */
#define POOL_ROW_SQL                                                                                         \
    "SELECT p.uuid, p.name, z.uuid, z.name, pd.uuid, pd.name, c.uuid, c.name, p.scope, p.state, "            \
    "p.provider, "                                                                                           \
    "p.hypervisor, p.url, p.path, p.capacity_total, p.capacity_used, p.allocated, p.created, "               \
    "(SELECT group_concat(tag, ',') FROM (SELECT tag FROM pool_tag WHERE pool_id = p.id ORDER BY tag)), "    \
    "p.id "                                                                                                  \
    "FROM pool p LEFT JOIN zone z ON z.id = p.zone_id LEFT JOIN pod pd ON pd.id = p.pod_id "                 \
    "LEFT JOIN cluster c ON c.id = p.cluster_id "

static void ref_fields(host_jsonw *w, const char *prefix, sqlite3_stmt *st, int col)
{
    char key[64];

    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return;
    snprintf(key, sizeof(key), "%sid", prefix);
    host_jsonw_string(w, key, host_col_text(st, col));
    snprintf(key, sizeof(key), "%sname", prefix);
    host_jsonw_string(w, key, host_col_text(st, col + 1));
}

int host_json_pool_row(host_cs *cs, host_jsonw *w, sqlite3_stmt *st, host_err *e)
{
    const char *uuid = host_col_text(st, 0), *tags = host_col_text(st, 18);
    char created[32], factor[32], *url, *gw = NULL;
    pfurl_split sp;

    host_timestamp(sqlite3_column_int64(st, 17), created);
    /* Stored masked; masked again in case an older harness stored it otherwise. ipaddress: the
     * gateway (host[:port]) as the plugin's parser reads the URL. */
    url = host_mask_url(host_col_text(st, 12));
    if (url == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if (pfurl_split_text(url, strlen(url), &sp))
        gw = strndup(url + sp.host, sp.host_end - sp.host);
    host_jsonw_string(w, "id", uuid);
    host_jsonw_string(w, "name", host_col_text(st, 1));
    ref_fields(w, "zone", st, 2);
    ref_fields(w, "pod", st, 4);
    ref_fields(w, "cluster", st, 6);
    host_jsonw_string(w, "scope", host_col_text(st, 8));
    host_jsonw_string(w, "state", host_col_text(st, 9));
    host_jsonw_string(w, "type", host_col_text(st, 10));
    host_jsonw_string(w, "provider", host_col_text(st, 10));
    host_jsonw_string(w, "hypervisor", host_col_text(st, 11));
    host_jsonw_string(w, "ipaddress", gw != NULL ? gw : "");
    host_jsonw_string(w, "path", host_col_text(st, 13));
    host_jsonw_string(w, "url", url);
    host_jsonw_uint(w, "disksizetotal", (uint64_t)sqlite3_column_int64(st, 14));
    host_jsonw_uint(w, "disksizeused", (uint64_t)sqlite3_column_int64(st, 15));
    host_jsonw_uint(w, "disksizeallocated", (uint64_t)sqlite3_column_int64(st, 16));
    if (tags[0])
        host_jsonw_string(w, "tags", tags);
    if (host_config_get(cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL, uuid, factor, sizeof(factor)) == 0)
        host_jsonw_string(w, "overprovisionfactor", factor);
    host_jsonw_string(w, "created", created);
    host_jsonw_bool(w, "managed", 1);
    free(url);
    free(gw);
    return 0;
}

sqlite3_stmt *host_pool_rows(host_cs *cs, int64_t zone_id, int64_t except, int by_name, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         by_name ? POOL_ROW_SQL "WHERE p.zone_id = ? AND p.id != ? ORDER BY p.name, p.id"
                                 : POOL_ROW_SQL "WHERE p.zone_id = ? AND p.id != ? ORDER BY p.id",
                         "ii", zone_id, except);

    if (st == NULL)
        host_fail_db(e, err);
    return st;
}

/* The plugin's pool details as CloudStack's response lists them, secrets left out. */
static int json_pool_details(host_cs *cs, host_jsonw *w, int64_t id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT key, value FROM pool_detail WHERE pool_id = ? ORDER BY key", "i", id);
    int rc;

    if (st == NULL)
        return host_fail_db(e, err);
    host_jsonw_object_begin(w, "details");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!host_secret_key_is_secret(host_col_text(st, 0)))
            host_jsonw_string(w, host_col_text(st, 0), host_col_text(st, 1));
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE
               ? 0
               : host_fail(e, HOST_E_INTERNAL, "reading the details of pool %lld failed", (long long)id);
}

int host_json_pool_fields(host_cs *cs, host_jsonw *w, int64_t id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err), POOL_ROW_SQL "WHERE p.id = ?", "i", id);
    int rc;

    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "storage pool %lld vanished", (long long)id);
    }
    rc = host_json_pool_row(cs, w, st, e);
    sqlite3_finalize(st);
    if (rc == 0)
        rc = json_pool_details(cs, w, id, e);
    return rc;
}

typedef struct detail_sink {
    host_cs *cs;
    int64_t pool_id;
    int failed;
    char err[256];
} detail_sink;

/* Receives the details the plugin wants kept; secrets are sealed before they touch the disk. */
static void store_detail(void *ctx, const char *key, const char *value)
{
    detail_sink *ds = ctx;
    char *stored = host_secret_key_is_secret(key) ? host_secret_seal(ds->cs->key, value) : strdup(value);

    if (stored == NULL) {
        ds->failed = 1;
        snprintf(ds->err, sizeof(ds->err), "out of memory");
        return;
    }
    if (host_sql_run(ds->cs->db, ds->err, sizeof(ds->err),
                     "INSERT OR REPLACE INTO pool_detail(pool_id, key, value) VALUES (?, ?, ?)", "itt",
                     ds->pool_id, key, stored) < 0)
        ds->failed = 1;
    free(stored);
}

static int set_tags(host_cs *cs, int64_t pool_id, const char *tags, host_err *e)
{
    char err[256], *copy, *save = NULL;

    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool_tag WHERE pool_id = ?", "i", pool_id) < 0)
        return host_fail_db(e, err);
    if (tags == NULL || (copy = strdup(tags)) == NULL)
        return tags == NULL ? 0 : host_fail(e, HOST_E_INTERNAL, "out of memory");
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        for (char *end = t + strlen(t); end > t && end[-1] == ' ';)
            *--end = '\0';
        if (*t && host_sql_run(cs->db, err, sizeof(err),
                               "INSERT OR IGNORE INTO pool_tag(pool_id, tag) VALUES (?, ?)", "it", pool_id,
                               t) < 0) {
            free(copy);
            return host_fail_db(e, err);
        }
    }
    free(copy);
    return 0;
}

/* The harness's trust store: simulators' CA (the management server's keystore, in CloudStack). */
static char *truststore(host_cs *cs)
{
    char *path = NULL;
    if (asprintf(&path, "%s/pki/ca.pem", cs->workdir) < 0)
        return NULL;
    if (access(path, R_OK) != 0) {
        free(path);
        return NULL;
    }
    return path;
}

/* CloudStack refuses a second pool on the same PowerFlex storage pool: the same gateway and pool
 * name ("PowerFlex storage pool: <name> already exists"), or, which it does not see, the same pool
 * id on the same system reached under another gateway address. Compared on the details the
 * plugin handed back for the new pool `id`. */
static int same_array_pool(host_cs *cs, int64_t id, host_err *e)
{
    char err[256], other[256] = "", pname[256] = "";
    int rc = host_sql_text(
        cs->db, other, sizeof(other), err, sizeof(err),
        "SELECT p.name FROM pool_detail n1 JOIN pool_detail o1 ON o1.key = n1.key AND o1.value = n1.value "
        "AND o1.pool_id != n1.pool_id JOIN pool_detail n2 ON n2.pool_id = n1.pool_id "
        "JOIN pool_detail o2 ON o2.pool_id = o1.pool_id AND o2.key = n2.key AND o2.value = n2.value "
        "JOIN pool p ON p.id = o1.pool_id WHERE n1.pool_id = ?1 AND "
        "((n1.key = 'powerflex.gw.url' AND n2.key = 'powerflex.storagepool.name') OR "
        "(n1.key = 'powerflex.storagepool.id' AND n2.key = 'powerflex.storagepool.system.id')) LIMIT 1",
        "i", id);

    if (rc < 0)
        return host_fail_db(e, err);
    if (rc == 0 || other[0] == '\0')
        return 0;
    host_sql_text(cs->db, pname, sizeof(pname), err, sizeof(err),
                  "SELECT value FROM pool_detail WHERE pool_id = ? AND key = 'powerflex.storagepool.name'",
                  "i", id);
    /* CloudStack's lifecycle throws, and createStoragePool wraps it: 530. */
    return host_fail(
        e, HOST_E_INTERNAL,
        "Failed to add data store: PowerFlex storage pool: %s already exists, please specify other "
        "storage pool. (it is primary storage %s)",
        pname[0] ? pname : "(unnamed)", other);
}

static int create_pool(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 1, e), *url = host_param(cmd, "url", 1, e);
    const char *provider = host_param(cmd, "provider", 0, e), *scope_s = host_param(cmd, "scope", 0, e);
    const char *hv = host_param(cmd, "hypervisor", 0, e), *cafile = host_param(cmd, "cafile", 0, e);
    char uuid[37], zuuid[40], cuuid[40], err[512], *masked = NULL, *ts = NULL;
    int64_t zone, pod, cluster, cz = 0, exists = 0, id = 0, capacity_bytes = 0;
    const sp_kv *extra;
    sp_kv *details = NULL;
    long nextra;
    size_t nd = 0;
    sp_pool_create_params params = SP_INIT(sp_pool_create_params);
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error se;
    sp_status s;
    detail_sink ds;
    int cluster_scope, rc = -1;

    if (name == NULL || url == NULL || host_need_plugin(cs, e) != 0 ||
        host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "podid", "pod", 0, &pod, e) != 0 ||
        host_param_ref(cs, cmd, "clusterid", "cluster", 0, &cluster, e) != 0 ||
        host_param_num(cmd, "capacitybytes", 0, 0, INT64_MAX, &capacity_bytes, e) != 0)
        return -1;
    if (provider != NULL && strcasecmp(provider, cs->sp->name) != 0)
        return host_fail(e, HOST_E_PARAM,
                         "Storage provider %s is not available; the loaded plugin provides %s", provider,
                         cs->sp->name);
    if (hv != NULL && strcasecmp(hv, "KVM") != 0)
        return host_fail(e, HOST_E_PARAM, "Hypervisor %s is not supported for %s pools; use KVM", hv,
                         cs->sp->name);
    cluster_scope = scope_s != NULL ? strcasecmp(scope_s, "cluster") == 0 : cluster != 0;
    if (scope_s != NULL && !cluster_scope && strcasecmp(scope_s, "zone") != 0)
        return host_fail(e, HOST_E_PARAM, "Invalid scope %s: zone or cluster", scope_s);
    if (cluster_scope) {
        if (cluster == 0)
            return host_fail(e, HOST_E_PARAM, "A cluster-wide pool needs podid and clusterid");
        if (host_sql_int(cs->db, &cz, err, sizeof(err), "SELECT zone_id FROM cluster WHERE id = ?", "i",
                         cluster) < 0)
            return host_fail_db(e, err);
        if (cz != zone)
            return host_fail(e, HOST_E_PARAM, "Cluster %s is not in zone %s",
                             host_param(cmd, "clusterid", 0, e), host_param(cmd, "zoneid", 0, e));
        if (pod == 0 && host_sql_int(cs->db, &pod, err, sizeof(err),
                                     "SELECT pod_id FROM cluster WHERE id = ?", "i", cluster) < 0)
            return host_fail_db(e, err);
    } else {
        pod = cluster = 0;
    }
    if (host_sql_int(cs->db, &exists, err, sizeof(err), "SELECT id FROM pool WHERE zone_id = ? AND name = ?",
                     "it", zone, name) < 0)
        return host_fail_db(e, err);
    if (exists)
        return host_fail(e, HOST_E_PARAM, "A storage pool named %s already exists in this zone", name);
    if (host_uuid(uuid) != 0 || (masked = host_mask_url(url)) == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    host_sql_text(cs->db, zuuid, sizeof(zuuid), err, sizeof(err), "SELECT uuid FROM zone WHERE id = ?", "i",
                  zone);
    host_sql_text(cs->db, cuuid, sizeof(cuuid), err, sizeof(err), "SELECT uuid FROM cluster WHERE id = ?",
                  "i", cluster);
    /* The row first, so that the plugin's details land on it as it hands them over. */
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO pool(uuid, name, zone_id, pod_id, cluster_id, scope, state, provider, "
                     "hypervisor, url, created) "
                     "VALUES (?, ?, ?, ?, ?, ?, 'Initialized', ?, 'KVM', ?, ?)",
                     "ttiiittti", uuid, name, zone, pod ? pod : (int64_t)0, cluster,
                     cluster_scope ? "CLUSTER" : "ZONE", cs->sp->name, masked, host_now()) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    id = sqlite3_last_insert_rowid(cs->db);
    if (!cluster_scope &&
        host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE pool SET pod_id = NULL, cluster_id = NULL WHERE id = ?", "i", id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    nextra = host_cmd_map(cmd, "details", &extra);
    details = calloc((size_t)(nextra > 0 ? nextra : 0) + 1, sizeof(*details));
    if (details == NULL || nextra < 0) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    for (long i = 0; i < nextra; i++)
        details[nd++] = extra[i];
    if (cafile == NULL)
        cafile = ts = truststore(cs);
    if (cafile != NULL) {
        details[nd].key = "powerflex.gw.cafile";
        details[nd++].value = cafile;
    }
    params = (sp_pool_create_params)SP_INIT(sp_pool_create_params);
    params.url = url;
    params.name = name;
    params.uuid = uuid;
    params.hypervisor = "KVM";
    params.scope = cluster_scope ? SP_POOL_SCOPE_CLUSTER : SP_POOL_SCOPE_ZONE;
    params.zone_uuid = zuuid;
    params.cluster_uuid = cluster_scope ? cuuid : NULL;
    params.details = details;
    params.n_details = nd;
    memset(&ds, 0, sizeof(ds));
    ds.cs = cs;
    ds.pool_id = id;
    memset(&se, 0, sizeof(se));
    cap = (sp_capacity)SP_INIT(sp_capacity);
    s = cs->sp->lifecycle->initialize(&params, store_detail, &ds, &cap, &se);
    if (s != SP_OK) {
        host_fail_sp(e, s, &se, "Failed to add storage pool %s", name);
        goto out;
    }
    if (ds.failed) {
        host_fail_db(e, ds.err);
        goto out;
    }
    /* A TLS option the harness passed is a detail the pool keeps, whether or not the plugin
     * handed it back; a secret one sealed, as store_detail keeps it. */
    for (size_t i = 0; i < nd; i++) {
        int secret = host_secret_key_is_secret(details[i].key);
        char *sealed = secret ? host_secret_seal(cs->key, details[i].value) : NULL;
        if (secret && sealed == NULL) {
            host_fail(e, HOST_E_INTERNAL, "out of memory");
            goto out;
        }
        int ins = host_sql_run(cs->db, err, sizeof(err),
                               "INSERT OR IGNORE INTO pool_detail(pool_id, key, value) VALUES (?, ?, ?)",
                               "itt", id, details[i].key, secret ? sealed : details[i].value);
        free(sealed);
        if (ins < 0) {
            host_fail_db(e, err);
            goto out;
        }
    }
    if (same_array_pool(cs, id, e) != 0)
        goto out;
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE pool SET capacity_bytes = nullif(?4, 0), capacity_total = min(?1, "
                     "coalesce(nullif(?4, 0), ?1)), "
                     "capacity_used = ?2, state = 'Up', path = "
                     "coalesce((SELECT value FROM "
                     "pool_detail WHERE pool_id = ?3 AND (key LIKE '%storagepool.id' OR key LIKE '%pool_id' "
                     "OR key LIKE "
                     "'%pool.id') ORDER BY key LIMIT 1), '') WHERE id = ?3",
                     "uuii", cap.total_bytes, cap.used_bytes, id, capacity_bytes) < 0 ||
        set_tags(cs, id, host_param(cmd, "tags", 0, e), e) != 0) {
        if (e->code == 0)
            host_fail_db(e, err);
        goto out;
    }
    if (host_setting_set(&cs->svc, SP_SCOPE_POOL, uuid, "zone", zuuid) != 0) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (host_pool_attach(cs, id, 0, 1, e) != 0)
        goto out;
    host_event(cs, "STORAGE.POOL.CREATE", "storage pool %s (%s) created", name, uuid);
    rc = host_json_pool(cs, w, "storagepool", id, e);
out:
    if (rc != 0 && id != 0)
        host_pool_forget(cs, id);
    free(details);
    free(masked);
    free(ts);
    return rc;
}

typedef struct stats_sink {
    host_jsonw *w;
} stats_sink;

static void write_stat(void *ctx, const char *key, const char *value)
{
    stats_sink *s = ctx;

    host_jsonw_string(s->w, key, value);
}

/* storagecustomstats: what the plugin's get_custom_stats says now (PowerFlex: ConnectedSDCCount);
 * a pool whose gateway does not answer shows none (logged). */
static void json_custom_stats(host_cs *cs, host_jsonw *w, int64_t id)
{
    stats_sink sink = {w};
    sp_pool *pool;
    sp_error se;
    host_err e;

    if (!SP_HAS(cs->sp->driver, get_custom_stats) || host_pool_open(cs, id, &pool, &e) != 0)
        return;
    host_jsonw_object_begin(w, "storagecustomstats");
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->get_custom_stats(pool, write_stat, &sink, &se) != SP_OK)
        cs->svc.table.log(&cs->svc, SP_LOG_WARN, se.message);
    host_jsonw_object_end(w);
}

static int list_pools(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, cluster, *ids;
    size_t n;
    sqlite3_stmt *st;
    int custom = 0;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "clusterid", "cluster", 0, &cluster, e) != 0 ||
        host_param_bool(cmd, "storagecustomstats", 0, &custom, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM pool WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) "
                          "AND (?3 = 0 OR cluster_id = ?3 OR scope = 'ZONE') AND (?4 IS NULL OR name = ?4) "
                          "AND (?5 IS NULL OR scope = upper(?5)) ORDER BY id",
                          "tiitt", host_param(cmd, "id", 0, e), zone, cluster, host_param(cmd, "name", 0, e),
                          host_param(cmd, "scope", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    /* CloudStack shows the stats it last collected; the harness collects them now. A pool whose
     * gateway does not answer keeps its last figures (the failure is logged). */
    for (size_t i = 0; i < n && cs->sp != NULL; i++) {
        host_err ignored;
        if (host_pool_refresh(cs, ids[i], &ignored) != 0)
            cs->svc.table.log(&cs->svc, SP_LOG_WARN, ignored.text);
    }
    if (n > 0) {
        host_jsonw_uint(w, "count", n);
        host_jsonw_array_begin(w, "storagepool");
        for (size_t i = 0; i < n; i++) {
            host_jsonw_object_begin(w, NULL);
            if (host_json_pool_fields(cs, w, ids[i], e) != 0) {
                free(ids);
                return -1;
            }
            if (custom && cs->sp != NULL)
                json_custom_stats(cs, w, ids[i]);
            host_jsonw_object_end(w);
        }
        host_jsonw_array_end(w);
    }
    free(ids);
    return 0;
}

typedef sp_status (*state_fn)(sp_pool *, sp_error *);

static int change_state(host_cs *cs, int64_t id, const char *what, state_fn fn, const char *state,
                        host_err *e)
{
    char err[256], uuid[40];
    sp_pool *pool;
    sp_error se;
    sp_status s;

    host_pool_uuid(cs, id, uuid);
    if (host_pool_open(cs, id, &pool, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = fn(pool, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to %s storage pool %s", what, uuid);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET state = ? WHERE id = ?", "ti", state, id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "STORAGE.POOL.STATE", "storage pool %s: %s", uuid, state);
    return 0;
}

/* updateStoragePool capacitybytes=N: as CloudStack, the pool then counts at most N bytes (the
 * array's total when that is smaller); below what is allocated on it already is refused. */
static int set_capacity_bytes(host_cs *cs, host_cmd *cmd, int64_t id, host_err *e)
{
    char err[256];
    int64_t bytes = 0, allocated = 0;

    if (host_param_num(cmd, "capacitybytes", 0, 1, INT64_MAX, &bytes, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &allocated, err, sizeof(err), "SELECT allocated FROM pool WHERE id = ?", "i",
                     id) < 0)
        return host_fail_db(e, err);
    if (bytes < allocated)
        return host_fail(
            e, HOST_E_INTERNAL,
            "Cannot reduce the number of bytes for this storage pool as it would lead to an insufficient "
            "number of bytes: %lld bytes are allocated on it, capacitybytes=%lld",
            (long long)allocated, (long long)bytes);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET capacity_bytes = ? WHERE id = ?", "ii", bytes,
                     id) < 0)
        return host_fail_db(e, err);
    return host_pool_refresh(cs, id, e);
}

static int update_pool(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *tags = host_cmd_get(cmd, "tags"), *name = host_param(cmd, "name", 0, e);
    const char *url = host_param(cmd, "url", 0, e);
    const sp_kv *details;
    char err[256], uuid[40];
    int64_t id;
    long nd;
    int enabled = -1;

    if (host_param_ref(cs, cmd, "id", "pool", 1, &id, e) != 0 || host_need_plugin(cs, e) != 0 ||
        host_param_bool(cmd, "enabled", -1, &enabled, e) != 0)
        return -1;
    host_pool_uuid(cs, id, uuid);
    if (name != NULL &&
        host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET name = ? WHERE id = ?", "ti", name, id) < 0)
        return host_fail_db(e, err);
    if (tags != NULL && set_tags(cs, id, tags, e) != 0)
        return -1;
    if (host_cmd_get(cmd, "capacitybytes") != NULL && set_capacity_bytes(cs, cmd, id, e) != 0)
        return -1;
    /* New credentials: details (powerflex.gw.username/password) or a new URL (same gateway and
     * pool), which the plugin checks with a login before it takes them. */
    nd = host_cmd_map(cmd, "details", &details);
    if (nd < 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    if (nd > 0 || url != NULL) {
        detail_sink ds = {cs, id, 0, ""};
        sp_kv *kv = calloc((size_t)nd + 1, sizeof(*kv));
        char *masked = url != NULL ? host_mask_url(url) : NULL;
        sp_pool *pool;
        sp_error se;
        sp_status s;
        int rc = -1;
        if (kv == NULL || (url != NULL && masked == NULL)) {
            host_fail(e, HOST_E_INTERNAL, "out of memory");
            goto upd_out;
        }
        for (long i = 0; i < nd; i++)
            kv[i] = details[i];
        if (url != NULL) {
            kv[nd].key = "url";
            kv[nd].value = url;
        }
        if (host_pool_open(cs, id, &pool, e) != 0)
            goto upd_out;
        memset(&se, 0, sizeof(se));
        s = cs->sp->lifecycle->update(pool, kv, (size_t)nd + (url != NULL), store_detail, &ds, &se);
        if (s != SP_OK) {
            host_fail_sp(e, s, &se, "Failed to update storage pool %s", uuid);
            goto upd_out;
        }
        if (ds.failed) {
            host_fail_db(e, ds.err);
            goto upd_out;
        }
        if (masked != NULL && host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET url = ? WHERE id = ?",
                                           "ti", masked, id) < 0) {
            host_fail_db(e, err);
            goto upd_out;
        }
        rc = 0;
    upd_out:
        free(kv);
        free(masked);
        if (rc != 0)
            return -1;
    }
    if (enabled == 0 && change_state(cs, id, "disable", cs->sp->lifecycle->disable, "Disabled", e) != 0)
        return -1;
    if (enabled == 1 && change_state(cs, id, "enable", cs->sp->lifecycle->enable, "Up", e) != 0)
        return -1;
    return host_json_pool(cs, w, "storagepool", id, e);
}

static int enable_maintenance(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], state[32];
    int64_t id;

    if (host_param_ref(cs, cmd, "id", "pool", 1, &id, e) != 0 || host_need_plugin(cs, e) != 0)
        return -1;
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM pool WHERE id = ?", "i",
                  id);
    if (strcmp(state, "Maintenance") == 0)
        return host_fail(e, HOST_E_PARAM, "Storage pool %s is already in maintenance",
                         host_param(cmd, "id", 1, e));
    /* CloudStack stops the VMs whose volumes are on the pool before it goes into maintenance. */
    if (host_vm_stop_on_pool(cs, id, e) != 0)
        return -1;
    if (change_state(cs, id, "put into maintenance", cs->sp->lifecycle->maintain, "Maintenance", e) != 0)
        return -1;
    return host_json_pool(cs, w, "storagepool", id, e);
}

static int cancel_maintenance(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], state[32];
    int64_t id;

    if (host_param_ref(cs, cmd, "id", "pool", 1, &id, e) != 0 || host_need_plugin(cs, e) != 0)
        return -1;
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM pool WHERE id = ?", "i",
                  id);
    if (strcmp(state, "Maintenance") != 0)
        return host_fail(e, HOST_E_PARAM, "Storage pool %s is not in maintenance",
                         host_param(cmd, "id", 1, e));
    if (change_state(cs, id, "cancel maintenance of", cs->sp->lifecycle->cancel_maintain, "Up", e) != 0)
        return -1;
    return host_json_pool(cs, w, "storagepool", id, e);
}

static int delete_pool(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], state[32], uuid[40];
    int64_t id, n_objects = 0, n_templates = 0;
    sqlite3_stmt *st;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    int rc;

    if (host_param_ref(cs, cmd, "id", "pool", 1, &id, e) != 0 || host_need_plugin(cs, e) != 0)
        return -1;
    host_pool_uuid(cs, id, uuid);
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM pool WHERE id = ?", "i",
                  id);
    if (strcmp(state, "Maintenance") != 0)
        return host_fail(e, HOST_E_PARAM,
                         "Unable to delete storage due to it is not in Maintenance state, id: %s", uuid);
    if (host_sql_int(cs->db, &n_objects, err, sizeof(err), "SELECT n_objects FROM pool WHERE id = ?", "i",
                     id) < 0 ||
        host_sql_int(cs->db, &n_templates, err, sizeof(err),
                     "SELECT count(*) FROM template_pool WHERE pool_id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    if (n_objects - n_templates > 0)
        return host_fail(e, HOST_E_IN_USE,
                         "Cannot delete storage pool %s: %lld volumes or snapshots are still on it", uuid,
                         (long long)(n_objects - n_templates));
    if (host_pool_open(cs, id, &pool, e) != 0)
        return -1;
    /* Template copies belong to the pool: CloudStack removes them with it. */
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT path FROM template_pool WHERE pool_id = ?", "i",
                          id);
    if (st == NULL)
        return host_fail_db(e, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sp_volume_ref ref = {host_col_text(st, 0)};
        if (host_undo_announce(cs, HOST_INTENT_DELETE, id, "template", 0, 0, 0, ref.path, 0, NULL, e) != 0) {
            sqlite3_finalize(st);
            return -1;
        }
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->delete_volume(pool, &ref, &se);
        if (s != SP_OK) {
            host_fail_sp(e, s, &se, "Cannot delete template copy %s on storage pool %s", ref.path, uuid);
            sqlite3_finalize(st);
            return -1;
        }
    }
    sqlite3_finalize(st);
    memset(&se, 0, sizeof(se));
    s = cs->sp->lifecycle->remove(pool, (uint64_t)(n_objects - n_templates), &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to delete storage pool %s", uuid);
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM template_pool WHERE pool_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool_detail WHERE pool_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool_tag WHERE pool_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool_host WHERE pool_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM config WHERE scope = 2 AND scope_id = ?", "t",
                     uuid) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    host_pool_forget(cs, id);
    host_event(cs, "STORAGE.POOL.DELETE", "storage pool %s deleted", uuid);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

const host_api host_api_pool[] = {
    {"createStoragePool", create_pool, 0},
    {"listStoragePools", list_pools, 0},
    {"updateStoragePool", update_pool, 0},
    {"enableStorageMaintenance", enable_maintenance, 0},
    {"cancelStorageMaintenance", cancel_maintenance, 0},
    {"deleteStoragePool", delete_pool, 0},
    {NULL, NULL, 0},
};
