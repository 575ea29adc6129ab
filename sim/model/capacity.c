/* Capacity figures (see capacity.h; the Statistics fields of the PowerFlex 3.5 REST API). */
#include <config.h>
#include "capacity.h"
#include "datafile.h"
#include "errors.h"

#include <stdlib.h>
#include <string.h>

static uint64_t floor8g(uint64_t kb)
{
	return kb / SIM_KB_PER_8GIB * SIM_KB_PER_8GIB;
}

void sim_usage_vtree(struct sim_model *m, const struct sim_vtree *t, struct sim_vtree_usage *u)
{
	const char **all = sim_xcalloc(m->nvols, sizeof(char *));
	const char **base = sim_xcalloc(m->nvols, sizeof(char *));
	size_t nall = 0, nbase = 0;
	memset(u, 0, sizeof(*u));
	for (size_t i = 0; i < m->nvols; i++) {
		const struct sim_volume *v = m->vols[i];
		if (v->vtree != t)
			continue;
		all[nall++] = v->path;
		u->size_kb += v->size_kb;
		u->nvols++;
		if (v->type == SIM_VOL_SNAPSHOT)
			u->nsnaps++;
		else
			base[nbase++] = v->path;
	}
	u->total_kb = sim_data_union_kb(all, nall);
	u->base_kb = nbase ? sim_data_union_kb(base, nbase) : 0;
	if (u->base_kb > u->total_kb)
		u->base_kb = u->total_kb;
	free(all);
	free(base);
}

void sim_usage_pool(struct sim_model *m, const struct sim_pool *pool, bool with_data,
		    struct sim_usage *u)
{
	memset(u, 0, sizeof(*u));
	u->with_data = with_data;
	for (size_t i = 0; i < m->npools; i++)
		if (!pool || m->pools[i] == pool) {
			u->raw_kb += m->pools[i]->raw_kb;
			u->spare_kb += m->pools[i]->raw_kb * (uint64_t)m->spare_pct / 100;
		}
	for (size_t i = 0; i < m->nvols; i++) {
		const struct sim_volume *v = m->vols[i];
		if (pool && v->vtree->pool != pool)
			continue;
		u->nvols++;
		if (v->nmaps)
			u->nmapped++;
		else
			u->nunmapped++;
		if (v->type == SIM_VOL_SNAPSHOT) {
			u->nsnaps++;
			continue;
		}
		u->provisioned_kb += v->size_kb;
		if (v->vtree->thick) {
			u->nthick++;
			u->thick_raw_kb += 2 * v->size_kb;
		} else {
			u->nthin++;
			u->thin_alloc_raw_kb += 2 * v->size_kb;
		}
	}
	for (size_t i = 0; i < m->nvtrees; i++) {
		const struct sim_vtree *t = m->vtrees[i];
		struct sim_vtree_usage tu;
		if (pool && t->pool != pool)
			continue;
		u->nvtrees++;
		if (!with_data)
			continue;
		sim_usage_vtree(m, t, &tu);
		u->net_data_kb += tu.total_kb;
		u->snap_raw_kb += 2 * (tu.total_kb - tu.base_kb);
		if (!t->thick)
			u->thin_inuse_raw_kb += 2 * tu.base_kb;
	}
	u->in_use_raw_kb = u->thick_raw_kb + u->thin_inuse_raw_kb + u->snap_raw_kb;
	u->unused_raw_kb = u->raw_kb > u->spare_kb + u->in_use_raw_kb
				   ? u->raw_kb - u->spare_kb - u->in_use_raw_kb
				   : 0;
	u->alloc_limit_kb = floor8g((uint64_t)((double)((u->raw_kb - u->spare_kb) / 2) * m->overprovision));
	{
		uint64_t room = u->alloc_limit_kb > u->provisioned_kb
					? u->alloc_limit_kb - u->provisioned_kb
					: 0;
		uint64_t net_unused = u->unused_raw_kb / 2;
		u->available_kb = floor8g(room < net_unused ? room : net_unused);
	}
}

int sim_capacity_check(struct sim_model *m, const struct sim_pool *pool, uint64_t size_kb, bool thick)
{
	struct sim_usage u;
	sim_usage_pool(m, pool, thick, &u);
	if (u.provisioned_kb + size_kb > u.alloc_limit_kb)
		return SIM_E_CAPACITY;
	if (thick && size_kb > floor8g(u.unused_raw_kb / 2))
		return SIM_E_CAPACITY;
	return SIM_OK;
}
