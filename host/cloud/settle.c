/* settle.c - resolving a command's announced changes (undo.h) with resolve.c, one at a time, when
 * the command does not commit: at its failure, after its rollback; at the next start after a kill;
 * and when check storagepool repairs. Also the deletes a committed command left for after its
 * commit. */
#include "config.h"

#include "settle.h"

#include "poolh.h"
#include "pools.h"
#include "resolve.h"
#include "store.h"
#include "strbuf.h"
#include "undo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Indexed by host_outcome. */
static const char *const outcome_names[] = {"nothing", "undone", "finished", "left"};

/* --- resolving a set of records ------------------------------------------------------------------ */

typedef struct tally {
    unsigned undone, finished, left;
    host_buf left_text; /* "volume X left on pool P (why); " */
} tally;

/* Whether an earlier record of the same pass already settled this mapping (one per path and host). */
static int mapping_seen(struct host_undo *head, struct host_undo *u)
{
    for (struct host_undo *o = head; o != NULL && o != u; o = o->next)
        if (o->it.kind == HOST_INTENT_MAP && o->it.host_id == u->it.host_id &&
            strcmp(o->it.path, u->it.path) == 0)
            return 1;
    return 0;
}

/* Resolves the records of list (newest first) inside the caller's transaction; marks each record's
 * outcome in u->settled, counts them in t and writes the report to w (when not NULL). -1 only when
 * the database fails. */
static int resolve_all(host_cs *cs, struct host_undo *list, const int *committed, tally *t, host_jsonw *w,
                       host_err *e)
{
    size_t i = 0;
    int any = 0;

    for (struct host_undo *u = list; u != NULL; u = u->next, i++) {
        char why[512] = "", puuid[40];
        host_err de;
        host_outcome o;

        memset(&de, 0, sizeof(de));
        if (u->it.kind == HOST_INTENT_MAP && mapping_seen(list, u)) {
            u->settled = 1; /* with the other */
            continue;
        }
        o = host_resolve(cs, &u->it, u->made, sizeof(u->made), committed[i], why, sizeof(why), &de);
        if (de.code != 0) {
            *e = de;
            return -1;
        }
        u->settled = o == HOST_R_LEFT ? -1 : 1;
        snprintf(u->it.why, sizeof(u->it.why), "%s", why);
        if (o == HOST_R_NOTHING)
            continue;
        host_pool_uuid(cs, u->it.pool_id, puuid);
        if (o == HOST_R_UNDONE)
            t->undone++;
        else if (o == HOST_R_FINISHED)
            t->finished++;
        else {
            t->left++;
            host_buf_printf(&t->left_text, "%s%s %s left on pool %s (%s: %s)", t->left > 1 ? "; " : "",
                            u->it.obj,
                            u->it.path[0] ? u->it.path
                            : u->made[0]  ? u->made
                                          : "(not found)",
                            puuid, host_intent_kind_name(u->it.kind), why);
        }
        if (w == NULL)
            continue;
        if (!any)
            host_jsonw_array_begin(w, "intents");
        any = 1;
        host_jsonw_object_begin(w, NULL);
        host_jsonw_string(w, "kind", host_intent_kind_name(u->it.kind));
        host_jsonw_string(w, "object", u->it.obj);
        if (u->it.obj_id != 0)
            host_jsonw_int(w, "objectid", u->it.obj_id);
        if (u->it.path[0] != '\0' || u->made[0] != '\0')
            host_jsonw_string(w, "path", u->it.path[0] ? u->it.path : u->made);
        host_jsonw_string(w, "storageid", puuid);
        host_jsonw_string(w, "outcome", outcome_names[o]);
        if (o == HOST_R_LEFT)
            host_jsonw_string(w, "reason", why);
        host_jsonw_object_end(w);
    }
    if (any)
        host_jsonw_array_end(w);
    return 0;
}

/* After the resolution's transaction committed: resolved records go, the others stay for repair. */
static void settle_records(host_cs *cs, struct host_undo *list)
{
    for (struct host_undo *u = list; u != NULL; u = u->next) {
        if (u->it.id == 0)
            continue;
        if (u->settled < 0)
            host_intent_keep(cs, u->it.id, u->it.why);
        else if (u->settled > 0)
            host_intent_forget(cs, u->it.id);
    }
}

static void free_list(struct host_undo *list)
{
    while (list != NULL) {
        struct host_undo *next = list->next;
        free(list);
        list = next;
    }
}

/* The ids a record names objects by are never handed out again, whatever became of them: a new
 * object of the same id would carry the same array name. */
static void mark_ids_used(host_cs *cs, const host_intent *it)
{
    const char *table = NULL;

    if (it->kind == HOST_INTENT_CREATE)
        table = strcmp(it->obj, "snapshot") == 0   ? "snapshot"
                : strcmp(it->obj, "template") == 0 ? "template"
                                                   : "volume";
    else if (it->kind == HOST_INTENT_VMSNAP_CREATE)
        table = "vm_snapshot";
    if (table != NULL)
        host_store_mark_used(cs->db, table, it->obj_id);
}

