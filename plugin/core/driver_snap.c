/* driver_snap.c - snapshots on PowerFlex: volume snapshots, VM (group) snapshots, and the
 * template copies ROOT volumes are made from. A snapshot shares its volume's V-Tree, so all of
 * them are one request on the array and cost no copy. */
#include "config.h"

#include "driver_impl.h"
#include "error.h"
#include "hostsvc.h"
#include "naming.h"
#include "qos.h"
#include "retry.h"
#include "sized.h"
#include "sizes.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One snapshot of one volume; *snap_id receives its id. A name already in use is adopted when
 * it is a snapshot of the same volume (a retried request whose first answer was lost). */
static sp_status snapshot_one(sp_pool *pool, const char *src_id, const char *name, char *snap_id, size_t len,
                              sp_error *err)
{
    pfx_gw_snapshot_def def = {src_id, name};
    pfx_gw_snapshot_group group;
    sp_status st;

    st = pfx_gw_snapshot_volumes(pool->gw, pool->system_id, &def, 1, &group, err);
    if (st == SP_OK) {
        snprintf(snap_id, len, "%s", group.ids[0].id);
        pfx_gw_snapshot_group_clear(&group);
        return SP_OK;
    }
    if (pfx_vol_may_have_happened(st)) {
        sp_error why = *err, tmp;
        pfx_gw_volume v;
        if (pfx_vol_lookup(pool, name, snap_id, len, &v, &tmp) == SP_OK) {
            int same = strcmp(v.ancestor_id, src_id) == 0;
            pfx_gw_volume_clear(&v);
            if (same) {
                pfx_log(SP_LOG_WARN, "snapshot %s of %s already existed (%s); using it", name, src_id,
                        snap_id);
                pfx_error_clear(err);
                return SP_OK;
            }
        }
        *err = why;
    }
    return st;
}

sp_status pfx_drv_find_template(sp_pool *pool, uint64_t template_id, sp_volume_info *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "find_template needs a pool and an output");
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "find_template", err);
    return pfx_vol_template_lookup(pool, template_id, out, NULL, 0, err);
}

