/* simproc.h - simulator processes: the test CA, spawning powerflex-sim, adopting the ones a
 * previous harness left running, stopping them, and each host's SDC configuration. */
#ifndef HOST_SIMPROC_H
#define HOST_SIMPROC_H

#include "cs.h"

/* The agent.properties of the PowerFlex plugin (published by its describe) that the harness's
 * SDC emulation fills in for every host it adds: the SDC's home, its device dir and the file
 * drv_cfg --add_mdm keeps the MDMs it joined in. */
#define HOST_SIM_SDC_HOME "powerflex.sdc.home.dir"
#define HOST_SIM_DEVICE_DIR "powerflex.sdc.device.dir"
#define HOST_SIM_SDC_CFG_FILE "powerflex.sdc.cfg.file"

#include <sys/types.h>

struct host_simproc {
    char *name;
    pid_t pid;
    int child;     /* started by this process (else adopted) */
    char *gateway; /* 127.0.0.1:PORT */
    char *control; /* https://127.0.0.1:PORT */
    char *cafile;
    char *user;
    char *password; /* wiped when freed */
    char *first_pool;
    char *dir;
    host_simproc *next;
};

typedef struct host_sim_spec {
    const char *name;
    const char *pools;  /* "cspool:1024,otherpool:512[:domain]" */
    const char *system; /* HEX16 or NULL */
    const char *user;
    const char *password;
    char **extra; /* further powerflex-sim options (argv words) */
    size_t n_extra;
} host_sim_spec;

/* Makes (once per work dir) a CA and a server certificate for 127.0.0.1 with the openssl
 * program; *ca is the CA file (malloc'd). */
int host_pki_ensure(host_cs *cs, char **ca, char **cert, char **key, host_err *e);

/* Starts a simulator, waits for "listening on", records it and binds $NAME.*. */
int host_sim_spawn(host_cs *cs, const host_sim_spec *spec, host_simproc **out, host_err *e);
/* Stops one simulator with signal sig (SIGKILL: a crash) and starts it again with the same command
 * line on the same port and state dir: what it acknowledged is still there (sim/persist.c). */
int host_sim_restart(host_cs *cs, const char *name, int sig, host_err *e);
/* Stops one simulator and forgets it. */
int host_sim_stop(host_cs *cs, const char *name, host_err *e);
host_simproc *host_sim_find(host_cs *cs, const char *name);

/* Re-binds the variables of simulators recorded in the database whose process still runs (a
 * restarted harness finds the systems it was using). Simulators that are gone are forgotten. */
int host_sims_adopt(host_cs *cs, host_err *e);

/* Stops the simulators this process started or adopted (unless cs keeps them). */
void host_sims_stop_all(host_cs *cs);

/* Writes the SDC configuration of one harness host (its sdc home's cfg/sim_sdc.conf and
 * bin/drv_cfg) for every running simulator, and makes it an SDC of each (one added after a
 * simulator started included); called when hosts or simulators come and go. */
int host_sims_write_sdc_conf(host_cs *cs, int64_t host_id, host_err *e);

/* The path of a program installed beside this one (build tree: ../sim/NAME), or NULL. */
char *host_find_program(host_cs *cs, const char *name);

#endif
