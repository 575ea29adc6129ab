/* sim.h - simulated PowerFlex systems for scenarios and the demo: "sim start name=pf1 ..." spawns
 * powerflex-sim with a fresh CA, registers the harness's hosts as its SDCs and binds $pf1.* . */
#ifndef HOST_SIM_H
#define HOST_SIM_H

#include "api.h"
#include "cs.h"

/* "sim start|stop|list|fault|readonly|sdc ..." (cmd->words[0] is "sim"). */
int host_sim_command(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e);

/* Crash points: every simulator (or the one named) counts the requests that change an array in
 * <workdir>/crash.count (reset) and the at-th kills this process (SIGKILL) when (applied, before,
 * after); at 0 only counts. clear disarms. The number of simulators, or -1 with e; *count (may be
 * NULL) the count so far. */
int host_sims_crashpoint(host_cs *cs, const char *name, int64_t at, const char *when, int clear, int64_t *count,
                         host_err *e);

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
