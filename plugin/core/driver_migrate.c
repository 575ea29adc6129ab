/* driver_migrate.c - moving a volume between PowerFlex pools. Inside one system the array
 * moves the whole V-Tree (snapshots included) with migrateVTree; across systems the host must
 * copy blocks (Adaptor.copy_volume_across), which this file only says.
 * A V-Tree migration that outlives its timeout, fails part-way or is cancelled is taken back the
 * way CloudStack does it: paused, waited for until Paused, migrated back to the source pool. */
#include "config.h"

#include "driver_impl.h"
#include "error.h"
#include "gateway_volume.h"
#include "gateway_vtree.h"
#include "hostsvc.h"
#include "naming.h"
#include "retry.h"
#include "settings.h"
#include "sized.h"
#include "volume.h"

#include <stdio.h>
#include <string.h>

/* How long a forceful pause may take to show Paused; CloudStack polls 3 x 3 s. */
#define PAUSE_WAIT_S 60u
#define POLL_MS 200u

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
    int cancelled;
} watch_ctx;

/* The V-Tree reports a state, not a percentage: progress goes 0 of 1 until it is done. A
 * cancel stops the wait; the caller then takes the migration back. */
static int watch(void *ctx, const pfx_gw_migration *state)
{
    watch_ctx *w = ctx;

    (void)state;
    if (w->progress == NULL || w->progress->report == NULL)
        return 0;
    if (w->progress->report(w->progress->ctx, "migrate", 0, 1) != 0) {
        w->cancelled = 1;
        return 1;
    }
    return 0;
}

/* After a V-Tree migration CloudStack renames the volume and its snapshots to the destination
 * pool's key (setVolumeName). Everything in the V-Tree moved, so everything of this installation
 * in it is renamed: a ROOT made from a template copy shares the copy's V-Tree with the copy and
 * the other ROOTs cloned from it. The migrated volume's new name goes into out. A rename the
 * array refuses is logged, not failed: the volume moved, its id (the path's first part) still
 * finds it, and listings accept any pool key; a later migrate_volume to the same pool renames it. */
static void rekey_tree(sp_pool *dest, const char *tree_id, sp_volume_info *out)
{
    pfx_gw_volume_list list;
    sp_error e2;
    size_t renamed = 0;

    memset(&e2, 0, sizeof(e2));
    if (pfx_gw_volume_list_in_vtree(dest->gw, tree_id, &list, &e2) != SP_OK) {
        pfx_log(SP_LOG_WARN,
                "V-Tree %s moved to pool %s, but its volumes could not be listed to rename them: %s", tree_id,
                dest->uuid, e2.message);
        return;
    }
    for (size_t i = 0; i < list.n; i++) {
        const pfx_gw_volume *v = &list.items[i];
        char ident[64], name[SP_NAME_MAX];
        int tries = 0;
        sp_status st;

        memset(&e2, 0, sizeof(e2));
        if (!pfx_vol_name_is_ours(v->name, ident, sizeof(ident)) ||
            pfx_name_rekey(v->name, ident, dest->pool_key, name, sizeof(name), &e2) != SP_OK ||
            strcmp(name, v->name) == 0)
            continue;
        while ((st = pfx_gw_volume_rename(dest->gw, v->id, name, &e2)) != SP_OK &&
               pfx_retry_again(&e2, &tries))
            ;
        if (st != SP_OK) {
            pfx_log(SP_LOG_WARN, "volume %s (%s) moved to pool %s but keeps its name: %s", v->id, v->name,
                    dest->uuid, e2.message);
            continue;
        }
        renamed++;
        if (strcmp(v->id, out->id) == 0) {
            snprintf(out->name, sizeof(out->name), "%s", name);
            snprintf(out->path, sizeof(out->path), "%s:%s", v->id, name);
        }
    }
    if (renamed > 0)
        pfx_log(SP_LOG_INFO, "V-Tree %s: %zu volume(s) renamed to pool %s's key %s", tree_id, renamed,
                dest->uuid, dest->pool_key);
    pfx_gw_volume_list_clear(&list);
}

static sp_status wait_tree(sp_pool *pool, const char *tree_id, unsigned timeout_s, int until_paused,
                           watch_ctx *w, pfx_gw_vtree *tree, sp_error *err)
{
    pfx_gw_wait wait;

    memset(&wait, 0, sizeof(wait));
    wait.timeout_s = timeout_s;
    wait.interval_ms = POLL_MS;
    wait.until_paused = until_paused;
    if (w != NULL) {
        wait.progress = watch;
        wait.progress_ctx = w;
    }
    return pfx_gw_vtree_migration_wait_tree(pool->gw, tree_id, &wait, tree, err);
}

