/* demo.h - "cs-harness demo": the seed's whole walkthrough as one command, against two
 * simulated PowerFlex systems or (--url) a real gateway. */
#ifndef HOST_DEMO_H
#define HOST_DEMO_H

#include "session.h"

/* Runs the demo in session s; argv holds the demo's own options. 0 when every step passed. */
int host_demo(host_session *s, int argc, char **argv);

#endif
