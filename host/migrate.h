/* migrate.h - volume migration between pools (V-Tree migration inside one array, block copy
 * across arrays through a host), suitable pools for it, and resolving a copy a kill interrupted. */
#ifndef HOST_MIGRATE_H
#define HOST_MIGRATE_H

#include "cs.h"

/* Resolves every migration job a killed harness left: asks each job's host to recover its
 * copies (Adaptor.recover_copies) and moves the volume to wherever the copy ended. Writes a
 * "recovered" array into w when there was anything to resolve. Runs in the caller's transaction. */
int host_recover(host_cs *cs, host_jsonw *w, host_err *e);

#endif
