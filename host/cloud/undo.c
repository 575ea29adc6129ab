/* undo.c - the running command's announced changes (see undo.h); settle.c resolves them when the
 * command does not commit. */
#include "config.h"

#include "undo.h"

#include "poolh.h"
#include "store.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

    if (host_sql_int(cs->db, &committed, err, sizeof(err), "SELECT coalesce(max(seq), 0) FROM command", "") <
        0)
        return host_fail_db(e, err);
    if (host_intent_max_cmd(cs, &journaled, e) != 0)
        return -1;
    cs->undo_seq = (committed > journaled ? committed : journaled) + 1;
    if (host_sql_run(cs->db, err, sizeof(err), "INSERT INTO command(seq) VALUES (?)", "i", cs->undo_seq) <
        0) {
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
