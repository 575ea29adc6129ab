/* Keeps a simulated system across restarts: the model's metadata is saved as JSON in the state
 * dir before a request that changed it is answered (api.c), shortly after changes time makes
 * (sim_model_tick) and at exit, and loaded at start, so volumes, snapshots and mappings survive,
 * a kill included: what was acknowledged is on disk. */
#ifndef SIM_PERSIST_H
#define SIM_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

#define SIM_STATE_FILE "sim-state.json"

/* Writes <state dir>/sim-state.json atomically (nothing for a temporary state dir). Lock held.
 * 0, or -errno. */
int sim_persist_save(struct sim_model *m);
/* Merges a saved state into a model just built from the command line: saved pools and SDCs keep
 * their ids (matched by name and domain, by IP), ones no longer on the command line come back,
 * volumes, V-Trees and mappings are restored. A missing file is fine. system_id_given: the
 * command line named a system id, which must then match the saved one. 0, or -1 with err. */
int sim_persist_load(struct sim_model *m, bool system_id_given, char *err, size_t errsz);

#endif
