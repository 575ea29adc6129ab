/* volume.h - the volume service the Driver's table and the Adaptor share: naming, creating,
 * reading, resizing, listing, removing and mapping volumes (volume.c; grant and revoke by id are
 * driver_access.c's). Threads: any, on a pool handle shared between them. */
#ifndef PFX_VOLUME_H
#define PFX_VOLUME_H

#include "gateway_volume.h"
#include "poolhandle.h"
#include "storage_plugin.h"

/* The Driver's create_volume. */
sp_status pfx_vol_create(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);
/* create_volume for a volume that must not exist before (a copy's target): a name the array
 * answers is in use (errorCode 99) was taken before the request, so it is SP_E_EXISTS naming the
 * volume that has it, never adopted. Only an ambiguous failure (an answer lost) adopts the volume
 * found by name, and only when it is what was asked and mapped to no SDC. */
sp_status pfx_vol_create_new(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);
sp_status pfx_vol_delete(sp_pool *pool, const sp_volume_ref *vol, sp_error *err);

/* Removes a volume or snapshot (ONLY_ME); a mapped one is unmapped from every SDC and removed
 * again. Already gone is SP_OK. Sent again (the retry policy) while the array answers that a
 * removal is in progress in the V-Tree (errorCode 212) or the gateway fails in passing. */
sp_status pfx_vol_remove(sp_pool *pool, const char *id, sp_error *err);

/* Finds an object by name and reads it into v (the caller clears it), each request sent again
 * while the gateway fails in passing: a lost answer's adoption depends on this look-up, and
 * giving up on it leaks what the array made. SP_E_NOT_FOUND when no object has the name. */
sp_status pfx_vol_lookup(sp_pool *pool, const char *name, char *id, size_t id_len, pfx_gw_volume *v,
                         sp_error *err);

/* pfx_vol_remove as an undo step (it already sends again what fails in passing). */
sp_status pfx_vol_undo_remove(sp_pool *pool, const char *id, sp_error *undo);

/* GET the volume and fill info (path "<id>:<name>", sizes, ids). */
sp_status pfx_vol_read(sp_pool *pool, const char *id, sp_volume_info *out, sp_error *err);

/* The name for a new object of this pool. */
sp_status pfx_vol_name(sp_pool *pool, sp_volume_kind kind, uint64_t id, uint64_t parent_id, char *buf,
                       size_t len, sp_error *err);

/* Whether an array name is this installation's (custom.cs.identifier, or one in
 * custom.cs.identifier.history), any pool key; the identifier it ends with into identifier. */
int pfx_vol_name_is_ours(const char *name, char *identifier, size_t len);

/* Whether a create that failed with st may still have been carried out by the array (answer
 * lost, name already taken by an earlier try): then the object is looked up by name. */
int pfx_vol_may_have_happened(sp_status st);

/* The Driver's resize_volume, get_volume and list_volumes. */
sp_status pfx_vol_resize(sp_pool *pool, const sp_volume_ref *vol, uint64_t new_size_bytes,
                         sp_volume_info *out, sp_error *err);
sp_status pfx_vol_get(sp_pool *pool, const sp_volume_ref *vol, sp_volume_info *out, sp_error *err);
sp_status pfx_vol_list(sp_pool *pool, void (*each)(void *ctx, const sp_volume_info *vol), void *ctx,
                       sp_error *err);

/* The Driver's find_volume: the object a create of spec made, found by its name, and only when it
 * is in this pool; SP_E_NOT_FOUND when there is none. */
sp_status pfx_vol_find(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);

/* The copy of a template in this pool, its names (naming.h, pfx_template_name) tried in order:
 * SP_OK with out filled; SP_E_NOT_FOUND with free_name (when given) the first name no volume of
 * the system holds, the one a new copy takes. */
#define PFX_TEMPLATE_VARIANTS 8u
sp_status pfx_vol_template_lookup(sp_pool *pool, uint64_t template_id, sp_volume_info *out, char *free_name,
                                  size_t free_len, sp_error *err);

/* The Pool's get_volume_stats: the volume's sizeInKb and its V-Tree's netProvisionedAddressesInKb. */
sp_status pfx_vol_stats(sp_pool *pool, const sp_volume_ref *vol, sp_volume_stats *out, sp_error *err);

/* Maps the volume vol_id to host's SDC (with qos unless NULL) and unmaps it, each sent again while
 * the gateway fails in passing (driver_access.c; the Driver's grant and revoke take a volume ref). */
sp_status pfx_vol_grant(sp_pool *pool, const char *vol_id, const sp_host_ref *host, const sp_qos *qos,
                        int allow_multiple, sp_error *err);
sp_status pfx_vol_revoke(sp_pool *pool, const char *vol_id, const sp_host_ref *host, sp_error *err);

#endif
