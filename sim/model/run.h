/* The model's life: init (load the saved state or make a new one), the tick that advances
 * device entries, migrations and saves, and destroy. Kept apart from model.c, which the modules
 * it calls (devices, migrate, persist) stand on. */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "model.h"

/* Builds the system from cfg (creates state and device dirs). 0, or -1 with err set. */
int sim_model_init(struct sim_model *m, const struct sim_config *cfg, char *err, size_t errsz);
/* Removes device entries, and the state dir when it was temporary. */
void sim_model_destroy(struct sim_model *m);

/* Registers an SDC at run time (a host installed after the system started): the SDC of that IP,
 * made when missing with guid (NULL: generated) and its device entries in devdir (NULL:
 * <device dir>/<id>). NULL, with err set, when its device directory cannot be made. Lock held. */
struct sim_sdc *sim_model_add_sdc(struct sim_model *m, const char *ip, const char *guid, const char *devdir,
                                  char *err, size_t errsz);

/* Advances time-driven state: pending device entries and V-Tree migrations. Lock held. */
void sim_model_tick(struct sim_model *m, int64_t now_ms);

#endif
