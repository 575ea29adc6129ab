/* poolhandle.h - the opened pool (sp_pool): its identity on the array, its gateway client, its
 * state and the SDC ids of hosts already looked up. Shared by the Driver, Pool and Adaptor. */
#ifndef PFX_POOLHANDLE_H
#define PFX_POOLHANDLE_H

#include "settings.h"

#include "gateway.h"
#include "storage_plugin.h"

#include <pthread.h>

/* The details a pool is stored with (CloudStack's keys, plus ours for TLS and ids). */

typedef enum pfx_pool_state { PFX_POOL_UP = 0, PFX_POOL_MAINTENANCE, PFX_POOL_DISABLED } pfx_pool_state;

#define PFX_SDC_CACHE_MAX 256

typedef struct pfx_sdc_entry {
    char ip[64];
    char sdc_id[SP_ID_MAX];
    int seen_connected; /* the SDC was connected when it was looked up (attach, grant) */
} pfx_sdc_entry;

struct sp_pool {
    /* First and together: migration_kind compares them for every pool of a zone (10,000 in a
     * findStoragePoolsForMigration), and the handles stay small, so that walk stays in cache. */
    char system_id[SP_ID_MAX];
    char pool_id[SP_ID_MAX];
    char uuid[64];
    char pool_key[5];
    char pool_name[SP_NAME_MAX];
    char pd_id[SP_ID_MAX];
    pfx_gw_client *gw; /* owned */
    /* The TLS details the pool was opened with (NULL when absent; owned): credentials given
     * alone in an update are checked with the same verification. */
    char *ca_file, *pinned_pubkey, *insecure;

    pthread_mutex_t lock; /* guards state, the SDC cache and mdm_ips */
    char mdm_ips[256];    /* PFX_DETAIL_MDMS, or asked from the gateway when first needed */
    pfx_pool_state state;
    /* The SDCs looked up, grown as hosts are (PFX_SDC_CACHE_MAX at most; owned): a fixed table
     * made every handle 34 KB, 340 MB for a zone of 10,000 pools. */
    pfx_sdc_entry *sdcs;
    size_t n_sdcs, cap_sdcs;
};

/* The value of `key` in details, or NULL. Borrowed from details. */
const char *pfx_detail(const sp_kv *details, size_t n, const char *key);

/* Builds the gateway client configuration from details and the pool's settings
 * (storage.pool.client.timeout, storage.pool.client.max.connections) and creates the client.
 * pool_uuid may be NULL (a pool being created: global settings apply). */
sp_status pfx_pool_client_new(const char *pool_uuid, const char *gateway, const char *user,
                              const char *password, const sp_kv *details, size_t n_details,
                              pfx_gw_client **out, sp_error *err);

/* Opens a handle from stored details; *out owned by the caller, released with pfx_pool_free. */
sp_status pfx_pool_open(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                        sp_error *err);
void pfx_pool_free(sp_pool *pool);

pfx_pool_state pfx_pool_get_state(sp_pool *pool);
void pfx_pool_set_state(sp_pool *pool, pfx_pool_state state);

/* Refuses (SP_E_STATE) what a pool in maintenance or disabled must not do. `what` names the
 * operation for the message. allow_disabled: the operation touches existing volumes only. */
sp_status pfx_pool_check_usable(sp_pool *pool, const char *what, int allow_disabled, sp_error *err);

/* The SDC id of the host with `ip`: from the cache, else one queryIdByKey (cached after). */
sp_status pfx_pool_sdc_id(sp_pool *pool, const char *ip, char *buf, size_t len, sp_error *err);
/* The same for granting access: the SDC must also be connected to the MDM, which costs one GET
 * the first time. The array maps a volume to a disconnected SDC, but its host then never sees
 * the device. A disconnected SDC is SP_E_STATE and is not cached as connected. */
sp_status pfx_pool_sdc_id_connected(sp_pool *pool, const char *ip, char *buf, size_t len, sp_error *err);
/* The host's SDC id as the host's own SDC names it (drv_cfg --query_mdms) rather than found by
 * IP: checked to be connected (one GET) and cached for ip as pfx_pool_sdc_id_connected would. */
sp_status pfx_pool_sdc_adopt(sp_pool *pool, const char *ip, const char *sdc_id, sp_error *err);
/* Whether ip's SDC id is cached (connected: known to be connected). */
int pfx_pool_sdc_cached(sp_pool *pool, const char *ip, int connected);
/* Forgets a cached id (an SDC that re-registered gets a new id). */
void pfx_pool_sdc_forget(sp_pool *pool, const char *ip);
/* Records an id learnt elsewhere (attach lists every SDC and keeps the connected ones). */
void pfx_pool_sdc_remember(sp_pool *pool, const char *ip, const char *sdc_id);
/* The SDC left the system (its id stays known): the next grant checks that it is connected. */
void pfx_pool_sdc_disconnected(sp_pool *pool, const char *ip);

/* The installation identifier (setting custom.cs.identifier); SP_E_INVALID when unset. */
sp_status pfx_pool_identifier(char *buf, size_t len, sp_error *err);

/* Splits a volume path "<volumeId>:<name>" (or a bare id) into its id; SP_E_INVALID when the
 * path is malformed. */
sp_status pfx_path_volume_id(const sp_volume_ref *ref, char *id, size_t len, sp_error *err);

/* Fills an sp_volume_info from a gateway volume (path "<id>:<name>"). */
void pfx_volume_info_from_gw(sp_pool *pool, const pfx_gw_volume *v, sp_volume_info *out);

#endif
