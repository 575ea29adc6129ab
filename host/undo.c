/* undo.c - taking back a failed command's changes on the array, newest first.
 * Kept per command in host_cs; a command that commits clears it. */
#include "config.h"

#include "undo.h"

#include "poolh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct host_undo {
    host_undo_kind kind;
    int64_t pool_id;
    int64_t host_id;
    char *path;
    char *iops;
    char *bw;
    struct host_undo *next;
};

static void entry_free(struct host_undo *u)
{
    free(u->path);
    free(u->iops);
    free(u->bw);
    free(u);
}

void host_undo_push(host_cs *cs, host_undo_kind kind, int64_t pool_id, const char *path, int64_t host_id,
                    const char *iops, const char *bw)
{
    struct host_undo *u = calloc(1, sizeof(*u));

    if (u == NULL || (u->path = strdup(path != NULL ? path : "")) == NULL ||
        (u->iops = strdup(iops != NULL ? iops : "")) == NULL ||
        (u->bw = strdup(bw != NULL ? bw : "")) == NULL) {
        fprintf(stderr, "cs-harness: out of memory recording how to undo a change of %s\n",
                path != NULL ? path : "?");
        if (u != NULL)
            entry_free(u);
        return;
    }
    u->kind = kind;
    u->pool_id = pool_id;
    u->host_id = host_id;
    u->next = cs->undo;
    cs->undo = u;
}

static void warn(host_cs *cs, const char *what, const char *path, const char *why)
{
    char line[1200];
    snprintf(line, sizeof(line), "undo after a failed command: cannot %s %.300s: %.800s", what, path, why);
    cs->svc.table.log(&cs->svc, SP_LOG_WARN, line);
}

static void run_one(host_cs *cs, const struct host_undo *u)
{
    sp_volume_ref ref = {u->path};
    sp_pool *pool;
    host_href href;
    host_err e;
    sp_error se;
    sp_status s;

    memset(&e, 0, sizeof(e));
    memset(&se, 0, sizeof(se));
    if (host_pool_open(cs, u->pool_id, &pool, &e) != 0) {
        warn(cs, "reach the pool of", u->path, e.text);
        return;
    }
    switch (u->kind) {
    case HOST_UNDO_VOLUME:
        if ((s = cs->sp->driver->delete_volume(pool, &ref, &se)) != SP_OK)
            warn(cs, "delete volume", u->path, se.message);
        break;
    case HOST_UNDO_SNAPSHOT:
        if ((s = cs->sp->driver->delete_snapshot(pool, &ref, &se)) != SP_OK)
            warn(cs, "delete snapshot", u->path, se.message);
        break;
    case HOST_UNDO_VMSNAP:
        if ((s = cs->sp->driver->delete_vm_snapshot(pool, u->path, &se)) != SP_OK)
            warn(cs, "delete VM snapshot group", u->path, se.message);
        break;
    case HOST_UNDO_GRANT:
    case HOST_UNDO_REVOKE:
        if (host_href_load(cs, u->host_id, &href, &e) != 0) {
            warn(cs, "find the host of", u->path, e.text);
            break;
        }
        if (u->kind == HOST_UNDO_GRANT) {
            if ((s = cs->sp->driver->revoke_access(pool, &ref, &href.ref, &se)) != SP_OK)
                warn(cs, "revoke", u->path, se.message);
            memset(&se, 0, sizeof(se));
            if (s == SP_OK && (s = cs->sp->adaptor->disconnect_volume(pool, &ref, &href.ref, &se)) != SP_OK)
                warn(cs, "disconnect", u->path, se.message);
        } else {
            sp_qos qos = {u->bw[0] ? u->bw : NULL, u->iops[0] ? u->iops : NULL};
            sp_disk_info disk;
            /* Undos run newest first: a mapping being restored here may still share the volume
             * with a newer one that a later undo step removes (a failed live migration). */
            if ((s = cs->sp->driver->grant_access(pool, &ref, &href.ref, &qos, 1, &se)) != SP_OK) {
                warn(cs, "grant again", u->path, se.message);
                break;
            }
            memset(&se, 0, sizeof(se));
            if ((s = cs->sp->adaptor->connect_volume(pool, &ref, &href.ref, &disk, &se)) != SP_OK)
                warn(cs, "connect again", u->path, se.message);
        }
        break;
    }
}

void host_undo_run(host_cs *cs)
{
    while (cs->undo != NULL) {
        struct host_undo *u = cs->undo;
        cs->undo = u->next;
        if (cs->sp != NULL)
            run_one(cs, u);
        entry_free(u);
    }
}

void host_undo_clear(host_cs *cs)
{
    while (cs->undo != NULL) {
        struct host_undo *u = cs->undo;
        cs->undo = u->next;
        entry_free(u);
    }
}
