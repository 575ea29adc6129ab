/* gateway_parse_system.c - parsers for the objects around volumes: storage pools and their
 * statistics, protection domains, systems and SDCs. */
#include "config.h"

#include "gateway_parse.h"

#include "error.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define TRY(expr)                                                                                            \
    do {                                                                                                     \
        st = (expr);                                                                                         \
        if (st != SP_OK)                                                                                     \
            goto out;                                                                                        \
    } while (0)

static sp_status pool_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_pool *p = out;
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, p->id, sizeof(p->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_REQUIRED, p->name, sizeof(p->name), err));
    TRY(pfx_json_str(node, what, "protectionDomainId", PFX_JSON_REQUIRED, p->protection_domain_id,
                     sizeof(p->protection_domain_id), err));
    TRY(pfx_json_str(node, what, "dataLayout", PFX_JSON_OPTIONAL, p->data_layout, sizeof(p->data_layout),
                     err));
    TRY(pfx_json_str(node, what, "mediaType", PFX_JSON_OPTIONAL, p->media_type, sizeof(p->media_type), err));
    TRY(pfx_json_bool(node, what, "zeroPaddingEnabled", PFX_JSON_OPTIONAL, &p->zero_padding_enabled, NULL,
                      err));
    TRY(pfx_json_u64(node, what, "sparePercentage", PFX_JSON_OPTIONAL, &p->spare_percentage.value,
                     &p->spare_percentage.present, err));
out:
    return st;
}

sp_status pfx_gw_parse_pool(const char *buf, size_t len, pfx_gw_pool *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "storage pool", pool_item, out, sizeof(*out), err);
}

sp_status pfx_gw_parse_pool_list(const char *buf, size_t len, pfx_gw_pool_list *out, sp_error *err)
{
    void *items;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_parse_array_doc(buf, len, "storage pool list", sizeof(pfx_gw_pool), pool_item, NULL, &items,
                                &out->n, err);
    out->items = items;
    return st;
}

#define POOL_COUNTER(key, old_key, field)                                                                    \
    {                                                                                                        \
        key, old_key, offsetof(pfx_gw_pool_stats, field)                                                     \
    }

/* The optional figures of a pool's statistics; a second key is what older gateways call it. */
static const pfx_gw_counter pool_counters[] = {
    POOL_COUNTER("capacityLimitInKb", NULL, capacity_limit_kb),
    POOL_COUNTER("capacityInUseInKb", NULL, capacity_in_use_kb),
    POOL_COUNTER("unusedCapacityInKb", NULL, unused_capacity_kb),
    POOL_COUNTER("netCapacityInUseInKb", NULL, net_capacity_in_use_kb),
    POOL_COUNTER("netUnusedCapacityInKb", NULL, net_unused_capacity_kb),
    POOL_COUNTER("capacityAvailableForVolumeAllocationInKb", NULL,
                 capacity_available_for_volume_allocation_kb),
    POOL_COUNTER("volumeAllocationLimitInKb", NULL, volume_allocation_limit_kb),
    POOL_COUNTER("thinCapacityAllocatedInKb", "thinCapacityAllocatedInKm", thin_capacity_allocated_kb),
    POOL_COUNTER("thickCapacityInUseInKb", NULL, thick_capacity_in_use_kb),
    POOL_COUNTER("snapshotCapacityInKb", "snapCapacityInUseInKb", snapshot_capacity_kb),
    POOL_COUNTER("netProvisionedAddressesInKb", NULL, net_provisioned_addresses_kb),
    POOL_COUNTER("provisionedAddressesInKb", NULL, provisioned_addresses_kb),
    POOL_COUNTER("numOfVolumes", NULL, num_volumes),
    POOL_COUNTER("numOfVtrees", NULL, num_vtrees),
    POOL_COUNTER("numOfSnapshots", NULL, num_snapshots),
};

static sp_status pool_stats_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_pool_stats *s = out;
    sp_status st;

    TRY(pfx_json_u64(node, what, "maxCapacityInKb", PFX_JSON_REQUIRED, &s->max_capacity_kb, NULL, err));
    TRY(pfx_json_u64(node, what, "spareCapacityInKb", PFX_JSON_REQUIRED, &s->spare_capacity_kb, NULL, err));
    TRY(pfx_gw_parse_counters(node, what, pool_counters, sizeof(pool_counters) / sizeof(pool_counters[0]), s,
                              err));
out:
    return st;
}

sp_status pfx_gw_parse_pool_stats(const char *buf, size_t len, pfx_gw_pool_stats *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "storage pool statistics", pool_stats_item, out, sizeof(*out),
                                    err);
}

static sp_status pd_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_protection_domain *d = out;
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, d->id, sizeof(d->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_OPTIONAL, d->name, sizeof(d->name), err));
    TRY(pfx_json_str(node, what, "systemId", PFX_JSON_REQUIRED, d->system_id, sizeof(d->system_id), err));
    TRY(pfx_json_str(node, what, "protectionDomainState", PFX_JSON_OPTIONAL, d->state, sizeof(d->state),
                     err));
out:
    return st;
}

sp_status pfx_gw_parse_protection_domain(const char *buf, size_t len, pfx_gw_protection_domain *out,
                                         sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "protection domain", pd_item, out, sizeof(*out), err);
}

