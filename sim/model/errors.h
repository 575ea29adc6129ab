/* The gateway's error answers: HTTP status, MDM return code and exact message for every refusal
 * the simulator can give, so handlers name an error and never spell codes or texts themselves. */
#ifndef SIM_ERRORS_H
#define SIM_ERRORS_H

#include <stddef.h>

enum sim_err {
    SIM_OK = 0,
    SIM_E_BAD_REQUEST,        /* 400/0, message supplied by the caller */
    SIM_E_BAD_ID,             /* 400/0 "id must be a hexadecimal number" */
    SIM_E_UNAUTHORIZED,       /* 401/0 */
    SIM_E_NO_URL,             /* 404 */
    SIM_E_METHOD,             /* 405 */
    SIM_E_NOT_FOUND,          /* 500/3 queryIdByKey miss */
    SIM_E_VOL_NOT_FOUND,      /* 79 */
    SIM_E_SDC_NOT_FOUND,      /* 80 */
    SIM_E_ALREADY_MAPPED,     /* 81 */
    SIM_E_NOT_MAPPED,         /* 84 */
    SIM_E_NAME_IN_USE,        /* 99 */
    SIM_E_VOL_MAPPED,         /* 104 */
    SIM_E_DECREASE,           /* 133 */
    SIM_E_PD_NOT_FOUND,       /* 142 */
    SIM_E_POOL_NOT_FOUND,     /* 171 */
    SIM_E_TOO_MANY_SNAPS,     /* 182, with details */
    SIM_E_NOTHING_TO_DO,      /* 183 */
    SIM_E_GROUP_NOT_FOUND,    /* 185 */
    SIM_E_SIZE_TOO_LARGE,     /* 190 */
    SIM_E_PD_POOL_MISMATCH,   /* 197 */
    SIM_E_VTREE_MISMATCH,     /* 198 */
    SIM_E_SYSTEM_MISMATCH,    /* 202 */
    SIM_E_SIZE_ILLEGAL,       /* 225 */
    SIM_E_LONG_NAME,          /* 226 */
    SIM_E_INVALID_NAME,       /* 227 */
    SIM_E_VTREE_NOT_FOUND,    /* 230 */
    SIM_E_THROTTLE,           /* 284 */
    SIM_E_MULTI_MAPPING,      /* 297 */
    SIM_E_CAPACITY,           /* 300 */
    SIM_E_SELF_OVERWRITE,     /* 330 */
    SIM_E_MIGRATING_SAME,     /* 717, already migrating to that pool */
    SIM_E_MIGRATING_OTHER,    /* 717, migrating elsewhere */
    SIM_E_MIGRATE_SAME_POOL,  /* 718 */
    SIM_E_SRC_LARGER,         /* 500/0 overwrite source larger than destination */
    SIM_E_SYSTEM_BUSY,        /* 164 "The system is busy. Retry later" */
    SIM_E_NO_PERMISSIONS,     /* 168, a role that may not do this */
    SIM_E_REMOVE_IN_PROGRESS, /* 212 */
    SIM_E_TOO_MANY_SESSIONS,  /* 252 */
    SIM_E_MIG_NOT_FOUND,      /* 790 the V-Tree is not migrating */
    SIM_E_MIG_PAUSED,         /* 795 already paused or pausing */
    SIM_E_MIG_MUST_PAUSE,     /* 815 a rollback needs a paused migration */
    SIM_E_INTERNAL,           /* 500/0 I/O failure in the simulator itself */
};

struct sim_error_info {
    int http;
    int code;
    const char *message;
    const char *rc_name; /* for "details" answers; NULL otherwise */
};

const struct sim_error_info *sim_error_info(enum sim_err e);

/* The JSON body of an error answer (malloc'd). detail_msg replaces the table's message for
 * SIM_E_BAD_REQUEST/SIM_E_INTERNAL and may be NULL otherwise. */
char *sim_error_body(enum sim_err e, const char *detail_msg);

#endif
