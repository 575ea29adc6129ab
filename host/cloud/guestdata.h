/* guestdata.h - data a guest wrote, and reading it back: writeVolumeData ("write volumedata
 * volumeid=X [bytes=N]") writes random bytes at the start of a volume through the device of the
 * host running its VM, as the guest would, and records their SHA-256 (volume_data). Snapshots
 * inherit the record when taken (a trigger), reverts hand it back, and "check storagepool"
 * reads every recorded volume back against it. */
#ifndef HOST_GUESTDATA_H
#define HOST_GUESTDATA_H

#include "cs.h"
#include "strbuf.h"

#include <stdint.h>

/* The volume now holds what the snapshot held (recorded or not). 0, or -1 (database). */
int host_guestdata_revert_snapshot(host_cs *cs, int64_t volume_id, int64_t snapshot_id, host_err *e);
/* The same for each volume of a VM snapshot. */
int host_guestdata_revert_vmsnapshot(host_cs *cs, int64_t vm_snapshot_id, host_err *e);

typedef struct host_guestdata_tally {
    uint64_t verified;   /* read back and matching */
    uint64_t unverified; /* recorded but not readable now (not connected and mapping not asked) */
} host_guestdata_tally;

/* Reads back every Ready volume of the pool with recorded data: through its device where a host
 * has it connected, otherwise (map_detached) through a short-lived mapping to a host of the
 * pool that is revoked afterwards. Each mismatch or read failure is appended to problems and
 * counted in *nproblems. 0, or -1 with e set when the check itself cannot run (database). */
int host_guestdata_verify(host_cs *cs, sp_pool *pool, int64_t pool_id, int map_detached, host_buf *problems,
                          size_t *nproblems, host_guestdata_tally *tally, host_err *e);

#endif
