/* sim.h - the "sim" command of scenarios and the demo: "sim start name=pf1 ..." spawns powerflex-sim
 * (simproc.h) with a fresh CA, registers the harness's hosts as its SDCs and binds $pf1.* . */
#ifndef HOST_SIM_H
#define HOST_SIM_H

#include "api.h"
#include "cs.h"

/* "sim start|stop|list|fault|readonly|sdc ..." (cmd->words[0] is "sim"). */
int host_sim_command(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e);

#endif
