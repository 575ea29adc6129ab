/* V-Tree migration state machine (see migrate.h). Status runs PendingMigration for the first
 * fifth of --migration-ms, then MigrationNormal, then NotInMigration with the pool switched;
 * time held (POST /sim/migrations) does not count. */
#include <config.h>
#include "migrate.h"
#include "capacity.h"

/* The migrations' clock: monotonic time less the time they were held. */
static int64_t mig_clock(const struct sim_model *m, int64_t now_ms)
{
	return now_ms - m->mig_held_total - (m->migrations_held ? now_ms - m->mig_held_since : 0);
}

void sim_migrate_hold(struct sim_model *m, bool held, int64_t now_ms)
{
	if (held == m->migrations_held)
		return;
	if (held)
		m->mig_held_since = now_ms;
	else
		m->mig_held_total += now_ms - m->mig_held_since;
	m->migrations_held = held;
}

enum sim_err sim_migrate_start(struct sim_model *m, struct sim_volume *v, struct sim_pool *dest,
			       enum sim_conv conv)
{
	struct sim_vtree *t = v->vtree;
	int64_t now = mig_clock(m, sim_now_ms());
	bool thick_after = conv == SIM_CONV_THICK_TO_THIN ? false
			   : conv == SIM_CONV_THIN_TO_THICK ? true : t->thick;
	if (t->mig != SIM_MIG_NONE)
		return t->mig_dest == dest ? SIM_E_MIGRATING_SAME : SIM_E_MIGRATING_OTHER;
	if (dest == t->pool)
		return SIM_E_MIGRATE_SAME_POOL;
	{
		uint64_t base_kb = 0;
		for (size_t i = 0; i < m->nvols; i++)
			if (m->vols[i]->vtree == t && m->vols[i]->type != SIM_VOL_SNAPSHOT)
				base_kb += m->vols[i]->size_kb;
		int e = sim_capacity_check(m, dest, base_kb, thick_after);
		if (e)
			return (enum sim_err)e;
	}
	t->mig = SIM_MIG_PENDING;
	t->mig_src = t->pool;
	t->mig_dest = dest;
	t->mig_conv = conv;
	t->mig_normal_at = now + m->migration_ms / 5;
	t->mig_end_at = now + m->migration_ms;
	return SIM_OK;
}

static void finish(struct sim_model *m, struct sim_vtree *t)
{
	t->pool = t->mig_dest;
	if (t->mig_conv == SIM_CONV_THICK_TO_THIN || t->mig_conv == SIM_CONV_THIN_TO_THICK) {
		t->thick = t->mig_conv == SIM_CONV_THIN_TO_THICK;
		for (size_t i = 0; i < m->nvols; i++)
			if (m->vols[i]->vtree == t && m->vols[i]->type != SIM_VOL_SNAPSHOT)
				m->vols[i]->type = t->thick ? SIM_VOL_THICK : SIM_VOL_THIN;
	}
	t->mig = SIM_MIG_NONE;
	t->mig_src = t->mig_dest = NULL;
	t->mig_conv = SIM_CONV_NONE;
	m->dirty = true;
}

void sim_migrate_tick(struct sim_model *m, int64_t now_ms)
{
	now_ms = mig_clock(m, now_ms);
	for (size_t i = 0; i < m->nvtrees; i++) {
		struct sim_vtree *t = m->vtrees[i];
		if (t->mig == SIM_MIG_NONE)
			continue;
		if (now_ms >= t->mig_end_at)
			finish(m, t);
		else if (now_ms >= t->mig_normal_at)
			t->mig = SIM_MIG_NORMAL;
	}
}

const char *sim_migrate_status(const struct sim_vtree *t)
{
	switch (t->mig) {
	case SIM_MIG_PENDING: return "PendingMigration";
	case SIM_MIG_NORMAL: return "MigrationNormal";
	case SIM_MIG_NONE: break;
	}
	return "NotInMigration";
}
