/* recover.c - what a restarted harness resolves: migrations a kill interrupted. A block copy is
 * asked of its host's journal (Adaptor.recover_copies); a V-Tree migration of the array itself. */
#include "config.h"

#include "migrate.h"

#include "api.h"
#include "cfg.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct outcome {
    char *src;
    char *result;
    struct outcome *next;
} outcome;

static void on_resolved(void *ctx, const char *key, const char *value)
{
    outcome **head = ctx, *o = calloc(1, sizeof(*o));
    if (o == NULL || (o->src = strdup(key)) == NULL || (o->result = strdup(value)) == NULL) {
        if (o != NULL)
            free(o->src);
        free(o);
        return;
    }
    o->next = *head;
    *head = o;
}

/* A job the journal knew nothing of: the copy never started, or it finished and the journal was
 * cleared before the harness recorded it. The target's name (the seed's naming convention)
 * tells which. */
static int find_target(host_cs *cs, int64_t vol_id, int64_t dest, sp_volume_info *out, int *found,
                       host_err *e);

/* A V-Tree migration a kill interrupted: the array goes on with it. Done when the volume is on
 * dest's array pool; otherwise asked again, and when the array refuses because it is still at
 * it, watched for up to a minute. Still elsewhere: the job stays, the volume stays Migrating,
 * and the next restart tries again. */
static int recover_native(host_cs *cs, int64_t job, int64_t vol, const char *vuuid, int64_t src, int64_t dest,
                          const char *src_path, sp_pool *const pools[2], host_jsonw *w, host_err *e)
{
    char err[512], dpath[SP_ID_MAX] = "";
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;

    host_sql_text(cs->db, dpath, sizeof(dpath), err, sizeof(err), "SELECT path FROM pool WHERE id = ?", "i",
                  dest);
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->get_volume(pools[0], &(sp_volume_ref){src_path}, &info, &se);
    if (s != SP_OK || dpath[0] == '\0' || strcmp(info.array_pool_id, dpath) != 0) {
        sp_error again;
        memset(&again, 0, sizeof(again));
        s = cs->sp->driver->migrate_volume(pools[0], &(sp_volume_ref){src_path}, pools[1], NULL, &info,
                                           &again);
        /* Refused because the array is still at it: watch the volume until it lands on dest. */
        for (int waited = 0; s != SP_OK && waited < 600; waited++) {
            struct timespec tick = {0, 100 * 1000 * 1000};
            sp_volume_info now = SP_INIT(sp_volume_info);
            now = (sp_volume_info)SP_INIT(sp_volume_info);
            memset(&se, 0, sizeof(se));
            if (cs->sp->driver->get_volume(pools[0], &(sp_volume_ref){src_path}, &now, &se) == SP_OK &&
                strcmp(now.array_pool_id, dpath) == 0) {
                info = now;
                s = SP_OK;
                break;
            }
            nanosleep(&tick, NULL);
        }
        if (s != SP_OK)
            se = again;
    }
    host_jsonw_object_begin(w, NULL);
    host_jsonw_string(w, "volumeid", vuuid);
    if (s != SP_OK) {
        host_jsonw_string(w, "outcome", "unresolved");
        host_jsonw_string(w, "reason", se.message);
        host_jsonw_object_end(w);
        return 0;
    }
    host_jsonw_string(w, "outcome", "done");
    host_jsonw_object_end(w);
    if (host_migrate_finish_native(cs, vol, src, dest, &info, e) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM job WHERE id = ?", "i", job) < 0)
        return host_fail_db(e, err);
    host_event(cs, "VOLUME.MIGRATE.RECOVER", "interrupted V-Tree migration of volume %s completed", vuuid);
    return 0;
}

int host_recover(host_cs *cs, host_jsonw *w, host_err *e)
{
    char err[512];
    sqlite3_stmt *st;
    int64_t *jobs = NULL;
    size_t n = 0;
    int rc = -1, any = 0;

    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT id FROM job ORDER BY id", "");
    if (st == NULL || host_stmt_ids(cs, st, &jobs, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    if (n == 0) {
        free(jobs);
        return 0;
    }
    if (host_need_plugin(cs, e) != 0)
        goto out;
    host_jsonw_array_begin(w, "recovered");
    any = 1;
    for (size_t i = 0; i < n; i++) {
        int64_t vol = 0, src = 0, dest = 0, host = 0;
        char src_path[SP_PATH_MAX], vuuid[40] = "", kind[16] = "";
        sp_pool *pools[2];
        host_href href;
        outcome *outs = NULL;
        const char *result = NULL;
        sp_volume_info info = SP_INIT(sp_volume_info);
        sp_error se;
        sp_status s;
        int found = 0;

        if (host_sql_int(cs->db, &vol, err, sizeof(err), "SELECT volume_id FROM job WHERE id = ?", "i",
                         jobs[i]) < 0 ||
            host_sql_int(cs->db, &src, err, sizeof(err), "SELECT src_pool_id FROM job WHERE id = ?", "i",
                         jobs[i]) < 0 ||
            host_sql_int(cs->db, &dest, err, sizeof(err), "SELECT dest_pool_id FROM job WHERE id = ?", "i",
                         jobs[i]) < 0 ||
            host_sql_int(cs->db, &host, err, sizeof(err), "SELECT coalesce(host_id, 0) FROM job WHERE id = ?",
                         "i", jobs[i]) < 0 ||
            host_sql_text(cs->db, src_path, sizeof(src_path), err, sizeof(err),
                          "SELECT src_path FROM job WHERE id = ?", "i", jobs[i]) < 0) {
            host_fail_db(e, err);
            goto out;
        }
        host_sql_text(cs->db, vuuid, sizeof(vuuid), err, sizeof(err), "SELECT uuid FROM volume WHERE id = ?",
                      "i", vol);
        host_sql_text(cs->db, kind, sizeof(kind), err, sizeof(err), "SELECT kind FROM job WHERE id = ?", "i",
                      jobs[i]);
        if (host_pool_open(cs, src, &pools[0], e) != 0 || host_pool_open(cs, dest, &pools[1], e) != 0)
            goto out;
        if (strcmp(kind, "vtree") == 0) {
            if (recover_native(cs, jobs[i], vol, vuuid, src, dest, src_path, pools, w, e) != 0)
                goto out;
            continue;
        }
        if (host_href_load(cs, host, &href, e) != 0)
            goto out;
        memset(&se, 0, sizeof(se));
        s = cs->sp->adaptor->recover_copies(pools, 2, &href.ref, on_resolved, &outs, &se);
        if (s != SP_OK) {
            host_fail_sp(e, s, &se, "host %s could not recover its interrupted copies", href.name);
            goto out;
        }
        for (outcome *o = outs; o != NULL; o = o->next)
            if (strcmp(o->src, src_path) == 0)
                result = o->result;
        info = (sp_volume_info)SP_INIT(sp_volume_info);
        if (result != NULL && strncmp(result, "done:", 5) == 0) {
            memset(&se, 0, sizeof(se));
            s = cs->sp->driver->get_volume(pools[1], &(sp_volume_ref){result + 5}, &info, &se);
            if (s != SP_OK) {
                host_fail_sp(e, s, &se, "the recovered copy %s of volume %s cannot be read", result + 5,
                             vuuid);
                goto free_outs;
            }
            found = 1;
        } else if (result == NULL && find_target(cs, vol, dest, &info, &found, e) != 0) {
            goto free_outs;
        }
        host_jsonw_object_begin(w, NULL);
        host_jsonw_string(w, "volumeid", vuuid);
        if (found) {
            /* A live migration's VM still runs on the host that copied: the copy becomes its disk. */
            int64_t live_host = 0;
            int fr;
            if (host_sql_int(cs->db, &live_host, err, sizeof(err),
                             "SELECT coalesce(m.host_id, 0) FROM volume v JOIN vm m ON m.id = v.vm_id "
                             "WHERE v.id = ? AND m.state = 'Running'",
                             "i", vol) < 0) {
                host_fail_db(e, err);
                goto free_outs;
            }
            fr = host_migrate_finish_copy(cs, vol, src, src_path, dest, &info, live_host, e);
            if (fr == -2) {
                /* The copy could not be given to the VM's host and was deleted: rolled back. */
                found = 0;
                host_jsonw_string(w, "reason", e->text);
                memset(e, 0, sizeof(*e));
            } else if (fr != 0) {
                goto free_outs;
            }
        }
        if (found) {
            host_jsonw_string(w, "outcome", "done");
        } else {
            if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET state = 'Ready' WHERE id = ?", "i",
                             vol) < 0) {
                host_fail_db(e, err);
                goto free_outs;
            }
            host_jsonw_string(w, "outcome", "rolled-back");
        }
        host_jsonw_object_end(w);
        if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM job WHERE id = ?", "i", jobs[i]) < 0) {
            host_fail_db(e, err);
            goto free_outs;
        }
        host_event(cs, "VOLUME.MIGRATE.RECOVER", "interrupted migration of volume %s %s", vuuid,
                   found ? "completed" : "rolled back");
        while (outs != NULL) {
            outcome *next = outs->next;
            free(outs->src);
            free(outs->result);
            free(outs);
            outs = next;
        }
        continue;
    free_outs:
        while (outs != NULL) {
            outcome *next = outs->next;
            free(outs->src);
            free(outs->result);
            free(outs);
            outs = next;
        }
        goto out;
    }
    rc = 0;
out:
    if (any)
        host_jsonw_array_end(w);
    free(jobs);
    return rc;
}

