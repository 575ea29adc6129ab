/* undo.c - resolving the changes a command announced in the intent journal when the command does
 * not commit (see undo.h): at its failure, after its rollback, and at the next start after a kill. */
#include "config.h"

#include "undo.h"

#include "guestdata.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"
#include "strbuf.h"
#include "volops.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The running command's records, newest first, with what each call made once it succeeded. */
struct host_undo {
    host_intent it;
    int done;               /* the call succeeded */
    char made[SP_PATH_MAX]; /* what it made (a create's path, a VM snapshot's group) */
    int settled;            /* resolution: 1 resolved, -1 left for repair, 0 not looked at */
    struct host_undo *next;
};

typedef enum outcome { R_NOTHING, R_UNDONE, R_FINISHED, R_LEFT } outcome;

static const char *const outcome_names[] = {"nothing", "undone", "finished", "left"};

/* --- the running command --------------------------------------------------------------------- */

int host_undo_begin(host_cs *cs, host_err *e)
{
    (void)e;
    host_undo_clear(cs);
    cs->undo_active = 1;
    return 0;
}

/* The command's number, taken with its first change: larger than any committed one and any in the
 * journal (a failed command's records kept for repair keep theirs, never handed out again). It is
 * inserted in table command inside the command's transaction: committed with it, or not at all. */
static int number_command(host_cs *cs, host_err *e)
{
    char err[256];
    int64_t committed = 0, journaled = 0;

    if (host_sql_int(cs->db, &committed, err, sizeof(err), "SELECT coalesce(max(seq), 0) FROM command", "") < 0)
        return host_fail_db(e, err);
    if (host_intent_max_cmd(cs, &journaled, e) != 0)
        return -1;
    cs->undo_seq = (committed > journaled ? committed : journaled) + 1;
    if (host_sql_run(cs->db, err, sizeof(err), "INSERT INTO command(seq) VALUES (?)", "i", cs->undo_seq) < 0) {
        cs->undo_seq = 0;
        return host_fail_db(e, err);
    }
    return 0;
}

