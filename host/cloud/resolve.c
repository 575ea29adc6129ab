/* resolve.c - how one announced change (intent.h) is resolved against the array and the rows as
 * they are now: taken back, finished, or left for repair (see undo.h; host/README.md, Crash
 * safety, says why each answer is the right one). Every answer can be given again from any state. */
#include "config.h"

#include "resolve.h"

#include "clients.h"
#include "guestdata.h"
#include "poolh.h"
#include "store.h"
#include "volops.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static host_outcome left(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static host_outcome left(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return HOST_R_LEFT;
}

/* Whether a path is recorded as a volume, snapshot or template copy. */
static int recorded(host_cs *cs, const char *path, int *yes, host_err *e)
{
    char err[256];
    int64_t n = 0;

    if (host_sql_int(cs->db, &n, err, sizeof(err),
                     "SELECT (SELECT count(*) FROM volume WHERE path = ?1) + (SELECT count(*) FROM snapshot "
                     "WHERE path "
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
static host_outcome undo_create(host_cs *cs, sp_pool *pool, const host_intent *it, char *made,
                                size_t made_len, char *why, size_t len, host_err *e)
{
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    int yes = 0;

    memset(&se, 0, sizeof(se));
    if (made[0] != '\0') {
        snprintf(info.path, sizeof(info.path), "%s", made);
    } else {
        sp_volume_spec spec = SP_INIT(sp_volume_spec);
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
            return HOST_R_NOTHING;
        if (s != SP_OK)
            return left(why, len, "cannot look for %s %" PRId64 ": %s", it->obj, it->obj_id, se.message);
    }
    if (recorded(cs, info.path, &yes, e) != 0)
        return HOST_R_LEFT;
    if (yes)
        return HOST_R_NOTHING;
    snprintf(made, made_len, "%s", info.path);
    if ((s = delete_object(cs, pool, it->obj, info.path, &se)) != SP_OK)
        return left(why, len, "%s", se.message);
    return HOST_R_UNDONE;
}

/* A VM snapshot that did not commit: its group (known), or each snapshot found by name, goes. */
static host_outcome undo_vmsnap_create(host_cs *cs, sp_pool *pool, const host_intent *it, const char *made,
                                       char *why, size_t len, host_err *e)
{
    char err[256], ids[sizeof(it->ids)], *save = NULL;
    int64_t ready = 0;
    host_outcome o = HOST_R_NOTHING;
    sp_error se;

    if (host_sql_int(cs->db, &ready, err, sizeof(err),
                     "SELECT count(*) FROM vm_snapshot WHERE id = ? AND state = 'Ready'", "i",
                     it->obj_id) < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    if (ready > 0)
        return HOST_R_NOTHING;
    if (made[0] != '\0') {
        memset(&se, 0, sizeof(se));
        if (cs->sp->driver->delete_vm_snapshot(pool, made, &se) != SP_OK)
            return left(why, len, "VM snapshot group %s: %s", made, se.message);
        return HOST_R_UNDONE;
    }
    snprintf(ids, sizeof(ids), "%s", it->ids);
    for (char *t = strtok_r(ids, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        sp_volume_spec spec = SP_INIT(sp_volume_spec);
        sp_volume_info info = SP_INIT(sp_volume_info);
        sp_status s;
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
            return left(why, len, "snapshot %s of VM snapshot %" PRId64 ": %s", info.path, it->obj_id,
                        se.message);
        o = HOST_R_UNDONE;
    }
    return o;
}

/* A delete: when the object is gone for good, the rows say so too. */
static host_outcome finish_delete(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len,
                                  host_err *e)
{
    char err[256];
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    int n;

    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){it->path}, &info, &se);
    if (s == SP_OK)
        return HOST_R_NOTHING; /* not deleted: the rolled-back rows are right */
    if (s != SP_E_NOT_FOUND)
        return left(why, len, "cannot tell whether %s %s is still there: %s", it->obj, it->path, se.message);
    if (strcmp(it->obj, "snapshot") == 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE path = ?", "t", it->path);
    else if (strcmp(it->obj, "template") == 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM template_pool WHERE path = ?", "t", it->path);
    else if ((n = host_sql_run(cs->db, err, sizeof(err),
                               "DELETE FROM access WHERE volume_id IN (SELECT id FROM volume WHERE path = ?)",
                               "t", it->path)) >= 0)
        n = host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE path = ?", "t", it->path);
    if (n < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    return n > 0 ? HOST_R_FINISHED : HOST_R_NOTHING;
}

/* A VM snapshot's delete: once one of its snapshots is gone, all go, and its rows. */
static host_outcome finish_vmsnap_delete(host_cs *cs, sp_pool *pool, const host_intent *it, char *why,
                                         size_t len, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT path FROM snapshot WHERE vm_snapshot_id = ? ORDER BY id", "i", it->obj_id);
    char(*paths)[SP_PATH_MAX] = NULL;
    size_t n = 0, gone = 0;
    int *present = NULL;
    host_outcome o = HOST_R_NOTHING;

    if (st == NULL)
        return host_fail_db(e, err), HOST_R_LEFT;
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
        return n == 0 ? HOST_R_NOTHING : (host_fail(e, HOST_E_INTERNAL, "out of memory"), HOST_R_LEFT);
    }
    for (size_t i = 0; i < n; i++) {
        sp_volume_info info = SP_INIT(sp_volume_info);
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
            o = left(why, len, "snapshot %s of VM snapshot %" PRId64 ": %s", paths[i], it->obj_id,
                     se.message);
            goto out;
        }
    }
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE vm_snapshot_id = ?", "i",
                     it->obj_id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM vm_snapshot WHERE id = ?", "i", it->obj_id) < 0) {
        host_fail_db(e, err);
        o = HOST_R_LEFT;
        goto out;
    }
    o = HOST_R_FINISHED;
out:
    free(paths);
    free(present);
    return o;
}

/* A resize: the row takes the size the array has. */
static host_outcome finish_resize(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len,
                                  host_err *e)
{
    char err[256];
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    int n;

    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->get_volume(pool, &(sp_volume_ref){it->path}, &info, &se);
    if (s == SP_E_NOT_FOUND)
        return HOST_R_NOTHING;
    if (s != SP_OK)
        return left(why, len, "cannot read the size of volume %s: %s", it->path, se.message);
    n = host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume SET size = ?1 WHERE id = ?2 AND path = ?3 AND size != ?1", "uit",
                     info.size_bytes, it->obj_id, it->path);
    if (n < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    return n > 0 ? HOST_R_FINISHED : HOST_R_NOTHING;
}

/* A mapping: made to match the committed rows. The volume at path is mapped to host_id when its VM
 * runs there, and not otherwise (a snapshot or a volume the rows do not know is mapped nowhere). */
static host_outcome settle_mapping(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len,
                                   host_err *e)
{
    char err[256];
    int64_t vol = 0, wanted = 0;
    host_href href;
    sp_error se;
    sp_status s;

    if (host_sql_int(cs->db, &vol, err, sizeof(err), "SELECT id FROM volume WHERE path = ?", "t", it->path) <
            0 ||
        host_sql_int(
            cs->db, &wanted, err, sizeof(err),
            "SELECT count(*) FROM volume v JOIN vm ON vm.id = v.vm_id WHERE v.path = ? AND vm.state = "
            "'Running' AND vm.host_id = ?",
            "ti", it->path, it->host_id) < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    if (host_href_load(cs, it->host_id, &href, e) != 0)
        return HOST_R_LEFT;
    memset(&se, 0, sizeof(se));
    if (wanted > 0) {
        host_vol v;
        sp_qos qos;
        sp_disk_info disk = SP_INIT(sp_disk_info);
        if (host_vol_load(cs, vol, &v, e) != 0)
            return HOST_R_LEFT;
        qos = host_vol_qos(&v);
        /* On demand, the host's storage client joins the array first (a no-op when it is in). */
        if (host_client_prepare(cs, pool, it->pool_id, &href, 0, e) != 0)
            return left(why, len, "cannot map volume %s to host %s, which runs its VM: %s", it->path,
                        href.name, e->text);
        /* Several hosts may hold it until the other records are settled (a live migration). */
        if ((s = cs->sp->driver->grant_access(pool, &(sp_volume_ref){it->path}, &href.ref, &qos, 1, &se)) !=
            SP_OK)
            return left(why, len, "cannot map volume %s to host %s, which runs its VM: %s", it->path,
                        href.name, se.message);
        memset(&se, 0, sizeof(se));
        if ((s = cs->sp->adaptor->connect_volume(pool, &(sp_volume_ref){it->path}, &href.ref, &disk, &se)) !=
            SP_OK)
            return left(why, len, "volume %s is mapped to host %s but does not show there: %s", it->path,
                        href.name, se.message);
        if (host_sql_run(cs->db, err, sizeof(err),
                         "INSERT OR REPLACE INTO access(volume_id, host_id, devpath) VALUES (?, ?, ?)", "iit",
                         vol, it->host_id, disk.path) < 0)
            return host_fail_db(e, err), HOST_R_LEFT;
        return HOST_R_UNDONE;
    }
    s = cs->sp->driver->revoke_access(pool, &(sp_volume_ref){it->path}, &href.ref, &se);
    if (s != SP_OK && s != SP_E_NOT_FOUND)
        return left(why, len, "cannot unmap %s from host %s: %s", it->path, href.name, se.message);
    memset(&se, 0, sizeof(se));
    if (s == SP_OK &&
        (s = cs->sp->adaptor->disconnect_volume(pool, &(sp_volume_ref){it->path}, &href.ref, &se)) != SP_OK)
        return left(why, len, "%s is unmapped but its device stays on host %s: %s", it->path, href.name,
                    se.message);
    if (vol != 0 &&
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM access WHERE volume_id = ? AND host_id = ?", "ii",
                     vol, it->host_id) < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    /* On demand, a client whose last volume of the array this was leaves it; the plugin's look at
     * the array decides (another record may still settle a mapping there). Not leaving is no
     * leftover on the array, only a client connected longer: logged. */
    {
        host_err ce;
        memset(&ce, 0, sizeof(ce));
        if (host_client_release(cs, pool, it->pool_id, &href, 0, &ce) != 0)
            cs->svc.table.log(&cs->svc, SP_LOG_WARN, ce.text);
    }
    return HOST_R_UNDONE;
}

/* A snapshot revert in flight is done again, whole, and recorded: whether the array overwrote the
 * volume cannot be told from outside. */
static host_outcome redo_revert(host_cs *cs, sp_pool *pool, const host_intent *it, char *why, size_t len,
                                host_err *e)
{
    char err[256], snap[SP_PATH_MAX] = "";
    int64_t vol_ok = 0;
    sp_error se;

    if (host_sql_int(cs->db, &vol_ok, err, sizeof(err),
                     "SELECT count(*) FROM volume WHERE id = ? AND path = ?", "it", it->parent_id,
                     it->path) < 0 ||
        host_sql_text(cs->db, snap, sizeof(snap), err, sizeof(err), "SELECT path FROM snapshot WHERE id = ?",
                      "i", it->obj_id) < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    if (vol_ok == 0 || snap[0] == '\0')
        return HOST_R_NOTHING;
    memset(&se, 0, sizeof(se));
    if (cs->sp->driver->revert_snapshot(pool, &(sp_volume_ref){it->path}, &(sp_volume_ref){snap}, &se) !=
        SP_OK)
        return left(why, len, "reverting volume %s to snapshot %s: %s", it->path, snap, se.message);
    if (host_guestdata_revert_snapshot(cs, it->parent_id, it->obj_id, e) != 0)
        return HOST_R_LEFT;
    return HOST_R_FINISHED;
}

static host_outcome redo_vmsnap_revert(host_cs *cs, const host_intent *it, char *why, size_t len, host_err *e)
{
    char err[256];
    int64_t n = 0;
    host_err re;

    if (host_sql_int(cs->db, &n, err, sizeof(err), "SELECT count(*) FROM vm_snapshot WHERE id = ?", "i",
                     it->obj_id) < 0)
        return host_fail_db(e, err), HOST_R_LEFT;
    if (n == 0)
        return HOST_R_NOTHING;
    memset(&re, 0, sizeof(re));
    if (host_vmsnapshot_revert(cs, it->obj_id, &re) != 0)
        return left(why, len, "%s", re.text);
    return HOST_R_FINISHED;
}

host_outcome host_resolve(host_cs *cs, const host_intent *it, char *made, size_t made_len, int committed,
                          char *why, size_t len, host_err *e)
{
    sp_pool *pool;
    host_err pe;
    sp_error se;

    memset(&pe, 0, sizeof(pe));
    if (it->kind == HOST_INTENT_DELETE_AFTER && !committed)
        return HOST_R_NOTHING; /* never asked for: the command did not commit */
    if (host_pool_open(cs, it->pool_id, &pool, &pe) != 0)
        return left(why, len, "%s", pe.text);
    switch (it->kind) {
    case HOST_INTENT_CREATE: return undo_create(cs, pool, it, made, made_len, why, len, e);
    case HOST_INTENT_VMSNAP_CREATE: return undo_vmsnap_create(cs, pool, it, made, why, len, e);
    case HOST_INTENT_DELETE: return finish_delete(cs, pool, it, why, len, e);
    case HOST_INTENT_VMSNAP_DELETE: return finish_vmsnap_delete(cs, pool, it, why, len, e);
    case HOST_INTENT_DELETE_AFTER:
        if (delete_object(cs, pool, it->obj, it->path, &se) != SP_OK)
            return left(why, len, "%s %s: %s", it->obj, it->path, se.message);
        return HOST_R_FINISHED;
    case HOST_INTENT_RESIZE: return finish_resize(cs, pool, it, why, len, e);
    case HOST_INTENT_MAP: return settle_mapping(cs, pool, it, why, len, e);
    case HOST_INTENT_REVERT: return redo_revert(cs, pool, it, why, len, e);
    case HOST_INTENT_VMSNAP_REVERT: return redo_vmsnap_revert(cs, it, why, len, e);
    }
    return left(why, len, "unknown record kind %d", (int)it->kind);
}
