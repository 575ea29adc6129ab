/* harness.h - bringing the harness's state up and down: the database and its key, the work dir,
 * settings and the plugin; closing releases everything a session opened. */
#ifndef HOST_HARNESS_H
#define HOST_HARNESS_H

#include "cs.h"

/* Sets up cs: opens the database (db_path NULL = memory), the key file beside it, the work dir
 * (NULL = a fresh temporary one), loads settings. Returns 0 or -1 with e (cs is then closed). */
int host_cs_open(host_cs *cs, const char *db_path, const char *workdir, host_err *e);
/* Loads the plugin at path with cs's host services; cs owns it from then on. 0 or -1 with e. */
int host_cs_load_plugin(host_cs *cs, const char *path, host_err *e);
/* Closes pool handles, unloads the plugin, stops simulators this process started, closes the
 * database and removes a temporary work dir. */
void host_cs_close(host_cs *cs);

#endif
