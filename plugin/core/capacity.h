/* capacity.h - a pool's capacity as CloudStack counts it, from the gateway's statistics.
 * PowerFlex keeps two copies of everything, so usable space is half the raw figures. */
#ifndef PFX_CAPACITY_H
#define PFX_CAPACITY_H

#include "gateway_types.h"
#include "storage_plugin.h"

/* total = (maxCapacityInKb - spareCapacityInKb) / 2; available = netUnusedCapacityInKb;
 * used = total - available; provisioned = (thick + snapshot + thin allocated) / 2. Bytes. */
void pfx_capacity_from_stats(const pfx_gw_pool_stats *s, sp_capacity *out);

/* One statistics request for the pool with id pool_id. */
sp_status pfx_capacity_read(sp_pool *pool, sp_capacity *out, sp_error *err);

/* The Driver's and the Pool's get_capacity (err may be NULL, as the ABI allows). */
sp_status pfx_capacity_get(sp_pool *pool, sp_capacity *out, sp_error *err);

#endif
