/* pools.c - primary storage pools as the orchestration uses them: attaching hosts through
 * Lifecycle.attach, capacity from Driver.get_capacity, and which hosts reach which pools. */
#include "config.h"

#include "pools.h"

#include "alert.h"
#include "api.h"
#include "clients.h"
#include "poolh.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void host_pool_uuid(host_cs *cs, int64_t pool_id, char out[40])
{
    char err[128];
    if (host_sql_text(cs->db, out, 40, err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      pool_id) <= 0)
        out[0] = '\0';
}

int host_pool_refresh(host_cs *cs, int64_t pool_id, host_err *e)
{
    sp_pool *pool;
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error se;
    sp_status st;
    char err[256], uuid[40];

    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    cap = (sp_capacity)SP_INIT(sp_capacity);
    st = cs->sp->driver->get_capacity(pool, &cap, &se);
    if (st != SP_OK) {
        host_pool_uuid(cs, pool_id, uuid);
        return host_fail_sp(e, st, &se, "storage pool %s: cannot read its capacity", uuid);
    }
    /* A capacitybytes below the array's caps what CloudStack counts (and allocates against). */
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "UPDATE pool SET capacity_total = min(?1, coalesce(capacity_bytes, ?1)), capacity_used = ?2 "
            "WHERE id = ?3",
            "uui", cap.total_bytes, cap.used_bytes, pool_id) < 0)
        return host_fail_db(e, err);
    return 0;
}

int host_pool_reaches(host_cs *cs, int64_t pool_id, int64_t host_id, int *out, host_err *e)
{
    char err[256];
    int64_t n = 0;

    if (host_sql_int(
            cs->db, &n, err, sizeof(err),
            "SELECT count(*) FROM pool p JOIN host h ON h.id = ?2 JOIN pool_host ph ON ph.pool_id = p.id "
            "AND ph.host_id = h.id AND ph.status = 'Up' WHERE p.id = ?1 AND p.zone_id = h.zone_id "
            "AND (p.scope = 'ZONE' OR p.cluster_id = h.cluster_id)",
            "ii", pool_id, host_id) < 0)
        return host_fail_db(e, err);
    *out = n > 0;
    return 0;
}

int host_pool_client_check(host_cs *cs, int64_t pool_id, int64_t host_id, int *ok, char *why, size_t whylen,
                           host_err *e)
{
    char err[512], scope[16] = "", status[300] = "", subject[256];
    int64_t in_scope = 0;
    host_href href;
    sp_host_attach_result res = SP_INIT(sp_host_attach_result);
    sp_pool *pool;
    sp_error se;
    sp_status s;

    *ok = 0;
    if (whylen > 0)
        why[0] = '\0';
    if (host_sql_int(
            cs->db, &in_scope, err, sizeof(err),
            "SELECT count(*) FROM pool p JOIN host h ON h.id = ?2 WHERE p.id = ?1 AND p.zone_id = h.zone_id "
            "AND (p.scope = 'ZONE' OR p.cluster_id = h.cluster_id)",
            "ii", pool_id, host_id) < 0 ||
        host_sql_text(cs->db, scope, sizeof(scope), err, sizeof(err), "SELECT scope FROM pool WHERE id = ?",
                      "i", pool_id) < 0 ||
        host_sql_text(cs->db, status, sizeof(status), err, sizeof(err),
                      "SELECT status FROM pool_host WHERE pool_id = ? AND host_id = ?", "ii", pool_id,
                      host_id) < 0)
        return host_fail_db(e, err);
    if (!in_scope) {
        snprintf(why, whylen, "the storage pool is not in the host's zone or cluster");
        return 0;
    }
    if (host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = cs->sp->lifecycle->attach(pool,
                                  strcmp(scope, "ZONE") == 0 ? SP_POOL_SCOPE_ZONE : SP_POOL_SCOPE_CLUSTER,
                                  &href.ref, 1, &res, &se);
    if (s == SP_OK && res.status == SP_OK) {
        *ok = 1;
        if (strcmp(status, "Up") != 0 && host_sql_run(cs->db, err, sizeof(err),
                                                      "INSERT OR REPLACE INTO pool_host(pool_id, host_id, "
                                                      "client_id, status) VALUES (?, ?, ?, 'Up')",
                                                      "iit", pool_id, host_id, res.client_id) < 0)
            return host_fail_db(e, err);
        return 0;
    }
    if (res.status == SP_OK) {
        /* No verdict (the gateway failed): what was recorded stands. */
        *ok = strcmp(status, "Up") == 0;
        snprintf(why, whylen, "%s", *ok ? "" : status);
        return 0;
    }
    snprintf(why, whylen, "%s", res.message[0] ? res.message : "its storage client is not connected");
    snprintf(status, sizeof(status), "Error: %.280s", why);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE pool_host SET status = ? WHERE pool_id = ? AND host_id = ?", "tii", status,
                     pool_id, host_id) < 0)
        return host_fail_db(e, err);
    /* CloudStack's alertHostSdcDisconnection: "SDC disconnected on host: <uuid>". */
    snprintf(subject, sizeof(subject), "SDC %s on host: %s",
             res.status == SP_E_NOT_FOUND ? "not found" : "disconnected", href.uuid);
    host_alert_raise(cs, HOST_ALERT_TYPE_HOST, host_id, pool_id, subject, status);
    return 0;
}

