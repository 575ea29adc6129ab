/* V-Tree migration between pools of the system: asynchronous, observed through the VTree's
 * vtreeMigrationInfo, the volumes' storagePoolId switching when it completes. It may queue for a
 * migration slot, be paused (gracefully or forcefully), fail part-way, be resumed, or be rolled
 * back to the pool it started in. Lock held. */
#ifndef SIM_MIGRATE_H
#define SIM_MIGRATE_H

#include "errors.h"
#include "model.h"

/* migrateVTree: starts a migration to dest, or, when the V-Tree's migration is paused and dest
 * is the pool it started in, rolls it back. */
enum sim_err sim_migrate_start(struct sim_model *m, struct sim_volume *v, struct sim_pool *dest,
                               enum sim_conv conv);
/* pauseVTreeMigration: Gracefully finishes the piece being copied first, Forcefully stops now. */
enum sim_err sim_migrate_pause(struct sim_model *m, struct sim_volume *v, bool forcefully);
/* resumeVTreeMigration: a paused migration goes on where it stopped. */
enum sim_err sim_migrate_resume(struct sim_model *m, struct sim_volume *v);
void sim_migrate_tick(struct sim_model *m, int64_t now_ms);
/* Holds every migration where it is (held) or lets them go on from there. */
void sim_migrate_hold(struct sim_model *m, bool held, int64_t now_ms);
const char *sim_migrate_status(const struct sim_vtree *t);
/* 1-based place of a queued migration, 0 when it is not waiting for a slot. */
int64_t sim_migrate_queue_position(struct sim_model *m, const struct sim_vtree *t);
/* Whether a migration in flight, left to itself, ends in its destination (not paused, failed
 * or rolling back). */
bool sim_migrate_ends_in_dest(const struct sim_vtree *t);

#endif
