/* driver.c - the Driver vtable (CloudStack's PrimaryDataStoreDriver) and its volume operations:
 * create, delete, resize, read, list, capacity. Snapshots, access and migration live in
 * driver_snap.c, driver_access.c and driver_migrate.c. */
#include "config.h"

#include "capacity.h"
#include "driver_impl.h"
#include "error.h"
#include "gateway_vtree.h"
#include "hostsvc.h"
#include "naming.h"
#include "plugin.h"
#include "qos.h"
#include "sizes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void pfx_drv_add_undo_failure(sp_error *err, const sp_error *undo)
{
    size_t len;

    if (err == NULL || undo == NULL)
        return;
    len = strlen(err->message);
    /* Cut at the buffer's end: the failure itself comes first in the message. */
    if (len < sizeof(err->message) - 1 &&
        snprintf(err->message + len, sizeof(err->message) - len, "; undo failed: %s", undo->message) < 0)
        err->message[len] = '\0';
}

int pfx_drv_undo_again(const sp_error *failed, int *tries)
{
    static const long pause_ms[] = {100, 300, 900};
    sp_status st = failed->status;
    int transient = st == SP_E_UNAVAILABLE || st == SP_E_TIMEOUT || st == SP_E_PROTOCOL ||
                    (st == SP_E_GATEWAY && failed->http_status >= 500 && failed->gateway_error_code <= 0);

    if (!transient || *tries >= (int)(sizeof(pause_ms) / sizeof(pause_ms[0])))
        return 0;
    pfx_log(SP_LOG_WARN, "undo step failed in passing (%s); trying again in %ld ms", failed->message,
            pause_ms[*tries]);
    nanosleep(&(struct timespec){pause_ms[*tries] / 1000, (pause_ms[*tries] % 1000) * 1000000L}, NULL);
    (*tries)++;
    return 1;
}

sp_status pfx_drv_name(sp_pool *pool, sp_volume_kind kind, uint64_t id, uint64_t parent_id, char *buf,
                       size_t len, sp_error *err)
{
    char ident[64];
    sp_status st = pfx_pool_identifier(ident, sizeof(ident), err);
    if (st != SP_OK)
        return st;
    return pfx_object_name(kind, id, parent_id, pool->pool_key, ident, buf, len, err);
}

sp_status pfx_drv_read(sp_pool *pool, const char *id, sp_volume_info *out, sp_error *err)
{
    pfx_gw_volume v;
    sp_status st = pfx_gw_volume_get(pool->gw, id, &v, err);
    if (st != SP_OK)
        return st;
    pfx_volume_info_from_gw(pool, &v, out);
    pfx_gw_volume_clear(&v);
    return SP_OK;
}

sp_status pfx_drv_remove(sp_pool *pool, const char *id, sp_error *err)
{
    sp_status st = pfx_gw_volume_delete(pool->gw, id, PFX_GW_REMOVE_ONLY_ME, err);

    /* Deleting a mapped volume is rare (the host revokes first), so the unmap is only sent
     * when the array says it is needed: one request in the common case. */
    if (st == SP_E_BUSY) {
        pfx_log(SP_LOG_INFO, "volume %s is still mapped; unmapping it from every SDC before removing it", id);
        st = pfx_gw_volume_unmap(pool->gw, id, NULL, err);
        if (st == SP_OK)
            st = pfx_gw_volume_delete(pool->gw, id, PFX_GW_REMOVE_ONLY_ME, err);
    }
    return st;
}

sp_status pfx_drv_undo_remove(sp_pool *pool, const char *id, sp_error *undo)
{
    int tries = 0;
    sp_status st;

    while ((st = pfx_drv_remove(pool, id, undo)) != SP_OK && pfx_drv_undo_again(undo, &tries))
        ;
    return st;
}

int pfx_drv_may_have_happened(sp_status st)
{
    /* A 500 without a known refusal code (a gateway that failed after the MDM acted) and a
     * garbled answer are as ambiguous as a lost one. */
    return st == SP_E_EXISTS || st == SP_E_TIMEOUT || st == SP_E_UNAVAILABLE || st == SP_E_GATEWAY ||
           st == SP_E_PROTOCOL;
}

