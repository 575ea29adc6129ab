/* adaptor_recover.c - Adaptor.recover_copies: cross-array copies a crash interrupted, found in this
 * host's copy journal, finished or undone as copyjournal.h's phases say.
 *
 * For each record whose two pools are among those given:
 *   created-target, copying  roll back: the target is unmapped from this host and deleted (if it
 *                            exists; a record written before the create names it by name only), the
 *                            source unmapped from this host; reported "rolled-back".
 *   verified, done           finish: both volumes unmapped from this host; reported
 *                            "done:<target path>", and the host retires the source.
 * A source the record says was in use here before the copy (a running VM's disk, a live
 * migration) is never unmapped: its host decides what the VM uses next.
 * The record is removed once its outcome is settled. A record that cannot be read is reported
 * (key "journal:<record key>", value "damaged: <why>"), left in place for an operator, and makes
 * the call fail: nothing is known about its volumes, so the host must not guess (for instance by
 * taking a target it finds by name, which may be half copied). Records of other pools are left for a
 * call that is given those pools. A record whose undo fails stays, unreported, and the call fails
 * after trying every other record; calling again retries it. Deleting only ever touches the target:
 * the source is never deleted here, so both volumes are never gone. */
#include "config.h"

#include "adaptor_impl.h"

#include "client.h"
#include "copyjournal.h"
#include "error.h"
#include "gateway_volume.h"
#include "hostsvc.h"
#include "volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char key[PFX_COPY_KEY_MAX + 1];
    int damaged;
    pfx_copy_record rec;
    char problem[SP_ERROR_MESSAGE_MAX];
} entry;

typedef struct listing {
    entry *items;
    size_t n, cap;
    int nomem;
} listing;

static void collect(void *ctx, const char *key, const pfx_copy_record *rec, const sp_error *problem)
{
    listing *l = ctx;
    entry *e;

    if (l->n == l->cap) {
        size_t cap = l->cap * 2 + 8;
        entry *grown = realloc(l->items, cap * sizeof(*grown));
        if (grown == NULL) {
            l->nomem = 1;
            return;
        }
        l->items = grown;
        l->cap = cap;
    }
    e = &l->items[l->n++];
    memset(e, 0, sizeof(*e));
    snprintf(e->key, sizeof(e->key), "%s", key);
    if (rec != NULL)
        e->rec = *rec;
    else {
        e->damaged = 1;
        snprintf(e->problem, sizeof(e->problem), "%s", problem != NULL ? problem->message : "unreadable");
    }
}

static sp_pool *pool_by_uuid(sp_pool *const *pools, size_t n, const char *uuid)
{
    for (size_t i = 0; i < n; i++)
        if (pools[i] != NULL && strcmp(pools[i]->uuid, uuid) == 0)
            return pools[i];
    return NULL;
}

/* The id of a volume a record names: "<id>:<name>", or a name alone (looked up; *id "" when no
 * such volume exists). */
static sp_status resolve(sp_pool *pool, const char *named, char *id, size_t len, sp_error *err)
{
    sp_status st;

    id[0] = '\0';
    if (strchr(named, ':') != NULL)
        return pfx_path_volume_id(&(sp_volume_ref){named}, id, len, err);
    st = pfx_gw_volume_id_by_name(pool->gw, named, id, len, err);
    if (st == SP_E_NOT_FOUND) {
        id[0] = '\0';
        pfx_error_clear(err);
        return SP_OK;
    }
    return st;
}

/* Unmaps a volume from this host and waits for its device to go. A volume that no longer exists
 * has no mapping. A device that lingers after the array dropped the mapping is the SDC's to clean
 * up: logged, not a failure. */
static sp_status unmap_here(sp_pool *pool, const char *id, const sp_host_ref *host, const pfx_host_cfg *cfg,
                            sp_error *err)
{
    sp_error w;
    sp_status st = pfx_vol_revoke(pool, id, host, err);

    if (st == SP_E_NOT_FOUND) {
        pfx_error_clear(err);
        return SP_OK;
    }
    if (st != SP_OK)
        return st;
    if (pfx_ad_disconnect(pool, id, host, cfg, &w) != SP_OK)
        pfx_log(SP_LOG_WARN, "volume %s was unmapped but its device stays: %s", id, w.message);
    return SP_OK;
}

/* On demand, an SDC the interrupted copy joined to a system leaves once nothing of that system is
 * mapped to it any more (the copy's process, which would have made it leave, is gone). */
static void leave_if_idle(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg)
{
    sp_error e;
    sp_status st;

    if (!pfx_client_on_demand(pool))
        return;
    st = pfx_client_unprepare(pool, host, cfg, &e);
    if (st != SP_OK && st != SP_E_BUSY)
        pfx_log(SP_LOG_WARN, "%s", e.message);
}

