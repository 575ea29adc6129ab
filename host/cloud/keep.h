/* keep.h - what a rollback must not take back: a step on the array that cannot be undone (a VM
 * snapshot group deleted while a VM is expunged) whose rows must go even when the command fails
 * after it, or the harness would keep objects the array no longer has. Applied once the running
 * command ends, committed (a no-op then) or rolled back. */
#ifndef HOST_KEEP_H
#define HOST_KEEP_H

#include "cs.h"

/* Records a statement with one integer argument (the row's id) to run after the command. `sql`
 * must be a string constant. */
void host_keep_sql(host_cs *cs, const char *sql, int64_t id);

/* Runs the recorded statements in a transaction of their own and forgets them. */
void host_keep_apply(host_cs *cs);

/* Forgets them (closing the harness). */
void host_keep_discard(host_cs *cs);

#endif
