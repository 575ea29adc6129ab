/* intent.c - the write-ahead intent journal's records (see intent.h). */
#include "config.h"

#include "intent.h"

#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS intent(id INTEGER PRIMARY KEY AUTOINCREMENT, cmd INTEGER NOT NULL,"
    "  kind INTEGER NOT NULL, pool_id INTEGER NOT NULL, obj TEXT NOT NULL, spec_kind INTEGER NOT NULL,"
    "  obj_id INTEGER NOT NULL, parent_id INTEGER NOT NULL, host_id INTEGER NOT NULL, path TEXT NOT NULL,"
    "  ids TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'open', why TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL);";

int host_intent_open(host_cs *cs, host_err *e)
{
    char *path = NULL, *msg = NULL, err[512];
    int rc;

    if (cs->db_path != NULL && asprintf(&path, "%s.intent", cs->db_path) < 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    /* Private like the database beside it: it names the objects the harness is changing. */
    if (path != NULL && host_store_private(path, err, sizeof(err)) != 0) {
        free(path);
        return host_fail(e, HOST_E_INTERNAL, "intent journal: %s", err);
    }
    rc = sqlite3_open_v2(path != NULL ? path : ":memory:", &cs->intents,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(cs->intents, 10000);
        /* A record is on disk before the change it announces is asked for: WAL, and every commit
         * synced (FULL), whatever the harness's own database does. */
        rc =
            sqlite3_exec(cs->intents, path != NULL ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" : "",
                         NULL, NULL, &msg);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(cs->intents, schema, NULL, NULL, &msg);
    }
    if (rc != SQLITE_OK) {
        host_fail(e, HOST_E_INTERNAL, "cannot open the intent journal %s: %s",
                  path != NULL ? path : ":memory:",
                  msg != NULL           ? msg
                  : cs->intents != NULL ? sqlite3_errmsg(cs->intents)
                                        : "out of memory");
        sqlite3_free(msg);
        sqlite3_close(cs->intents);
        cs->intents = NULL;
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

void host_intent_close(host_cs *cs)
{
    if (cs->intents != NULL)
        sqlite3_close(cs->intents);
    cs->intents = NULL;
}

int host_intent_add(host_cs *cs, host_intent *it, host_err *e)
{
    char err[512];

    if (host_sql_run(
            cs->intents, err, sizeof(err),
            "INSERT INTO intent(cmd, kind, pool_id, obj, spec_kind, obj_id, parent_id, host_id, path, ids, "
            "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "iiitiiiitti", it->cmd, (int64_t)it->kind, it->pool_id, it->obj, (int64_t)it->spec_kind,
            it->obj_id, it->parent_id, it->host_id, it->path, it->ids, host_now()) < 0)
        return host_fail(e, HOST_E_INTERNAL, "cannot record what is about to change on the array: %s", err);
    it->id = sqlite3_last_insert_rowid(cs->intents);
    snprintf(it->state, sizeof(it->state), "open");
    return 0;
}

int host_intent_list(host_cs *cs, host_intent **out, size_t *n, host_err *e)
{
    char err[512];
    sqlite3_stmt *st =
        host_sql_prepare(cs->intents, err, sizeof(err),
                         "SELECT id, cmd, kind, pool_id, obj, spec_kind, obj_id, parent_id, host_id, "
                         "path, ids, state, why FROM intent ORDER BY id",
                         "");
    host_intent *v = NULL;
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return host_fail(e, HOST_E_INTERNAL, "cannot read the intent journal: %s", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        host_intent *it;
        if (*n == cap) {
            host_intent *grown = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*grown));
            if (grown == NULL) {
                sqlite3_finalize(st);
                free(v);
                return host_fail(e, HOST_E_INTERNAL, "out of memory");
            }
            v = grown;
        }
        it = &v[(*n)++];
        memset(it, 0, sizeof(*it));
        it->id = sqlite3_column_int64(st, 0);
        it->cmd = sqlite3_column_int64(st, 1);
        it->kind = (host_intent_kind)sqlite3_column_int(st, 2);
        it->pool_id = sqlite3_column_int64(st, 3);
        snprintf(it->obj, sizeof(it->obj), "%s", host_col_text(st, 4));
        it->spec_kind = sqlite3_column_int(st, 5);
        it->obj_id = sqlite3_column_int64(st, 6);
        it->parent_id = sqlite3_column_int64(st, 7);
        it->host_id = sqlite3_column_int64(st, 8);
        snprintf(it->path, sizeof(it->path), "%s", host_col_text(st, 9));
        snprintf(it->ids, sizeof(it->ids), "%s", host_col_text(st, 10));
        snprintf(it->state, sizeof(it->state), "%s", host_col_text(st, 11));
        snprintf(it->why, sizeof(it->why), "%s", host_col_text(st, 12));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(v);
        *n = 0;
        return host_fail(e, HOST_E_INTERNAL, "cannot read the intent journal: %s",
                         sqlite3_errmsg(cs->intents));
    }
    *out = v;
    return 0;
}

int host_intent_max_cmd(host_cs *cs, int64_t *out, host_err *e)
{
    char err[512];

    *out = 0;
    if (host_sql_int(cs->intents, out, err, sizeof(err), "SELECT coalesce(max(cmd), 0) FROM intent", "") < 0)
        return host_fail(e, HOST_E_INTERNAL, "cannot read the intent journal: %s", err);
    return 0;
}

/* A record that cannot be forgotten is resolved again at the next start: harmless, as resolving
 * is idempotent, so failures here are only logged. */
static void warn(host_cs *cs, const char *what, const char *err)
{
    char line[700];
    snprintf(line, sizeof(line), "intent journal: cannot %s: %.600s", what, err);
    cs->svc.table.log(&cs->svc, SP_LOG_WARN, line);
}

void host_intent_forget(host_cs *cs, int64_t id)
{
    char err[512];
    if (host_sql_run(cs->intents, err, sizeof(err), "DELETE FROM intent WHERE id = ?", "i", id) < 0)
        warn(cs, "forget a resolved record", err);
}

void host_intent_forget_cmd(host_cs *cs, int64_t cmd)
{
    char err[512];
    if (host_sql_run(cs->intents, err, sizeof(err),
                     "DELETE FROM intent WHERE cmd = ? AND state = 'open' AND kind != ?", "ii", cmd,
                     (int64_t)HOST_INTENT_DELETE_AFTER) < 0)
        warn(cs, "forget a committed command's records", err);
}

void host_intent_keep(host_cs *cs, int64_t id, const char *why)
{
    char err[512];
    if (host_sql_run(cs->intents, err, sizeof(err),
                     "UPDATE intent SET state = 'repair', why = ? WHERE id = ?", "ti", why != NULL ? why : "",
                     id) < 0)
        warn(cs, "keep a record for repair", err);
}

const char *host_intent_kind_name(host_intent_kind kind)
{
    switch (kind) {
    case HOST_INTENT_CREATE: return "create";
    case HOST_INTENT_VMSNAP_CREATE: return "create-vmsnapshot";
    case HOST_INTENT_DELETE: return "delete";
    case HOST_INTENT_VMSNAP_DELETE: return "delete-vmsnapshot";
    case HOST_INTENT_DELETE_AFTER: return "delete-after-commit";
    case HOST_INTENT_RESIZE: return "resize";
    case HOST_INTENT_MAP: return "map";
    case HOST_INTENT_REVERT: return "revert";
    case HOST_INTENT_VMSNAP_REVERT: return "revert-vmsnapshot";
    }
    return "unknown";
}
