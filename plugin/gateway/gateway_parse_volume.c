/* gateway_parse_volume.c - parsers for volumes, their statistics and snapshot answers, and
 * V-Trees (whose migration state a volume move is watched through). */
#include "config.h"

#include "gateway_parse.h"

#include "error.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(expr)                                                                                            \
    do {                                                                                                     \
        st = (expr);                                                                                         \
        if (st != SP_OK)                                                                                     \
            goto out;                                                                                        \
    } while (0)

pfx_gw_volume_type pfx_gw_volume_type_of(const char *s)
{
    if (strcmp(s, "ThinProvisioned") == 0)
        return PFX_GW_VOLUME_THIN;
    if (strcmp(s, "ThickProvisioned") == 0)
        return PFX_GW_VOLUME_THICK;
    if (strcmp(s, "Snapshot") == 0)
        return PFX_GW_VOLUME_SNAPSHOT;
    return PFX_GW_VOLUME_OTHER;
}

static sp_status mapping_item(yajl_val node, const char *what, pfx_gw_mapping *m, sp_error *err)
{
    sp_status st;

    TRY(pfx_json_str(node, what, "sdcId", PFX_JSON_REQUIRED, m->sdc_id, sizeof(m->sdc_id), err));
    TRY(pfx_json_str(node, what, "sdcIp", PFX_JSON_OPTIONAL, m->sdc_ip, sizeof(m->sdc_ip), err));
    TRY(pfx_json_u64(node, what, "limitIops", PFX_JSON_OPTIONAL, &m->limit_iops, NULL, err));
    TRY(pfx_json_u64(node, what, "limitBwInMbps", PFX_JSON_OPTIONAL, &m->limit_bw_mbps, NULL, err));
    TRY(pfx_json_str(node, what, "accessMode", PFX_JSON_OPTIONAL, m->access_mode, sizeof(m->access_mode),
                     err));
out:
    return st;
}

static sp_status mappings(yajl_val node, const char *what, pfx_gw_volume *v, sp_error *err)
{
    yajl_val arr;
    sp_status st;

    st = pfx_json_array(node, what, "mappedSdcInfo", PFX_JSON_OPTIONAL, &arr, err);
    if (st != SP_OK || arr == NULL || arr->u.array.len == 0)
        return st;
    v->mappings = calloc(arr->u.array.len, sizeof(*v->mappings));
    if (v->mappings == NULL)
        return pfx_error(err, SP_E_NOMEM, "%s: out of memory for %zu mappings", what, arr->u.array.len);
    for (size_t i = 0; i < arr->u.array.len; i++) {
        yajl_val m = arr->u.array.values[i];
        char mwhat[160];

        snprintf(mwhat, sizeof(mwhat), "%s mappedSdcInfo[%zu]", what, i);
        if (!YAJL_IS_OBJECT(m))
            return pfx_error(err, SP_E_PROTOCOL, "%s: expected a JSON object, got %s", mwhat,
                             pfx_json_type_name(m));
        st = mapping_item(m, mwhat, &v->mappings[i], err);
        if (st != SP_OK)
            return st;
        v->n_mappings = i + 1;
    }
    return SP_OK;
}