/* Settles one record; on success *outcome holds what to report. */
static sp_status settle(const entry *e, sp_pool *sp, sp_pool *tp, const sp_host_ref *host,
                        const pfx_host_cfg *cfg, char *outcome, size_t outcome_len, sp_error *err)
{
    char sid[SP_ID_MAX], tid[SP_ID_MAX];
    int back = pfx_copy_phase_rolls_back(e->rec.phase);
    sp_status st;

    if ((st = pfx_path_volume_id(&(sp_volume_ref){e->rec.source_volume}, sid, sizeof(sid), err)) != SP_OK)
        return st;
    if ((st = resolve(tp, e->rec.target_volume, tid, sizeof(tid), err)) != SP_OK)
        return pfx_error_prefix(err, "finding target %s", e->rec.target_volume);
    if (!back) {
        sp_volume_info ti = SP_INIT(sp_volume_info);
        sp_error ge;
        /* A finished copy hands the target to the host, which then deletes the source: the
         * target must be there. If it is not, the source stays the volume. */
        if (tid[0] == '\0' || strchr(e->rec.target_volume, ':') == NULL ||
            (st = pfx_vol_read(tp, tid, &ti, &ge)) == SP_E_NOT_FOUND) {
            pfx_log(SP_LOG_WARN, "copy record %s says %s but target %s is gone; the source stays the volume",
                    e->key, pfx_copy_phase_name(e->rec.phase), e->rec.target_volume);
            back = 1;
            tid[0] = '\0';
        } else if (st != SP_OK) {
            *err = ge;
            return pfx_error_prefix(err, "reading target %s", e->rec.target_volume);
        }
    }
    if (tid[0] != '\0' && (st = unmap_here(tp, tid, host, cfg, err)) != SP_OK)
        return pfx_error_prefix(err, "unmapping target %s", e->rec.target_volume);
    if (back && tid[0] != '\0' && (st = pfx_vol_remove(tp, tid, err)) != SP_OK)
        return pfx_error_prefix(err, "deleting target %s", e->rec.target_volume);
    /* A running VM's disk (a live migration) stays mapped: the host decides what its VM uses. */
    if (!e->rec.source_in_use && (st = unmap_here(sp, sid, host, cfg, err)) != SP_OK)
        return pfx_error_prefix(err, "unmapping source %s", e->rec.source_volume);
    leave_if_idle(tp, host, cfg);
    leave_if_idle(sp, host, cfg);
    if (back)
        snprintf(outcome, outcome_len, "rolled-back");
    else
        snprintf(outcome, outcome_len, "done:%s", e->rec.target_volume);
    return SP_OK;
}

sp_status pfx_ad_recover_copies(sp_pool *const *pools, size_t n_pools, const sp_host_ref *host,
                                sp_kv_sink resolved, void *resolved_ctx, sp_error *err)
{
    listing l = {NULL, 0, 0, 0};
    pfx_host_cfg cfg;
    size_t failed = 0, damaged = 0;
    sp_status st, first = SP_OK;
    char first_msg[SP_ERROR_MESSAGE_MAX] = "";

    PFX_ERR_GUARD(err);
    if (pools == NULL && n_pools > 0)
        return pfx_error(err, SP_E_INVALID, "recover_copies: no pools given");
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    if ((st = pfx_copyjournal_list(cfg.cache_dir, collect, &l, err)) != SP_OK)
        goto out;
    if (l.nomem) {
        st = pfx_error(err, SP_E_NOMEM, "no memory to list the copy journal");
        goto out;
    }
    for (size_t i = 0; i < l.n; i++) {
        const entry *e = &l.items[i];
        char outcome[SP_PATH_MAX + 8], key[PFX_COPY_KEY_MAX + 16];
        sp_pool *sp, *tp;
        sp_error e1;

        if (e->damaged) {
            snprintf(key, sizeof(key), "journal:%s", e->key);
            snprintf(outcome, sizeof(outcome), "damaged: %.400s", e->problem);
            if (resolved != NULL)
                resolved(resolved_ctx, key, outcome);
            if (damaged++ == 0 && first == SP_OK) {
                first = SP_E_PROTOCOL;
                snprintf(first_msg, sizeof(first_msg), "%.900s (left in place: its volumes are unknown)",
                         e->problem);
            }
            continue;
        }
        sp = pool_by_uuid(pools, n_pools, e->rec.source_pool);
        tp = pool_by_uuid(pools, n_pools, e->rec.target_pool);
        if (sp == NULL || tp == NULL) {
            pfx_log(SP_LOG_DEBUG, "copy record %s is for pools not given here; left for a later call",
                    e->key);
            continue;
        }
        if (settle(e, sp, tp, host, &cfg, outcome, sizeof(outcome), &e1) != SP_OK) {
            pfx_log(SP_LOG_WARN, "copy record %s (%s) could not be settled: %s", e->key,
                    pfx_copy_phase_name(e->rec.phase), e1.message);
            if (failed++ == 0 && first == SP_OK) {
                first = e1.status;
                snprintf(first_msg, sizeof(first_msg), "copy record %s of volume %.200s: %.700s", e->key,
                         e->rec.source_volume, e1.message);
            }
            continue;
        }
        if (pfx_copyjournal_remove(cfg.cache_dir, e->key, &e1) != SP_OK)
            pfx_log(SP_LOG_WARN, "copy record %s is settled (%s) but stays: %s", e->key, outcome, e1.message);
        pfx_log(SP_LOG_INFO, "copy of volume %s to pool %s recovered: %s", e->rec.source_volume,
                e->rec.target_pool, outcome);
        if (resolved != NULL)
            resolved(resolved_ctx, e->rec.source_volume, outcome);
    }
    if (first != SP_OK)
        st = pfx_error(err, first, "%zu copy record(s) unresolved (%zu damaged): %s", failed + damaged,
                       damaged, first_msg);
out:
    free(l.items);
    return st;
}