int host_undo_intent(host_cs *cs, host_intent *it, host_err *e)
{
    struct host_undo *u;

    it->id = 0;
    if (!cs->undo_active)
        return 0;
    if (cs->undo_seq == 0 && number_command(cs, e) != 0)
        return -1;
    it->cmd = cs->undo_seq;
    if ((u = calloc(1, sizeof(*u))) == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory recording a change on the array");
    if (host_intent_add(cs, it, e) != 0) {
        free(u);
        return -1;
    }
    u->it = *it;
    u->next = cs->undo;
    cs->undo = u;
    return 0;
}

int host_undo_announce(host_cs *cs, host_intent_kind kind, int64_t pool_id, const char *obj, int spec_kind,
                       int64_t obj_id, int64_t parent_id, const char *path, int64_t host_id, int64_t *id,
                       host_err *e)
{
    host_intent it;

    memset(&it, 0, sizeof(it));
    it.kind = kind;
    it.pool_id = pool_id;
    snprintf(it.obj, sizeof(it.obj), "%s", obj);
    it.spec_kind = spec_kind;
    it.obj_id = obj_id;
    it.parent_id = parent_id;
    it.host_id = host_id;
    snprintf(it.path, sizeof(it.path), "%s", path != NULL ? path : "");
    if (host_undo_intent(cs, &it, e) != 0)
        return -1;
    if (id != NULL)
        *id = it.id;
    return 0;
}

void host_undo_done(host_cs *cs, int64_t id, const char *path)
{
    int again = 0;

    for (struct host_undo *u = cs->undo; u != NULL && id != 0; u = u->next)
        if (u->it.id == id) {
            again = u->done;
            u->done = 1;
            snprintf(u->made, sizeof(u->made), "%s", path != NULL ? path : "");
            break;
        }
    if (id == 0 || again)
        return;
    cs->undo_pushed++;
    /* --crash-at undo:N: killed right after the Nth change of a command is made (and on record). */
    if (cs->crash_phase != NULL && strcmp(cs->crash_phase, "undo") == 0 && cs->undo_pushed >= cs->crash_pct) {
        fprintf(stderr, "cs-harness: --crash-at undo:%u reached; killing this process\n", cs->crash_pct);
        fflush(stderr);
        kill(getpid(), SIGKILL);
    }
}

void host_undo_clear(host_cs *cs)
{
    while (cs->undo != NULL) {
        struct host_undo *u = cs->undo;
        cs->undo = u->next;
        free(u);
    }
    cs->undo_seq = 0;
    cs->undo_pushed = 0;
    cs->undo_active = 0;
}

/* --- resolving one record ---------------------------------------------------------------------- */

static outcome left(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static outcome left(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return R_LEFT;
}

/* Whether a path is recorded as a volume, snapshot or template copy. */
static int recorded(host_cs *cs, const char *path, int *yes, host_err *e)
{
    char err[256];
    int64_t n = 0;

    if (host_sql_int(cs->db, &n, err, sizeof(err),
                     "SELECT (SELECT count(*) FROM volume WHERE path = ?1) + (SELECT count(*) FROM snapshot WHERE path "
                     "= ?1) + (SELECT count(*) FROM template_pool WHERE path = ?1)",
                     "t", path) < 0)
        return host_fail_db(e, err);
    *yes = n > 0;
    return 0;
}

/* Deletes an object (snapshots through delete_snapshot, as the ABI has it). */
static sp_status delete_object(host_cs *cs, sp_pool *pool, const char *obj, const char *path, sp_error *se)
{
    memset(se, 0, sizeof(*se));
    if (strcmp(obj, "snapshot") == 0)
        return cs->sp->driver->delete_snapshot(pool, &(sp_volume_ref){path}, se);
    return cs->sp->driver->delete_volume(pool, &(sp_volume_ref){path}, se);
}

/* A create that did not commit: what it made (known, or found by the name the plugin gives it)
 * goes, unless the committed rows record it. */
static outcome undo_create(host_cs *cs, sp_pool *pool, struct host_undo *u, char *why, size_t len,
                           host_err *e)
{
    const host_intent *it = &u->it;
    sp_volume_info info;
    sp_error se;
    sp_status s;
    int yes = 0;

    memset(&info, 0, sizeof(info));
    memset(&se, 0, sizeof(se));
    if (u->done && u->made[0] != '\0') {
        snprintf(info.path, sizeof(info.path), "%s", u->made);
    } else {
        sp_volume_spec spec;
        memset(&spec, 0, sizeof(spec));
        spec.kind = (sp_volume_kind)it->spec_kind;
        spec.id = (uint64_t)it->obj_id;
        spec.parent_id = (uint64_t)it->parent_id;
        if (SP_HAS(cs->sp->driver, find_volume))
            s = cs->sp->driver->find_volume(pool, &spec, &info, &se);
        else if (spec.kind == SP_VOLUME_TEMPLATE)
            s = cs->sp->driver->find_template(pool, spec.id, &info, &se);
        else
            return left(why, len, "the plugin cannot look up %s %" PRId64 " (no Driver.find_volume)", it->obj,
                        it->obj_id);
        if (s == SP_E_NOT_FOUND)
            return R_NOTHING;
        if (s != SP_OK)
            return left(why, len, "cannot look for %s %" PRId64 ": %s", it->obj, it->obj_id, se.message);
    }
    if (recorded(cs, info.path, &yes, e) != 0)
        return R_LEFT;
    if (yes)
        return R_NOTHING;
    snprintf(u->made, sizeof(u->made), "%s", info.path);
    if ((s = delete_object(cs, pool, it->obj, info.path, &se)) != SP_OK)
        return left(why, len, "%s", se.message);
    return R_UNDONE;
}

/* A VM snapshot that did not commit: its group (known), or each snapshot found by name, goes. */
static outcome undo_vmsnap_create(host_cs *cs, sp_pool *pool, const struct host_undo *u, char *why, size_t len,
                                  host_err *e)
{
    const host_intent *it = &u->it;
    char err[256], ids[sizeof(it->ids)], *save = NULL;
    int64_t ready = 0;
    outcome o = R_NOTHING;
    sp_error se;

    if (host_sql_int(cs->db, &ready, err, sizeof(err),
                     "SELECT count(*) FROM vm_snapshot WHERE id = ? AND state = 'Ready'", "i", it->obj_id) < 0)
        return host_fail_db(e, err), R_LEFT;
    if (ready > 0)
        return R_NOTHING;
    if (u->done && u->made[0] != '\0') {
        memset(&se, 0, sizeof(se));
        if (cs->sp->driver->delete_vm_snapshot(pool, u->made, &se) != SP_OK)
            return left(why, len, "VM snapshot group %s: %s", u->made, se.message);
        return R_UNDONE;
    }
    snprintf(ids, sizeof(ids), "%s", it->ids);
    for (char *t = strtok_r(ids, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        sp_volume_spec spec;
        sp_volume_info info;
        sp_status s;
        memset(&spec, 0, sizeof(spec));
        memset(&info, 0, sizeof(info));
        memset(&se, 0, sizeof(se));
        spec.kind = SP_VOLUME_VM_SNAPSHOT;
        spec.id = (uint64_t)it->obj_id;
        spec.parent_id = strtoull(t, NULL, 10);
        if (!SP_HAS(cs->sp->driver, find_volume))
            return left(why, len, "the plugin cannot look up VM snapshot %" PRId64 " (no Driver.find_volume)",
                        it->obj_id);
        s = cs->sp->driver->find_volume(pool, &spec, &info, &se);
        if (s == SP_E_NOT_FOUND)
            continue;
        if (s != SP_OK)
            return left(why, len, "cannot look for VM snapshot %" PRId64 " of volume %s: %s", it->obj_id, t,
                        se.message);
        if ((s = delete_object(cs, pool, "snapshot", info.path, &se)) != SP_OK)
            return left(why, len, "snapshot %s of VM snapshot %" PRId64 ": %s", info.path, it->obj_id, se.message);
        o = R_UNDONE;
    }
    return o;
}

/* A delete: when the object is gone for good, the rows say so too. */
static outcome finish_delete(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256];
    sp_volume_info info;
    sp_error se;
    sp_status s;
    int n;

    memset(&info, 0, sizeof(info));
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){it->path}, &info, &se);
    if (s == SP_OK)
        return R_NOTHING; /* not deleted: the rolled-back rows are right */
    if (s != SP_E_NOT_FOUND)
        return left(why, len, "cannot tell whether %s %s is still there: %s", it->obj, it->path, se.message);
    if (strcmp(it->obj, "snapshot") == 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE path = ?", "t", it->path);
    else if (strcmp(it->obj, "template") == 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM template_pool WHERE path = ?", "t", it->path);
    else if ((n = host_sql_run(cs->db, err, sizeof(err),
                               "DELETE FROM access WHERE volume_id IN (SELECT id FROM volume WHERE path = ?)", "t",
                               it->path)) >= 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE path = ?", "t", it->path);
    if (n < 0)
        return host_fail_db(e, err), R_LEFT;
    return n > 0 ? R_FINISHED : R_NOTHING;
}

/* A VM snapshot's delete: once one of its snapshots is gone, all go, and its rows. */
static outcome finish_vmsnap_delete(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len,
                                    host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err),
                                        "SELECT path FROM snapshot WHERE vm_snapshot_id = ? ORDER BY id", "i",
                                        it->obj_id);
    char (*paths)[SP_PATH_MAX] = NULL;
    size_t n = 0, gone = 0;
    int *present = NULL;
    outcome o = R_NOTHING;

    if (st == NULL)
        return host_fail_db(e, err), R_LEFT;
    while (sqlite3_step(st) == SQLITE_ROW) {
        void *grown = realloc(paths, (n + 1) * sizeof(*paths));
        if (grown == NULL)
            break;
        paths = grown;
        snprintf(paths[n++], sizeof(paths[0]), "%s", host_col_text(st, 0));
    }
    sqlite3_finalize(st);
    if (n == 0 || (present = calloc(n, sizeof(*present))) == NULL) {
        free(paths);
        return n == 0 ? R_NOTHING : (host_fail(e, HOST_E_INTERNAL, "out of memory"), R_LEFT);
    }
    for (size_t i = 0; i < n; i++) {
        sp_volume_info info;
        sp_error se;
        sp_status s;
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){paths[i]}, &info, &se);
        if (s != SP_OK && s != SP_E_NOT_FOUND) {
            o = left(why, len, "cannot tell whether snapshot %s is still there: %s", paths[i], se.message);
            goto out;
        }
        present[i] = s == SP_OK;
        gone += !present[i];
    }
    if (gone == 0)
        goto out; /* not deleted: the rolled-back rows are right */
    for (size_t i = 0; i < n; i++) {
        sp_error se;
        if (present[i] && delete_object(cs, pool, "snapshot", paths[i], &se) != SP_OK) {
            o = left(why, len, "snapshot %s of VM snapshot %" PRId64 ": %s", paths[i], it->obj_id, se.message);
            goto out;
        }
    }
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE vm_snapshot_id = ?", "i", it->obj_id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM vm_snapshot WHERE id = ?", "i", it->obj_id) < 0) {
        host_fail_db(e, err);
        o = R_LEFT;
        goto out;
    }
    o = R_FINISHED;
