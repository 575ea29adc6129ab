/* Statistics objects (see render.h and capacity.h for the model behind the figures). */
#include <config.h>
#include "capacity.h"
#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats_fields.inc"

#define SIM_DEVICES_PER_POOL 3

static void id_array(sim_jw *w, const char *key)
{
    sim_jw_key(w, key);
    sim_jw_arr(w);
}

void sim_render_pool_stats(sim_jw *w, struct sim_model *m, const struct sim_pool *pool)
{
    struct sim_usage u;
    uint64_t net_unused;
    sim_usage_pool(m, pool, true, &u);
    net_unused = u.unused_raw_kb / 2;
    sim_jw_obj(w);
    for (size_t i = 0; zero_counters[i]; i++)
        sim_jw_kint(w, zero_counters[i], 0);
    for (size_t i = 0; bwc_counters[i]; i++)
        sim_jw_kbwc(w, bwc_counters[i]);
    sim_jw_kint(w, "maxCapacityInKb", (int64_t)u.raw_kb);
    sim_jw_kint(w, "capacityLimitInKb", (int64_t)u.raw_kb);
    sim_jw_kint(w, "spareCapacityInKb", (int64_t)u.spare_kb);
    sim_jw_kint(w, "capacityInUseInKb", (int64_t)u.in_use_raw_kb);
    sim_jw_kint(w, "protectedCapacityInKb", (int64_t)u.in_use_raw_kb);
    sim_jw_kint(w, "atRestCapacityInKb", (int64_t)u.in_use_raw_kb);
    sim_jw_kint(w, "netCapacityInUseInKb", (int64_t)(u.in_use_raw_kb / 2));
    sim_jw_kint(w, "unusedCapacityInKb", (int64_t)u.unused_raw_kb);
    sim_jw_kint(w, "netUnusedCapacityInKb", (int64_t)net_unused);
    sim_jw_kint(w, "thickCapacityInUseInKb", (int64_t)u.thick_raw_kb);
    sim_jw_kint(w, "thinCapacityInUseInKb", (int64_t)u.thin_inuse_raw_kb);
    sim_jw_kint(w, "thinCapacityAllocatedInKb", (int64_t)u.thin_alloc_raw_kb);
    /* Pre-3.0 gateways spelled it this way; cinder still probes for it. */
    sim_jw_kint(w, "thinCapacityAllocatedInKm", (int64_t)u.thin_alloc_raw_kb);
    sim_jw_kint(w, "snapshotCapacityInKb", (int64_t)u.snap_raw_kb);
    sim_jw_kint(w, "snapCapacityInUseInKb", (int64_t)u.snap_raw_kb);
    sim_jw_kint(w, "snapCapacityInUseOccupiedInKb", (int64_t)u.snap_raw_kb);
    sim_jw_kint(w, "capacityAvailableForVolumeAllocationInKb", (int64_t)u.available_kb);
    sim_jw_kint(w, "volumeAllocationLimitInKb", (int64_t)u.alloc_limit_kb);
    sim_jw_kint(w, "netProvisionedAddressesInKb", (int64_t)u.net_data_kb);
    sim_jw_kint(w, "provisionedAddressesInKb", (int64_t)(2 * u.net_data_kb));
    sim_jw_kint(w, "primaryVacInKb", (int64_t)u.provisioned_kb);
    sim_jw_kint(w, "secondaryVacInKb", (int64_t)u.provisioned_kb);
    sim_jw_kint(w, "inUseVacInKb", (int64_t)(2 * u.provisioned_kb));
    sim_jw_kint(w, "protectedVacInKb", (int64_t)(2 * u.provisioned_kb));
    sim_jw_kint(w, "numOfVolumes", (int64_t)u.nvols);
    sim_jw_kint(w, "numOfVtrees", (int64_t)u.nvtrees);
    sim_jw_kint(w, "numOfSnapshots", (int64_t)u.nsnaps);
    sim_jw_kint(w, "numOfThinBaseVolumes", (int64_t)u.nthin);
    sim_jw_kint(w, "numOfThickBaseVolumes", (int64_t)u.nthick);
    sim_jw_kint(w, "numOfMappedToAllVolumes", 0);
    sim_jw_kint(w, "numOfUnmappedVolumes", (int64_t)u.nunmapped);
    sim_jw_kint(w, "numOfDevices", (int64_t)(SIM_DEVICES_PER_POOL * (pool ? 1 : m->npools)));
    if (pool) {
        id_array(w, "volumeIds");
        for (size_t i = 0; i < m->nvols; i++)
            if (m->vols[i]->vtree->pool == pool)
                sim_jw_str(w, m->vols[i]->id);
        sim_jw_arr_end(w);
        id_array(w, "vtreeIds");
        for (size_t i = 0; i < m->nvtrees; i++)
            if (m->vtrees[i]->pool == pool)
                sim_jw_str(w, m->vtrees[i]->id);
        sim_jw_arr_end(w);
        id_array(w, "deviceIds");
        for (unsigned i = 0; i < SIM_DEVICES_PER_POOL; i++) {
            char dev[SIM_ID_LEN + 1];
            snprintf(dev, sizeof(dev), "%.8s%08x", pool->id, i << 16);
            sim_jw_str(w, dev);
        }
        sim_jw_arr_end(w);
    } else {
        for (size_t i = 0; zero_counters_system[i]; i++)
            sim_jw_kint(w, zero_counters_system[i], 0);
        sim_jw_kint(w, "rmcacheSizeInKb", 393216);
        sim_jw_kint(w, "numOfSdc", (int64_t)m->nsdcs);
        sim_jw_kint(w, "numOfSds", SIM_DEVICES_PER_POOL);
        sim_jw_kint(w, "numOfStoragePools", (int64_t)m->npools);
        sim_jw_kint(w, "numOfProtectionDomains", (int64_t)m->npds);
        id_array(w, "sdcIds");
        for (size_t i = 0; i < m->nsdcs; i++)
            sim_jw_str(w, m->sdcs[i]->id);
        sim_jw_arr_end(w);
        id_array(w, "scsiInitiatorIds");
        sim_jw_arr_end(w);
        id_array(w, "protectionDomainIds");
        for (size_t i = 0; i < m->npds; i++)
            sim_jw_str(w, m->pds[i]->id);
        sim_jw_arr_end(w);
    }
    sim_jw_obj_end(w);
}