int host_pool_attach(host_cs *cs, int64_t pool_id, int64_t host_id, int require_one, host_err *e)
{
    char err[512], scope[16], uuid[40];
    sqlite3_stmt *st;
    int64_t *ids = NULL;
    size_t n = 0, up = 0;
    host_href *hrefs = NULL;
    sp_host_ref *refs = NULL;
    sp_host_attach_result *res = NULL;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    int rc = -1;

    if (host_sql_text(cs->db, scope, sizeof(scope), err, sizeof(err), "SELECT scope FROM pool WHERE id = ?",
                      "i", pool_id) <= 0)
        return host_fail_db(e, err);
    host_pool_uuid(cs, pool_id, uuid);
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT h.id FROM host h JOIN pool p ON p.id = ?1 WHERE h.zone_id = p.zone_id "
                          "AND (p.scope = 'ZONE' OR h.cluster_id = p.cluster_id) AND h.state = 'Up' "
                          "AND (?2 = 0 OR h.id = ?2) ORDER BY h.id",
                          "ii", pool_id, host_id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    if (n == 0) {
        if (!require_one) {
            rc = 0;
            goto out;
        }
        host_fail(e, HOST_E_CAPACITY, "No host is up in the %s of storage pool %s to attach it to",
                  strcmp(scope, "ZONE") == 0 ? "zone" : "cluster", uuid);
        goto out;
    }
    hrefs = calloc(n, sizeof(*hrefs));
    refs = calloc(n, sizeof(*refs));
    res = calloc(n, sizeof(*res));
    if (hrefs == NULL || refs == NULL || res == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (host_href_load(cs, ids[i], &hrefs[i], e) != 0)
            goto out;
        refs[i] = hrefs[i].ref;
        res[i] = (sp_host_attach_result)SP_INIT(sp_host_attach_result);
    }
    if (host_pool_open(cs, pool_id, &pool, e) != 0)
        goto out;
    if (!host_clients_on_demand(cs, pool_id)) {
        /* Not on demand: every host's client joins the array now (CloudStack does it when a host
         * connects); one that cannot is reported by the attach below. */
        for (size_t i = 0; i < n; i++) {
            host_err pe;
            memset(&pe, 0, sizeof(pe));
            if (host_client_prepare(cs, pool, pool_id, &hrefs[i], 1, &pe) != 0)
                cs->svc.table.log(&cs->svc, SP_LOG_WARN, pe.text);
        }
    }
    memset(&se, 0, sizeof(se));
    s = cs->sp->lifecycle->attach(
        pool, strcmp(scope, "ZONE") == 0 ? SP_POOL_SCOPE_ZONE : SP_POOL_SCOPE_CLUSTER, refs, n, res, &se);
    for (size_t i = 0; i < n; i++) {
        char status[300];
        if (s == SP_OK && res[i].status == SP_OK) {
            snprintf(status, sizeof(status), "Up");
            up++;
        } else {
            snprintf(status, sizeof(status), "Error: %.280s",
                     s != SP_OK          ? se.message
                     : res[i].message[0] ? res[i].message
                                         : "not connected");
        }
        /* A host the plugin found without a connected client: CloudStack alerts on the host. */
        if (res[i].status != SP_OK) {
            char subject[256];
            snprintf(subject, sizeof(subject), "SDC %s on host: %s",
                     res[i].status == SP_E_NOT_FOUND ? "not found" : "disconnected", hrefs[i].uuid);
            host_alert_raise(cs, HOST_ALERT_TYPE_HOST, ids[i], pool_id, subject, status);
        }
        if (host_sql_run(
                cs->db, err, sizeof(err),
                "INSERT OR REPLACE INTO pool_host(pool_id, host_id, client_id, status) VALUES (?, ?, ?, ?)",
                "iitt", pool_id, ids[i], s == SP_OK ? res[i].client_id : "", status) < 0) {
            host_fail_db(e, err);
            goto out;
        }
    }
    if (require_one && (s != SP_OK || up == 0)) {
        if (s != SP_OK)
            host_fail_sp(e, s, &se, "Failed to attach storage pool %s to its hosts", uuid);
        else
            host_fail(e, HOST_E_UNAVAILABLE,
                      "Failed to attach storage pool %s: no host has a connected SDC (%s)", uuid,
                      res[0].message[0] ? res[0].message : "not connected");
        goto out;
    }
    rc = 0;
out:
    free(ids);
    free(hrefs);
    free(refs);
    free(res);
    return rc;
}

int host_pools_attach_host(host_cs *cs, int64_t host_id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT p.id FROM pool p JOIN host h ON h.id = ? WHERE p.zone_id = h.zone_id "
                         "AND (p.scope = 'ZONE' OR p.cluster_id = h.cluster_id) ORDER BY p.id",
                         "i", host_id);
    int64_t *ids;
    size_t n;
    int rc = 0;

    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = host_pool_attach(cs, ids[i], host_id, 0, e);
    free(ids);
    return rc;
}
