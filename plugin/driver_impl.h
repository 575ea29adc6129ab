/* driver_impl.h - what the Driver's files share: the operations of each file and the small
 * steps several of them take (removing a volume, reading one back, reporting failed undos). */
#ifndef PFX_DRIVER_IMPL_H
#define PFX_DRIVER_IMPL_H

#include "gateway_volume.h"
#include "poolhandle.h"
#include "storage_plugin.h"

/* driver.c: volumes */
sp_status pfx_drv_create_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);
/* create_volume for a volume that must not exist before (a copy's target): a name the array
 * answers is in use (errorCode 99) was taken before the request, so it is SP_E_EXISTS naming the
 * volume that has it, never adopted. Only an ambiguous failure (an answer lost) adopts the volume
 * found by name, and only when it is what was asked and mapped to no SDC. */
sp_status pfx_drv_create_new_volume(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out,
                                    sp_error *err);
sp_status pfx_drv_delete_volume(sp_pool *pool, const sp_volume_ref *vol, sp_error *err);

/* Removes a volume or snapshot (ONLY_ME); a mapped one is unmapped from every SDC and removed
 * again. Already gone is SP_OK. */
sp_status pfx_drv_remove(sp_pool *pool, const char *id, sp_error *err);

/* Finds an object by name and reads it into v (the caller clears it), each request sent again
 * while the gateway fails in passing: a lost answer's adoption depends on this look-up, and
 * giving up on it leaks what the array made. SP_E_NOT_FOUND when no object has the name. */
sp_status pfx_drv_lookup(sp_pool *pool, const char *name, char *id, size_t id_len, pfx_gw_volume *v, sp_error *err);

/* pfx_drv_remove as an undo step: sent again while the gateway fails in passing. */
sp_status pfx_drv_undo_remove(sp_pool *pool, const char *id, sp_error *undo);

/* GET the volume and fill info (path "<id>:<name>", sizes, ids). */
sp_status pfx_drv_read(sp_pool *pool, const char *id, sp_volume_info *out, sp_error *err);

/* The name for a new object of this pool. */
sp_status pfx_drv_name(sp_pool *pool, sp_volume_kind kind, uint64_t id, uint64_t parent_id, char *buf,
                       size_t len, sp_error *err);

/* Whether a create that failed with st may still have been carried out by the array (answer
 * lost, name already taken by an earlier try): then the object is looked up by name. */
int pfx_drv_may_have_happened(sp_status st);

/* Whether a step safe to repeat (an undo, a map or unmap: gone/mapped/unmapped is SP_OK) that
 * failed as `failed` says is sent again: the gateway failed in passing (unreachable, timed out,
 * a 5xx without a refusal code, a garbled answer) and the array must not keep a half-made change.
 * Sleeps first (100, 300, 900 ms); false after three more tries or for any other failure. */
int pfx_drv_undo_again(const sp_error *failed, int *tries);

/* After a failed step whose undo also failed: appends "; undo failed: <undo message>" to err. */
void pfx_drv_add_undo_failure(sp_error *err, const sp_error *undo);

/* driver_snap.c: snapshots, VM snapshots and templates */
sp_status pfx_drv_find_template(sp_pool *pool, uint64_t template_id, sp_volume_info *out, sp_error *err);
/* The copy of a template in this pool, its names (naming.h, pfx_template_name) tried in order:
 * SP_OK with out filled; SP_E_NOT_FOUND with free_name (when given) the first name no volume of
 * the system holds, the one a new copy takes. */
#define PFX_TEMPLATE_VARIANTS 8u
sp_status pfx_drv_template_lookup(sp_pool *pool, uint64_t template_id, sp_volume_info *out, char *free_name,
                                  size_t free_len, sp_error *err);
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
/* By volume id: used by the Adaptor, which maps volumes to its own host. */
sp_status pfx_drv_grant_id(sp_pool *pool, const char *vol_id, const sp_host_ref *host, const sp_qos *qos,
                           int allow_multiple, sp_error *err);
sp_status pfx_drv_revoke_id(sp_pool *pool, const char *vol_id, const sp_host_ref *host, sp_error *err);

/* driver_migrate.c: migration between pools */
sp_status pfx_drv_migration_kind(sp_pool *src, sp_pool *dest, sp_migration_kind *out, sp_error *err);
sp_status pfx_drv_migrate(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest, const sp_progress *progress,
                          sp_volume_info *out, sp_error *err);

#endif