static void refresh_pools(host_cs *cs, struct host_undo *list)
{
    for (struct host_undo *u = list; u != NULL; u = u->next) {
        int seen = 0;
        host_err ignored;
        for (struct host_undo *o = list; o != u && !seen; o = o->next)
            seen = o->it.pool_id == u->it.pool_id;
        if (!seen)
            host_pool_refresh(cs, u->it.pool_id, &ignored);
    }
}

/* --- the command's end -------------------------------------------------------------------------- */

void host_settle_committed(host_cs *cs)
{
    struct host_undo *after = NULL;
    int64_t seq = cs->undo_seq;

    /* The deletes left for after the commit, oldest first. */
    for (struct host_undo *u = cs->undo; u != NULL; u = u->next)
        if (u->it.kind == HOST_INTENT_DELETE_AFTER && u->it.id != 0) {
            struct host_undo *c = malloc(sizeof(*c));
            if (c == NULL)
                continue; /* stays recorded: the next start deletes it */
            *c = *u;
            c->next = after;
            after = c;
        }
    if (seq != 0)
        host_intent_forget_cmd(cs, seq);
    host_undo_clear(cs);
    for (struct host_undo *u = after; u != NULL; u = u->next) {
        char why[512] = "", line[1200];
        host_err e;
        memset(&e, 0, sizeof(e));
        if (host_resolve(cs, &u->it, u->made, sizeof(u->made), 1, why, sizeof(why), &e) == HOST_R_LEFT) {
            snprintf(line, sizeof(line), "%s %.300s stays on the array, recorded for repair: %.500s",
                     u->it.obj, u->it.path, why[0] ? why : e.text);
            cs->svc.table.log(&cs->svc, SP_LOG_WARN, line);
            host_intent_keep(cs, u->it.id, why[0] ? why : e.text);
        } else {
            host_intent_forget(cs, u->it.id);
        }
    }
    if (after != NULL) {
        refresh_pools(cs, after);
        free_list(after);
    }
}

void host_settle_failed(host_cs *cs, host_err *e)
{
    struct host_undo *list = cs->undo;
    tally t;
    int *committed = NULL;
    size_t n = 0;
    char err[512];
    host_err de;

    cs->undo = NULL;
    cs->undo_active = 0; /* what the resolution itself asks is not announced: it is the record */
    memset(&t, 0, sizeof(t));
    memset(&de, 0, sizeof(de));
    for (struct host_undo *u = list; u != NULL; u = u->next)
        n++;
    if (n == 0 || cs->sp == NULL)
        goto out;
    if ((committed = calloc(n, sizeof(*committed))) == NULL ||
        host_store_begin(cs->db, err, sizeof(err)) != 0) {
        /* Records stay open: the next start resolves them. */
        host_buf_printf(&t.left_text, "%zu change(s) on the array left as they are (%s)", n,
                        committed == NULL ? "out of memory" : err);
        t.left = 1;
        goto out;
    }
    if (resolve_all(cs, list, committed, &t, NULL, &de) != 0 ||
        host_store_commit(cs->db, err, sizeof(err)) != 0) {
        host_store_rollback(cs->db);
        host_buf_printf(&t.left_text, "%s%s", t.left ? "; " : "", de.code != 0 ? de.text : err);
        t.left++;
        goto out; /* records stay open */
    }
    settle_records(cs, list);
    refresh_pools(cs, list);
out:
    if (t.left > 0 && e != NULL) {
        size_t l = strlen(e->text);
        snprintf(e->text + l, sizeof(e->text) - l, "; rollback incomplete: %s; recorded for repair",
                 host_buf_str(&t.left_text));
    }
    host_buf_free(&t.left_text);
    free(committed);
    free_list(list);
    host_undo_clear(cs);
}

/* --- at start, and repairs ---------------------------------------------------------------------- */

static int report(host_jsonw *w, const char *key, const tally *t)
{
    if (t->undone > 0)
        host_jsonw_int(w, "undone", t->undone);
    if (t->finished > 0)
        host_jsonw_int(w, "finished", t->finished);
    if (t->left > 0)
        host_jsonw_int(w, key, t->left);
    return 0;
}

/* Loads the records that need resolving (all, or pool_id's kept for repair) into a list newest
 * first, with whether each one's command committed; committed records that need nothing go. */