/* Takes a migration of vol_id's V-Tree back to src_pool_id: a forceful pause, the wait for
 * Paused, migrateVTree to the source pool (a rollback), the wait for its end. SP_OK when the
 * V-Tree is in the source pool; *ended_in_dest is set (and SP_OK returned) when the migration
 * finished in the destination before it could be paused. */
static sp_status take_back(sp_pool *pool, const char *vol_id, const char *tree_id, const char *src_pool_id,
                           const char *dest_pool_id, unsigned timeout_s, int *ended_in_dest, sp_error *err)
{
    pfx_gw_vtree tree;
    int tries = 0;
    sp_status st;

    *ended_in_dest = 0;
    while ((st = pfx_gw_vtree_pause(pool->gw, vol_id, 1, err)) != SP_OK && pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK && st != SP_E_STATE)
        return st;
    /* Not migrating (SP_E_STATE) or paused: the V-Tree's state says which. */
    if ((st = wait_tree(pool, tree_id, PAUSE_WAIT_S, 1, NULL, &tree, err)) != SP_OK)
        return pfx_error_prefix(err, "waiting for the pause");
    if (tree.migration.status == PFX_GW_MIGRATION_NONE) {
        if (strcmp(tree.storage_pool_id, dest_pool_id) == 0) {
            *ended_in_dest = 1;
            return SP_OK;
        }
        if (strcmp(tree.storage_pool_id, src_pool_id) == 0)
            return SP_OK; /* the array already took it back */
        return pfx_error(err, SP_E_BACKEND, "V-Tree %s ended up in storage pool %s, neither %s nor %s",
                         tree_id, tree.storage_pool_id, src_pool_id, dest_pool_id);
    }
    pfx_log(SP_LOG_INFO, "V-Tree %s paused (%s); rolling it back to storage pool %s", tree_id,
            tree.migration.status_name, src_pool_id);
    tries = 0;
    while ((st = pfx_gw_vtree_migrate(pool->gw, vol_id, src_pool_id, err)) != SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK)
        return pfx_error_prefix(err, "rolling back");
    /* Undoing takes about as long as what was copied: the same timeout, with room for a slow
     * start, bounds it. */
    if ((st = wait_tree(pool, tree_id, timeout_s + PAUSE_WAIT_S, 0, NULL, &tree, err)) != SP_OK)
        return pfx_error_prefix(err, "rolling back");
    if (strcmp(tree.storage_pool_id, src_pool_id) != 0)
        return pfx_error(err, SP_E_BACKEND, "the rollback of V-Tree %s ended in storage pool %s, not %s",
                         tree_id, tree.storage_pool_id, src_pool_id);
    return SP_OK;
}