sp_status pfx_drv_lookup(sp_pool *pool, const char *name, char *id, size_t id_len, pfx_gw_volume *v, sp_error *err)
{
    int tries = 0;
    sp_status st;

    while ((st = pfx_gw_volume_id_by_name(pool->gw, name, id, id_len, err)) != SP_OK && pfx_drv_undo_again(err, &tries))
        ;
    if (st != SP_OK)
        return st;
    tries = 0;
    while ((st = pfx_gw_volume_get(pool->gw, id, v, err)) != SP_OK && pfx_drv_undo_again(err, &tries))
        ;
    return st;
}

/* A create whose answer was lost, or retried by the host, finds its volume already made: adopt
 * it when it is exactly what was asked (this pool, this size; with unmapped_only, mapped to no
 * SDC, as a volume made a moment ago is), so the operation completes. */
static sp_status adopt_existing(sp_pool *pool, const char *name, uint64_t size_kb, int unmapped_only,
                                const sp_error *why, char *id, size_t id_len, sp_error *err)
{
    pfx_gw_volume v;
    sp_error lookup;
    sp_status st;

    st = pfx_drv_lookup(pool, name, id, id_len, &v, &lookup);
    if (st != SP_OK)
        goto refuse;
    if (strcmp(v.storage_pool_id, pool->pool_id) != 0 || v.size_kb != size_kb || v.type == PFX_GW_VOLUME_SNAPSHOT ||
        (unmapped_only && (v.n_mappings > 0 || v.mapped_to_all))) {
        pfx_gw_volume_clear(&v);
        goto refuse;
    }
    pfx_gw_volume_clear(&v);
    pfx_log(SP_LOG_WARN, "volume %s already existed with the requested pool and size (%s); using it", name, id);
    pfx_error_clear(err);
    return SP_OK;
refuse:
    id[0] = '\0';
    *err = *why;
    return why->status;
}

static sp_status create_volume(sp_pool *pool, const sp_volume_spec *spec, int must_be_new, sp_volume_info *out,
                               sp_error *err)
{
    char name[SP_NAME_MAX];
    uint64_t rounded;
    pfx_limits limits;
    pfx_gw_volume_spec gs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "create_volume needs a spec and an output");
    if ((st = pfx_pool_check_usable(pool, "creating a volume", 0, err)) != SP_OK)
        return st;
    if (spec->kind == SP_VOLUME_SNAPSHOT || spec->kind == SP_VOLUME_VM_SNAPSHOT)
        return pfx_error(err, SP_E_INVALID, "snapshots are made from volumes (create_snapshot), not created blank");
    if ((st = pfx_drv_name(pool, spec->kind, spec->id, spec->parent_id, name, sizeof(name), err)) != SP_OK)
        return st;
    /* QoS is checked when the offering is used, not first at the grant. */
    if ((st = pfx_qos_parse(&spec->qos, &limits, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", name);
    if ((st = pfx_round_size(spec->size_bytes, name, &rounded, err)) != SP_OK)
        return st;
    memset(&gs, 0, sizeof(gs));
    gs.name = name;
    gs.pool_id = pool->pool_id;
    gs.size_kb = pfx_bytes_to_kb(rounded);
    gs.thick = spec->provisioning == SP_PROVISION_THICK;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_volume_create(pool->gw, &gs, out->id, sizeof(out->id), err);
    if (st == SP_E_EXISTS && spec->kind == SP_VOLUME_TEMPLATE) {
        /* The name is held: by a copy a V-Tree migration carried to another pool (this pool's
         * copy then takes the next free name), or by this pool's own (adopted below). */
        sp_volume_info here;
        sp_error why = *err, look;
        char free_name[SP_NAME_MAX] = "";
        sp_status ls = pfx_drv_template_lookup(pool, spec->id, &here, free_name, sizeof(free_name), &look);
        if (ls == SP_E_NOT_FOUND && strcmp(free_name, name) != 0) {
            snprintf(name, sizeof(name), "%s", free_name);
            pfx_error_clear(err);
            st = pfx_gw_volume_create(pool->gw, &gs, out->id, sizeof(out->id), err);
        } else {
            if (ls == SP_OK)
                snprintf(name, sizeof(name), "%s", here.name);
            *err = why;
        }
    }
    if (st == SP_E_EXISTS && must_be_new) {
        /* The array answered that the name was taken before this request: not ours to adopt. */
        char other[SP_ID_MAX];
        sp_error lookup;
        out->id[0] = '\0';
        if (pfx_gw_volume_id_by_name(pool->gw, name, other, sizeof(other), &lookup) == SP_OK)
            return pfx_error(err, SP_E_EXISTS, "pool %s already has a volume %s (%s); delete it or pick another id",
                             pool->uuid, name, other);
        return st;
    }
    if (pfx_drv_may_have_happened(st)) {
        sp_error why = *err;
        st = adopt_existing(pool, name, gs.size_kb, must_be_new, &why, out->id, sizeof(out->id), err);
    }
    if (st != SP_OK)
        return st;
    snprintf(out->path, sizeof(out->path), "%s:%s", out->id, name);
    snprintf(out->name, sizeof(out->name), "%s", name);
    snprintf(out->array_pool_id, sizeof(out->array_pool_id), "%s", pool->pool_id);
    snprintf(out->system_id, sizeof(out->system_id), "%s", pool->system_id);
    /* The array rounds exactly as we did, so the size is known without reading it back. */
    out->size_bytes = rounded;
    out->provisioning = spec->provisioning;
    out->format = SP_FORMAT_RAW;
    pfx_log(SP_LOG_INFO, "pool %s: created volume %s (%s), %" PRIu64 " GiB %s", pool->uuid, name, out->id,
            pfx_bytes_to_gb(rounded), gs.thick ? "thick" : "thin");
    return SP_OK;
}

sp_status pfx_drv_create_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    return create_volume(pool, spec, 0, out, err);
}

sp_status pfx_drv_create_new_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    return create_volume(pool, spec, 1, out, err);
}

