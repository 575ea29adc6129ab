/* gateway_types.h - the gateway's objects as typed C structs (volume, pool, SDC, V-Tree, ...).
 * The client's parsers fill them; callers own them and release them with the *_clear functions. */
#ifndef PFX_GATEWAY_TYPES_H
#define PFX_GATEWAY_TYPES_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

/* Buffer sizes including the NUL. Longer values from the gateway are refused as a protocol
 * error rather than truncated: a truncated id would name another object. */
#define PFX_GW_ID_SIZE SP_ID_MAX
#define PFX_GW_NAME_SIZE SP_NAME_MAX
#define PFX_GW_IP_SIZE 64       /* an IPv6 text address is at most 45 bytes */
#define PFX_GW_WORD_SIZE 64     /* enumeration words: "ThinProvisioned", "MigrationNormal", ... */
#define PFX_GW_MDM_IPS_SIZE 256 /* "ip,ip,...": a cluster's manager MDM addresses */

/* A statistic that older or newer gateways may leave out. */
typedef struct pfx_gw_opt_u64 {
    uint64_t value;
    int present; /* 0: the gateway did not send it and value is 0 */
} pfx_gw_opt_u64;

typedef struct pfx_gw_id {
    char id[PFX_GW_ID_SIZE];
} pfx_gw_id;

/* ---- volumes ------------------------------------------------------------------------------ */

typedef enum pfx_gw_volume_type {
    PFX_GW_VOLUME_OTHER = 0, /* a type this client does not know */
    PFX_GW_VOLUME_THIN,
    PFX_GW_VOLUME_THICK,
    PFX_GW_VOLUME_SNAPSHOT
} pfx_gw_volume_type;

/* One entry of a volume's mappedSdcInfo. */
typedef struct pfx_gw_mapping {
    char sdc_id[PFX_GW_ID_SIZE];
    char sdc_ip[PFX_GW_IP_SIZE];        /* "" when not sent */
    uint64_t limit_iops;                /* 0 = unlimited */
    uint64_t limit_bw_mbps;             /* 0 = unlimited; read back in MB/s although set in KB/s */
    char access_mode[PFX_GW_WORD_SIZE]; /* "ReadWrite", ...; "" when not sent */
} pfx_gw_mapping;

typedef struct pfx_gw_volume {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE]; /* "" when the gateway sends null */
    char storage_pool_id[PFX_GW_ID_SIZE];
    char vtree_id[PFX_GW_ID_SIZE];
    char ancestor_id[PFX_GW_ID_SIZE];          /* "" on a base volume; the source of a snapshot */
    char consistency_group_id[PFX_GW_ID_SIZE]; /* "" unless made by snapshotVolumes */
    char type_name[PFX_GW_WORD_SIZE];          /* volumeType as sent */
    pfx_gw_volume_type type;
    uint64_t size_kb;
    uint64_t creation_time; /* epoch seconds, 0 when not sent */
    int mapped_to_all;      /* mappingToAllSdcsEnabled */
    size_t n_mappings;
    pfx_gw_mapping *mappings; /* owned; NULL when n_mappings is 0 */
} pfx_gw_volume;

typedef struct pfx_gw_volume_list {
    size_t n;
    pfx_gw_volume *items; /* owned */
} pfx_gw_volume_list;

typedef struct pfx_gw_volume_stats {
    uint64_t num_mapped_sdcs;
    pfx_gw_opt_u64 user_data_read_kb;  /* userDataReadBwc.totalWeightInKb */
    pfx_gw_opt_u64 user_data_write_kb; /* userDataWriteBwc.totalWeightInKb */
} pfx_gw_volume_stats;

/* The answer of snapshotVolumes: ids in the order of the request's definitions. */
typedef struct pfx_gw_snapshot_group {
    char group_id[PFX_GW_ID_SIZE];
    size_t n;
    pfx_gw_id *ids; /* owned */
} pfx_gw_snapshot_group;

/* ---- V-Trees ------------------------------------------------------------------------------ */

typedef enum pfx_gw_migration_status {
    PFX_GW_MIGRATION_UNKNOWN = 0, /* a status word this client does not know */
    PFX_GW_MIGRATION_NONE,        /* NotInMigration: idle, or finished */
    PFX_GW_MIGRATION_PENDING,     /* PendingMigration, PendingRetry, PendingRebalance */
    PFX_GW_MIGRATION_RUNNING,     /* MigrationNormal */
    PFX_GW_MIGRATION_PAUSING,     /* InternalPausing, GracefullyPausing, ForcefullyPausing */
    PFX_GW_MIGRATION_PAUSED       /* Paused */
} pfx_gw_migration_status;

typedef struct pfx_gw_migration {
    int present; /* 0 when the V-Tree has no vtreeMigrationInfo */
    pfx_gw_migration_status status;
    char status_name[PFX_GW_WORD_SIZE];  /* migrationStatus as sent */
    char pause_reason[PFX_GW_NAME_SIZE]; /* "" when none; anything else is a failure */
    char source_pool_id[PFX_GW_ID_SIZE];
    char dest_pool_id[PFX_GW_ID_SIZE];
    uint64_t queue_position;
} pfx_gw_migration;

typedef struct pfx_gw_vtree {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE];
    char storage_pool_id[PFX_GW_ID_SIZE];
    char base_volume_id[PFX_GW_ID_SIZE]; /* baseVolumeId, or rootVolumes[0]; "" when neither */
    pfx_gw_migration migration;
} pfx_gw_vtree;

