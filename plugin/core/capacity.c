/* capacity.c - a pool's capacity as CloudStack counts it, from the gateway's statistics.
 * Older gateways lack the net figures; then the raw unused space halved stands in. */
#include "config.h"

#include "capacity.h"
#include "sized.h"

#include "error.h"
#include "gateway_system.h"
#include "poolhandle.h"
#include "sizes.h"

#include <string.h>

void pfx_capacity_from_stats(const pfx_gw_pool_stats *s, sp_capacity *out)
{
    uint64_t total_kb, avail_kb, prov_kb;

    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    total_kb =
        s->max_capacity_kb > s->spare_capacity_kb ? (s->max_capacity_kb - s->spare_capacity_kb) / 2 : 0;
    if (s->net_unused_capacity_kb.present)
        avail_kb = s->net_unused_capacity_kb.value;
    else if (s->unused_capacity_kb.present)
        avail_kb = s->unused_capacity_kb.value / 2;
    else
        avail_kb = total_kb;
    if (avail_kb > total_kb)
        avail_kb = total_kb;
    prov_kb = (s->thick_capacity_in_use_kb.value + s->snapshot_capacity_kb.value +
               s->thin_capacity_allocated_kb.value) /
              2;
    out->total_bytes = pfx_kb_to_bytes(total_kb);
    out->available_bytes = pfx_kb_to_bytes(avail_kb);
    out->used_bytes = out->total_bytes - out->available_bytes;
    out->provisioned_bytes = pfx_kb_to_bytes(prov_kb);
}

sp_status pfx_capacity_read(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    pfx_gw_pool_stats s;
    sp_status st;

    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "capacity: pool and output are required");
    st = pfx_gw_pool_get_stats(pool->gw, pool->pool_id, &s, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "pool %s capacity", pool->uuid);
    pfx_capacity_from_stats(&s, out);
    return SP_OK;
}

sp_status pfx_capacity_get(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    PFX_SIZED(out, sp_capacity, SP_CAPACITY_SIZE_2_0, "get_capacity", err);
    return pfx_capacity_read(pool, out, err);
}
