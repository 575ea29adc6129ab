/* settle.h - what becomes of a command's announced changes (undo.h) when it ends: the deletes a
 * committed command left for after its commit run; a failed command's changes are resolved
 * (resolve.h) after its rollback; the next start resolves what a killed harness left; check
 * storagepool repair=true resolves again what was kept for repair. */
#ifndef HOST_SETTLE_H
#define HOST_SETTLE_H

#include "cs.h"
#include "jsonw.h"

/* The command committed: its records go, and the deletes it left for after its commit run (one
 * that fails stays recorded for repair, and is logged). */
void host_settle_committed(host_cs *cs);
/* The command failed and its transaction was rolled back: resolves its records (in a transaction
 * of its own) and appends to e's text what is left for repair. */
void host_settle_failed(host_cs *cs, host_err *e);
/* At start: resolves the records of every command that did not commit and every record kept for
 * repair, and runs the deletes committed commands left. In a transaction of its own (call outside
 * one). Writes "undone", "finished" and "intents" to w when there was anything. 0, or -1 when the
 * database fails. */
int host_settle_recover(host_cs *cs, host_jsonw *w, host_err *e);
/* check storagepool repair=true: resolves the records of pool_id kept for repair, inside the
 * running command's transaction, which it commits (and begins again). Writes "repaired" and
 * "intents" to w. 0, or -1 with e. */
int host_settle_repair(host_cs *cs, int64_t pool_id, host_jsonw *w, host_err *e);

#endif
