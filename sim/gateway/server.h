/* The HTTP(S) front of the simulator: libmicrohttpd with a thread per connection, request
 * bodies gathered, /api and /sim requests routed, faults applied to what goes on the wire. */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include "control.h"
#include "options.h"

struct sim_server;

/* Binds and starts serving. NULL with err set on failure. *url receives the base URL. */
struct sim_server *sim_server_start(const struct sim_config *cfg, struct sim_control *ctl, char **url,
                                    char *err, size_t errsz);
void sim_server_stop(struct sim_server *s);

#endif
