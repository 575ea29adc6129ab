/* clients.c - preparing and releasing hosts' storage clients around access (clients.h). */
#include "config.h"

#include "clients.h"

#include "cfg.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

static void pool_uuid(host_cs *cs, int64_t pool_id, char uuid[40])
{
    char err[128];

    if (host_sql_text(cs->db, uuid, 40, err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      pool_id) <= 0)
        snprintf(uuid, 40, "%lld", (long long)pool_id);
}

int host_clients_on_demand(host_cs *cs, int64_t pool_id)
{
    char uuid[40];

    pool_uuid(cs, pool_id, uuid);
    return host_config_bool(cs, HOST_CFG_CONNECT_ON_DEMAND, SP_SCOPE_POOL, uuid);
}

int host_client_prepare(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_href *href, int always,
                        host_err *e)
{
    char id[SP_ID_MAX], uuid[40];
    sp_error se;
    sp_status s;

    if (!SP_HAS(cs->sp->adaptor, prepare_client) || (!always && !host_clients_on_demand(cs, pool_id)))
        return 0;
    memset(&se, 0, sizeof(se));
    s = cs->sp->adaptor->prepare_client(pool, &href->ref, id, &se);
    if (s != SP_OK) {
        pool_uuid(cs, pool_id, uuid);
        return host_fail_sp(e, s, &se, "Failed to prepare the storage client of host %s for storage pool %s",
                            href->name, uuid);
    }
    return 0;
}

int host_client_release(host_cs *cs, sp_pool *pool, int64_t pool_id, const host_href *href, int check_rows,
                        host_err *e)
{
    char err[256];
    int64_t left = 0;
    sp_error se;
    sp_status s;

    if (!SP_HAS(cs->sp->adaptor, unprepare_client) || !host_clients_on_demand(cs, pool_id))
        return 0;
    if (check_rows && host_sql_int(cs->db, &left, err, sizeof(err),
                                   "SELECT count(*) FROM access a JOIN volume v ON v.id = a.volume_id "
                                   "WHERE a.host_id = ? AND v.pool_id = ?",
                                   "ii", href->id, pool_id) < 0)
        return host_fail_db(e, err);
    if (left > 0)
        return 0;
    memset(&se, 0, sizeof(se));
    s = cs->sp->adaptor->unprepare_client(pool, &href->ref, &se);
    if (s == SP_E_BUSY) {
        /* Another pool of the same array still has a volume on this host. */
        cs->svc.table.log(&cs->svc, SP_LOG_INFO, se.message);
        return 0;
    }
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to release the storage client of host %s", href->name);
    return 0;
}

int host_client_can_access(host_cs *cs, int64_t pool_id, int64_t host_id, int *ok, char *why, size_t whylen,
                           host_err *e)
{
    host_href href;
    sp_pool *pool;
    sp_error se;

    *ok = 1;
    if (!SP_HAS(cs->sp->driver, check_host_access))
        return 0;
    if (host_href_load(cs, host_id, &href, e) != 0 || host_pool_open(cs, pool_id, &pool, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->check_host_access(pool, &href.ref, &se) != SP_OK) {
        *ok = 0;
        snprintf(why, whylen, "%s", se.message);
    }
    return 0;
}
