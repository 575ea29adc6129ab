/* Starts and stops powerflex-sim for a test: a fresh throw-away CA and server certificate, a temp
 * dir for state and devices, HTTPS on a free loopback port; plus its /sim control calls. */
#ifndef SIMPROC_H
#define SIMPROC_H

typedef struct tsim tsim;

/* Spawns $top_builddir/sim/powerflex-sim --listen 127.0.0.1:0 with TLS, --state-dir <dir>/state,
 * --sdc-device-dir <dir>/devices, a random password, --api 4.x when $PFX_TEST_SIM_API is "4.x"
 * (suites run once per gateway release that way), then extra_args (NULL-terminated, may be
 * NULL; later options win), and reads its "listening on" line. NULL on failure with a message on
 * stderr. */
tsim *tsim_start(const char *const *extra_args);
const char *tsim_url(const tsim *s);        /* "https://127.0.0.1:PORT" */
const char *tsim_hostport(const tsim *s);   /* "127.0.0.1:PORT" */
const char *tsim_cafile(const tsim *s);     /* PEM of the CA that signed the server cert */
const char *tsim_dir(const tsim *s);        /* its temp dir (state, devices under <dir>/devices) */
const char *tsim_device_dir(const tsim *s); /* <dir>/devices, or --sdc-device-dir of extra_args */
const char *tsim_password(const tsim *s);   /* random per start unless given in extra args */
const char *tsim_user(const tsim *s);
int tsim_pid(const tsim *s);
/* 1 when the simulator behaves as a 4.x gateway (--api 4.x). */
int tsim_api4(const tsim *s);
/* Count for "METHOD template" from /sim/stats ("logins", "total" and "bearer" work too); -1 on
 * error. */
int tsim_stats_count(tsim *s, const char *key);
/* HTTP status of a /sim/... call (json_body may be NULL); negative when no answer came. */
int tsim_control(tsim *s, const char *method, const char *path, const char *json_body);
/* Like tsim_control, also returning the answer body (malloc'd) in *resp. */
int tsim_control_body(tsim *s, const char *method, const char *path, const char *json_body, char **resp);
/* SIGTERM, wait (SIGKILL after 20 s), remove the temp dir, free. */
/* Adds a fault rule (powerflex-sim(1), FAULTS) at run time: POST /sim/faults {"spec": spec}.
 * Returns the HTTP status (200 when accepted). */
int tsim_fault(tsim *s, const char *spec);
/* Removes every fault rule; the HTTP status. */
int tsim_clear_faults(tsim *s);

void tsim_stop(tsim *s);
/* Like tsim_stop but returns the exit status (-1 when killed by a signal). */
int tsim_stop_status(tsim *s);

#endif
