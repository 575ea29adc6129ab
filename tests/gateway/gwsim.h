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

/* A client for the simulator's "127.0.0.1:PORT", verifying it with its CA. Exits 99 on failure. */
pfx_gw_client *gws_client(tsim *s, unsigned timeout_s, unsigned max_connections);

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
