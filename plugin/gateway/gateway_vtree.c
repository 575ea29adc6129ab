/* gateway_vtree.c - V-Trees: reading them and their statistics, starting a V-Tree migration
 * and polling it to its end. The driver owns what a migration means; this file only watches. */
#include "config.h"

#include "gateway_vtree.h"

#include "error.h"
#include "gateway_call.h"
#include "gateway_parse.h"
#include "hostsvc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PATH_MAX_LEN 256
#define DEFAULT_INTERVAL_MS 3000u

sp_status pfx_gw_vtree_get(pfx_gw_client *c, const char *vtree_id, pfx_gw_vtree *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("V-Tree", vtree_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/VTree::%s", vtree_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_vtree, out, err);
    return pfx_gw_context(err, st, "V-Tree %s", vtree_id);
}

sp_status pfx_gw_vtree_get_stats(pfx_gw_client *c, const char *vtree_id, pfx_gw_vtree_stats *out,
                                 sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("V-Tree", vtree_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/VTree::%s/relationships/Statistics", vtree_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_vtree_stats, out, err);
    return pfx_gw_context(err, st, "V-Tree %s statistics", vtree_id);
}

sp_status pfx_gw_vtree_migrate(pfx_gw_client *c, const char *volume_id, const char *dest_pool_id,
                               sp_error *err)
{
    pfx_gw_http_reply reply;
    char path[PATH_MAX_LEN], *body = NULL;
    sp_status st;

    memset(&reply, 0, sizeof(reply));
    if ((st = pfx_gw_check_id("volume", volume_id, err)) != SP_OK ||
        (st = pfx_gw_check_id("destination storage pool", dest_pool_id, err)) != SP_OK)
        return st;
    if ((st = pfx_json_flat(&body, err, "destSPId", dest_pool_id, NULL)) == SP_OK) {
        snprintf(path, sizeof(path), "/instances/Volume::%s/action/migrateVTree", volume_id);
        st = pfx_gw_call(c, "POST", path, body, 0, &reply, err);
    }
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "volume %s: migrating its V-Tree to storage pool %s", volume_id,
                          dest_pool_id);
}

sp_status pfx_gw_vtree_pause(pfx_gw_client *c, const char *volume_id, int forcefully, sp_error *err)
{
    pfx_gw_http_reply reply;
    char path[PATH_MAX_LEN], *body = NULL;
    sp_status st;

    memset(&reply, 0, sizeof(reply));
    if ((st = pfx_gw_check_id("volume", volume_id, err)) != SP_OK)
        return st;
    if ((st = pfx_json_flat(&body, err, "pauseType", forcefully ? "Forcefully" : "Gracefully", NULL)) ==
        SP_OK) {
        snprintf(path, sizeof(path), "/instances/Volume::%s/action/pauseVTreeMigration", volume_id);
        st = pfx_gw_call(c, "POST", path, body, 0, &reply, err);
        if (st != SP_OK && reply.error_code == PFX_GW_RC_MIGRATION_PAUSED) {
            pfx_error_clear(err);
            st = SP_OK; /* what was asked for is so */
        }
    }
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "volume %s: pausing its V-Tree migration (%s)", volume_id,
                          forcefully ? "Forcefully" : "Gracefully");
}

/* A poll that failed in passing: the next one may well work. */
static int poll_failed_in_passing(const sp_error *e)
{
    return e->status == SP_E_UNAVAILABLE || e->status == SP_E_TIMEOUT || e->status == SP_E_PROTOCOL ||
           (e->status == SP_E_BACKEND && e->http_status >= 500 && e->backend_code <= 0);
}

/* One poll: the V-Tree, which must carry a migration state. */
static sp_status poll_vtree(pfx_gw_client *c, const char *vtree_id, pfx_gw_vtree *t, sp_error *err)
{
    sp_status st = pfx_gw_vtree_get(c, vtree_id, t, err);

    if (st != SP_OK)
        return st;
    if (!t->migration.present)
        return pfx_error(err, SP_E_UNSUPPORTED,
                         "V-Tree %s: the gateway reports no migration state (V-Tree migration needs "
                         "PowerFlex 3.5 or later)",
                         vtree_id);
    return SP_OK;
}

sp_status pfx_gw_vtree_migration(pfx_gw_client *c, const char *vtree_id, pfx_gw_migration *out, sp_error *err)
{
    pfx_gw_vtree t;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = poll_vtree(c, vtree_id, &t, err);
    if (st == SP_OK)
        *out = t.migration;
    return st;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000u), .tv_nsec = (long)(ms % 1000u) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

sp_status pfx_gw_vtree_migration_wait_tree(pfx_gw_client *c, const char *vtree_id, const pfx_gw_wait *wait,
                                           pfx_gw_vtree *last, sp_error *err)
{
    unsigned interval = wait->interval_ms ? wait->interval_ms : DEFAULT_INTERVAL_MS;
    uint64_t now, deadline = wait->timeout_s ? now_ms() + (uint64_t)wait->timeout_s * 1000u : UINT64_MAX;
    pfx_gw_vtree t;
    const pfx_gw_migration *m = &t.migration;
    sp_error poll_err;
    sp_status st;

    if (last != NULL)
        memset(last, 0, sizeof(*last));
    for (;;) {
        pfx_error_clear(&poll_err);
        st = poll_vtree(c, vtree_id, &t, &poll_err);
        if (st == SP_OK) {
            if (last != NULL)
                *last = t;
            if (wait->until_paused &&
                (m->status == PFX_GW_MIGRATION_PAUSED || m->status == PFX_GW_MIGRATION_NONE))
                return SP_OK;
            if (m->pause_reason[0] != '\0')
                return pfx_error(err, SP_E_BACKEND, "V-Tree %s: migration %s (%s): %s", vtree_id,
                                 m->status == PFX_GW_MIGRATION_NONE ? "failed" : "stopped", m->status_name,
                                 m->pause_reason);
            if (m->status == PFX_GW_MIGRATION_NONE)
                return SP_OK;
            if (m->status == PFX_GW_MIGRATION_PAUSED)
                return pfx_error(err, SP_E_STATE, "V-Tree %s: migration is paused", vtree_id);
            if (wait->progress != NULL && wait->progress(wait->progress_ctx, m) != 0)
                return pfx_error(err, SP_E_CANCELLED, "V-Tree %s: stopped waiting for the migration (%s)",
                                 vtree_id, m->status_name);
        } else if (poll_failed_in_passing(&poll_err)) {
            /* A migration runs for hours; one lost poll is no reason to abandon watching it. */
            pfx_log(SP_LOG_WARN, "%s; polling again", poll_err.message);
        } else {
            if (err != NULL)
                *err = poll_err;
            return st;
        }
        now = now_ms();
        if (now >= deadline) {
            if (st != SP_OK) {
                if (err != NULL)
                    *err = poll_err;
                return pfx_gw_context(err, st, "V-Tree %s: waiting for the migration", vtree_id);
            }
            return pfx_error(err, SP_E_TIMEOUT, "V-Tree %s: migration still %s after %u s", vtree_id,
                             m->status_name, wait->timeout_s);
        }
        sleep_ms(deadline - now < interval ? deadline - now : interval);
    }
}

sp_status pfx_gw_vtree_migration_wait(pfx_gw_client *c, const char *vtree_id, const pfx_gw_wait *wait,
                                      pfx_gw_migration *last, sp_error *err)
{
    pfx_gw_vtree t;
    sp_status st = pfx_gw_vtree_migration_wait_tree(c, vtree_id, wait, &t, err);

    if (last != NULL)
        *last = t.migration;
    return st;
}
