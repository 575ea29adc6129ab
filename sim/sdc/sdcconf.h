/* The emulated SDC's configuration file <sdc home>/cfg/sim_sdc.conf: which simulated systems this
 * host is an SDC of (a host may belong to several) and how to reach them. */
#ifndef SIM_SDCCONF_H
#define SIM_SDCCONF_H

#include <stddef.h>

struct sim_sdc_system {
    char *url; /* base URL of the simulator, e.g. https://127.0.0.1:4443 */
    char *sdc; /* this host's SDC id or IP in that system */
    char *ca;  /* PEM CA file to verify the simulator; NULL: system default */
};

struct sim_sdcconf {
    struct sim_sdc_system *systems;
    size_t n;
    char *guid; /* NULL: ask the first system */
};

/* 0, or -1 with err set (message names file and line). */
int sim_sdcconf_load(const char *path, struct sim_sdcconf *conf, char *err, size_t errsz);
void sim_sdcconf_free(struct sim_sdcconf *conf);
/* <dir of argv0>/../cfg/sim_sdc.conf, or $SIM_SDC_CONF (malloc'd). */
char *sim_sdcconf_path(const char *argv0);

#endif