out:
    free(paths);
    free(present);
    return o;
}

/* A resize: the row takes the size the array has. */
static outcome finish_resize(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256];
    sp_volume_info info;
    sp_error se;
    sp_status s;
    int n;

    memset(&info, 0, sizeof(info));
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){it->path}, &info, &se);
    if (s == SP_E_NOT_FOUND)
        return R_NOTHING;
    if (s != SP_OK)
        return left(why, len, "cannot read the size of volume %s: %s", it->path, se.message);
    n = host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET size = ?1 WHERE id = ?2 AND path = ?3 AND size != ?1",
                     "uit", info.size_bytes, it->obj_id, it->path);
    if (n < 0)
        return host_fail_db(e, err), R_LEFT;
    return n > 0 ? R_FINISHED : R_NOTHING;
}

/* A mapping: made to match the committed rows. The volume at path is mapped to host_id when its VM
 * runs there, and not otherwise (a snapshot or a volume the rows do not know is mapped nowhere). */
static outcome settle_mapping(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256];
    int64_t vol = 0, wanted = 0;
    host_href href;
    sp_error se;
    sp_status s;

    if (host_sql_int(cs->db, &vol, err, sizeof(err), "SELECT id FROM volume WHERE path = ?", "t", it->path) < 0 ||
        host_sql_int(cs->db, &wanted, err, sizeof(err),
                     "SELECT count(*) FROM volume v JOIN vm ON vm.id = v.vm_id WHERE v.path = ? AND vm.state = "
                     "'Running' AND vm.host_id = ?",
                     "ti", it->path, it->host_id) < 0)
        return host_fail_db(e, err), R_LEFT;
    if (host_href_load(cs, it->host_id, &href, e) != 0)
        return R_LEFT;
    memset(&se, 0, sizeof(se));
    if (wanted > 0) {
        host_vol v;
        sp_qos qos;
        sp_disk_info disk;
        if (host_vol_load(cs, vol, &v, e) != 0)
            return R_LEFT;
        qos = host_vol_qos(&v);
        /* Several hosts may hold it until the other records are settled (a live migration). */
        if ((s = cs->sp->driver->grant_access(pool, &(sp_volume_ref){it->path}, &href.ref, &qos, 1, &se)) != SP_OK)
            return left(why, len, "cannot map volume %s to host %s, which runs its VM: %s", it->path, href.name,
                        se.message);
        memset(&disk, 0, sizeof(disk));
        memset(&se, 0, sizeof(se));
        if ((s = cs->sp->adaptor->connect_volume(pool, &(sp_volume_ref){it->path}, &href.ref, &disk, &se)) != SP_OK)
            return left(why, len, "volume %s is mapped to host %s but does not show there: %s", it->path, href.name,
                        se.message);
        if (host_sql_run(cs->db, err, sizeof(err),
                         "INSERT OR REPLACE INTO access(volume_id, host_id, devpath) VALUES (?, ?, ?)", "iit", vol,
                         it->host_id, disk.path) < 0)
            return host_fail_db(e, err), R_LEFT;
        return R_UNDONE;
    }
    s = cs->sp->driver->revoke_access(pool, &(sp_volume_ref){it->path}, &href.ref, &se);
    if (s != SP_OK && s != SP_E_NOT_FOUND)
        return left(why, len, "cannot unmap %s from host %s: %s", it->path, href.name, se.message);
    memset(&se, 0, sizeof(se));
    if (s == SP_OK && (s = cs->sp->adaptor->disconnect_volume(pool, &(sp_volume_ref){it->path}, &href.ref, &se)) !=
                          SP_OK)
        return left(why, len, "%s is unmapped but its device stays on host %s: %s", it->path, href.name, se.message);
    if (vol != 0 && host_sql_run(cs->db, err, sizeof(err), "DELETE FROM access WHERE volume_id = ? AND host_id = ?",
                                 "ii", vol, it->host_id) < 0)
        return host_fail_db(e, err), R_LEFT;
    return R_UNDONE;
}