static sp_status volume_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_volume *v = out;
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, v->id, sizeof(v->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_OPTIONAL, v->name, sizeof(v->name), err));
    TRY(pfx_json_str(node, what, "storagePoolId", PFX_JSON_REQUIRED, v->storage_pool_id,
                     sizeof(v->storage_pool_id), err));
    TRY(pfx_json_str(node, what, "vtreeId", PFX_JSON_REQUIRED, v->vtree_id, sizeof(v->vtree_id), err));
    TRY(pfx_json_str(node, what, "ancestorVolumeId", PFX_JSON_OPTIONAL, v->ancestor_id,
                     sizeof(v->ancestor_id), err));
    TRY(pfx_json_str(node, what, "consistencyGroupId", PFX_JSON_OPTIONAL, v->consistency_group_id,
                     sizeof(v->consistency_group_id), err));
    TRY(pfx_json_str(node, what, "volumeType", PFX_JSON_REQUIRED, v->type_name, sizeof(v->type_name), err));
    v->type = pfx_gw_volume_type_of(v->type_name);
    TRY(pfx_json_u64(node, what, "sizeInKb", PFX_JSON_REQUIRED, &v->size_kb, NULL, err));
    TRY(pfx_json_u64(node, what, "creationTime", PFX_JSON_OPTIONAL, &v->creation_time, NULL, err));
    TRY(pfx_json_bool(node, what, "mappingToAllSdcsEnabled", PFX_JSON_OPTIONAL, &v->mapped_to_all, NULL,
                      err));
    TRY(mappings(node, what, v, err));
out:
    if (st != SP_OK)
        pfx_gw_volume_clear(v);
    return st;
}

static void volume_clear_item(void *item)
{
    pfx_gw_volume_clear(item);
}

sp_status pfx_gw_parse_volume(const char *buf, size_t len, pfx_gw_volume *out, sp_error *err)
{
    memset(out, 0, sizeof(*out));
    return pfx_gw_parse_object_doc(buf, len, "volume", volume_item, out, err);
}

sp_status pfx_gw_parse_volume_list(const char *buf, size_t len, pfx_gw_volume_list *out, sp_error *err)
{
    void *items;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_parse_array_doc(buf, len, "volume list", sizeof(pfx_gw_volume), volume_item,
                                volume_clear_item, &items, &out->n, err);
    out->items = items;
    return st;
}

sp_status pfx_gw_parse_volumes_by_ids(const char *buf, size_t len, const char *const *ids, size_t n,
                                      pfx_gw_volume_list *out, sp_error *err)
{
    pfx_gw_volume_list got;
    pfx_gw_volume *items = NULL;
    void *parsed;
    size_t i, j;
    sp_status st;

    memset(out, 0, sizeof(*out));
    if (n == 0 || ids == NULL)
        return pfx_error(err, SP_E_INVALID, "volumes by ids: no ids given");
    for (i = 0; i < n; i++) {
        if (ids[i] == NULL || ids[i][0] == '\0')
            return pfx_error(err, SP_E_INVALID, "volumes by ids: id %zu is missing", i);
        for (j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return pfx_error(err, SP_E_INVALID, "volumes by ids: %s is given twice", ids[i]);
    }
    st = pfx_gw_parse_array_doc(buf, len, "volumes by ids", sizeof(pfx_gw_volume), volume_item,
                                volume_clear_item, &parsed, &got.n, err);
    if (st != SP_OK)
        return st;
    got.items = parsed;
    if ((items = calloc(n, sizeof(*items))) == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "volumes by ids: out of memory for %zu volumes", n);
        goto out;
    }
    for (i = 0; i < n; i++) {
        for (j = 0; j < got.n && strcmp(got.items[j].id, ids[i]) != 0; j++)
            ;
        if (j == got.n) {
            /* A gateway that leaves unknown ids out says "not found" this way. */
            st = pfx_error(err, SP_E_NOT_FOUND,
                           "volume %s: not in the gateway's answer (%zu object(s) for %zu id(s))", ids[i],
                           got.n, n);
            goto out;
        }
        /* Moved, mappings included: the emptied entry (id "") matches nothing again. */
        items[i] = got.items[j];
        memset(&got.items[j], 0, sizeof(got.items[j]));
    }
    out->items = items;
    out->n = n;
    items = NULL;
out:
    if (items != NULL) {
        for (i = 0; i < n; i++)
            pfx_gw_volume_clear(&items[i]);
        free(items);
    }
    pfx_gw_volume_list_clear(&got);
    return st;
}

