/* undo.h - what becomes of a command's changes on the array when the command does not commit: a
 * rollback restores the harness's rows, but what the plugin did stays unless it is resolved. Each
 * change is announced in the intent journal (intent.h) before it is asked for; a command that
 * fails, and the next start after a kill, resolve every announced change of a command that did
 * not commit against the array and the committed rows: a change whose object is gone for good is
 * finished (recorded so), anything else is taken back, mappings are made to follow the VMs as the
 * rows say. What cannot be resolved now stays recorded for repair (the next start, and check
 * storagepool repair=true). Recording is here; resolving is settle.h's (with resolve.h, one change at
 * a time). host/README.md, "Crash safety", argues every window. */
#ifndef HOST_UNDO_H
#define HOST_UNDO_H

#include "cs.h"
#include "intent.h"

/* The running command's records, newest first, with what each call made once it succeeded. */
struct host_undo {
    host_intent it;
    int done;               /* the call succeeded */
    char made[SP_PATH_MAX]; /* what it made (a create's path, a VM snapshot's group) */
    int settled;            /* resolution (settle.c): 1 resolved, -1 left for repair, 0 not looked at */
    struct host_undo *next;
};

/* A command that may change arrays begins (inside its transaction): its changes are journaled.
 * Its number is taken with its first change. 0, or -1 with e. */
int host_undo_begin(host_cs *cs, host_err *e);
/* Before a plugin call that changes an array: records it (it->cmd and it->id are set). Outside a
 * journaled command nothing is recorded and it->id stays 0. 0, or -1 with e: then the call must
 * not be made. */
int host_undo_intent(host_cs *cs, host_intent *it, host_err *e);
/* host_undo_intent in one call: a change of kind to obj ("volume", "snapshot", "template",
 * "vmsnapshot"; spec_kind, obj_id and parent_id name a create's object as the plugin names it)
 * at path (may be NULL) on pool_id, for host_id (a mapping; else 0). *id: the record's. */
int host_undo_announce(host_cs *cs, host_intent_kind kind, int64_t pool_id, const char *obj, int spec_kind,
                       int64_t obj_id, int64_t parent_id, const char *path, int64_t host_id, int64_t *id,
                       host_err *e);
/* The call announced by id succeeded; path (may be NULL) names what it made, which a rollback
 * then takes back without looking it up. Implements --crash-at undo:N (killed right after the
 * Nth change of a command is made and on record). */
void host_undo_done(host_cs *cs, int64_t id, const char *path);

/* Forgets the running command (nothing resolved). */
void host_undo_clear(host_cs *cs);

#endif
