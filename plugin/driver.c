/* driver.c - the Driver vtable: volume, snapshot, template, access and migration operations on
 * the array (CloudStack's PrimaryDataStoreDriver). */
#include "config.h"

#include "error.h"
#include "plugin.h"

static sp_status create_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out,
                               sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.create_volume");
}

static sp_status delete_volume(sp_pool *pool, const sp_volume_ref *vol, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.delete_volume");
}

static sp_status resize_volume(sp_pool *pool, const sp_volume_ref *vol, uint64_t new_size_bytes,
                               sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.resize_volume");
}

static sp_status get_volume(sp_pool *pool, const sp_volume_ref *vol, sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.get_volume");
}

static sp_status find_template(sp_pool *pool, uint64_t template_id, sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.find_template");
}

static sp_status create_volume_from_template(sp_pool *pool, const sp_volume_ref *template_vol,
                                             const sp_volume_spec *spec, sp_volume_info *out,
                                             sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.create_volume_from_template");
}

static sp_status create_snapshot(sp_pool *pool, const sp_volume_ref *vol, uint64_t snapshot_id,
                                 sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.create_snapshot");
}

static sp_status revert_snapshot(sp_pool *pool, const sp_volume_ref *vol, const sp_volume_ref *snap,
                                 sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.revert_snapshot");
}

static sp_status delete_snapshot(sp_pool *pool, const sp_volume_ref *snap, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.delete_snapshot");
}

static sp_status create_vm_snapshot(sp_pool *pool, uint64_t vm_snapshot_id, const sp_volume_ref *vols,
                                    const uint64_t *vol_ids, size_t n, sp_snapshot_group_info *group_out,
                                    sp_volume_info *snaps_out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.create_vm_snapshot");
}

static sp_status revert_vm_snapshot(sp_pool *pool, const sp_volume_ref *vols, const sp_volume_ref *snaps,
                                    size_t n, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.revert_vm_snapshot");
}

static sp_status delete_vm_snapshot(sp_pool *pool, const char *group_id, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.delete_vm_snapshot");
}

static sp_status grant_access(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                              const sp_qos *qos, int allow_multiple, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.grant_access");
}

static sp_status revoke_access(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                               sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.revoke_access");
}

static sp_status migration_kind(sp_pool *src, sp_pool *dest, sp_migration_kind *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.migration_kind");
}

static sp_status migrate_volume(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                const sp_progress *progress, sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.migrate_volume");
}

static sp_status get_capacity(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.get_capacity");
}

static sp_status list_volumes(sp_pool *pool, void (*each)(void *ctx, const sp_volume_info *vol), void *ctx,
                              sp_error *err)
{
    return PFX_UNSUPPORTED(err, "driver.list_volumes");
}

const sp_driver_ops pfx_driver_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_driver_ops),
    .create_volume = create_volume,
    .delete_volume = delete_volume,
    .resize_volume = resize_volume,
    .get_volume = get_volume,
    .find_template = find_template,
    .create_volume_from_template = create_volume_from_template,
    .create_snapshot = create_snapshot,
    .revert_snapshot = revert_snapshot,
    .delete_snapshot = delete_snapshot,
    .create_vm_snapshot = create_vm_snapshot,
    .revert_vm_snapshot = revert_vm_snapshot,
    .delete_vm_snapshot = delete_vm_snapshot,
    .grant_access = grant_access,
    .revoke_access = revoke_access,
    .migration_kind = migration_kind,
    .migrate_volume = migrate_volume,
    .get_capacity = get_capacity,
    .list_volumes = list_volumes,
};
