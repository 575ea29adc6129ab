/* pool.c - the Pool vtable: the pool as a KVM host sees it (CloudStack's KVMStoragePool):
 * capacity and per-volume statistics, refreshed from the array. */
#include "config.h"

#include "error.h"
#include "plugin.h"

static sp_status get_capacity(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "pool.get_capacity");
}

static sp_status get_volume_stats(sp_pool *pool, const sp_volume_ref *vol, uint64_t *virtual_bytes,
                                  uint64_t *used_bytes, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "pool.get_volume_stats");
}

const sp_pool_ops pfx_pool_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_pool_ops),
    .get_capacity = get_capacity,
    .get_volume_stats = get_volume_stats,
};
