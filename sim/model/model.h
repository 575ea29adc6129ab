/* The simulated PowerFlex system's objects (system, protection domains, pools, SDCs, V-Trees,
 * volumes and their mappings) held in memory under one lock, with ids and lookups. */
#ifndef SIM_MODEL_H
#define SIM_MODEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "options.h"
#include "util.h"

typedef char sim_idbuf[SIM_ID_LEN + 1];

struct sim_pd {
    sim_idbuf id;
    char *name;
};

struct sim_pool {
    sim_idbuf id;
    char *name;
    struct sim_pd *pd;
    uint64_t raw_kb;
};

struct sim_sdc {
    sim_idbuf id;
    char *ip;
    char *guid;
    char *devdir; /* where this SDC's device entries appear */
    char *name;   /* NULL until renamed */
    bool disconnected;
    /* Not joined to this system's MDMs (drv_cfg --remove_mdm, or --sdcs-detached until its
     * drv_cfg --add_mdm): disconnected, and no device entry of its mappings appears. */
    bool detached;
};

enum sim_vtype { SIM_VOL_THIN, SIM_VOL_THICK, SIM_VOL_SNAPSHOT };

enum sim_mig {
    SIM_MIG_NONE,
    SIM_MIG_PENDING,
    SIM_MIG_NORMAL,
    SIM_MIG_PAUSING_GRACEFUL,
    SIM_MIG_PAUSING_FORCED,
    SIM_MIG_PAUSED
};

enum sim_conv { SIM_CONV_NONE, SIM_CONV_THICK_TO_THIN, SIM_CONV_THIN_TO_THICK };

struct sim_vtree {
    sim_idbuf id;
    struct sim_pool *pool;
    bool thick;        /* base volumes reserve their size */
    sim_idbuf root_id; /* the volume that created the tree */
    enum sim_mig mig;
    struct sim_pool *mig_src, *mig_dest;
    enum sim_conv mig_conv;
    bool mig_queued;           /* PendingMigration waiting for a free migration slot */
    bool mig_rollback;         /* moving back to mig_dest, the pool it started in */
    uint64_t mig_seq;          /* start order, for the queue */
    int64_t mig_total_ms;      /* how long the whole copy takes */
    int64_t mig_done_ms;       /* how much of it is copied */
    int64_t mig_fail_ms;       /* the copy fails when done reaches this; -1: never */
    int64_t mig_phase_end;     /* end of the pending phase or of a pause in progress */
    int64_t mig_last_ms;       /* when done was last advanced */
    char mig_pause_reason[32]; /* "" unless paused by a failure */
    int64_t removing_until;    /* a removal in this V-Tree runs until then (--removal-ms) */
};

struct sim_mapping {
    struct sim_sdc *sdc;
    int64_t iops;
    int64_t bw_kbps;
    char access[16];
    bool present;   /* device entry exists */
    int64_t due_ms; /* when the pending device entry appears */
};

struct sim_volume {
    sim_idbuf id;
    char name[32];
    uint64_t size_kb;
    enum sim_vtype type;
    struct sim_vtree *vtree;
    sim_idbuf ancestor; /* "" for a base volume */
    sim_idbuf group;    /* consistency group of the snapshot, "" otherwise */
    int64_t created;
    struct sim_mapping *maps;
    size_t nmaps;
    bool map_all;
    bool readonly;
    bool readonly_enforced;
    char access_limit[16];
    char *path;
    int loop_fd;       /* --loop-devices: the loop device over the data file... */
    char loop_dev[32]; /* ...named this; "" when there is none (loop_fd is then unused) */
};

#define SIM_MDM_IP_LEN 48

struct sim_model {
    pthread_mutex_t lock;
    sim_idbuf system_id;
    /* The MDM cluster's addresses: master, slave, tie-breaker. An SDC joins with the first two. */
    char mdm_ips[3][SIM_MDM_IP_LEN];
    char *system_name;
    char *state_dir;
    bool state_dir_temp;
    bool volatile_state; /* --volatile: nothing saved as requests change the state */
    char *device_dir;
    struct sim_pd **pds;
    size_t npds;
    struct sim_pool **pools;
    size_t npools;
    struct sim_sdc **sdcs;
    size_t nsdcs;
    struct sim_vtree **vtrees;
    size_t nvtrees, vtrees_cap;
    struct sim_volume **vols;
    size_t nvols, vols_cap;
    uint64_t prng;
    uint32_t id_counter;
    uint32_t bulk_counter; /* the last number sim_volume_bulk gave a name */
    int64_t device_delay_ms;
    int64_t device_delay_override; /* -1: none; set by a device-delay fault for the next map */
    int64_t migration_ms;
    int migration_slots;        /* migrations running at once; 0: no limit */
    double migration_fail_at;   /* fraction of the copy at which a migration fails; 0: never */
    double migration_fail_p;    /* probability that a migration fails (at fail_at) */
    int64_t migration_pause_ms; /* a graceful pause takes this long, a forceful one a fifth */
    uint64_t migration_seq;
    int64_t removal_ms; /* a removal keeps its V-Tree busy this long; 0: none */
    bool loop_devices;  /* device entries point at loop block devices */
    /* Migrations run on their own clock, which stands still while they are held (POST
     * /sim/migrations): a test can keep one in progress for as long as it needs. */
    bool migrations_held;
    int64_t mig_held_since, mig_held_total;
    int spare_pct;
    double overprovision;
    int64_t install_time;
    bool dirty; /* metadata changed since the last save */
    int64_t saved_at;
};

void sim_model_lock(struct sim_model *m);
void sim_model_unlock(struct sim_model *m);

uint64_t sim_model_rand(struct sim_model *m);
void sim_model_new_id(struct sim_model *m, sim_idbuf out);

/* Lookups (lock held); ids compare case-insensitively. */
struct sim_volume *sim_find_volume(struct sim_model *m, const char *id);
struct sim_volume *sim_find_volume_by_name(struct sim_model *m, const char *name);
struct sim_pool *sim_find_pool(struct sim_model *m, const char *id);
struct sim_pd *sim_find_pd(struct sim_model *m, const char *id);
struct sim_pd *sim_find_pd_by_name(struct sim_model *m, const char *name);
struct sim_sdc *sim_find_sdc(struct sim_model *m, const char *id);
struct sim_sdc *sim_find_sdc_by_ip(struct sim_model *m, const char *ip);
struct sim_sdc *sim_find_sdc_by_guid(struct sim_model *m, const char *guid);
struct sim_vtree *sim_find_vtree(struct sim_model *m, const char *id);

/* The protection domain of that name, created when missing. */
struct sim_pd *sim_model_add_pd(struct sim_model *m, const char *name);

/* Volume list maintenance. */
void sim_model_add_volume(struct sim_model *m, struct sim_volume *v);
void sim_model_drop_volume(struct sim_model *m, struct sim_volume *v); /* frees v */
struct sim_vtree *sim_model_add_vtree(struct sim_model *m, struct sim_pool *pool, bool thick);
void sim_model_drop_vtree_if_empty(struct sim_model *m, struct sim_vtree *t);
size_t sim_vtree_members(struct sim_model *m, const struct sim_vtree *t, size_t *nsnaps);

/* Frees a volume taken out of the model (or never put in). */
void sim_volume_free(struct sim_volume *v);

struct sim_mapping *sim_volume_mapping(struct sim_volume *v, const struct sim_sdc *sdc);

const char *sim_vtype_name(enum sim_vtype t);

/* The SDC talks to the MDMs: joined and not disconnected by /sim/sdc/ID/state. */
bool sim_sdc_online(const struct sim_sdc *s);

#endif