/* A snapshot revert in flight is done again, whole, and recorded: whether the array overwrote the
 * volume cannot be told from outside. */
static outcome redo_revert(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256], snap[SP_PATH_MAX] = "";
    int64_t vol_ok = 0;
    sp_error se;

    if (host_sql_int(cs->db, &vol_ok, err, sizeof(err), "SELECT count(*) FROM volume WHERE id = ? AND path = ?", "it",
                     it->parent_id, it->path) < 0 ||
        host_sql_text(cs->db, snap, sizeof(snap), err, sizeof(err), "SELECT path FROM snapshot WHERE id = ?", "i",
                      it->obj_id) < 0)
        return host_fail_db(e, err), R_LEFT;
    if (vol_ok == 0 || snap[0] == '\0')
        return R_NOTHING;
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->revert_snapshot(pool, &(sp_volume_ref){it->path}, &(sp_volume_ref){snap}, &se) != SP_OK)
        return left(why, len, "reverting volume %s to snapshot %s: %s", it->path, snap, se.message);
    if (host_guestdata_revert_snapshot(cs, it->parent_id, it->obj_id, e) != 0)
        return R_LEFT;
    return R_FINISHED;
}

static outcome redo_vmsnap_revert(host_cs *cs, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256];
    int64_t n = 0;
    host_err re;

    if (host_sql_int(cs->db, &n, err, sizeof(err), "SELECT count(*) FROM vm_snapshot WHERE id = ?", "i", it->obj_id) <
        0)
        return host_fail_db(e, err), R_LEFT;
    if (n == 0)
        return R_NOTHING;
    memset(&re, 0, sizeof(re));
    if (host_vmsnapshot_revert(cs, it->obj_id, &re) != 0)
        return left(why, len, "%s", re.text);
    return R_FINISHED;
}

