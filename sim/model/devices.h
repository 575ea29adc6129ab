/* The SDC side of a mapping: device entries emc-vol-<system>-<volume> in each SDC's device dir,
 * symlinks to the volume's data file (or, with --loop-devices, to a loop block device over it),
 * appearing after a delay or at a rescan. Lock held. */
#ifndef SIM_DEVICES_H
#define SIM_DEVICES_H

#include "model.h"

char *sim_dev_path(const struct sim_model *m, const struct sim_sdc *sdc, const struct sim_volume *v);
/* A new mapping: its entry appears after delay_ms (now when 0). */
void sim_dev_schedule(struct sim_model *m, struct sim_volume *v, struct sim_mapping *mp, int64_t delay_ms);
/* Removes the mapping's entry (unless another mapping of v shows the same path). */
void sim_dev_remove(struct sim_model *m, struct sim_volume *v, struct sim_mapping *mp);
/* The volume's data file grew: a loop device over it takes the new size. */
void sim_dev_resized(struct sim_volume *v);
/* Makes every pending entry of this SDC appear now (drv_cfg --rescan). */
void sim_dev_rescan(struct sim_model *m, const struct sim_sdc *sdc);
void sim_dev_tick(struct sim_model *m, int64_t now_ms);
/* After a restart: entries of mappings restored as present are made again. */
void sim_dev_restore(struct sim_model *m);
/* Joins (true) or leaves the system's MDMs: joining makes the device entries of its mappings
 * appear, leaving removes them (the mappings stay). */
void sim_sdc_set_joined(struct sim_model *m, struct sim_sdc *s, bool joined);

#endif