typedef struct target_search {
    const char *name;
    sp_volume_info *out;
    int found;
} target_search;

static void match_target(void *ctx, const sp_volume_info *vol)
{
    target_search *t = ctx;
    if (!t->found && strcmp(vol->name, t->name) == 0) {
        *t->out = *vol;
        t->found = 1;
    }
}

static int find_target(host_cs *cs, int64_t vol_id, int64_t dest, sp_volume_info *out, int *found,
                       host_err *e)
{
    char uuid[40], ident[64], name[SP_NAME_MAX];
    sp_pool *pool;
    target_search t;
    sp_error se;
    sp_status s;

    *found = 0;
    host_pool_uuid(cs, dest, uuid);
    if (strlen(uuid) < 8 ||
        host_config_get(cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, ident, sizeof(ident)) != 0)
        return 0;
    /* vol-[vol-id]-[pool-key]-[custom.cs.identifier]; the pool key is characters 5 to 8 of the uuid. */
    snprintf(name, sizeof(name), "vol-%lld-%.4s-%s", (long long)vol_id, uuid + 4, ident);
    if (host_pool_open(cs, dest, &pool, e) != 0)
        return -1;
    t.name = name;
    t.out = out;
    t.found = 0;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->list_volumes(pool, match_target, &t, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "cannot list the volumes of the destination pool");
    *found = t.found;
    return 0;
}
