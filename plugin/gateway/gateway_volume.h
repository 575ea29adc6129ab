/* gateway_volume.h - gateway calls on volumes and snapshots: create, read, find, list, rename,
 * resize, delete, map, unmap, QoS limits, statistics, snapshot groups and revert. */
#ifndef PFX_GATEWAY_VOLUME_H
#define PFX_GATEWAY_VOLUME_H

#include "gateway.h"
#include "gateway_stream.h"

/* All functions: thread-safe; exactly one request each (a state the answer of a POST already
 * tells is never read beforehand); ids are checked to be PowerFlex ids before use
 * (SP_E_INVALID); out structs are zeroed first and owned by the caller; errors name the volume
 * ("volume 3df6b86600000000: gateway returned 500 (errorCode 79): Could not find the volume"). */

typedef struct pfx_gw_volume_spec {
    const char *name; /* at most 31 characters on 3.x gateways (the gateway checks) */
    const char *pool_id;
    uint64_t size_kb; /* > 0; the gateway rounds up to a multiple of 8 GiB */
    int thick;        /* 0: ThinProvisioned, 1: ThickProvisioned */
} pfx_gw_volume_spec;

/* POST /types/Volume/instances: the new volume's id into id_out. A name in use is SP_E_EXISTS;
 * a pool that cannot hold it SP_E_NO_SPACE. */
sp_status pfx_gw_volume_create(pfx_gw_client *c, const pfx_gw_volume_spec *spec, char *id_out, size_t id_len,
                               sp_error *err);

/* GET /instances/Volume::<id>. pfx_gw_volume_clear releases *out. */
sp_status pfx_gw_volume_get(pfx_gw_client *c, const char *id, pfx_gw_volume *out, sp_error *err);

/* POST /types/Volume/instances/action/queryBySelectedIds {"ids": [...]}: n volumes or snapshots in
 * one request, out->items[i] being ids[i] (n >= 1, ids distinct). An id the array does not know
 * is SP_E_NOT_FOUND, whether the gateway refuses the request for it (errorCode 79) or leaves it
 * out of its answer. pfx_gw_volume_list_clear releases *out. */
sp_status pfx_gw_volume_get_many(pfx_gw_client *c, const char *const *ids, size_t n, pfx_gw_volume_list *out,
                                 sp_error *err);

/* POST /types/Volume/instances/action/queryIdByKey {"name"}: the id into buf; SP_E_NOT_FOUND
 * when no volume or snapshot has the name. */
sp_status pfx_gw_volume_id_by_name(pfx_gw_client *c, const char *name, char *buf, size_t len, sp_error *err);

/* GET /instances/Sdc::<id>/relationships/Volume: every volume mapped to that SDC. */
sp_status pfx_gw_volume_list_on_sdc(pfx_gw_client *c, const char *sdc_id, pfx_gw_volume_list *out,
                                    sp_error *err);

/* GET /instances/StoragePool::<id>/relationships/Volume: volumes and snapshots of a pool. */
sp_status pfx_gw_volume_list_in_pool(pfx_gw_client *c, const char *pool_id, pfx_gw_volume_list *out,
                                     sp_error *err);

/* The same list streamed: each volume or snapshot handed to `each` as its part of the answer
 * arrives (gateway_stream.h), so that neither the answer nor the list is ever held whole.
 * *count (may be NULL) gets how many. On failure, volumes handed over before it stand. */
sp_status pfx_gw_volume_each_in_pool(pfx_gw_client *c, const char *pool_id, pfx_gw_volume_each each,
                                     void *ctx, size_t *count, sp_error *err);

/* GET /instances/VTree::<id>/relationships/Volume: a V-Tree's volumes and snapshots. */
sp_status pfx_gw_volume_list_in_vtree(pfx_gw_client *c, const char *vtree_id, pfx_gw_volume_list *out,
                                      sp_error *err);

/* POST .../action/setVolumeName {"newName"}. */
sp_status pfx_gw_volume_rename(pfx_gw_client *c, const char *id, const char *new_name, sp_error *err);