/* A bandwidth counter object {"numSeconds", "totalWeightInKb", "numOccured"}. */
static sp_status bwc_total(yajl_val node, const char *what, const char *key, pfx_gw_opt_u64 *out,
                           sp_error *err)
{
    yajl_val bwc;
    char bwhat[160];
    sp_status st;

    st = pfx_json_object(node, what, key, PFX_JSON_OPTIONAL, &bwc, err);
    if (st != SP_OK || bwc == NULL)
        return st;
    snprintf(bwhat, sizeof(bwhat), "%s %s", what, key);
    return pfx_json_u64(bwc, bwhat, "totalWeightInKb", PFX_JSON_OPTIONAL, &out->value, &out->present, err);
}

static sp_status volume_stats_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_volume_stats *s = out;
    sp_status st;

    TRY(pfx_json_u64(node, what, "numOfMappedSdcs", PFX_JSON_REQUIRED, &s->num_mapped_sdcs, NULL, err));
    TRY(bwc_total(node, what, "userDataReadBwc", &s->user_data_read_kb, err));
    TRY(bwc_total(node, what, "userDataWriteBwc", &s->user_data_write_kb, err));
out:
    return st;
}

sp_status pfx_gw_parse_volume_stats(const char *buf, size_t len, pfx_gw_volume_stats *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "volume statistics", volume_stats_item, out, sizeof(*out), err);
}

static sp_status snapshot_group_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_snapshot_group *g = out;
    yajl_val ids;
    sp_status st;

    TRY(pfx_json_str(node, what, "snapshotGroupId", PFX_JSON_REQUIRED, g->group_id, sizeof(g->group_id),
                     err));
    TRY(pfx_json_array(node, what, "volumeIdList", PFX_JSON_REQUIRED, &ids, err));
    if (ids->u.array.len == 0) {
        st = pfx_error(err, SP_E_PROTOCOL, "%s: field \"volumeIdList\" is empty", what);
        goto out;
    }
    g->ids = calloc(ids->u.array.len, sizeof(*g->ids));
    if (g->ids == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "%s: out of memory for %zu ids", what, ids->u.array.len);
        goto out;
    }
    for (size_t i = 0; i < ids->u.array.len; i++) {
        char iwhat[128];

        snprintf(iwhat, sizeof(iwhat), "%s volumeIdList[%zu]", what, i);
        TRY(pfx_json_value_str(ids->u.array.values[i], iwhat, g->ids[i].id, sizeof(g->ids[i].id), err));
        g->n = i + 1;
    }
out:
    if (st != SP_OK)
        pfx_gw_snapshot_group_clear(g);
    return st;
}

sp_status pfx_gw_parse_snapshot_group(const char *buf, size_t len, pfx_gw_snapshot_group *out, sp_error *err)
{
    memset(out, 0, sizeof(*out));
    return pfx_gw_parse_object_doc(buf, len, "snapshot answer", snapshot_group_item, out, err);
}

static pfx_gw_migration_status migration_status(const char *s)
{
    static const struct {
        const char *word;
        pfx_gw_migration_status status;
    } words[] = {
        {"NotInMigration", PFX_GW_MIGRATION_NONE},
        {"PendingMigration", PFX_GW_MIGRATION_PENDING},
        {"PendingRetry", PFX_GW_MIGRATION_PENDING},
        {"PendingRebalance", PFX_GW_MIGRATION_PENDING},
        {"MigrationNormal", PFX_GW_MIGRATION_RUNNING},
        {"InternalPausing", PFX_GW_MIGRATION_PAUSING},
        {"GracefullyPausing", PFX_GW_MIGRATION_PAUSING},
        {"ForcefullyPausing", PFX_GW_MIGRATION_PAUSING},
        {"Paused", PFX_GW_MIGRATION_PAUSED},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(s, words[i].word) == 0)
            return words[i].status;
    return PFX_GW_MIGRATION_UNKNOWN;
}

