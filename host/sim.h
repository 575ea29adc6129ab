/* sim.h - simulated PowerFlex systems for scenarios and the demo: "sim start name=pf1 ..." spawns
 * powerflex-sim with a fresh CA, registers the harness's hosts as its SDCs and binds $pf1.* . */
#ifndef HOST_SIM_H
#define HOST_SIM_H

#include "api.h"
#include "cs.h"

/* The agent.properties of the PowerFlex plugin (published by its describe) that the harness's
 * SDC emulation fills in for every host it adds: the SDC's home and its device dir. */
#define HOST_SIM_SDC_HOME "powerflex.sdc.home.dir"
#define HOST_SIM_DEVICE_DIR "powerflex.sdc.device.dir"

/* "sim start|stop|list|fault|readonly|sdc ..." (cmd->words[0] is "sim"). */
int host_sim_command(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e);

/* Re-binds the variables of simulators recorded in the database whose process still runs (a
 * restarted harness finds the systems it was using). Simulators that are gone are forgotten. */
int host_sims_adopt(host_cs *cs, host_err *e);

/* Stops the simulators this process started or adopted (unless cs keeps them). */
void host_sims_stop_all(host_cs *cs);

/* Writes the SDC configuration of one harness host (its sdc home's cfg/sim_sdc.conf and
 * bin/drv_cfg) for every running simulator; called when hosts or simulators come and go. */
int host_sims_write_sdc_conf(host_cs *cs, int64_t host_id, host_err *e);

/* The path of a program installed beside this one (build tree: ../sim/NAME), or NULL. */
char *host_find_program(host_cs *cs, const char *name);

#endif