/* Resolves one record against the array and the rows as they are now (committed, or this
 * resolution's own changes). committed: its command committed (only deletes after commit are then
 * resolved, by deleting). R_LEFT with why, or with e set when the database failed. */
static outcome resolve(host_cs *cs, struct host_undo *u, int committed, char *why, size_t len, host_err *e)
{
    const host_intent *it = &u->it;
    sp_pool *pool;
    host_err pe;
    sp_error se;

    memset(&pe, 0, sizeof(pe));
    if (it->kind == HOST_INTENT_DELETE_AFTER && !committed)
        return R_NOTHING; /* never asked for: the command did not commit */
    if (host_pool_open(cs, it->pool_id, &pool, &pe) != 0)
        return left(why, len, "%s", pe.text);
    switch (it->kind) {
    case HOST_INTENT_CREATE:
        return undo_create(cs, pool, u, why, len, e);
    case HOST_INTENT_VMSNAP_CREATE:
        return undo_vmsnap_create(cs, pool, u, why, len, e);
    case HOST_INTENT_DELETE:
        return finish_delete(cs, pool, it, why, len, e);
    case HOST_INTENT_VMSNAP_DELETE:
        return finish_vmsnap_delete(cs, pool, it, why, len, e);
    case HOST_INTENT_DELETE_AFTER:
        if (delete_object(cs, pool, it->obj, it->path, &se) != SP_OK)
            return left(why, len, "%s %s: %s", it->obj, it->path, se.message);
        return R_FINISHED;
    case HOST_INTENT_RESIZE:
        return finish_resize(cs, pool, it, why, len, e);
    case HOST_INTENT_MAP:
        return settle_mapping(cs, pool, it, why, len, e);
    case HOST_INTENT_REVERT:
        return redo_revert(cs, pool, it, why, len, e);
    case HOST_INTENT_VMSNAP_REVERT:
        return redo_vmsnap_revert(cs, it, why, len, e);
    }
    return left(why, len, "unknown record kind %d", (int)it->kind);
}

/* --- resolving a set of records ------------------------------------------------------------------ */

