/* driver.c - the Driver vtable (CloudStack's PrimaryDataStoreDriver). Volumes are the volume
 * service's (core/volume.c); snapshots, access and migration are driver_snap.c, driver_access.c
 * and driver_migrate.c's. */
#include "config.h"

#include "capacity.h"
#include "client.h"
#include "driver_impl.h"
#include "plugin.h"

const sp_driver_ops pfx_driver_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_driver_ops),
    .create_volume = pfx_vol_create,
    .delete_volume = pfx_vol_delete,
    .resize_volume = pfx_vol_resize,
    .get_volume = pfx_vol_get,
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
    .get_capacity = pfx_capacity_get,
    .list_volumes = pfx_vol_list,
    .find_volume = pfx_vol_find,
    .check_host_access = pfx_drv_check_host_access,
    .get_custom_stats = pfx_drv_custom_stats,
};