sp_status pfx_drv_create_from_template(sp_pool *pool, const sp_volume_ref *tmpl, const sp_volume_spec *spec,
                                       sp_volume_info *out, sp_error *err)
{
    char tmpl_id[SP_ID_MAX], name[SP_NAME_MAX], id[SP_ID_MAX];
    uint64_t rounded;
    pfx_limits limits;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (spec == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "create_volume_from_template needs a spec and an output");
    PFX_SIZED(spec, sp_volume_spec, SP_VOLUME_SPEC_SIZE_2_0, "create_volume_from_template", err);
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "create_volume_from_template", err);
    if ((st = pfx_pool_check_usable(pool, "creating a volume", 0, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(tmpl, tmpl_id, sizeof(tmpl_id), err)) != SP_OK)
        return st;
    if ((st = pfx_vol_name(pool, spec->kind, spec->id, spec->parent_id, name, sizeof(name), err)) != SP_OK)
        return st;
    if ((st = pfx_qos_parse(&spec->qos, &limits, err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s", name);
    if ((st = pfx_round_size(spec->size_bytes, name, &rounded, err)) != SP_OK)
        return st;
    /* The snapshot is made with the volume's name: no rename step to undo. */
    if ((st = snapshot_one(pool, tmpl_id, name, id, sizeof(id), err)) != SP_OK)
        return pfx_error_prefix(err, "volume %s from template %s", name, tmpl->path);
    if ((st = pfx_vol_read(pool, id, out, err)) != SP_OK)
        goto undo;
    if (out->size_bytes < rounded) {
        if ((st = pfx_gw_volume_resize(pool->gw, id, pfx_bytes_to_gb(rounded), err)) != SP_OK)
            goto undo;
        out->size_bytes = rounded;
    }
    pfx_log(SP_LOG_INFO, "pool %s: volume %s (%s) made from template %s, %" PRIu64 " GiB", pool->uuid, name,
            id, tmpl->path, pfx_bytes_to_gb(out->size_bytes));
    return SP_OK;
undo : {
    sp_error undo;
    pfx_error_prefix(err, "volume %s from template %s", name, tmpl->path);
    if (pfx_vol_undo_remove(pool, id, &undo) != SP_OK)
        pfx_error_add_undo(err, &undo);
    return st;
}
}

sp_status pfx_drv_create_snapshot(sp_pool *pool, const sp_volume_ref *vol, uint64_t snapshot_id,
                                  sp_volume_info *out, sp_error *err)
{
    char vol_id[SP_ID_MAX], name[SP_NAME_MAX], id[SP_ID_MAX];
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "create_snapshot needs a pool and an output");
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "create_snapshot", err);
    if ((st = pfx_pool_check_usable(pool, "taking a snapshot", 1, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(vol, vol_id, sizeof(vol_id), err)) != SP_OK)
        return st;
    if ((st = pfx_vol_name(pool, SP_VOLUME_SNAPSHOT, snapshot_id, 0, name, sizeof(name), err)) != SP_OK)
        return st;
    if ((st = snapshot_one(pool, vol_id, name, id, sizeof(id), err)) != SP_OK)
        return pfx_error_prefix(err, "snapshot %s of volume %s", name, vol->path);
    if ((st = pfx_vol_read(pool, id, out, err)) != SP_OK) {
        sp_error undo;
        pfx_error_prefix(err, "snapshot %s of volume %s", name, vol->path);
        if (pfx_vol_undo_remove(pool, id, &undo) != SP_OK)
            pfx_error_add_undo(err, &undo);
        return st;
    }
    return SP_OK;
}

sp_status pfx_drv_revert_snapshot(sp_pool *pool, const sp_volume_ref *vol, const sp_volume_ref *snap,
                                  sp_error *err)
{
    char vol_id[SP_ID_MAX], snap_id[SP_ID_MAX];
    sp_status st;

    PFX_ERR_GUARD(err);
    if ((st = pfx_pool_check_usable(pool, "reverting a snapshot", 1, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(vol, vol_id, sizeof(vol_id), err)) != SP_OK ||
        (st = pfx_path_volume_id(snap, snap_id, sizeof(snap_id), err)) != SP_OK)
        return st;
    st = pfx_gw_volume_overwrite(pool->gw, vol_id, snap_id, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "reverting volume %s to snapshot %s", vol->path, snap->path);
    pfx_log(SP_LOG_INFO, "volume %s reverted to snapshot %s", vol->path, snap->path);
    return SP_OK;
}

sp_status pfx_drv_delete_snapshot(sp_pool *pool, const sp_volume_ref *snap, sp_error *err)
{
    /* On PowerFlex a snapshot is a volume of its V-Tree and is removed like one. */
    return pfx_vol_delete(pool, snap, err);
}

/* A snapshotVolumes whose answer was lost may still have made the group: when every name is a
 * snapshot of its own volume and all share one consistency group, that group is the answer
 * (filled into *out, SP_OK). Anything else is SP_E_NOT_FOUND and *out is left empty. The names
 * are looked up one by one (queryIdByKey takes one), the snapshots then read in one request. */
static sp_status find_group(sp_pool *pool, const pfx_gw_snapshot_def *defs, size_t n,
                            pfx_gw_snapshot_group *out)
{
    pfx_gw_volume_list found;
    const char **ids = NULL;
    sp_status st = SP_OK;
    sp_error tmp;
    size_t i;

    memset(&found, 0, sizeof(found));
    pfx_gw_snapshot_group_clear(out);
    if ((out->ids = calloc(n, sizeof(*out->ids))) == NULL || (ids = calloc(n, sizeof(*ids))) == NULL) {
        st = SP_E_NOMEM;
        goto out;
    }
    out->n = n;
    for (i = 0; i < n; i++) {
        if (pfx_gw_volume_id_by_name(pool->gw, defs[i].name, out->ids[i].id, sizeof(out->ids[i].id), &tmp) !=
            SP_OK) {
            st = SP_E_NOT_FOUND;
            goto out;
        }
        ids[i] = out->ids[i].id;
    }
    if (pfx_gw_volume_get_many(pool->gw, ids, n, &found, &tmp) != SP_OK) {
        st = SP_E_NOT_FOUND;
        goto out;
    }
    snprintf(out->group_id, sizeof(out->group_id), "%s", found.items[0].consistency_group_id);
    for (i = 0; i < n && st == SP_OK; i++) {
        const pfx_gw_volume *v = &found.items[i];
        if (strcmp(v->ancestor_id, defs[i].volume_id) != 0 || v->consistency_group_id[0] == '\0' ||
            strcmp(v->consistency_group_id, out->group_id) != 0)
            st = SP_E_NOT_FOUND;
    }
out:
    pfx_gw_volume_list_clear(&found);
    free(ids);
    if (st != SP_OK)
        pfx_gw_snapshot_group_clear(out);
    return st;
}

sp_status pfx_drv_create_vm_snapshot(sp_pool *pool, uint64_t vm_snapshot_id, const sp_volume_ref *vols,
                                     const uint64_t *vol_ids, size_t n, sp_snapshot_group_info *group_out,
                                     sp_volume_info *snaps_out, sp_error *err)
{
    pfx_gw_snapshot_def *defs = NULL;
    char(*names)[SP_NAME_MAX] = NULL, (*ids)[SP_ID_MAX] = NULL;
    const char **snap_ids = NULL;
    pfx_gw_snapshot_group group;
    pfx_gw_volume_list read;
    sp_status st;
    uint32_t stride;
    size_t i;

    PFX_ERR_GUARD(err);
    memset(&group, 0, sizeof(group));
    memset(&read, 0, sizeof(read));
    if (pool == NULL || vols == NULL || vol_ids == NULL || group_out == NULL || snaps_out == NULL || n == 0)
        return pfx_error(err, SP_E_INVALID,
                         "create_vm_snapshot needs a pool, at least one volume and outputs");
    PFX_SIZED(group_out, sp_snapshot_group_info, SP_SNAPSHOT_GROUP_INFO_SIZE_2_0, "create_vm_snapshot", err);
    if ((st = pfx_sized_check_array(snaps_out, n, SP_VOLUME_INFO_SIZE_2_0, "sp_volume_info",
                                    "create_vm_snapshot", err)) != SP_OK)
        return st;
    stride = snaps_out->struct_size;
    if ((st = pfx_pool_check_usable(pool, "taking a VM snapshot", 1, err)) != SP_OK)
        return st;
    defs = calloc(n, sizeof(*defs));
    names = calloc(n, sizeof(*names));
    ids = calloc(n, sizeof(*ids));
    snap_ids = calloc(n, sizeof(*snap_ids));
    if (defs == NULL || names == NULL || ids == NULL || snap_ids == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "VM snapshot %" PRIu64 ": out of memory", vm_snapshot_id);
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((st = pfx_path_volume_id(&vols[i], ids[i], sizeof(ids[i]), err)) != SP_OK ||
            (st = pfx_vol_name(pool, SP_VOLUME_VM_SNAPSHOT, vm_snapshot_id, vol_ids[i], names[i],
                               sizeof(names[i]), err)) != SP_OK)
            goto out;
        defs[i].volume_id = ids[i];
        defs[i].name = names[i];
    }
    /* One request for all volumes: the array makes them one consistency group. */
    st = pfx_gw_snapshot_volumes(pool->gw, pool->system_id, defs, n, &group, err);
    if (pfx_vol_may_have_happened(st) && find_group(pool, defs, n, &group) == SP_OK) {
        pfx_log(SP_LOG_WARN, "VM snapshot %" PRIu64 ": consistency group %s already existed; using it",
                vm_snapshot_id, group.group_id);
        pfx_error_clear(err);
        st = SP_OK;
    }
    if (st != SP_OK) {
        pfx_error_prefix(err, "VM snapshot %" PRIu64, vm_snapshot_id);
        goto out;
    }
    /* All the snapshots in one request: their sizes and V-Trees are not in the answer above. */
    for (i = 0; i < n; i++)
        snap_ids[i] = group.ids[i].id;
    st = pfx_gw_volume_get_many(pool->gw, snap_ids, n, &read, err);
    if (st != SP_OK) {
        sp_error undo;
        uint64_t removed = 0;
        int tries = 0;
        sp_status u;
        pfx_error_prefix(err, "VM snapshot %" PRIu64 ": reading its %zu snapshot(s) back", vm_snapshot_id, n);
        while ((u = pfx_gw_snapshot_group_remove(pool->gw, pool->system_id, group.group_id, &removed,
                                                 &undo)) != SP_OK &&
               pfx_retry_again(&undo, &tries))
            ;
        /* Not found on a repeat: the earlier try removed it and its answer was lost. */
        if (u != SP_OK && !(u == SP_E_NOT_FOUND && tries > 0))
            pfx_error_add_undo(err, &undo);
        goto out;
    }
    for (i = 0; i < n; i++)
        pfx_volume_info_from_gw(pool, &read.items[i], PFX_AT(sp_volume_info, snaps_out, stride, i));
    memset(group_out, 0, sizeof(*group_out));
    group_out->struct_size = sizeof(*group_out);
    snprintf(group_out->group_id, sizeof(group_out->group_id), "%s", group.group_id);
    group_out->n_snapshots = n;
    pfx_log(SP_LOG_INFO, "VM snapshot %" PRIu64 ": consistency group %s over %zu volume(s)", vm_snapshot_id,
            group.group_id, n);
out:
    pfx_gw_volume_list_clear(&read);
    pfx_gw_snapshot_group_clear(&group);
    free(defs);
    free(names);
    free(ids);
    free(snap_ids);
    return st;
}

/* The name of the safety copy of one volume, from its VM snapshot's name (naming.h): the path's
 * name part, or the snapshot read back when the path has none. */
static sp_status safety_name(sp_pool *pool, const sp_volume_ref *snap, const char *snap_id, char *buf,
                             size_t len, sp_error *err)
{
    const char *colon = strchr(snap->path, ':');
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_status st;

    if (colon != NULL && colon[1] != '\0')
        return pfx_safety_name(colon + 1, buf, len, err);
    if ((st = pfx_vol_read(pool, snap_id, &info, err)) != SP_OK)
        return st;
    return pfx_safety_name(info.name, buf, len, err);
}

/* Safety copies an interrupted revert of the same VM snapshot left (a kill between taking them and
 * removing them): their names are the ones this revert takes, so they go first. What they hold is
 * not needed: the revert that follows overwrites every volume. */
static sp_status remove_leftover_safety(sp_pool *pool, const pfx_gw_snapshot_def *defs, size_t n,
                                        sp_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char id[SP_ID_MAX];
        pfx_gw_volume v;
        sp_status st = pfx_vol_lookup(pool, defs[i].name, id, sizeof(id), &v, err);
        if (st == SP_E_NOT_FOUND)
            continue;
        if (st != SP_OK)
            return st;
        pfx_gw_volume_clear(&v);
        pfx_log(SP_LOG_WARN, "VM snapshot revert: removing safety copy %s (%s) an interrupted revert left",
                defs[i].name, id);
        if ((st = pfx_vol_undo_remove(pool, id, err)) != SP_OK)
            return st;
    }
    pfx_error_clear(err);
    return SP_OK;
}

sp_status pfx_drv_revert_vm_snapshot(sp_pool *pool, const sp_volume_ref *vols, const sp_volume_ref *snaps,
                                     size_t n, sp_error *err)
{
    pfx_gw_snapshot_def *defs = NULL;
    char(*vol_ids)[SP_ID_MAX] = NULL, (*snap_ids)[SP_ID_MAX] = NULL, (*names)[SP_NAME_MAX] = NULL;
    pfx_gw_snapshot_group safety;
    size_t i, done = 0;
    sp_status st;

    PFX_ERR_GUARD(err);
    memset(&safety, 0, sizeof(safety));
    if (pool == NULL || vols == NULL || snaps == NULL || n == 0)
        return pfx_error(err, SP_E_INVALID, "revert_vm_snapshot needs a pool and at least one volume");
    if ((st = pfx_pool_check_usable(pool, "reverting a VM snapshot", 1, err)) != SP_OK)
        return st;
    defs = calloc(n, sizeof(*defs));
    vol_ids = calloc(n, sizeof(*vol_ids));
    snap_ids = calloc(n, sizeof(*snap_ids));
    names = calloc(n, sizeof(*names));
    if (defs == NULL || vol_ids == NULL || snap_ids == NULL || names == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "VM snapshot revert: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((st = pfx_path_volume_id(&vols[i], vol_ids[i], sizeof(vol_ids[i]), err)) != SP_OK ||
            (st = pfx_path_volume_id(&snaps[i], snap_ids[i], sizeof(snap_ids[i]), err)) != SP_OK ||
            (st = safety_name(pool, &snaps[i], snap_ids[i], names[i], sizeof(names[i]), err)) != SP_OK)
            goto out;
        defs[i].volume_id = vol_ids[i];
        defs[i].name = names[i];
    }
    /* The volumes as they are now, so that a revert failing half way can be put back. */
    st = pfx_gw_snapshot_volumes(pool->gw, pool->system_id, defs, n, &safety, err);
    if (st == SP_E_EXISTS) {
        sp_error why = *err;
        if (remove_leftover_safety(pool, defs, n, err) != SP_OK) {
            pfx_error_add_undo(&why, err);
            *err = why;
        } else {
            st = pfx_gw_snapshot_volumes(pool->gw, pool->system_id, defs, n, &safety, err);
        }
    }
    if (st != SP_OK) {
        pfx_error_prefix(err, "VM snapshot revert: taking the safety snapshot first");
        goto out;
    }
    for (done = 0; done < n; done++) {
        st = pfx_gw_volume_overwrite(pool->gw, vol_ids[done], snap_ids[done], err);
        if (st != SP_OK)
            break;
    }
    if (st != SP_OK) {
        size_t failed_putbacks = 0;
        pfx_error_prefix(err, "VM snapshot revert: volume %s", vols[done].path);
        for (i = 0; i < done; i++) {
            sp_error undo;
            int tries = 0;
            sp_status u;
            while ((u = pfx_gw_volume_overwrite(pool->gw, vol_ids[i], safety.ids[i].id, &undo)) != SP_OK &&
                   pfx_retry_again(&undo, &tries))
                ;
            if (u != SP_OK) {
                pfx_error_add_undo(err, &undo);
                failed_putbacks++;
            }
        }
        if (failed_putbacks > 0) {
            /* Keep the safety group: it is the only copy of what those volumes held. */
            size_t len = strlen(err->message);
            snprintf(err->message + len, sizeof(err->message) - len,
                     "; %zu volume(s) could not be put back: their content before the revert is kept in "
                     "snapshot group %s",
                     failed_putbacks, safety.group_id);
            goto out;
        }
        pfx_log(SP_LOG_WARN, "VM snapshot revert failed; the %zu volume(s) already reverted were put back",
                done);
    }
    {
        sp_error rm;
        uint64_t removed = 0;
        if (pfx_gw_snapshot_group_remove(pool->gw, pool->system_id, safety.group_id, &removed, &rm) != SP_OK)
            pfx_log(SP_LOG_ERROR, "VM snapshot revert: removing safety snapshot group %s failed: %s",
                    safety.group_id, rm.message);
    }
out:
    pfx_gw_snapshot_group_clear(&safety);
    free(defs);
    free(vol_ids);
    free(snap_ids);
    free(names);
    return st;
}

sp_status pfx_drv_delete_vm_snapshot(sp_pool *pool, const char *group_id, sp_error *err)
{
    uint64_t removed = 0;
    int tries = 0;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (pool == NULL || group_id == NULL || group_id[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "delete_vm_snapshot needs a pool and a group id");
    /* Safe to repeat (a group already gone is done, below), and sent again while the gateway
     * fails in passing: an answer lost after the array removed the group must not leave the host
     * keeping a VM snapshot the array no longer has (an expunge removes a VM's groups first). */
    while ((st = pfx_gw_snapshot_group_remove(pool->gw, pool->system_id, group_id, &removed, err)) != SP_OK &&
           st != SP_E_NOT_FOUND && pfx_retry_again(err, &tries))
        ;
    if (st == SP_E_NOT_FOUND) {
        pfx_log(SP_LOG_INFO, "snapshot group %s is already gone", group_id);
        pfx_error_clear(err);
        return SP_OK;
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "deleting VM snapshot group %s", group_id);
    pfx_log(SP_LOG_INFO, "snapshot group %s removed (%" PRIu64 " snapshot(s))", group_id, removed);
    return SP_OK;
}