sp_status pfx_drv_delete_volume(sp_pool *pool, const sp_volume_ref *vol, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "delete_volume: no pool handle given");
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    st = pfx_drv_remove(pool, id, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "deleting volume %s", vol->path);
    pfx_log(SP_LOG_INFO, "pool %s: deleted volume %s", pool->uuid, vol->path);
    return SP_OK;
}

static sp_status resize_volume(sp_pool *pool, const sp_volume_ref *vol, uint64_t new_size_bytes,
                               sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX];
    uint64_t rounded;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "resize_volume needs a pool and an output");
    if ((st = pfx_pool_check_usable(pool, "resizing a volume", 0, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_round_size(new_size_bytes, vol->path, &rounded, err)) != SP_OK)
        return st;
    st = pfx_gw_volume_resize(pool->gw, id, pfx_bytes_to_gb(rounded), err);
    if (st == SP_OK)
        return pfx_drv_read(pool, id, out, err);
    /* Refused: say why in the host's terms, reading the volume only now that it matters. */
    if (st == SP_E_INVALID || st == SP_E_GATEWAY) {
        sp_volume_info cur;
        sp_error rd;
        if (pfx_drv_read(pool, id, &cur, &rd) == SP_OK) {
            if (cur.size_bytes == rounded) {
                *out = cur;
                pfx_error_clear(err);
                return SP_OK; /* already that size: nothing to do */
            }
            if (cur.size_bytes > rounded)
                return pfx_error(err, SP_E_INVALID,
                                 "volume %s is %" PRIu64 " GiB; PowerFlex volumes only grow (asked %" PRIu64
                                 " GiB after rounding to 8 GiB)",
                                 vol->path, pfx_bytes_to_gb(cur.size_bytes), pfx_bytes_to_gb(rounded));
        }
    }
    return pfx_error_prefix(err, "resizing volume %s", vol->path);
}

