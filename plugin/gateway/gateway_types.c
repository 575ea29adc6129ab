/* gateway_types.c - releasing the gateway object structs and naming their enumerations.
 * Kept apart from the parsers so that callers that only hold objects need not know yajl. */
#include "config.h"

#include "gateway_types.h"

#include <stdlib.h>
#include <string.h>

void pfx_gw_volume_clear(pfx_gw_volume *v)
{
    if (v == NULL)
        return;
    free(v->mappings);
    memset(v, 0, sizeof(*v));
}

void pfx_gw_volume_list_clear(pfx_gw_volume_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        pfx_gw_volume_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void pfx_gw_snapshot_group_clear(pfx_gw_snapshot_group *g)
{
    if (g == NULL)
        return;
    free(g->ids);
    memset(g, 0, sizeof(*g));
}

void pfx_gw_pool_list_clear(pfx_gw_pool_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void pfx_gw_system_list_clear(pfx_gw_system_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

void pfx_gw_sdc_list_clear(pfx_gw_sdc_list *l)
{
    if (l == NULL)
        return;
    free(l->items);
    memset(l, 0, sizeof(*l));
}

const char *pfx_gw_migration_status_name(pfx_gw_migration_status s)
{
    switch (s) {
    case PFX_GW_MIGRATION_NONE: return "not migrating";
    case PFX_GW_MIGRATION_PENDING: return "pending";
    case PFX_GW_MIGRATION_RUNNING: return "migrating";
    case PFX_GW_MIGRATION_PAUSING: return "pausing";
    case PFX_GW_MIGRATION_PAUSED: return "paused";
    case PFX_GW_MIGRATION_UNKNOWN: break;
    }
    return "unknown";
}
