/* undo.h - what a failed command must take back on the array: a rollback restores the harness's
 * rows, but volumes created, snapshots taken and mappings changed by the plugin stay unless
 * they are undone. Every plugin step that changes the array pushes its inverse here. */
#ifndef HOST_UNDO_H
#define HOST_UNDO_H

#include "cs.h"
#include "jsonw.h"

typedef enum host_undo_kind {
    HOST_UNDO_VOLUME,   /* delete the volume at path */
    HOST_UNDO_SNAPSHOT, /* delete the snapshot at path */
    HOST_UNDO_VMSNAP,   /* delete the VM snapshot group `path` */
    HOST_UNDO_GRANT,    /* revoke path on host_id and wait for its device to go */
    HOST_UNDO_REVOKE    /* grant path on host_id again (with iops/bw) and connect it */
} host_undo_kind;

/* Records an inverse step. Copies the strings. Out of memory is reported on stderr: the
 * command goes on, and "check storagepool" would show what could not be undone. */
void host_undo_push(host_cs *cs, host_undo_kind kind, int64_t pool_id, const char *path, int64_t host_id,
                    const char *iops, const char *bw);
/* Runs the recorded steps newest first (best effort, each failure logged) and forgets them.
 * Call before the rollback: the steps read host rows. */
void host_undo_run(host_cs *cs);
/* Forgets the recorded steps (the command succeeded). */
void host_undo_clear(host_cs *cs);

/* The undo journal: while a command runs in its own transaction, each step is also appended to
 * <workdir>/undo.journal with the command's number, which the transaction stores at its commit
 * (meta "command"). A harness killed in the middle leaves steps of a command that never committed;
 * the next start runs them, as a rollback would have. host_undo_begin numbers the command (inside
 * its transaction; 0 or -1 with e); run and clear end the journal. */
int host_undo_begin(host_cs *cs, host_err *e);
/* At start: runs the steps of an uncommitted command (best effort, newest first) and empties the
 * journal. Writes "undone": N to w when there were any. 0, or -1 when the database fails. */
int host_undo_recover(host_cs *cs, host_jsonw *w, host_err *e);

#endif
