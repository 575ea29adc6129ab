/* Capacity accounting the way the array reports it: two-copy mirroring, spare reserve, thick
 * reservations, thin data counted as written, snapshots sharing their V-Tree's blocks. */
#ifndef SIM_CAPACITY_H
#define SIM_CAPACITY_H

#include "model.h"

#define SIM_KB_PER_8GIB UINT64_C(8388608)

struct sim_usage {
    uint64_t raw_kb, spare_kb;
    uint64_t thick_raw_kb;      /* thickCapacityInUseInKb: 2 x thick base sizes */
    uint64_t thin_inuse_raw_kb; /* thinCapacityInUseInKb: 2 x data written in thin bases */
    uint64_t snap_raw_kb;       /* snapshotCapacityInKb: 2 x data only snapshots hold */
    uint64_t in_use_raw_kb;     /* capacityInUseInKb */
    uint64_t unused_raw_kb;     /* unusedCapacityInKb */
    uint64_t thin_alloc_raw_kb; /* thinCapacityAllocatedInKb: 2 x thin base sizes */
    uint64_t provisioned_kb;    /* net size of all base volumes (against the allocation limit) */
    uint64_t net_data_kb;       /* netProvisionedAddressesInKb: data written, once */
    uint64_t alloc_limit_kb;    /* volumeAllocationLimitInKb */
    uint64_t available_kb;      /* capacityAvailableForVolumeAllocationInKb */
    size_t nvols, nvtrees, nsnaps, nthin, nthick, nmapped, nunmapped;
    bool with_data;
};

/* Figures for one pool (pool == NULL: the whole system). with_data scans the data files. */
void sim_usage_pool(struct sim_model *m, const struct sim_pool *pool, bool with_data, struct sim_usage *u);

struct sim_vtree_usage {
    uint64_t total_kb; /* data of all members, shared blocks once */
    uint64_t base_kb;  /* data of the base volumes */
    uint64_t size_kb;  /* sum of member sizes */
    size_t nvols, nsnaps;
};
void sim_usage_vtree(struct sim_model *m, const struct sim_vtree *t, struct sim_vtree_usage *u);

/* May a new base volume of size_kb (thick or thin) be placed in pool? SIM_OK or SIM_E_CAPACITY. */
int sim_capacity_check(struct sim_model *m, const struct sim_pool *pool, uint64_t size_kb, bool thick);

#endif