typedef struct tally {
    unsigned undone, finished, left;
    host_buf left_text; /* "volume X left on pool P (why); " */
} tally;

/* Whether an earlier record of the same pass already settled this mapping (one per path and host). */
static int mapping_seen(struct host_undo *head, struct host_undo *u)
{
    for (struct host_undo *o = head; o != NULL && o != u; o = o->next)
        if (o->it.kind == HOST_INTENT_MAP && o->it.host_id == u->it.host_id && strcmp(o->it.path, u->it.path) == 0)
            return 1;
    return 0;
}

/* Resolves the records of list (newest first) inside the caller's transaction; marks each record's
 * outcome in u->done (1 resolved, 0 left) and writes the report to w (when not NULL). -1 only when
 * the database fails. */
static int resolve_all(host_cs *cs, struct host_undo *list, const int *committed, tally *t, host_jsonw *w,
                       host_err *e)
{
    size_t i = 0;
    int any = 0;

    for (struct host_undo *u = list; u != NULL; u = u->next, i++) {
        char why[512] = "", puuid[40];
        host_err de;
        outcome o;

        memset(&de, 0, sizeof(de));
        if (u->it.kind == HOST_INTENT_MAP && mapping_seen(list, u)) {
            u->settled = 1; /* with the other */
            continue;
        }
        o = resolve(cs, u, committed[i], why, sizeof(why), &de);
        if (de.code != 0) {
            *e = de;
            return -1;
        }
        u->settled = o == R_LEFT ? -1 : 1;
        snprintf(u->it.why, sizeof(u->it.why), "%s", why);
        if (o == R_NOTHING)
            continue;
        host_pool_uuid(cs, u->it.pool_id, puuid);
        if (o == R_UNDONE)
            t->undone++;
        else if (o == R_FINISHED)
            t->finished++;
        else {
            t->left++;
            host_buf_printf(&t->left_text, "%s%s %s left on pool %s (%s: %s)", t->left > 1 ? "; " : "", u->it.obj,
                            u->it.path[0] ? u->it.path : u->made[0] ? u->made : "(not found)", puuid,
                            host_intent_kind_name(u->it.kind), why);
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
        if (o == R_LEFT)
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

void host_undo_committed(host_cs *cs)
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
        if (resolve(cs, u, 1, why, sizeof(why), &e) == R_LEFT) {
            snprintf(line, sizeof(line), "%s %.300s stays on the array, recorded for repair: %.500s", u->it.obj,
                     u->it.path, why[0] ? why : e.text);
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

void host_undo_run(host_cs *cs, host_err *e)
{
    struct host_undo *list = cs->undo;
    tally t;
    int *committed = NULL;
    size_t n = 0;
    char err[512];
    host_err de;

    cs->undo = NULL;
    memset(&t, 0, sizeof(t));
    memset(&de, 0, sizeof(de));
    for (struct host_undo *u = list; u != NULL; u = u->next)
        n++;
    if (n == 0 || cs->sp == NULL)
        goto out;
    if ((committed = calloc(n, sizeof(*committed))) == NULL || host_store_begin(cs->db, err, sizeof(err)) != 0) {
        /* Records stay open: the next start resolves them. */
        host_buf_printf(&t.left_text, "%zu change(s) on the array left as they are (%s)", n,
                        committed == NULL ? "out of memory" : err);
        t.left = 1;
        goto out;
    }
    if (resolve_all(cs, list, committed, &t, NULL, &de) != 0 || host_store_commit(cs->db, err, sizeof(err)) != 0) {
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

int host_undo_recover(host_cs *cs, host_jsonw *w, host_err *e)
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
        if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM command WHERE ?1 = 0 OR seq < ?1", "i", oldest) < 0) {
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

int host_undo_repair(host_cs *cs, int64_t pool_id, host_jsonw *w, host_err *e)
{
    struct host_undo *list = NULL;
    int *committed = NULL;
    size_t n = 0;
    char err[512];
    tally t;
    int rc = -1;

    memset(&t, 0, sizeof(t));
    if (load(cs, pool_id, &list, &committed, &n, e) != 0)
        return -1;
    if (n == 0) {
        rc = 0;
        goto out;
    }
    if (resolve_all(cs, list, committed, &t, w, e) != 0)
        goto out;
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
