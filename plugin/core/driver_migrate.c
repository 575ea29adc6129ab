/* driver_migrate.c - moving a volume between PowerFlex pools. Inside one system the array
 * moves the whole V-Tree (snapshots included) with migrateVTree; across systems the host must
 * copy blocks (Adaptor.copy_volume_across), which this file only says. */
#include "config.h"

#include "driver_impl.h"
#include "error.h"
#include "gateway_vtree.h"
#include "hostsvc.h"
#include "sized.h"

#include <stdio.h>
#include <string.h>

#define MIGRATION_TIMEOUT_S (12u * 3600u) /* a V-Tree of many TiB can take hours */

sp_status pfx_drv_migration_kind(sp_pool *src, sp_pool *dest, sp_migration_kind *out, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (src == NULL || dest == NULL || out == NULL)
        return pfx_error(err, SP_E_INVALID, "migration_kind needs two pools and an output");
    if (strcmp(src->system_id, dest->system_id) != 0)
        *out = SP_MIGRATE_BLOCK_COPY;
    else if (strcmp(src->pool_id, dest->pool_id) != 0)
        *out = SP_MIGRATE_NATIVE;
    else
        *out = SP_MIGRATE_NONE; /* the same PowerFlex pool under two names: nothing to move */
    return SP_OK;
}

typedef struct watch_ctx {
    const sp_progress *progress;
    int cancel_logged;
} watch_ctx;

/* The V-Tree reports a state, not a percentage: progress goes 0 of 1 until it is done. Once the
 * array has accepted a migration it cannot be taken back by us, so a cancel is logged and the
 * wait goes on: stopping the wait would leave the host not knowing where the volume is. */
static int watch(void *ctx, const pfx_gw_migration *state)
{
    watch_ctx *w = ctx;
    if (w->progress == NULL || w->progress->report == NULL)
        return 0;
    if (w->progress->report(w->progress->ctx, "migrate", 0, 1) != 0 && !w->cancel_logged) {
        pfx_log(SP_LOG_WARN, "a V-Tree migration (state %s) cannot be cancelled once started; waiting for it",
                pfx_gw_migration_status_name(state->status));
        w->cancel_logged = 1;
    }
    return 0;
}

sp_status pfx_drv_migrate(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest, const sp_progress *progress,
                          sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_migration_kind kind;
    sp_volume_info cur = SP_INIT(sp_volume_info);
    pfx_gw_vtree tree;
    watch_ctx w = {progress, 0};
    pfx_gw_wait wait;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (out == NULL)
        return pfx_error(err, SP_E_INVALID, "migrate_volume needs an output");
    PFX_SIZED(out, sp_volume_info, SP_VOLUME_INFO_SIZE_2_0, "migrate_volume", err);
    if ((st = pfx_drv_migration_kind(src, dest, &kind, err)) != SP_OK)
        return st;
    if (kind == SP_MIGRATE_BLOCK_COPY)
        return pfx_error(err, SP_E_UNSUPPORTED,
                         "pools %s and %s are on different PowerFlex systems (%s, %s): the volume needs a "
                         "block copy through a host (Adaptor.copy_volume_across)",
                         src->uuid, dest->uuid, src->system_id, dest->system_id);
    if ((st = pfx_pool_check_usable(dest, "migrating a volume into it", 0, err)) != SP_OK)
        return st;
    if ((st = pfx_path_volume_id(vol, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_vol_read(src, id, &cur, err)) != SP_OK)
        return pfx_error_prefix(err, "migrating volume %s", vol->path);
    if (kind == SP_MIGRATE_NONE || strcmp(cur.array_pool_id, dest->pool_id) == 0) {
        *out = cur;
        return SP_OK;
    }
    st = pfx_gw_vtree_migrate(src->gw, id, dest->pool_id, err);
    if (st == SP_E_BUSY) {
        /* Already migrating (a retried request, or a host restarted mid-way): wait for that
         * migration; the check after it says whether it went where we asked. */
        pfx_log(SP_LOG_INFO, "volume %s: its V-Tree is already migrating; waiting for it (%s)", vol->path,
                err->message);
        pfx_error_clear(err);
        st = SP_OK;
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "migrating volume %s to pool %s", vol->path, dest->uuid);
    pfx_log(SP_LOG_INFO, "volume %s: V-Tree %s migrating from storage pool %s to %s", vol->path, cur.lineage_id,
            src->pool_id, dest->pool_id);
    memset(&wait, 0, sizeof(wait));
    wait.timeout_s = MIGRATION_TIMEOUT_S;
    wait.interval_ms = 200;
    wait.progress = watch;
    wait.progress_ctx = &w;
    st = pfx_gw_vtree_migration_wait_tree(src->gw, cur.lineage_id, &wait, &tree, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "migrating volume %s (V-Tree %s) to pool %s", vol->path, cur.lineage_id,
                                dest->uuid);
    /* Trust but verify: the volume must now be in the destination pool. A volume is in its
     * V-Tree's pool, and the poll that saw the migration end read that pool: no second read. */
    if (strcmp(tree.storage_pool_id, dest->pool_id) != 0)
        return pfx_error(err, SP_E_BACKEND,
                         "volume %s: the V-Tree migration ended but V-Tree %s is in storage pool %s, not %s",
                         vol->path, cur.lineage_id, tree.storage_pool_id, dest->pool_id);
    /* Ids, name, size and type do not change (no conversion was asked for); only the pool. */
    *out = cur;
    snprintf(out->array_pool_id, sizeof(out->array_pool_id), "%s", tree.storage_pool_id);
    if (progress != NULL && progress->report != NULL)
        progress->report(progress->ctx, "migrate", 1, 1);
    pfx_log(SP_LOG_INFO, "volume %s now in storage pool %s", vol->path, dest->pool_id);
    return SP_OK;
}
