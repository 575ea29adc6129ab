/* driver_impl.h - the Driver's operations beyond the volume service (volume.h): snapshots and
 * templates, grant and revoke, migration, one file each; the Driver's table points at them. */
#ifndef PFX_DRIVER_IMPL_H
#define PFX_DRIVER_IMPL_H

#include "poolhandle.h"
#include "storage_plugin.h"
#include "volume.h"

/* driver_snap.c: snapshots, VM snapshots and templates */
sp_status pfx_drv_find_template(sp_pool *pool, uint64_t template_id, sp_volume_info *out, sp_error *err);
sp_status pfx_drv_create_from_template(sp_pool *pool, const sp_volume_ref *tmpl, const sp_volume_spec *spec,
                                       sp_volume_info *out, sp_error *err);
sp_status pfx_drv_create_snapshot(sp_pool *pool, const sp_volume_ref *vol, uint64_t snapshot_id,
                                  sp_volume_info *out, sp_error *err);
sp_status pfx_drv_revert_snapshot(sp_pool *pool, const sp_volume_ref *vol, const sp_volume_ref *snap,
                                  sp_error *err);
sp_status pfx_drv_delete_snapshot(sp_pool *pool, const sp_volume_ref *snap, sp_error *err);
sp_status pfx_drv_create_vm_snapshot(sp_pool *pool, uint64_t vm_snapshot_id, const sp_volume_ref *vols,
                                     const uint64_t *vol_ids, size_t n, sp_snapshot_group_info *group_out,
                                     sp_volume_info *snaps_out, sp_error *err);
sp_status pfx_drv_revert_vm_snapshot(sp_pool *pool, const sp_volume_ref *vols, const sp_volume_ref *snaps,
                                     size_t n, sp_error *err);
sp_status pfx_drv_delete_vm_snapshot(sp_pool *pool, const char *group_id, sp_error *err);

/* driver_access.c: grant and revoke */
sp_status pfx_drv_grant(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host, const sp_qos *qos,
                        int allow_multiple, sp_error *err);
sp_status pfx_drv_revoke(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host, sp_error *err);

/* driver_migrate.c: migration between pools */
sp_status pfx_drv_migration_kind(sp_pool *src, sp_pool *dest, sp_migration_kind *out, sp_error *err);
sp_status pfx_drv_migrate(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest, const sp_progress *progress,
                          sp_volume_info *out, sp_error *err);

#endif
