/* resolve.h - resolving one change a command announced (intent.h) when its command did not commit
 * (or, for a delete after commit, when it did): see undo.h. */
#ifndef HOST_RESOLVE_H
#define HOST_RESOLVE_H

#include "cs.h"
#include "intent.h"

typedef enum host_outcome {
    HOST_R_NOTHING,  /* nothing to do: the array and the rows agree */
    HOST_R_UNDONE,   /* taken back (a create deleted, a mapping set as the rows say) */
    HOST_R_FINISHED, /* done, and the rows say so (a delete, a resize, a revert) */
    HOST_R_LEFT      /* not resolved now: why says why (or e, when the database failed) */
} host_outcome;

/* Resolves `it` against the array and the rows as they are now, inside the caller's transaction.
 * made: what the announced call made when it is known ("" otherwise; a create's path found by name
 * is written back). committed: its command committed (then only a delete after commit is done). */
host_outcome host_resolve(host_cs *cs, const host_intent *it, char *made, size_t made_len, int committed,
                          char *why, size_t len, host_err *e);

#endif
