/* driver_access.c - grant and revoke a host's access to a volume: map or unmap the volume to
 * the host's SDC, with the offering's QoS as the mapping's limits. Two requests per grant in
 * the common case (map, limits; the first grant for a host also looks its SDC up and checks it
 * is connected) and one per revoke, against CloudStack's five and four. */
#include "config.h"

#include "driver_impl.h"
#include "error.h"
#include "hostsvc.h"
#include "qos.h"
#include "retry.h"
#include "sized.h"

#include <string.h>

#define ERRCODE_SDC_NOT_FOUND 80

/* An SDC id from the cache can be stale when the host's SDC re-registered: the array then
 * answers "Could not find the SDC" and the id is looked up again, once. */
static int stale_sdc(const sp_error *err)
{
    return err->status == SP_E_NOT_FOUND && err->backend_code == ERRCODE_SDC_NOT_FOUND;
}

static sp_status host_ip(const sp_host_ref *host, const char **ip, sp_error *err)
{
    PFX_SIZED(host, sp_host_ref, SP_HOST_REF_SIZE_2_0, "access", err);
    if (host == NULL || host->ip == NULL || host->ip[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "the host has no IP address to find its SDC by");
    *ip = host->ip;
    return SP_OK;
}

sp_status pfx_vol_grant(sp_pool *pool, const char *id, const sp_host_ref *host, const sp_qos *qos,
                        int allow_multiple, sp_error *err)
{
    char sdc[SP_ID_MAX];
    const char *ip = NULL;
    pfx_limits limits;
    int was_mapped = 0, tries = 0;
    sp_status st;
    PFX_ERR_GUARD(err);

    if ((st = pfx_pool_check_usable(pool, "granting access to a volume", 1, err)) != SP_OK)
        return st;
    if ((st = host_ip(host, &ip, err)) != SP_OK)
        return st;
    if ((st = pfx_qos_parse(qos, &limits, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", id);
    if ((st = pfx_pool_sdc_id_connected(pool, ip, sdc, sizeof(sdc), err)) != SP_OK)
        return st;
    /* Mapping is safe to repeat ("already mapped" is success), so a gateway failing in passing
     * gets the request again rather than failing a VM start or a migration. */
    while ((st = pfx_gw_volume_map(pool->gw, id, sdc, allow_multiple, &was_mapped, err)) != SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK && stale_sdc(err)) {
        pfx_pool_sdc_forget(pool, ip);
        if ((st = pfx_pool_sdc_id_connected(pool, ip, sdc, sizeof(sdc), err)) == SP_OK)
            st = pfx_gw_volume_map(pool->gw, id, sdc, allow_multiple, &was_mapped, err);
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "granting host %s (SDC %s) access", ip, sdc);
    /* Limits go on every grant: a mapping kept from before may carry an older offering's. A new
     * mapping starts unlimited, so unlimited needs no second request. */
    if (!was_mapped && limits.iops == 0 && limits.bandwidth_kbps == 0) {
        pfx_log(SP_LOG_INFO, "volume %s mapped to SDC %s of host %s (no limits)", id, sdc, ip);
        return SP_OK;
    }
    tries = 0;
    while ((st = pfx_gw_volume_set_limits(pool->gw, id, sdc, limits.iops, limits.bandwidth_kbps, err)) !=
               SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK) {
        sp_error undo;
        pfx_error_prefix(err, "setting QoS limits for host %s (SDC %s)", ip, sdc);
        /* Without its limits a new mapping must not stay: the volume would run unthrottled. One
         * that was there before is left to its owner. */
        if (!was_mapped) {
            sp_status u;
            tries = 0;
            while ((u = pfx_gw_volume_unmap(pool->gw, id, sdc, &undo)) != SP_OK &&
                   pfx_retry_again(&undo, &tries))
                ;
            if (u != SP_OK)
                pfx_error_add_undo(err, &undo);
        }
        return st;
    }
    pfx_log(SP_LOG_INFO, "volume %s mapped to SDC %s of host %s (iops %llu, bandwidth %llu KB/s)", id, sdc,
            ip, (unsigned long long)limits.iops, (unsigned long long)limits.bandwidth_kbps);
    return SP_OK;
}

sp_status pfx_drv_grant(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host, const sp_qos *qos,
                        int allow_multiple, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "grant_access: no pool handle given");
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    return pfx_vol_grant(pool, id, host, qos, allow_multiple, err);
}

sp_status pfx_vol_revoke(sp_pool *pool, const char *id, const sp_host_ref *host, sp_error *err)
{
    char sdc[SP_ID_MAX];
    const char *ip = NULL;
    int tries = 0;
    sp_status st;
    PFX_ERR_GUARD(err);

    if ((st = host_ip(host, &ip, err)) != SP_OK)
        return st;
    st = pfx_pool_sdc_id(pool, ip, sdc, sizeof(sdc), err);
    if (st == SP_E_NOT_FOUND) {
        /* Mappings belong to SDCs: a host without one cannot hold a mapping. */
        pfx_log(SP_LOG_WARN, "volume %s: host %s has no SDC, so nothing is mapped to it", id, ip);
        pfx_error_clear(err);
        return SP_OK;
    }
    if (st != SP_OK)
        return st;
    /* Unmapping is safe to repeat ("not mapped" is success): a mapping left behind by a gateway
     * failing in passing would hand the disk to a host that no longer runs its VM. */
    while ((st = pfx_gw_volume_unmap(pool->gw, id, sdc, err)) != SP_OK && pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK && stale_sdc(err)) {
        pfx_pool_sdc_forget(pool, ip);
        if ((st = pfx_pool_sdc_id(pool, ip, sdc, sizeof(sdc), err)) == SP_OK)
            st = pfx_gw_volume_unmap(pool->gw, id, sdc, err);
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "revoking host %s (SDC %s) access", ip, sdc);
    pfx_log(SP_LOG_INFO, "volume %s unmapped from SDC %s of host %s", id, sdc, ip);
    return SP_OK;
}

sp_status pfx_drv_revoke(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "revoke_access: no pool handle given");
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    return pfx_vol_revoke(pool, id, host, err);
}
