/* V-Tree migration between pools of the system: asynchronous, observed through the VTree's
 * vtreeMigrationInfo, the volumes' storagePoolId switching when it completes. Lock held. */
#ifndef SIM_MIGRATE_H
#define SIM_MIGRATE_H

#include "errors.h"
#include "model.h"

enum sim_err sim_migrate_start(struct sim_model *m, struct sim_volume *v, struct sim_pool *dest,
			       enum sim_conv conv);
void sim_migrate_tick(struct sim_model *m, int64_t now_ms);
/* Holds every migration where it is (held) or lets them go on from there. */
void sim_migrate_hold(struct sim_model *m, bool held, int64_t now_ms);
const char *sim_migrate_status(const struct sim_vtree *t);

#endif