typedef struct pfx_gw_vtree_stats {
    pfx_gw_opt_u64 net_provisioned_addresses_kb; /* allocated: a volume's used size */
    pfx_gw_opt_u64 num_volumes;
    pfx_gw_opt_u64 base_net_capacity_in_use_kb;
    pfx_gw_opt_u64 snap_net_capacity_in_use_kb;
} pfx_gw_vtree_stats;

/* ---- pools, domains, systems, SDCs -------------------------------------------------------- */

typedef struct pfx_gw_pool {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE];
    char protection_domain_id[PFX_GW_ID_SIZE];
    char data_layout[PFX_GW_WORD_SIZE]; /* "MediumGranularity", "FineGranularity", "" */
    char media_type[PFX_GW_WORD_SIZE];  /* "HDD", "SSD", "" */
    int zero_padding_enabled;
    pfx_gw_opt_u64 spare_percentage;
} pfx_gw_pool;

typedef struct pfx_gw_pool_list {
    size_t n;
    pfx_gw_pool *items; /* owned */
} pfx_gw_pool_list;

/* A pool's capacity figures in KiB (raw, i.e. both mirror copies, unless named net). */
typedef struct pfx_gw_pool_stats {
    uint64_t max_capacity_kb;
    uint64_t spare_capacity_kb;
    pfx_gw_opt_u64 capacity_limit_kb;
    pfx_gw_opt_u64 capacity_in_use_kb;
    pfx_gw_opt_u64 unused_capacity_kb;
    pfx_gw_opt_u64 net_capacity_in_use_kb;
    pfx_gw_opt_u64 net_unused_capacity_kb;
    pfx_gw_opt_u64 capacity_available_for_volume_allocation_kb;
    pfx_gw_opt_u64 volume_allocation_limit_kb;
    pfx_gw_opt_u64 thin_capacity_allocated_kb; /* also read from the pre-3.0 "...InKm" typo */
    pfx_gw_opt_u64 thick_capacity_in_use_kb;
    pfx_gw_opt_u64 snapshot_capacity_kb; /* snapshotCapacityInKb (3.5+) or snapCapacityInUseInKb */
    pfx_gw_opt_u64 net_provisioned_addresses_kb;
    pfx_gw_opt_u64 provisioned_addresses_kb;
    pfx_gw_opt_u64 num_volumes;
    pfx_gw_opt_u64 num_vtrees;
    pfx_gw_opt_u64 num_snapshots;
} pfx_gw_pool_stats;

typedef struct pfx_gw_protection_domain {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE];
    char system_id[PFX_GW_ID_SIZE];
    char state[PFX_GW_WORD_SIZE]; /* protectionDomainState, "" when not sent */
} pfx_gw_protection_domain;

typedef struct pfx_gw_system {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE];
    char version_name[PFX_GW_NAME_SIZE];      /* systemVersionName */
    char mdm_cluster_state[PFX_GW_WORD_SIZE]; /* mdmClusterState, or mdmCluster.clusterState */
    /* The addresses an SDC joins the system with (drv_cfg --add_mdm --ip): mdmCluster's master's
     * and slaves' "ips", comma-separated, in that order; "" when the gateway does not say. */
    char mdm_ips[PFX_GW_MDM_IPS_SIZE];
} pfx_gw_system;

typedef struct pfx_gw_system_list {
    size_t n;
    pfx_gw_system *items; /* owned */
} pfx_gw_system_list;

typedef enum pfx_gw_sdc_state {
    PFX_GW_SDC_UNKNOWN = 0, /* mdmConnectionState absent, null or unknown */
    PFX_GW_SDC_CONNECTED,
    PFX_GW_SDC_DISCONNECTED
} pfx_gw_sdc_state;

typedef struct pfx_gw_sdc {
    char id[PFX_GW_ID_SIZE];
    char name[PFX_GW_NAME_SIZE];
    char ip[PFX_GW_IP_SIZE]; /* sdcIp, or the first of sdcIps; "" when neither */
    char guid[PFX_GW_NAME_SIZE];
    char system_id[PFX_GW_ID_SIZE];
    pfx_gw_sdc_state state;
    int approved;
} pfx_gw_sdc;

typedef struct pfx_gw_sdc_list {
    size_t n;
    pfx_gw_sdc *items; /* owned */
} pfx_gw_sdc_list;

/* ---- errors ------------------------------------------------------------------------------- */

/* A gateway error body: {"message", "httpStatusCode", "errorCode", "details": [{rc, error,
 * errorMessage}]}. Long messages are cut, not refused: an error must always be reportable. */
typedef struct pfx_gw_error_body {
    char message[512];
    int has_error_code;
    int32_t error_code;
    int32_t http_status; /* httpStatusCode, 0 when not sent */
    int has_detail;      /* details[0] was present */
    int32_t detail_rc;
    char detail_name[PFX_GW_WORD_SIZE];
    char detail_message[512];
} pfx_gw_error_body;

/* Release what the struct owns and zero it; safe on a zeroed struct, NULL allowed. */
void pfx_gw_volume_clear(pfx_gw_volume *v);
void pfx_gw_volume_list_clear(pfx_gw_volume_list *l);
void pfx_gw_snapshot_group_clear(pfx_gw_snapshot_group *g);
void pfx_gw_pool_list_clear(pfx_gw_pool_list *l);
void pfx_gw_system_list_clear(pfx_gw_system_list *l);
void pfx_gw_sdc_list_clear(pfx_gw_sdc_list *l);

/* Names for messages. */
const char *pfx_gw_migration_status_name(pfx_gw_migration_status s);

#endif
