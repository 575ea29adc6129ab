/* pool.c - the Pool vtable: the pool as a KVM host sees it (CloudStack's KVMStoragePool):
 * capacity and per-volume statistics, read from the array on every call. */
#include "config.h"

#include "capacity.h"
#include "driver_impl.h"
#include "error.h"
#include "gateway_vtree.h"
#include "plugin.h"
#include "sized.h"
#include "sizes.h"

static sp_status get_capacity(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    PFX_SIZED(out, sp_capacity, SP_CAPACITY_SIZE_2_0, "get_capacity", err);
    return pfx_capacity_read(pool, out, err);
}

/* The virtual size is the volume's sizeInKb; the used size is its V-Tree's
 * netProvisionedAddressesInKb, as CloudStack reports them. */
static sp_status get_volume_stats(sp_pool *pool, const sp_volume_ref *vol, sp_volume_stats *out, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_volume_info info = SP_INIT(sp_volume_info);
    pfx_gw_vtree_stats vs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "get_volume_stats needs a pool and an output");
    PFX_SIZED(out, sp_volume_stats, SP_VOLUME_STATS_SIZE_2_0, "get_volume_stats", err);
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_drv_read(pool, id, &info, err)) != SP_OK)
        return st;
    if ((st = pfx_gw_vtree_get_stats(pool->gw, info.lineage_id, &vs, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", vol->path);
    out->struct_size = sizeof(*out);
    out->virtual_bytes = info.size_bytes;
    out->used_bytes = pfx_kb_to_bytes(vs.net_provisioned_addresses_kb.value);
    return SP_OK;
}

const sp_pool_ops pfx_pool_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_pool_ops),
    .get_capacity = get_capacity,
    .get_volume_stats = get_volume_stats,
};
