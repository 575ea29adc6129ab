/* migrate.h - volume migration between pools (V-Tree migration inside one array, block copy
 * across arrays through a host), suitable pools for it, and resolving a copy a kill interrupted. */
#ifndef HOST_MIGRATE_H
#define HOST_MIGRATE_H

#include "cs.h"

/* Resolves every migration job a killed harness left: asks each job's host to recover its
 * copies (Adaptor.recover_copies) and moves the volume to wherever the copy ended. Writes a
 * "recovered" array into w when there was anything to resolve. Runs in the caller's transaction. */
int host_recover(host_cs *cs, host_jsonw *w, host_err *e);

/* The rows after a completed migration (migrate.c; recovery uses them too). A block copy: the
 * volume on the copy (and the source deleted on the array); live_host (a running VM's host, else
 * 0) gets the copy granted and connected first and the source retired from it, and -2 means that
 * failed and was undone (the copy deleted, the VM keeps the source). A V-Tree migration: the
 * volume and everything in its tree on dest. */
int host_migrate_finish_copy(host_cs *cs, int64_t vol_id, int64_t src, const char *src_path, int64_t dest,
                             const sp_volume_info *info, int64_t live_host, host_err *e);
int host_migrate_finish_native(host_cs *cs, int64_t vol_id, int64_t src, int64_t dest,
                               const sp_volume_info *info, host_err *e);

#endif