static sp_status migration_info(yajl_val node, const char *what, pfx_gw_migration *m, sp_error *err)
{
    yajl_val info;
    char mwhat[160];
    sp_status st;

    TRY(pfx_json_object(node, what, "vtreeMigrationInfo", PFX_JSON_OPTIONAL, &info, err));
    if (info == NULL)
        goto out;
    snprintf(mwhat, sizeof(mwhat), "%s vtreeMigrationInfo", what);
    TRY(pfx_json_str(info, mwhat, "migrationStatus", PFX_JSON_REQUIRED, m->status_name,
                     sizeof(m->status_name), err));
    m->status = migration_status(m->status_name);
    TRY(pfx_json_str(info, mwhat, "migrationPauseReason", PFX_JSON_OPTIONAL, m->pause_reason,
                     sizeof(m->pause_reason), err));
    TRY(pfx_json_str(info, mwhat, "sourceStoragePoolId", PFX_JSON_OPTIONAL, m->source_pool_id,
                     sizeof(m->source_pool_id), err));
    TRY(pfx_json_str(info, mwhat, "destinationStoragePoolId", PFX_JSON_OPTIONAL, m->dest_pool_id,
                     sizeof(m->dest_pool_id), err));
    TRY(pfx_json_u64(info, mwhat, "migrationQueuePosition", PFX_JSON_OPTIONAL, &m->queue_position, NULL,
                     err));
    m->present = 1;
out:
    return st;
}

static sp_status vtree_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    pfx_gw_vtree *t = out;
    yajl_val roots;
    sp_status st;

    TRY(pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, t->id, sizeof(t->id), err));
    TRY(pfx_json_str(node, what, "name", PFX_JSON_OPTIONAL, t->name, sizeof(t->name), err));
    TRY(pfx_json_str(node, what, "storagePoolId", PFX_JSON_REQUIRED, t->storage_pool_id,
                     sizeof(t->storage_pool_id), err));
    TRY(pfx_json_str(node, what, "baseVolumeId", PFX_JSON_OPTIONAL, t->base_volume_id,
                     sizeof(t->base_volume_id), err));
    if (t->base_volume_id[0] == '\0') {
        TRY(pfx_json_array(node, what, "rootVolumes", PFX_JSON_OPTIONAL, &roots, err));
        if (roots != NULL && roots->u.array.len > 0)
            TRY(pfx_json_value_str(roots->u.array.values[0], "V-Tree rootVolumes[0]", t->base_volume_id,
                                   sizeof(t->base_volume_id), err));
    }
    TRY(migration_info(node, what, &t->migration, err));
out:
    return st;
}

sp_status pfx_gw_parse_vtree(const char *buf, size_t len, pfx_gw_vtree *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "V-Tree", vtree_item, out, sizeof(*out), err);
}

#define VTREE_COUNTER(key, field)                                                                            \
    {                                                                                                        \
        key, NULL, offsetof(pfx_gw_vtree_stats, field)                                                       \
    }

static const pfx_gw_counter vtree_counters[] = {
    VTREE_COUNTER("netProvisionedAddressesInKb", net_provisioned_addresses_kb),
    VTREE_COUNTER("numOfVolumes", num_volumes),
    VTREE_COUNTER("baseNetCapacityInUseInKb", base_net_capacity_in_use_kb),
    VTREE_COUNTER("snapNetCapacityInUseInKb", snap_net_capacity_in_use_kb),
};

static sp_status vtree_stats_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    return pfx_gw_parse_counters(node, what, vtree_counters,
                                 sizeof(vtree_counters) / sizeof(vtree_counters[0]), out, err);
}

sp_status pfx_gw_parse_vtree_stats(const char *buf, size_t len, pfx_gw_vtree_stats *out, sp_error *err)
{
    return pfx_gw_parse_object_into(buf, len, "V-Tree statistics", vtree_stats_item, out, sizeof(*out), err);
}