static sp_status get_volume(sp_pool *pool, const sp_volume_ref *vol, sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX];
    pfx_gw_vtree_stats vs;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "get_volume needs a pool and an output");
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_drv_read(pool, id, out, err)) != SP_OK)
        return st;
    if (out->tree_id[0] != '\0' && pfx_gw_vtree_get_stats(pool->gw, out->tree_id, &vs, err) == SP_OK)
        out->used_bytes = pfx_kb_to_bytes(vs.net_provisioned_addresses_kb.value);
    pfx_error_clear(err);
    return SP_OK;
}

static sp_status get_capacity(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    return pfx_capacity_read(pool, out, err);
}

static sp_status list_volumes(sp_pool *pool, void (*each)(void *ctx, const sp_volume_info *vol), void *ctx,
                              sp_error *err)
{
    pfx_gw_volume_list list;
    char ident[64];
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || each == NULL)
        return pfx_error(err, SP_E_INVALID, "list_volumes needs a pool and a callback");
    if ((st = pfx_pool_identifier(ident, sizeof(ident), err)) != SP_OK)
        return st;
    if ((st = pfx_gw_volume_list_in_pool(pool->gw, pool->pool_id, &list, err)) != SP_OK)
        return pfx_error_prefix(err, "pool %s", pool->uuid);
    for (size_t i = 0; i < list.n; i++) {
        sp_volume_info info;
        /* Any pool key: volumes moved here by a V-Tree migration keep the name they were made
         * with in another pool. */
        if (!pfx_name_is_ours(list.items[i].name, NULL, ident))
            continue;
        pfx_volume_info_from_gw(pool, &list.items[i], &info);
        each(ctx, &info);
    }
    pfx_gw_volume_list_clear(&list);
    return SP_OK;
}

static sp_status find_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err)
{
    char name[SP_NAME_MAX], id[SP_ID_MAX];
    pfx_gw_volume v;
    sp_status st;
    int here;

    PFX_ERR_GUARD(err);
    if (pool == NULL || spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "find_volume needs a pool, a spec and an output");
    if (spec->kind == SP_VOLUME_TEMPLATE)
        return pfx_drv_template_lookup(pool, spec->id, out, NULL, 0, err);
    if ((st = pfx_drv_name(pool, spec->kind, spec->id, spec->parent_id, name, sizeof(name), err)) != SP_OK)
        return st;
    st = pfx_drv_lookup(pool, name, id, sizeof(id), &v, err);
    if (st == SP_E_NOT_FOUND)
        return pfx_error(err, SP_E_NOT_FOUND, "pool %s has no volume %s", pool->uuid, name);
    if (st != SP_OK)
        return pfx_error_prefix(err, "looking for volume %s", name);
    here = strcmp(v.storage_pool_id, pool->pool_id) == 0;
    if (here)
        pfx_volume_info_from_gw(pool, &v, out);
    else
        pfx_error(err, SP_E_NOT_FOUND, "volume %s (%s) is in storage pool %s, not in pool %s (%s)", name, id,
                  v.storage_pool_id, pool->uuid, pool->pool_id);
    pfx_gw_volume_clear(&v);
    return here ? SP_OK : SP_E_NOT_FOUND;
}

const sp_driver_ops pfx_driver_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_driver_ops),
    .create_volume = pfx_drv_create_volume,
    .delete_volume = pfx_drv_delete_volume,
    .resize_volume = resize_volume,
    .get_volume = get_volume,
    .find_template = pfx_drv_find_template,
    .create_volume_from_template = pfx_drv_create_from_template,
    .create_snapshot = pfx_drv_create_snapshot,
    .revert_snapshot = pfx_drv_revert_snapshot,
    .delete_snapshot = pfx_drv_delete_snapshot,
    .create_vm_snapshot = pfx_drv_create_vm_snapshot,
    .revert_vm_snapshot = pfx_drv_revert_vm_snapshot,
    .delete_vm_snapshot = pfx_drv_delete_vm_snapshot,
    .grant_access = pfx_drv_grant,
    .revoke_access = pfx_drv_revoke,
    .migration_kind = pfx_drv_migration_kind,
    .migrate_volume = pfx_drv_migrate,
    .get_capacity = get_capacity,
    .list_volumes = list_volumes,
    .find_volume = find_volume,
};
