/* pool.c - the Pool table: the pool as a KVM host sees it (CloudStack's KVMStoragePool):
 * capacity and per-volume statistics, read from the array on every call (core's). */
#include "config.h"

#include "capacity.h"
#include "plugin.h"
#include "volume.h"

const sp_pool_ops pfx_pool_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_pool_ops),
    .get_capacity = pfx_capacity_get,
    .get_volume_stats = pfx_vol_stats,
};
