/* sim.h - the "sim" command of scenarios and the demo: "sim start name=pf1 ..." spawns powerflex-sim
 * (simproc.h) with a fresh CA, registers the harness's hosts as its SDCs and binds $pf1.* . */
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
int host_sims_crashpoint(host_cs *cs, const char *name, int64_t at, const char *when, int clear,
                         int64_t *count, host_err *e);

#endif
