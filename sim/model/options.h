/* Command-line configuration of the simulator: what systems objects to create and how to serve.
 * Parsing only; the objects themselves are built by model.c from this description. */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct sim_pool_spec {
    char *name;
    uint64_t size_gib;
    char *domain;
};

struct sim_sdc_spec {
    char *ip;
    char *guid;   /* NULL: generated */
    char *devdir; /* NULL: <sdc-device-dir>/<sdc id> */
};

/* A further gateway user (--account NAME:PASSWORD:ROLE). */
struct sim_account_spec {
    char *name;
    char *password;
    char *role;
};

struct sim_config {
    char *listen_host;
    int listen_port;
    char *tls_cert;
    char *tls_key;
    bool plain_http;
    char *user;
    char *password;
    char *system_id; /* NULL: random */
    struct sim_pool_spec *pools;
    size_t npools;
    struct sim_sdc_spec *sdcs;
    size_t nsdcs;
    char *state_dir;  /* NULL: temporary */
    char *device_dir; /* NULL: <state dir>/devices */
    int64_t device_delay_ms;
    int64_t token_ttl_ms;
    int64_t idle_ttl_ms;
    int64_t latency_ms;
    int64_t migration_ms;
    int migration_slots;      /* 0: every migration runs at once */
    double migration_fail_at; /* 0: migrations never fail */
    double migration_fail_p;
    int64_t migration_pause_ms;
    int64_t removal_ms; /* 0: removals finish at once */
    char *role;         /* the --user's role */
    struct sim_account_spec *accounts;
    size_t naccounts;
    int max_sessions;  /* 0: no limit */
    bool loop_devices; /* device entries are loop block devices */
    char **faults;
    size_t nfaults;
    uint64_t seed;
    bool seed_given;
    int spare_percent;
    double overprovision; /* volume allocation limit as a multiple of net capacity */
    char *api_version;    /* what GET /api/version answers: "3.5" or "4.5" */
    char *mdm_ips;        /* "MASTER,SLAVE[,TIEBREAKER]"; NULL: derived from the system id */
    bool sdcs_detached;   /* SDCs start outside the MDMs; drv_cfg --add_mdm joins them */
    bool volatile_state;  /* the state is not saved as requests change it */
    bool api4;            /* 4.x behaviour: /rest/auth login, Bearer tokens, HTML error pages */
};

enum sim_config_result { SIM_CONFIG_OK, SIM_CONFIG_EXIT_OK, SIM_CONFIG_ERROR };

/* Fills cfg from argv. On error, err holds a message. --help/--version print to out and return EXIT_OK. */
enum sim_config_result sim_config_parse(struct sim_config *cfg, int argc, char **argv, FILE *out, char *err,
                                        size_t errsz);
void sim_config_free(struct sim_config *cfg);
void sim_config_usage(FILE *out);
/* One of the gateway's user roles (Monitor, Configure, ..., SuperUser). */
bool sim_role_valid(const char *role);

#endif