/* POST .../action/setVolumeSize {"sizeInGB"}: grow only, in multiples of 8 (the gateway
 * checks). */
sp_status pfx_gw_volume_resize(pfx_gw_client *c, const char *id, uint64_t size_gb, sp_error *err);

typedef enum pfx_gw_remove_mode {
    PFX_GW_REMOVE_ONLY_ME = 0,
    PFX_GW_REMOVE_INCLUDING_DESCENDANTS,
    PFX_GW_REMOVE_DESCENDANTS_ONLY,
    PFX_GW_REMOVE_WHOLE_VTREE
} pfx_gw_remove_mode;

/* POST .../action/removeVolume {"removeMode"}. A volume that is already gone (errorCode 79)
 * counts as deleted: deletes are idempotent. A mapped volume is SP_E_BUSY. */
sp_status pfx_gw_volume_delete(pfx_gw_client *c, const char *id, pfx_gw_remove_mode mode, sp_error *err);

/* POST .../action/addMappedSdc {"sdcId", "allowMultipleMappings"}. Already mapped to this SDC
 * (errorCode 81) is success, and sets *was_mapped (may be NULL) so that a caller undoing a
 * failed grant leaves a mapping it did not make. Mapped elsewhere without allow_multiple is
 * SP_E_BUSY. */
sp_status pfx_gw_volume_map(pfx_gw_client *c, const char *id, const char *sdc_id, int allow_multiple,
                            int *was_mapped, sp_error *err);

/* POST .../action/removeMappedSdc {"sdcId"} or, with sdc_id NULL, {"allSdcs": ""}. Not mapped
 * (errorCode 84) is success. */
sp_status pfx_gw_volume_unmap(pfx_gw_client *c, const char *id, const char *sdc_id, sp_error *err);

/* POST .../action/setMappedSdcLimits {"sdcId", "iopsLimit", "bandwidthLimitInKbps"}; 0 means
 * unlimited. The gateway's rules are checked first (SP_E_INVALID): IOPS 0 or more than 10,
 * bandwidth a multiple of 1024 KB/s. */
sp_status pfx_gw_volume_set_limits(pfx_gw_client *c, const char *id, const char *sdc_id, uint64_t iops,
                                   uint64_t bandwidth_kbps, sp_error *err);

/* GET /instances/Volume::<id>/relationships/Statistics. */
sp_status pfx_gw_volume_get_stats(pfx_gw_client *c, const char *id, pfx_gw_volume_stats *out, sp_error *err);

/* POST /instances/Volume::<dest>/action/overwriteVolumeContent {"srcVolumeId"}: revert dest to
 * the content of src (same V-Tree, else SP_E_INVALID). */
sp_status pfx_gw_volume_overwrite(pfx_gw_client *c, const char *dest_id, const char *src_id, sp_error *err);

typedef struct pfx_gw_snapshot_def {
    const char *volume_id;
    const char *name;
} pfx_gw_snapshot_def;

/* POST /instances/System::<system_id>/action/snapshotVolumes (…/System/action/… when system_id
 * is NULL): one snapshot per def, all in one consistency group. out->ids[i] is the snapshot of
 * defs[i]; an answer with another count is SP_E_PROTOCOL. pfx_gw_snapshot_group_clear releases
 * *out. */
sp_status pfx_gw_snapshot_volumes(pfx_gw_client *c, const char *system_id, const pfx_gw_snapshot_def *defs,
                                  size_t n, pfx_gw_snapshot_group *out, sp_error *err);

/* POST /instances/System::<system_id>/action/removeConsistencyGroupSnapshots {"snapGroupId"}:
 * *removed is the number of snapshots removed. An unknown group is SP_E_NOT_FOUND. */
sp_status pfx_gw_snapshot_group_remove(pfx_gw_client *c, const char *system_id, const char *group_id,
                                       uint64_t *removed, sp_error *err);

#endif
