/* The simulator's own /sim endpoints (loopback only, no auth): request statistics, faults,
 * token expiry, the truth about volumes, and the SDC side that drv_cfg talks to. */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include "api.h"
#include "crash.h"
#include "faults.h"
#include "stats.h"

struct sim_control {
    struct sim_model *model;
    struct sim_auth *auth;
    struct sim_stats *stats;
    struct sim_faults *faults;
    struct sim_crash *crash;
};

void sim_control_handle(struct sim_control *c, const char *method, const char *path, const char *body,
                        struct sim_resp *rs);

#endif