/* Whether ip is one of the comma-separated list's entries (whole entries, not substrings). */
static int in_list(const char *list, const char *ip)
{
    size_t n = strlen(ip);

    for (const char *p = list; *p != '\0'; p += strcspn(p, ","), p += *p == ',') {
        if (strncmp(p, ip, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

/* Appends the "ips" of one MDM node to the comma-separated list (its addresses only: digits, hex,
 * '.' and ':', as they go to drv_cfg's command line on hosts). */
static sp_status add_mdm_ips(yajl_val mdm, const char *what, char *list, size_t len, sp_error *err)
{
    yajl_val ips;
    char ip[PFX_GW_IP_SIZE];
    sp_status st;

    if (mdm == NULL || !YAJL_IS_OBJECT(mdm))
        return SP_OK;
    TRY(pfx_json_array(mdm, what, "ips", PFX_JSON_OPTIONAL, &ips, err));
    for (size_t i = 0; ips != NULL && i < ips->u.array.len; i++) {
        size_t used = strlen(list);
        TRY(pfx_json_value_str(ips->u.array.values[i], what, ip, sizeof(ip), err));
        if (ip[0] == '\0' || strspn(ip, "0123456789abcdefABCDEF.:") != strlen(ip)) {
            st = pfx_error(err, SP_E_PROTOCOL, "%s: \"%.48s\" is not an MDM address", what, ip);
            goto out;
        }
        if (in_list(list, ip))
            continue;
        if (used + strlen(ip) + 2 > len) {
            st = pfx_error(err, SP_E_PROTOCOL, "%s: more MDM addresses than %zu bytes hold", what, len);
            goto out;
        }
        snprintf(list + used, len - used, "%s%s", used > 0 ? "," : "", ip);
    }
    st = SP_OK;
out:
    return st;
}

static sp_status system_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_system *s = out;
    yajl_val cluster;
    char cwhat[128];
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, s->id, sizeof(s->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_OPTIONAL, s->name, sizeof(s->name), err));
    TRY(pfx_json_str(node, what, "systemVersionName", PFX_JSON_OPTIONAL, s->version_name,
                     sizeof(s->version_name), err));
    TRY(pfx_json_str(node, what, "mdmClusterState", PFX_JSON_OPTIONAL, s->mdm_cluster_state,
                     sizeof(s->mdm_cluster_state), err));
    TRY(pfx_json_object(node, what, "mdmCluster", PFX_JSON_OPTIONAL, &cluster, err));
    snprintf(cwhat, sizeof(cwhat), "%s mdmCluster", what);
    if (cluster != NULL && s->mdm_cluster_state[0] == '\0')
        TRY(pfx_json_str(cluster, cwhat, "clusterState", PFX_JSON_OPTIONAL, s->mdm_cluster_state,
                         sizeof(s->mdm_cluster_state), err));
    if (cluster != NULL) {
        /* The managers: "slaves" since 3.x, "worker" before. */
        static const char *const members[] = {"slaves", "worker"};
        TRY(add_mdm_ips(pfx_json_get(cluster, "master"), cwhat, s->mdm_ips, sizeof(s->mdm_ips), err));
        for (size_t k = 0; k < sizeof(members) / sizeof(members[0]); k++) {
            yajl_val list;
            TRY(pfx_json_array(cluster, cwhat, members[k], PFX_JSON_OPTIONAL, &list, err));
            for (size_t i = 0; list != NULL && i < list->u.array.len; i++)
                TRY(add_mdm_ips(list->u.array.values[i], cwhat, s->mdm_ips, sizeof(s->mdm_ips), err));
        }
    }
out:
    return st;
}

sp_status pfx_gw_parse_system(const char *buf, size_t len, pfx_gw_system *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "system", system_item, out, sizeof(*out), err);
}

sp_status pfx_gw_parse_system_list(const char *buf, size_t len, pfx_gw_system_list *out, sp_error *err)
{
    void *items;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_parse_array_doc(buf, len, "system list", sizeof(pfx_gw_system), system_item, NULL, &items,
                                &out->n, err);
    out->items = items;
    return st;
}

static sp_status sdc_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_sdc *s = out;
    char state[PFX_GW_WORD_SIZE];
    yajl_val ips;
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, s->id, sizeof(s->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_OPTIONAL, s->name, sizeof(s->name), err));
    TRY(pfx_json_str(node, what, "sdcIp", PFX_JSON_OPTIONAL, s->ip, sizeof(s->ip), err));
    if (s->ip[0] == '\0') {
        /* 3.5+ may send only the list. */
        TRY(pfx_json_array(node, what, "sdcIps", PFX_JSON_OPTIONAL, &ips, err));
        if (ips != NULL && ips->u.array.len > 0)
            TRY(pfx_json_value_str(ips->u.array.values[0], "SDC sdcIps[0]", s->ip, sizeof(s->ip), err));
    }
    TRY(pfx_json_str(node, what, "sdcGuid", PFX_JSON_OPTIONAL, s->guid, sizeof(s->guid), err));
    TRY(pfx_json_str(node, what, "systemId", PFX_JSON_OPTIONAL, s->system_id, sizeof(s->system_id), err));
    TRY(pfx_json_bool(node, what, "sdcApproved", PFX_JSON_OPTIONAL, &s->approved, NULL, err));
    TRY(pfx_json_str(node, what, "mdmConnectionState", PFX_JSON_OPTIONAL, state, sizeof(state), err));
    if (strcmp(state, "Connected") == 0)
        s->state = PFX_GW_SDC_CONNECTED;
    else if (strcmp(state, "Disconnected") == 0)
        s->state = PFX_GW_SDC_DISCONNECTED;
    else
        s->state = PFX_GW_SDC_UNKNOWN;
out:
    return st;
}

sp_status pfx_gw_parse_sdc(const char *buf, size_t len, pfx_gw_sdc *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "SDC", sdc_item, out, sizeof(*out), err);
}

sp_status pfx_gw_parse_sdc_list(const char *buf, size_t len, pfx_gw_sdc_list *out, sp_error *err)
{
    void *items;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_parse_array_doc(buf, len, "SDC list", sizeof(pfx_gw_sdc), sdc_item, NULL, &items, &out->n,
                                err);
    out->items = items;
    return st;
}