static int load(host_cs *cs, int64_t pool_id, struct host_undo **out, int **committed_out, size_t *n_out,
                host_err *e)
{
    host_intent *all = NULL;
    struct host_undo *list = NULL;
    int *committed = NULL;
    size_t n = 0, k = 0;
    char err[256];

    *out = NULL;
    *committed_out = NULL;
    *n_out = 0;
    if (host_intent_list(cs, &all, &n, e) != 0)
        return -1;
    if (n > 0 && (committed = calloc(n, sizeof(*committed))) == NULL) {
        free(all);
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    /* Oldest first in `all`: prepending makes the list newest first, and committed[] (filled from
     * the end) follows the list's order. */
    for (size_t i = 0; i < n; i++) {
        int64_t c = 0;
        int repair = strcmp(all[i].state, "repair") == 0;
        struct host_undo *u;
        if (pool_id != 0 && (!repair || all[i].pool_id != pool_id))
            continue;
        if (host_sql_int(cs->db, &c, err, sizeof(err), "SELECT count(*) FROM command WHERE seq = ?", "i",
                         all[i].cmd) < 0) {
            host_fail_db(e, err);
            goto fail;
        }
        if (c > 0 && !repair && all[i].kind != HOST_INTENT_DELETE_AFTER) {
            host_intent_forget(cs, all[i].id); /* committed: nothing to resolve */
            continue;
        }
        if ((u = calloc(1, sizeof(*u))) == NULL) {
            host_fail(e, HOST_E_INTERNAL, "out of memory");
            goto fail;
        }
        u->it = all[i];
        u->next = list;
        list = u;
        committed[n - 1 - k] = c > 0;
        k++;
    }
    /* The list has k records; their flags are the last k of committed[]. */
    if (k > 0 && k < n)
        memmove(committed, committed + (n - k), k * sizeof(*committed));
    free(all);
    *out = list;
    *committed_out = committed;
    *n_out = k;
    return 0;
fail:
    free(all);
    free(committed);
    free_list(list);
    return -1;
}

int host_settle_recover(host_cs *cs, host_jsonw *w, host_err *e)
{
    struct host_undo *list = NULL;
    int *committed = NULL;
    size_t n = 0;
    char err[512];
    tally t;
    int rc = -1;

    memset(&t, 0, sizeof(t));
    if (load(cs, 0, &list, &committed, &n, e) != 0)
        return -1;
    if (n > 0 && host_need_plugin(cs, e) != 0)
        goto out;
    if (host_store_begin(cs->db, err, sizeof(err)) != 0) {
        host_fail_db(e, err);
        goto out;
    }
    for (struct host_undo *u = list; u != NULL; u = u->next)
        mark_ids_used(cs, &u->it);
    if (resolve_all(cs, list, committed, &t, w, e) != 0) {
        host_store_rollback(cs->db);
        goto out;
    }
    /* Numbers of committed commands are kept while a record of theirs is. */
    {
        int64_t oldest = 0;
        host_intent *all = NULL;
        size_t m = 0;
        if (host_intent_list(cs, &all, &m, e) != 0) {
            host_store_rollback(cs->db);
            goto out;
        }
        for (size_t i = 0; i < m; i++) {
            int resolved = 0;
            for (struct host_undo *u = list; u != NULL && !resolved; u = u->next)
                resolved = u->it.id == all[i].id && u->settled > 0;
            if (!resolved && (oldest == 0 || all[i].cmd < oldest))
                oldest = all[i].cmd;
        }
        free(all);
        if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM command WHERE ?1 = 0 OR seq < ?1", "i",
                         oldest) < 0) {
            host_fail_db(e, err);
            host_store_rollback(cs->db);
            goto out;
        }
    }
    if (host_store_commit(cs->db, err, sizeof(err)) != 0) {
        host_fail_db(e, err);
        host_store_rollback(cs->db);
        goto out;
    }
    settle_records(cs, list);
    refresh_pools(cs, list);
    report(w, "left", &t);
    rc = 0;
out:
    host_buf_free(&t.left_text);
    free(committed);
    free_list(list);
    return rc;
}

int host_settle_repair(host_cs *cs, int64_t pool_id, host_jsonw *w, host_err *e)
{
    struct host_undo *list = NULL;
    int *committed = NULL;
    size_t n = 0;
    char err[512];
    tally t;
    int rc = -1, active;

    memset(&t, 0, sizeof(t));
    if (load(cs, pool_id, &list, &committed, &n, e) != 0)
        return -1;
    if (n == 0) {
        rc = 0;
        goto out;
    }
    active = cs->undo_active;
    cs->undo_active = 0; /* what the resolution itself asks is not announced: it is the record */
    rc = resolve_all(cs, list, committed, &t, w, e);
    cs->undo_active = active;
    if (rc != 0)
        goto out;
    rc = -1;
    /* The repairs are committed now, whatever the check finds after them; what the command does
     * next is numbered anew. */
    if (host_store_commit(cs->db, err, sizeof(err)) != 0 || host_store_begin(cs->db, err, sizeof(err)) != 0) {
        host_fail_db(e, err);
        goto out;
    }
    cs->undo_seq = 0;
    settle_records(cs, list);
    refresh_pools(cs, list);
    host_jsonw_int(w, "repaired", t.undone + t.finished);
    report(w, "unrepaired", &t);
    rc = 0;
out:
    host_buf_free(&t.left_text);
    free(committed);
    free_list(list);
    return rc;
}
