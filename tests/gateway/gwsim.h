/* gwsim.h - the gateway client's tests against powerflex-sim: starting it with the secrets
 * registered for the log check, a client configured for it, and request counting. */
#ifndef GWSIM_H
#define GWSIM_H

#include "gateway.h"
#include "simproc.h"

/* Starts the simulator (extra arguments as tsim_start), registers its password and the base64
 * prefix of every token and basic-auth header it sees ("admin:" encoded) as secrets, and exits
 * with 99 (a hard error) when it cannot start. */
tsim *gws_start(const char *const *extra_args);

/* A client for the simulator's "127.0.0.1:PORT", verifying it with its CA, told the simulator's
 * release as a plugin's pool handle is (so its first call costs one login). Exits 99 on failure. */
pfx_gw_client *gws_client(tsim *s, unsigned timeout_s, unsigned max_connections);
/* The same, told `release` instead (NULL: the client asks the gateway at its first login). */
pfx_gw_client *gws_client_release(tsim *s, unsigned timeout_s, unsigned max_connections, const char *release);
/* "4.5" when the simulator runs as a 4.x gateway ($PFX_TEST_SIM_API=4.x), else "3.5". */
const char *gws_release(tsim *s);

/* A point in the simulator's request counters. */
typedef struct gws_mark {
    int total;
    int logins;
} gws_mark;

gws_mark gws_now(tsim *s);
/* Requests (all kinds) and logins since the mark. */
int gws_requests_since(tsim *s, gws_mark m);
int gws_logins_since(tsim *s, gws_mark m);

/* Posts a fault spec (see powerflex-sim --help) to /sim/faults; 1 when accepted. */
int gws_fault(tsim *s, const char *spec);
/* Removes every fault rule; 1 when accepted. */
int gws_clear_faults(tsim *s);

#endif