void sim_render_volume_stats(sim_jw *w, struct sim_model *m, const struct sim_volume *v)
{
    (void)m;
    sim_jw_obj(w);
    sim_jw_kbwc(w, "userDataReadBwc");
    sim_jw_kbwc(w, "userDataWriteBwc");
    sim_jw_kbwc(w, "userDataTrimBwc");
    sim_jw_kbwc(w, "userDataSdcReadLatency");
    sim_jw_kbwc(w, "userDataSdcWriteLatency");
    sim_jw_key(w, "mappedSdcIds");
    sim_jw_arr(w);
    for (size_t i = 0; i < v->nmaps; i++)
        sim_jw_str(w, v->maps[i].sdc->id);
    sim_jw_arr_end(w);
    sim_jw_kint(w, "numOfMappedSdcs", (int64_t)v->nmaps);
    sim_jw_kint(w, "numOfChildVolumes", 0);
    sim_jw_kint(w, "numOfDescendantVolumes", 0);
    sim_jw_obj_end(w);
}

void sim_render_vtree_stats(sim_jw *w, struct sim_model *m, const struct sim_vtree *t)
{
    struct sim_vtree_usage u;
    sim_usage_vtree(m, t, &u);
    sim_jw_obj(w);
    sim_jw_kint(w, "numOfVolumes", (int64_t)u.nvols);
    sim_jw_kint(w, "numOfSnapshots", (int64_t)u.nsnaps);
    sim_jw_kint(w, "netProvisionedAddressesInKb", (int64_t)u.total_kb);
    sim_jw_kint(w, "provisionedAddressesInKb", (int64_t)(2 * u.total_kb));
    sim_jw_kint(w, "baseNetCapacityInUseInKb", (int64_t)u.base_kb);
    sim_jw_kint(w, "snapNetCapacityInUseInKb", (int64_t)(u.total_kb - u.base_kb));
    sim_jw_kint(w, "netCapacityInUseInKb", (int64_t)u.total_kb);
    sim_jw_kint(w, "trimmedCapacityInKb", 0);
    sim_jw_key(w, "volumeIds");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nvols; i++)
        if (m->vols[i]->vtree == t)
            sim_jw_str(w, m->vols[i]->id);
    sim_jw_arr_end(w);
    sim_jw_obj_end(w);
}

void sim_render_sdc_stats(sim_jw *w, struct sim_model *m, const struct sim_sdc *s)
{
    size_t n = 0;
    sim_jw_obj(w);
    sim_jw_key(w, "mappedVolumeIds");
    sim_jw_arr(w);
    for (size_t i = 0; i < m->nvols; i++)
        if (sim_volume_mapping(m->vols[i], s)) {
            sim_jw_str(w, m->vols[i]->id);
            n++;
        }
    sim_jw_arr_end(w);
    sim_jw_kint(w, "numOfMappedVolumes", (int64_t)n);
    sim_jw_kbwc(w, "userDataReadBwc");
    sim_jw_kbwc(w, "userDataWriteBwc");
    sim_jw_obj_end(w);
}

