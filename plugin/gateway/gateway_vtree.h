/* gateway_vtree.h - V-Trees (a volume with all its snapshots): reading them, their statistics,
 * and moving one to another pool of the same system with migrateVTree, watched to its end. */
#ifndef PFX_GATEWAY_VTREE_H
#define PFX_GATEWAY_VTREE_H

#include "gateway.h"

/* GET /instances/VTree::<id>. One request; thread-safe; *out zeroed first. */
sp_status pfx_gw_vtree_get(pfx_gw_client *c, const char *vtree_id, pfx_gw_vtree *out, sp_error *err);

/* GET /instances/VTree::<id>/relationships/Statistics (netProvisionedAddressesInKb is the
 * allocated size CloudStack reports as a volume's used size). One request. */
sp_status pfx_gw_vtree_get_stats(pfx_gw_client *c, const char *vtree_id, pfx_gw_vtree_stats *out,
                                 sp_error *err);

/* POST /instances/Volume::<volume_id>/action/migrateVTree {"destSPId"}: starts moving the
 * volume's V-Tree, snapshots included, to dest_pool_id (ids do not change). Returns as soon as
 * the gateway accepted it. Already migrating is SP_E_BUSY; the pool it is in, SP_E_INVALID. */
sp_status pfx_gw_vtree_migrate(pfx_gw_client *c, const char *volume_id, const char *dest_pool_id,
                               sp_error *err);

/* POST /instances/Volume::<volume_id>/action/pauseVTreeMigration {"pauseType"}: Forcefully
 * stops the copy at once, Gracefully lets the piece in flight finish. The migration then shows
 * GracefullyPausing or ForcefullyPausing, then Paused; from Paused, pfx_gw_vtree_migrate back to
 * the source pool rolls it back. Already paused or pausing (errorCode 795) is SP_OK; a V-Tree
 * that is not migrating (790) is SP_E_STATE. One request. */
sp_status pfx_gw_vtree_pause(pfx_gw_client *c, const char *volume_id, int forcefully, sp_error *err);

/* The V-Tree's migration state (one GET). A V-Tree without vtreeMigrationInfo (a gateway
 * before 3.5) is SP_E_UNSUPPORTED. */
sp_status pfx_gw_vtree_migration(pfx_gw_client *c, const char *vtree_id, pfx_gw_migration *out,
                                 sp_error *err);

/* Told each polled state; returns non-zero to stop waiting (the migration itself goes on). */
typedef int (*pfx_gw_migration_progress)(void *ctx, const pfx_gw_migration *state);

typedef struct pfx_gw_wait {
    unsigned timeout_s;                 /* give up after this long (0: wait for ever) */
    unsigned interval_ms;               /* between polls; 0: 3000 */
    pfx_gw_migration_progress progress; /* may be NULL */
    void *progress_ctx;
    int until_paused; /* Paused (with or without a reason) ends the wait with SP_OK too */
} pfx_gw_wait;

/* Polls the V-Tree's migration state until it ends:
 *   SP_OK          NotInMigration without a pause reason (finished, or nothing to do)
 *   SP_E_BACKEND   a pause reason was set (the array stopped the migration; the reason is in
 *                  the message)
 *   SP_E_STATE     Paused without a reason (someone paused it)
 *   SP_E_TIMEOUT   still migrating at the deadline
 *   SP_E_CANCELLED the progress callback asked to stop
 * (with until_paused, Paused is SP_OK, whatever its reason). Polls that fail in passing (the
 * gateway unreachable or slow, a 5xx without an array code, an HTML page or a garbled answer)
 * are repeated until the deadline; other failures end the wait. *last (may be NULL) holds the
 * last state read. */
sp_status pfx_gw_vtree_migration_wait(pfx_gw_client *c, const char *vtree_id, const pfx_gw_wait *wait,
                                      pfx_gw_migration *last, sp_error *err);

/* The same, with the whole V-Tree as last read in *last (may be NULL): after SP_OK its
 * storage_pool_id is the pool the V-Tree, and so every volume in it, is in now (it switches at the
 * end of a migration), so the wait's last poll answers where the volume went. */
sp_status pfx_gw_vtree_migration_wait_tree(pfx_gw_client *c, const char *vtree_id, const pfx_gw_wait *wait,
                                           pfx_gw_vtree *last, sp_error *err);

#endif
