/* Volume-to-SDC mappings and their limits (see volops.h). The SDC-side device entries follow
 * every change through devices.c. */
#include <config.h>
#include "devices.h"
#include "volops.h"

#include <string.h>

static void add_one(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc, const char *access)
{
    struct sim_mapping *mp;
    int64_t delay = m->device_delay_override >= 0 ? m->device_delay_override : m->device_delay_ms;
    m->device_delay_override = -1;
    v->maps = sim_xrealloc(v->maps, (v->nmaps + 1) * sizeof(*v->maps));
    mp = &v->maps[v->nmaps++];
    memset(mp, 0, sizeof(*mp));
    mp->sdc = sdc;
    sim_strlcpy(mp->access, access ? access : "ReadWrite", sizeof(mp->access));
    sim_dev_schedule(m, v, mp, delay);
}

enum sim_err sim_map_add(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc, bool allow_multiple,
                         const char *access_mode)
{
    if (!sdc) {
        for (size_t i = 0; i < m->nsdcs; i++)
            if (!sim_volume_mapping(v, m->sdcs[i]))
                add_one(m, v, m->sdcs[i], access_mode);
        v->map_all = true;
        return SIM_OK;
    }
    if (sim_volume_mapping(v, sdc))
        return SIM_E_ALREADY_MAPPED;
    if (v->nmaps && !allow_multiple)
        return SIM_E_MULTI_MAPPING;
    add_one(m, v, sdc, access_mode);
    return SIM_OK;
}

static void remove_at(struct sim_model *m, struct sim_volume *v, size_t i)
{
    sim_dev_remove(m, v, &v->maps[i]);
    memmove(&v->maps[i], &v->maps[i + 1], (v->nmaps - i - 1) * sizeof(*v->maps));
    v->nmaps--;
}

enum sim_err sim_map_remove(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc)
{
    if (!sdc) {
        if (!v->nmaps)
            return SIM_E_NOT_MAPPED;
        while (v->nmaps)
            remove_at(m, v, v->nmaps - 1);
        v->map_all = false;
        return SIM_OK;
    }
    for (size_t i = 0; i < v->nmaps; i++)
        if (v->maps[i].sdc == sdc) {
            remove_at(m, v, i);
            v->map_all = false;
            return SIM_OK;
        }
    return SIM_E_NOT_MAPPED;
}

enum sim_err sim_map_limits(struct sim_model *m, struct sim_volume *v, struct sim_sdc *sdc, int64_t iops,
                            int64_t bw_kbps)
{
    struct sim_mapping *mp = sim_volume_mapping(v, sdc);
    (void)m;
    if ((iops >= 0 && iops != 0 && iops <= 10) || (bw_kbps > 0 && bw_kbps % 1024 != 0))
        return SIM_E_THROTTLE;
    if (!mp)
        return SIM_E_NOT_MAPPED;
    if (iops >= 0)
        mp->iops = iops;
    if (bw_kbps >= 0)
        mp->bw_kbps = bw_kbps;
    return SIM_OK;
}