void sim_render_pd_stats(sim_jw *w, struct sim_model *m, const struct sim_pd *pd)
{
    struct sim_usage sum, u;
    size_t npools = 0;
    memset(&sum, 0, sizeof(sum));
    /* A protection domain's figures are its pools' added up. */
    for (size_t i = 0; i < m->npools; i++) {
        if (m->pools[i]->pd != pd)
            continue;
        npools++;
        sim_usage_pool(m, m->pools[i], true, &u);
        sum.raw_kb += u.raw_kb;
        sum.spare_kb += u.spare_kb;
        sum.in_use_raw_kb += u.in_use_raw_kb;
        sum.unused_raw_kb += u.unused_raw_kb;
        sum.thick_raw_kb += u.thick_raw_kb;
        sum.thin_inuse_raw_kb += u.thin_inuse_raw_kb;
        sum.thin_alloc_raw_kb += u.thin_alloc_raw_kb;
        sum.snap_raw_kb += u.snap_raw_kb;
        sum.available_kb += u.available_kb;
        sum.alloc_limit_kb += u.alloc_limit_kb;
        sum.net_data_kb += u.net_data_kb;
        sum.nvols += u.nvols;
        sum.nvtrees += u.nvtrees;
        sum.nsnaps += u.nsnaps;
        sum.nthin += u.nthin;
        sum.nthick += u.nthick;
        sum.nunmapped += u.nunmapped;
    }
    sim_jw_obj(w);
    for (size_t i = 0; bwc_counters[i]; i++)
        sim_jw_kbwc(w, bwc_counters[i]);
    sim_jw_kint(w, "maxCapacityInKb", (int64_t)sum.raw_kb);
    sim_jw_kint(w, "capacityLimitInKb", (int64_t)sum.raw_kb);
    sim_jw_kint(w, "spareCapacityInKb", (int64_t)sum.spare_kb);
    sim_jw_kint(w, "capacityInUseInKb", (int64_t)sum.in_use_raw_kb);
    sim_jw_kint(w, "netCapacityInUseInKb", (int64_t)(sum.in_use_raw_kb / 2));
    sim_jw_kint(w, "unusedCapacityInKb", (int64_t)sum.unused_raw_kb);
    sim_jw_kint(w, "netUnusedCapacityInKb", (int64_t)(sum.unused_raw_kb / 2));
    sim_jw_kint(w, "thickCapacityInUseInKb", (int64_t)sum.thick_raw_kb);
    sim_jw_kint(w, "thinCapacityInUseInKb", (int64_t)sum.thin_inuse_raw_kb);
    sim_jw_kint(w, "thinCapacityAllocatedInKb", (int64_t)sum.thin_alloc_raw_kb);
    sim_jw_kint(w, "snapshotCapacityInKb", (int64_t)sum.snap_raw_kb);
    sim_jw_kint(w, "capacityAvailableForVolumeAllocationInKb", (int64_t)sum.available_kb);
    sim_jw_kint(w, "netProvisionedAddressesInKb", (int64_t)sum.net_data_kb);
    sim_jw_kint(w, "numOfVolumes", (int64_t)sum.nvols);
    sim_jw_kint(w, "numOfVtrees", (int64_t)sum.nvtrees);
    sim_jw_kint(w, "numOfSnapshots", (int64_t)sum.nsnaps);
    sim_jw_kint(w, "numOfThinBaseVolumes", (int64_t)sum.nthin);
    sim_jw_kint(w, "numOfThickBaseVolumes", (int64_t)sum.nthick);
    sim_jw_kint(w, "numOfUnmappedVolumes", (int64_t)sum.nunmapped);
    sim_jw_kint(w, "numOfStoragePools", (int64_t)npools);
    sim_jw_kint(w, "numOfSds", SIM_DEVICES_PER_POOL);
    sim_jw_kint(w, "numOfDevices", (int64_t)(SIM_DEVICES_PER_POOL * npools));
    id_array(w, "storagePoolIds");
    for (size_t i = 0; i < m->npools; i++)
        if (m->pools[i]->pd == pd)
            sim_jw_str(w, m->pools[i]->id);
    sim_jw_arr_end(w);
    sim_jw_obj_end(w);
}
