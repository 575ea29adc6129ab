/* The gateway's JSON objects (Volume, VTree, StoragePool, ProtectionDomain, System, Sdc and their
 * Statistics) rendered from the model with the field names and JSON types real gateways use. */
#ifndef SIM_RENDER_H
#define SIM_RENDER_H

#include "json.h"
#include "model.h"

#define SIM_SW_VERSION "R3_5.1100.0"

void sim_render_volume(sim_jw *w, struct sim_model *m, const struct sim_volume *v);
void sim_render_vtree(sim_jw *w, struct sim_model *m, const struct sim_vtree *t);
void sim_render_pool(sim_jw *w, struct sim_model *m, const struct sim_pool *p);
void sim_render_pd(sim_jw *w, struct sim_model *m, const struct sim_pd *pd);
void sim_render_system(sim_jw *w, struct sim_model *m);
void sim_render_sdc(sim_jw *w, struct sim_model *m, const struct sim_sdc *s);

/* pool == NULL: the System's statistics */
void sim_render_pool_stats(sim_jw *w, struct sim_model *m, const struct sim_pool *pool);
void sim_render_volume_stats(sim_jw *w, struct sim_model *m, const struct sim_volume *v);
void sim_render_vtree_stats(sim_jw *w, struct sim_model *m, const struct sim_vtree *t);
void sim_render_sdc_stats(sim_jw *w, struct sim_model *m, const struct sim_sdc *s);
void sim_render_pd_stats(sim_jw *w, struct sim_model *m, const struct sim_pd *pd);

#endif