sp_status pfx_drv_migrate(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest, const sp_progress *progress,
                          sp_volume_info *out, sp_error *err)
{
    char id[SP_ID_MAX], why[SP_ERROR_MESSAGE_MAX], back_note[128];
    sp_migration_kind kind;
    sp_volume_info cur = SP_INIT(sp_volume_info);
    pfx_gw_vtree tree;
    watch_ctx w = {progress, 0};
    unsigned timeout_s;
    int ours = 1, ended_in_dest = 0;
    sp_status st, failed;
    sp_error back;

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
        /* Moved already (a migration whose end the host did not see): finish the renames. */
        if (kind != SP_MIGRATE_NONE && cur.lineage_id[0] != '\0')
            rekey_tree(dest, cur.lineage_id, out);
        return SP_OK;
    }
    /* CloudStack's timeout for an offline storage migration on KVM, which it also gives a V-Tree
     * migration; read at the source pool's scope (the host falls back to global). */
    timeout_s = (unsigned)pfx_setting_uint(SP_SCOPE_POOL, src->uuid, PFX_SETTING_MIGRATION_WAIT);
    st = pfx_gw_vtree_migrate(src->gw, id, dest->pool_id, err);
    if (st == SP_E_BUSY) {
        /* Already migrating (a retried request, or a host restarted mid-way): wait for that
         * migration; the check after it says whether it went where we asked. One going elsewhere
         * is not ours to take back. */
        pfx_gw_migration m;
        sp_error rd;
        pfx_log(SP_LOG_INFO, "volume %s: its V-Tree is already migrating; waiting for it (%s)", vol->path,
                err->message);
        pfx_error_clear(err);
        st = SP_OK;
        ours = pfx_gw_vtree_migration(src->gw, cur.lineage_id, &m, &rd) == SP_OK &&
               strcmp(m.dest_pool_id, dest->pool_id) == 0;
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "migrating volume %s to pool %s", vol->path, dest->uuid);
    pfx_log(SP_LOG_INFO, "volume %s: V-Tree %s migrating from storage pool %s to %s (at most %u s)",
            vol->path, cur.lineage_id, src->pool_id, dest->pool_id, timeout_s);
    st = wait_tree(src, cur.lineage_id, timeout_s, 0, &w, &tree, err);
    if (st == SP_OK)
        goto moved;
    /* Timed out, cancelled, failed on the array (a pause reason), paused by someone, or no longer
     * watchable (the poll at the deadline failed, the gateway gone for a while): taken back. A
     * migration left running behind a failure would finish in the destination while the caller
     * keeps the volume on the source; the pause and the V-Tree's state say where it is. */
    if (!ours)
        return pfx_error_prefix(err, "migrating volume %s (V-Tree %s) to pool %s", vol->path, cur.lineage_id,
                                dest->uuid);
    failed = st;
    snprintf(why, sizeof(why), "%s", err->message);
    pfx_log(SP_LOG_WARN,
            "volume %s: V-Tree %s migration to storage pool %s %s (%s); pausing it and rolling it back",
            vol->path, cur.lineage_id, dest->pool_id,
            failed == SP_E_TIMEOUT     ? "timed out"
            : failed == SP_E_CANCELLED ? "was cancelled"
                                       : "stopped",
            why);
    pfx_error_clear(&back);
    st = take_back(src, id, cur.lineage_id, src->pool_id, dest->pool_id, timeout_s, &ended_in_dest, &back);
    if (st == SP_OK && ended_in_dest) {
        /* It finished while we were about to stop it: the volume is where it was asked to go. */
        pfx_log(SP_LOG_INFO, "volume %s: the V-Tree migration finished before it could be paused", vol->path);
        pfx_error_clear(err);
        if (wait_tree(src, cur.lineage_id, 1, 0, NULL, &tree, err) != SP_OK)
            return pfx_error_prefix(err, "migrating volume %s", vol->path);
        goto moved;
    }
    /* Whether the volume stayed where it was is said in the message, so the host knows. */
    snprintf(back_note, sizeof(back_note), "; it was paused and rolled back to pool %s", src->uuid);
    if (st != SP_OK)
        back_note[0] = '\0';
    switch (failed) {
    case SP_E_TIMEOUT:
        pfx_error(
            err, SP_E_TIMEOUT,
            "volume %s: the V-Tree migration to pool %s did not finish within %u s (%s at pool scope)%s",
            vol->path, dest->uuid, timeout_s, PFX_SETTING_MIGRATION_WAIT, back_note);
        break;
    case SP_E_CANCELLED:
        pfx_error(err, SP_E_CANCELLED, "volume %s: the V-Tree migration to pool %s was cancelled%s",
                  vol->path, dest->uuid, back_note);
        break;
    default:
        pfx_error(err, failed, "volume %s: the V-Tree migration to pool %s stopped (%s)%s", vol->path,
                  dest->uuid, why, back_note);
        break;
    }
    if (st != SP_OK) {
        pfx_error_add_undo(err, &back);
        return err->status;
    }
    pfx_log(SP_LOG_INFO, "volume %s: V-Tree %s is back in storage pool %s", vol->path, cur.lineage_id,
            src->pool_id);
    return err->status;

moved:
    /* Trust but verify: the volume must now be in the destination pool. A volume is in its
     * V-Tree's pool, and the poll that saw the migration end read that pool: no second read. */
    if (strcmp(tree.storage_pool_id, dest->pool_id) != 0)
        return pfx_error(err, SP_E_BACKEND,
                         "volume %s: the V-Tree migration ended but V-Tree %s is in storage pool %s, not %s",
                         vol->path, cur.lineage_id, tree.storage_pool_id, dest->pool_id);
    /* Ids, size and type do not change (no conversion was asked for): the pool does, and the
     * names take its key. */
    *out = cur;
    snprintf(out->array_pool_id, sizeof(out->array_pool_id), "%s", tree.storage_pool_id);
    rekey_tree(dest, cur.lineage_id, out);
    if (progress != NULL && progress->report != NULL)
        progress->report(progress->ctx, "migrate", 1, 1);
    pfx_log(SP_LOG_INFO, "volume %s now in storage pool %s", vol->path, dest->pool_id);
    return SP_OK;
}
