/* storage_plugin.h - the stable C ABI between a primary-storage plugin and its host.
 * A host (a CloudStack-like orchestrator) dlopens a plugin and drives it only through this file.
 *
 * Versioning (SQLite VFS style)
 *   SP_ABI_VERSION is (major << 16) | minor. A host passes its version to sp_plugin_init(); a plugin
 *   refuses a different major with SP_E_VERSION. Within one major nothing is removed, reordered or
 *   retyped: structs grow only as the rule below says, enums only gain values.
 *
 * How every struct that crosses the boundary grows (the one rule, stated here once)
 *   Tables (sp_plugin, sp_host_services, sp_*_ops) start with `abi_version` and `struct_size`;
 *     methods are only appended. A caller uses a member added after 2.0 only when
 *     SP_HAS(table, member) says the other side's table holds it and it is set.
 *   Sized value structs (marked "Sized" below) start with `uint32_t struct_size`; members are
 *     only appended. Whoever allocates one sets struct_size to the sizeof it was compiled with
 *     (SP_SIZED(type) in its initializer, which also zeroes the rest). The other side
 *       - refuses a struct_size below the type's 2.0 size (SP_<TYPE>_SIZE_2_0; for a struct added
 *         later, the size it was added with, SP_<TYPE>_SIZE_MIN) with SP_E_VERSION;
 *       - reads and writes only members that lie wholly inside struct_size (SP_FITS);
 *       - after filling an output struct, sets its struct_size to the size it filled (never more
 *         than the caller's), so the caller learns with SP_FITS which members hold an answer.
 *     A member added later means "not known" when zero, so a zeroed struct is always valid.
 *     In an array of sized structs every element has the same struct_size, and the callee steps
 *     through it by that size (SP_AT), never by its own sizeof.
 *   Frozen structs (marked "Frozen": sp_kv, sp_volume_ref, sp_qos, sp_progress) keep their layout
 *     for the whole major: each is a pair, a handle or embedded in another struct. A later minor
 *     that needs more passes a new struct to a new method.
 *   sp_error is frozen and ends with reserved words: whoever fills an sp_error writes them as zero,
 *     and a later minor may give one a meaning in which 0 says "not known". It has no struct_size
 *     because it is where a refused struct_size is reported.
 *
 * Ownership
 *   Strings and arrays passed *into* a method are owned by the caller and only borrowed for the
 *   duration of the call. Output structs are caller-allocated (struct_size set); the plugin
 *   fills them. Handles (sp_pool) are allocated by the plugin and released by the plugin's close
 *   method. Nothing a plugin returns needs freeing by the host except through a method of this
 *   header.
 *
 * Errors
 *   Every method returns an sp_status. On anything but SP_OK it fills the caller's sp_error
 *   (which may be NULL when the caller does not want the text). Messages name the object and the
 *   cause and never contain a password or token.
 *
 * Threads
 *   sp_plugin_init and sp_plugin.shutdown: not concurrently with anything else. A plugin serves
 *   one host's services at a time: sp_plugin_init with other services than those of a start not
 *   yet shut down is refused with SP_E_BUSY; with the same services it counts one more start, and
 *   each start is ended by one shutdown().
 *   Driver and Pool methods: callable concurrently from any number of threads on one sp_pool.
 *   Lifecycle methods on one pool: serialised by the host (CloudStack holds a pool lock for them).
 *   Adaptor methods: callable concurrently, except on the same volume at the same time.
 *   Host utilities and describe: callable concurrently.
 *
 * The header is self-contained C99 and C++, and includes nothing but <stddef.h> and <stdint.h>.
 */
#ifndef STORAGE_PLUGIN_H
#define STORAGE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------ */
/* Versions                                                                                   */

#define SP_ABI_VERSION_MAJOR 2u
#define SP_ABI_VERSION_MINOR 0u
#define SP_ABI_MAKE_VERSION(major, minor) ((uint32_t)(((uint32_t)(major) << 16) | (uint32_t)(minor)))
#define SP_ABI_VERSION SP_ABI_MAKE_VERSION(SP_ABI_VERSION_MAJOR, SP_ABI_VERSION_MINOR)
#define SP_ABI_MAJOR(v) ((uint32_t)(v) >> 16)
#define SP_ABI_MINOR(v) ((uint32_t)(v)&0xffffu)

/* The one symbol a plugin exports; hosts look it up with lt_dlsym(). */
#define SP_PLUGIN_ENTRY_SYMBOL "sp_plugin_init"

/* True when `table` (a pointer to any sp_*_ops or sp_plugin) is large enough to hold `member`
 * and the member is set. Use before calling any method added after version 2.0. */
#define SP_HAS(table, member)                                                                                \
    ((table) != NULL &&                                                                                      \
     (size_t)((const char *)&(table)->member - (const char *)(table)) + sizeof((table)->member) <=           \
         (size_t)(table)->struct_size &&                                                                     \
     (table)->member != NULL)

/* The size of `type` up to and including `member`: how large a table of an older minor version
 * is. Hosts compare a plugin's struct_size with the size of the version they need. */
#define SP_SIZE_THROUGH(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

/* For a sized value struct: the designated initializer of its struct_size (C99), as in
 *     sp_volume_info info = {SP_SIZED(sp_volume_info)};
 *     sp_host_ref host = {SP_SIZED(sp_host_ref), .uuid = uuid, .name = name, .ip = ip};
 * Members not named are zero. */
#define SP_SIZED(type) .struct_size = (uint32_t)sizeof(type)

/* The initializer of a zeroed sized value struct:  sp_capacity cap = SP_INIT(sp_capacity); */
#define SP_INIT(type)                                                                                        \
    {                                                                                                        \
        SP_SIZED(type)                                                                                       \
    }

/* True when the sized value struct `s` is large enough to hold `member`. */
#define SP_FITS(s, member)                                                                                   \
    ((size_t)((const char *)&(s)->member - (const char *)(s)) + sizeof((s)->member) <=                       \
     (size_t)(s)->struct_size)

/* For the callee: element i of a caller's array of sized value structs whose first element is
 * `base`, stepped by base->struct_size (the caller's size), not by sizeof(type); read the stride
 * before filling element 0 lowers it. `type` may be const. The caller, which allocated the
 * array, indexes it as usual. */
#define SP_AT(type, base, i) ((type *)((uintptr_t)(base) + (uintptr_t)(i) * (uintptr_t)(base)->struct_size))

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                          */

typedef enum sp_status {
    SP_OK = 0,
    SP_E_UNSUPPORTED = 1, /* the plugin does not provide this method or variant */
    SP_E_INVALID = 2,     /* bad argument: malformed URL, bad size, bad QoS value, ... */
    SP_E_NOT_FOUND = 3,   /* the pool, volume, snapshot, host or its storage client does not exist */
    SP_E_EXISTS = 4,      /* the name or object already exists */
    SP_E_AUTH = 5,        /* the backend refused the credentials (or their renewal) */
    SP_E_TLS = 6,         /* certificate verification or TLS handshake failed */
    SP_E_TIMEOUT = 7,     /* the backend, a device or a program did not answer in time */
    SP_E_UNAVAILABLE = 8, /* the backend could not be reached or failed transiently (HTTP 5xx) */
    SP_E_BACKEND = 9,     /* the backend refused the request (see backend_code) */
    SP_E_PROTOCOL = 10,   /* the backend's answer could not be understood */
    SP_E_NO_SPACE = 11,   /* the pool cannot hold the request (or the snapshot tree its snapshot) */
    SP_E_BUSY = 12,       /* in use: mapped elsewhere, migrating, volumes remain, ... */
    SP_E_CANCELLED = 13,  /* the host's progress callback asked to stop */
    SP_E_IO = 14,         /* a local file, device or external program failed */
    SP_E_NOMEM = 15,      /* out of memory */
    SP_E_VERSION = 16,    /* ABI version or struct size mismatch */
    SP_E_STATE = 17,      /* not allowed in the current state (maintenance, VM running, ...) */
    SP_E_INTERNAL = 18    /* a bug: the plugin broke one of its own invariants */
} sp_status;

#define SP_ERROR_MESSAGE_MAX 1024
#define SP_ERROR_RESERVED 5

/* Frozen (see the growth rule): only the reserved words may take a meaning in a later minor. */
typedef struct sp_error {
    sp_status status;
    int32_t http_status;                 /* the backend's HTTP status, 0 when no HTTP answer was involved */
    int32_t backend_code;                /* the backend's own error code (its API's number), -1 when none */
    char message[SP_ERROR_MESSAGE_MAX];  /* NUL-terminated, human readable, no secrets */
    int32_t reserved[SP_ERROR_RESERVED]; /* written as 0 */
} sp_error;

/* ------------------------------------------------------------------------------------------ */
/* Small value types                                                                          */

/* A borrowed key/value pair: pool details, offering details, and the like. Frozen. */
typedef struct sp_kv {
    const char *key;
    const char *value;
} sp_kv;

/* Receives key/value pairs a plugin hands back; both strings live only during the call. */
typedef void (*sp_kv_sink)(void *sink_ctx, const char *key, const char *value);

/* Progress of a long operation. Return non-zero to ask the plugin to stop: it then undoes what
 * it did and returns SP_E_CANCELLED. `phase` is a short word ("copy", "verify", "migrate"). */
typedef int (*sp_progress_fn)(void *progress_ctx, const char *phase, uint64_t done, uint64_t total);

/* Frozen. */
typedef struct sp_progress {
    sp_progress_fn report; /* may be NULL */
    void *ctx;
} sp_progress;

typedef enum sp_log_level {
    SP_LOG_ERROR = 0,
    SP_LOG_WARN = 1,
    SP_LOG_INFO = 2,
    SP_LOG_DEBUG = 3
} sp_log_level;

/* Where a setting is looked up; the host walks narrower to wider scopes itself
 * (pool -> zone -> global, cluster -> global) and answers with the first value found. Which keys
 * a plugin reads, and where, it publishes through sp_plugin.describe. */
typedef enum sp_scope {
    SP_SCOPE_GLOBAL = 0, /* scope_id ignored */
    SP_SCOPE_ZONE = 1,   /* scope_id: zone uuid */
    SP_SCOPE_POOL = 2,   /* scope_id: pool uuid */
    SP_SCOPE_HOST = 3,   /* scope_id: host uuid; the KVM agent's agent.properties */
    SP_SCOPE_CLUSTER = 4 /* scope_id: cluster uuid */
} sp_scope;

/* A set of scopes, as in sp_setting_desc.scopes: SP_SCOPE_BIT(SP_SCOPE_GLOBAL) | ... */
#define SP_SCOPE_BIT(scope) (1u << (unsigned)(scope))

/* What a plugin reads, as it publishes it (sp_plugin.describe). */
typedef enum sp_setting_kind {
    SP_SETTING_KIND_SETTING = 0,    /* read with sp_host_services.get_setting at one of `scopes` */
    SP_SETTING_KIND_POOL_DETAIL = 1 /* a pool detail: given in sp_pool_create_params.details or to
                                       update(), handed to the sink, passed to open() */
} sp_setting_kind;

typedef enum sp_value_type {
    SP_VALUE_STRING = 0,
    SP_VALUE_BOOL = 1, /* "true" or "false" */
    SP_VALUE_UINT = 2, /* a whole number in decimal, in [min, max] */
    SP_VALUE_PATH = 3  /* an absolute path on the host */
} sp_value_type;

#define SP_SETTING_SECRET 0x1u   /* a password or key: stored encrypted, never shown or logged */
#define SP_SETTING_REQUIRED 0x2u /* a pool detail open() cannot do without */
#define SP_SETTING_OUTPUT 0x4u   /* a pool detail the plugin makes (initialize's sink), not the user */

/* One setting or pool detail a plugin reads. Sized. Every pointer is static plugin data, valid
 * until shutdown(). */
typedef struct sp_setting_desc {
    uint32_t struct_size;
    sp_setting_kind kind;
    const char *name;          /* the key */
    const char *description;   /* one sentence for an operator */
    const char *default_value; /* what the plugin uses when it is not set; NULL: no default */
    uint32_t scopes;           /* settings: where it may be set (SP_SCOPE_BIT mask); details: 0 */
    sp_value_type type;
    uint32_t flags;    /* SP_SETTING_SECRET | SP_SETTING_REQUIRED | SP_SETTING_OUTPUT */
    uint64_t min, max; /* SP_VALUE_UINT: the accepted range; else 0 */
} sp_setting_desc;

/* Services the host lends the plugin for the plugin's whole life. */
typedef struct sp_host_services {
    uint32_t abi_version;
    uint32_t struct_size;
    void *host_ctx; /* passed back to every callback below */
    /* Writes one log line. `message` is NUL-terminated and contains no secrets. Thread-safe. */
    void (*log)(void *host_ctx, sp_log_level level, const char *message);
    /* Copies the setting's value into buf (NUL-terminated). Returns 1 when found, 0 when not set
     * (the plugin then uses its default), -1 when buf is too small. Thread-safe. */
    int (*get_setting)(void *host_ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                       size_t buf_len);
    /* Appended after 2.0 (the plugin checks with SP_HAS). Whether a line of `level` would be kept:
     * 0 lets the plugin skip formatting it (a debug line a gateway request, for one). Thread-safe;
     * without it, every line is formatted and handed to log. */
    int (*log_enabled)(void *host_ctx, sp_log_level level);
} sp_host_services;

/* ------------------------------------------------------------------------------------------ */
/* Objects                                                                                    */

typedef struct sp_pool sp_pool; /* an opened primary storage pool; opaque */

#define SP_ID_MAX 64    /* array object ids */
#define SP_NAME_MAX 128 /* array object names */
#define SP_PATH_MAX 512 /* volume paths as the host stores them, device paths */

typedef enum sp_volume_kind {
    SP_VOLUME_DATA = 0,
    SP_VOLUME_ROOT = 1,
    SP_VOLUME_TEMPLATE = 2, /* a template seeded on the pool */
    SP_VOLUME_SNAPSHOT = 3,
    SP_VOLUME_VM_SNAPSHOT = 4
} sp_volume_kind;

typedef enum sp_provisioning { SP_PROVISION_THIN = 0, SP_PROVISION_THICK = 1 } sp_provisioning;

typedef enum sp_image_format {
    SP_FORMAT_RAW = 0,
    SP_FORMAT_QCOW2 = 1,
    SP_FORMAT_ISO = 2,
    SP_FORMAT_LUKS = 3 /* appended: an encrypted disk of LUKS format */
} sp_image_format;

/* How the host refers to a volume it placed: the `path` the plugin returned when creating it.
 * Frozen: passed by the thousand and in arrays; more about a volume travels in a new struct. */
typedef struct sp_volume_ref {
    const char *path;
} sp_volume_ref;

/* What a plugin says about a volume (and what the host stores). Sized. */
typedef struct sp_volume_info {
    uint32_t struct_size;
    char path[SP_PATH_MAX]; /* opaque to the host: the plugin's own reference */
    char id[SP_ID_MAX];     /* the array's id */
    char name[SP_NAME_MAX]; /* the array's name */
    /* The volume's thin-clone family: a volume, its snapshots and the volumes cloned from them
     * share one id, and an SP_MIGRATE_NATIVE migration moves the family as a whole. "" when the
     * backend has no such notion. */
    char lineage_id[SP_ID_MAX];
    char array_pool_id[SP_ID_MAX];
    char system_id[SP_ID_MAX];
    uint64_t size_bytes; /* virtual size after the array's rounding */
    uint64_t used_bytes; /* allocated on the array */
    sp_provisioning provisioning;
    sp_image_format format; /* how the volume's blocks are laid out (block arrays: RAW) */
} sp_volume_info;

/* QoS taken from an offering's details, as strings, so that the plugin validates them. Frozen:
 * it is embedded in sp_volume_spec; a new limit is a new member of the spec or a new method. */
typedef struct sp_qos {
    const char *bandwidth_limit_mbps; /* "bandwidthLimitInMbps"; NULL or "0" = unlimited */
    const char *iops_limit;           /* "iopsLimit"; NULL or "0" = unlimited */
} sp_qos;

/* A request for a new volume. Sized. */
typedef struct sp_volume_spec {
    uint32_t struct_size;
    sp_volume_kind kind;
    uint64_t id;         /* the host's id for the volume, template or snapshot */
    uint64_t parent_id;  /* VM snapshots: the volume's id; else 0 */
    uint64_t size_bytes; /* requested; rounded up by the plugin, the result says the real size */
    sp_provisioning provisioning;
    sp_qos qos;
} sp_volume_spec;

/* A KVM host as the plugin needs to know it. Sized. */
typedef struct sp_host_ref {
    uint32_t struct_size;
    const char *uuid; /* the host's id; scope_id for SP_SCOPE_HOST settings */
    const char *name;
    const char *ip; /* the address its storage client is known to the backend by */
} sp_host_ref;

/* Per-host result of attaching a pool. Sized. */
typedef struct sp_host_attach_result {
    uint32_t struct_size;
    sp_status status;          /* SP_OK: connected; otherwise why not */
    char client_id[SP_ID_MAX]; /* the backend's id of the host's storage client */
    char message[256];
} sp_host_attach_result;

/* Sized. */
typedef struct sp_capacity {
    uint32_t struct_size;
    uint64_t total_bytes;       /* usable capacity of the pool */
    uint64_t used_bytes;        /* used on the array */
    uint64_t available_bytes;   /* total - used */
    uint64_t provisioned_bytes; /* virtual sizes of everything on the pool, as the array counts it */
} sp_capacity;

typedef enum sp_pool_scope { SP_POOL_SCOPE_ZONE = 0, SP_POOL_SCOPE_CLUSTER = 1 } sp_pool_scope;

/* Everything the host knows when a pool is created. Sized. */
typedef struct sp_pool_create_params {
    uint32_t struct_size;
    const char *url;        /* the pool's URL in the plugin's format (see its documentation) */
    const char *name;       /* the host's name for the pool */
    const char *uuid;       /* the host's uuid for the pool (source of the pool key) */
    const char *hypervisor; /* must be "KVM" */
    sp_pool_scope scope;
    const char *zone_uuid;
    const char *cluster_uuid; /* NULL for zone scope */
    const sp_kv *details;     /* extra details (TLS options, ...); may be NULL */
    size_t n_details;
} sp_pool_create_params;

/* How a volume can move from one pool to another, as the Driver answers it. */
typedef enum sp_migration_kind {
    SP_MIGRATE_NONE = 0,      /* not at all */
    SP_MIGRATE_NATIVE = 1,    /* inside the array; the volume's lineage (snapshots) moves too */
    SP_MIGRATE_BLOCK_COPY = 2 /* across arrays: the Adaptor copies blocks on a host */
} sp_migration_kind;

/* Sized. */
typedef struct sp_snapshot_group_info {
    uint32_t struct_size;
    char group_id[SP_ID_MAX];
    size_t n_snapshots;
} sp_snapshot_group_info;

/* A template on secondary storage, as the host hands it to the Adaptor. Sized. */
typedef struct sp_image_source {
    uint32_t struct_size;
    sp_image_format format;
    const char *path;     /* local file (secondary storage mount) or NULL */
    const char *url;      /* direct download http(s) URL or NULL */
    const char *checksum; /* "md5:hex", "sha256:hex" or bare md5 hex; NULL to skip */
} sp_image_source;

/* Sized. */
typedef struct sp_image_info {
    uint32_t struct_size;
    sp_image_format format;
    char path[SP_PATH_MAX];
    uint64_t virtual_size_bytes;
    uint64_t physical_size_bytes;
    char checksum[SP_NAME_MAX]; /* "sha256:<hex>" of the file */
} sp_image_info;

/* Sized. */
typedef struct sp_disk_info {
    uint32_t struct_size;
    sp_image_format format;
    char path[SP_PATH_MAX]; /* device path on this host */
    uint64_t size_bytes;
} sp_disk_info;

/* A volume as the KVM host's pool sees it. Sized. */
typedef struct sp_volume_stats {
    uint32_t struct_size;
    uint64_t virtual_bytes; /* the volume's size */
    uint64_t used_bytes;    /* allocated on the array */
} sp_volume_stats;

/* Added after 2.0 (with the encrypted-volume methods of the Adaptor): a volume's encryption as
 * the host keeps it. Sized; its least size is SP_ENCRYPTION_SIZE_MIN, the size it was added
 * with. The passphrase (generated per volume by the host, kept sealed at rest) is borrowed for
 * the call; a plugin hands it to programs only through a 0600 file in a private directory,
 * removed afterwards, and wipes its own copies. */
typedef struct sp_encryption {
    uint32_t struct_size;
    const char *passphrase;
    size_t passphrase_len;
    uint64_t usable_bytes; /* what the guest sees; 0: what the volume holds after the encryption's headers */
} sp_encryption;

/* ------------------------------------------------------------------------------------------ */
/* Lifecycle: a primary storage pool (CloudStack's PrimaryDataStoreLifeCycle)                */

typedef struct sp_lifecycle_ops {
    uint32_t abi_version;
    uint32_t struct_size;

    /* Parses params->url and validates it against the array. On success hands the details the
     * host must store to `sink` (the plugin's pool details: endpoint, credentials, ids, ...; see
     * describe) and fills cap.
     * The password is handed to the sink once; the host stores it encrypted. */
    sp_status (*initialize)(const sp_pool_create_params *params, sp_kv_sink sink, void *sink_ctx,
                            sp_capacity *cap, sp_error *err);

    /* Opens a handle from the stored details. One handle per pool per process; the handle keeps
     * the backend connection. *out is owned by the plugin until close(). */
    sp_status (*open)(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                      sp_error *err);
    void (*close)(sp_pool *pool);

    /* Attaches the pool to hosts (a cluster's or a zone's KVM hosts). results[i] says for each
     * host whether its storage client is connected; SP_OK when at least one host connected. */
    sp_status (*attach)(sp_pool *pool, sp_pool_scope scope, const sp_host_ref *hosts, size_t n_hosts,
                        sp_host_attach_result *results, sp_error *err);
    sp_status (*maintain)(sp_pool *pool, sp_error *err);
    sp_status (*cancel_maintain)(sp_pool *pool, sp_error *err);
    sp_status (*enable)(sp_pool *pool, sp_error *err);
    sp_status (*disable)(sp_pool *pool, sp_error *err);
    /* New credentials (user/password details, or a new "url"), checked with a login and picked
     * up without reopening; the details to store are handed to sink. TLS options given here are
     * used for that check and handed to sink too; the open handle keeps its connections, so
     * they take effect when the host next opens the pool. */
    sp_status (*update)(sp_pool *pool, const sp_kv *details, size_t n_details, sp_kv_sink sink,
                        void *sink_ctx, sp_error *err);
    /* Forgets the pool on the host's side only; refused (SP_E_BUSY) while n_volumes > 0. */
    sp_status (*remove)(sp_pool *pool, uint64_t n_volumes, sp_error *err);
} sp_lifecycle_ops;

/* ------------------------------------------------------------------------------------------ */
/* Driver: operations on the array (CloudStack's PrimaryDataStoreDriver)                     */

typedef struct sp_driver_ops {
    uint32_t abi_version;
    uint32_t struct_size;

    sp_status (*create_volume)(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);
    /* Unmaps from every host first; an already-gone volume is SP_OK. */
    sp_status (*delete_volume)(sp_pool *pool, const sp_volume_ref *vol, sp_error *err);
    /* Grows only; new_size is rounded up like a create. */
    sp_status (*resize_volume)(sp_pool *pool, const sp_volume_ref *vol, uint64_t new_size_bytes,
                               sp_volume_info *out, sp_error *err);
    sp_status (*get_volume)(sp_pool *pool, const sp_volume_ref *vol, sp_volume_info *out, sp_error *err);

    /* Templates seeded on this pool: find_template answers SP_E_NOT_FOUND when the pool has no
     * copy in it (one made here that a lineage migration carried to another pool is not this
     * pool's) yet (the host then creates one with create_volume(kind TEMPLATE) and the Adaptor). */
    sp_status (*find_template)(sp_pool *pool, uint64_t template_id, sp_volume_info *out, sp_error *err);
    /* A ROOT volume as a copy of a template volume on this pool, grown to spec->size_bytes. */
    sp_status (*create_volume_from_template)(sp_pool *pool, const sp_volume_ref *template_vol,
                                             const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);

    sp_status (*create_snapshot)(sp_pool *pool, const sp_volume_ref *vol, uint64_t snapshot_id,
                                 sp_volume_info *out, sp_error *err);
    /* The volume must be detached or its VM stopped; the host checks that. */
    sp_status (*revert_snapshot)(sp_pool *pool, const sp_volume_ref *vol, const sp_volume_ref *snap,
                                 sp_error *err);
    sp_status (*delete_snapshot)(sp_pool *pool, const sp_volume_ref *snap, sp_error *err);

    /* VM (group) snapshots: one consistency group over all of a VM's volumes. vol_ids[i] is the
     * host's id of vols[i]; snaps_out[i] receives the snapshot of vols[i]. */
    sp_status (*create_vm_snapshot)(sp_pool *pool, uint64_t vm_snapshot_id, const sp_volume_ref *vols,
                                    const uint64_t *vol_ids, size_t n, sp_snapshot_group_info *group_out,
                                    sp_volume_info *snaps_out, sp_error *err);
    /* All or nothing: when one volume fails, the others are put back as they were. */
    sp_status (*revert_vm_snapshot)(sp_pool *pool, const sp_volume_ref *vols, const sp_volume_ref *snaps,
                                    size_t n, sp_error *err);
    sp_status (*delete_vm_snapshot)(sp_pool *pool, const char *group_id, sp_error *err);

    /* Access for one KVM host; QoS limits are (re)applied on every grant. allow_multiple is set
     * only while a VM migrates between two hosts. Revoking an absent mapping is SP_OK. */
    sp_status (*grant_access)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                              const sp_qos *qos, int allow_multiple, sp_error *err);
    sp_status (*revoke_access)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                               sp_error *err);

    /* Whether `dest` can take a volume of `src` and how. The answer depends only on the two
     * handles (on what they were opened with): a host may keep it while both stay open. */
    sp_status (*migration_kind)(sp_pool *src, sp_pool *dest, sp_migration_kind *out, sp_error *err);
    /* Native migration (same array): waits until done, reporting progress; out is the volume
     * afterwards. Returns SP_E_UNSUPPORTED when migration_kind is not NATIVE. */
    sp_status (*migrate_volume)(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                const sp_progress *progress, sp_volume_info *out, sp_error *err);

    sp_status (*get_capacity)(sp_pool *pool, sp_capacity *out, sp_error *err);
    /* Every volume on the array's pool whose name carries this installation's identifier. */
    sp_status (*list_volumes)(sp_pool *pool, void (*each)(void *ctx, const sp_volume_info *vol), void *ctx,
                              sp_error *err);

    /* Appended after 2.0 (check with SP_HAS). The object a create of `spec` on this pool made,
     * found by the name the plugin gives it (kind, id, parent_id; size and QoS are not looked at),
     * and only when it is in this pool; SP_E_NOT_FOUND when there is none. A host that lost a
     * create's answer (a kill, a timeout) learns from it whether to record or take back. */
    sp_status (*find_volume)(sp_pool *pool, const sp_volume_spec *spec, sp_volume_info *out, sp_error *err);
    /* Appended after 2.0 (check with SP_HAS). Whether `host` can be given access to volumes of
     * this pool now (CloudStack's canHostPrepareStoragePoolAccess): SP_OK when its storage client
     * is connected to the array or may connect when first needed; SP_E_NO_SPACE when the array's
     * limit on connected clients is reached, SP_E_NOT_FOUND or SP_E_STATE when the host has no
     * usable client, each with the reason. Hosts place VMs with it. Thread-safe. */
    sp_status (*check_host_access)(sp_pool *pool, const sp_host_ref *host, sp_error *err);
    /* Appended after 2.0 (check with SP_HAS). Figures beyond capacity, as CloudStack's
     * listStoragePools storagecustomstats=true shows them (the number of storage clients
     * connected to the array, ...); each pair is handed to sink during the call. Thread-safe. */
    sp_status (*get_custom_stats)(sp_pool *pool, sp_kv_sink sink, void *sink_ctx, sp_error *err);
} sp_driver_ops;

/* ------------------------------------------------------------------------------------------ */
/* Adaptor: the KVM host side (CloudStack's KVM StorageAdaptor)                               */

typedef struct sp_adaptor_ops {
    uint32_t abi_version;
    uint32_t struct_size;

    /* Waits (storage.pool.disk.wait) for a volume already granted to `host` to appear as a
     * device, asking the host's storage client to rescan meanwhile; fills disk. */
    sp_status (*connect_volume)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                sp_disk_info *disk, sp_error *err);
    /* Waits for the device to go once access was revoked. */
    sp_status (*disconnect_volume)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_error *err);
    sp_status (*get_physical_disk)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_disk_info *disk, sp_error *err);

    /* Writes an image (QCOW2/RAW file or URL) onto a volume of this pool as RAW: the plugin grants
     * access to `host`, converts, and revokes. Used to seed templates. */
    sp_status (*copy_image_to_volume)(sp_pool *pool, const sp_image_source *src, const sp_volume_ref *dest,
                                      const sp_host_ref *host, const sp_progress *progress, sp_error *err);
    /* Reads a volume or snapshot into a QCOW2 file at dest_path (a template on secondary storage). */
    sp_status (*copy_volume_to_image)(sp_pool *pool, const sp_volume_ref *src, const sp_host_ref *host,
                                      const char *dest_path, const sp_progress *progress, sp_image_info *out,
                                      sp_error *err);
    /* Block copy between two arrays through `host` (a client of both): creates the target per spec
     * on dest, copies, verifies, and fills out. The source is untouched; the host retires it only
     * after SP_OK. On failure no target is left behind. A journal under host.cache.location lets
     * recover_copies() finish or undo a copy that was interrupted. */
    sp_status (*copy_volume_across)(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                    const sp_volume_spec *spec, const sp_host_ref *host,
                                    const sp_progress *progress, sp_volume_info *out, sp_error *err);
    /* Resolves interrupted copies found in the host's journal; `resolved` is told each outcome:
     * key "<source path>", value "done:<target path>" or "rolled-back". */
    sp_status (*recover_copies)(sp_pool *const *pools, size_t n_pools, const sp_host_ref *host,
                                sp_kv_sink resolved, void *resolved_ctx, sp_error *err);

    /* Appended after 2.0 (check with SP_HAS). Connects this host's storage client to the pool's
     * array unless it already is (CloudStack's PrepareStorageClientCommand: the client joins the
     * array's cluster), within the array's limit on connected clients (SP_E_NO_SPACE when
     * reached), and waits until the array sees it connected. client_id_out (SP_ID_MAX bytes, may
     * be NULL) receives the client's id on the array. Calls for pools of one array are serialised
     * by the plugin. */
    sp_status (*prepare_client)(sp_pool *pool, const sp_host_ref *host, char *client_id_out, sp_error *err);
    /* Appended after 2.0 (check with SP_HAS). Disconnects this host's storage client from the
     * pool's array (CloudStack's UnprepareStorageClientCommand) unless a volume of that array is
     * still mapped to it, in which case it answers SP_E_BUSY and changes nothing. SP_OK when it
     * was not connected. */
    sp_status (*unprepare_client)(sp_pool *pool, const sp_host_ref *host, sp_error *err);

    /* Appended after 2.0 (check with SP_HAS). Makes the volume an encrypted disk through `host`
     * (mapped there for the call; a volume in use is refused), as CloudStack does it: a THIN
     * volume becomes QCOW2 with LUKS encryption, a THICK one LUKS, of enc->usable_bytes (0:
     * CloudStack's usable size). With src, the image's content is written in (an encrypted ROOT
     * volume from a template: it must fit). out: format (SP_FORMAT_QCOW2 or SP_FORMAT_LUKS) and
     * size_bytes, the bytes the guest sees. */
    sp_status (*format_encrypted)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                  const sp_encryption *enc, const sp_image_source *src,
                                  const sp_progress *progress, sp_disk_info *out, sp_error *err);
    /* Appended after 2.0 (check with SP_HAS). After Driver.resize_volume grew an encrypted volume:
     * its disk grows to the usable size of the new size, through `host` (no guest may use it
     * meanwhile). out as format_encrypted. */
    sp_status (*grow_encrypted)(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                const sp_encryption *enc, sp_disk_info *out, sp_error *err);
    /* Appended after 2.0 (check with SP_HAS). copy_volume_across for an encrypted volume: the
     * target is made an encrypted disk with the same passphrase and the source's usable size, and
     * what the source's guest sees is written into it and compared. */
    sp_status (*copy_volume_across_encrypted)(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                              const sp_volume_spec *spec, const sp_host_ref *host,
                                              const sp_encryption *enc, const sp_progress *progress,
                                              sp_volume_info *out, sp_error *err);
} sp_adaptor_ops;

/* ------------------------------------------------------------------------------------------ */
/* Host utilities: work a KVM host's agent does that is not storage, which a plugin may bundle   */

typedef struct sp_hostutil_ops {
    uint32_t abi_version;
    uint32_t struct_size;
    /* Builds a config drive ISO for a VM in the host's cache (a config/ directory under the
     * directory the plugin's host-scope cache setting names); files[i].key is the path inside the
     * ISO (openstack/latest/meta_data.json, ...), value its content. Writes the ISO's path into
     * iso_path_out. Callable concurrently for different VMs. */
    sp_status (*create_config_drive)(const sp_host_ref *host, const char *vm_name, const sp_kv *files,
                                     size_t n_files, char *iso_path_out, size_t iso_path_len, sp_error *err);
} sp_hostutil_ops;

/* ------------------------------------------------------------------------------------------ */
/* Pool: the pool as a KVM host sees it (CloudStack's KVMStoragePool)                         */

typedef struct sp_pool_ops {
    uint32_t abi_version;
    uint32_t struct_size;
    /* Refreshed from the array on every call. */
    sp_status (*get_capacity)(sp_pool *pool, sp_capacity *out, sp_error *err);
    /* Virtual and used size of one volume, from the array. */
    sp_status (*get_volume_stats)(sp_pool *pool, const sp_volume_ref *vol, sp_volume_stats *out,
                                  sp_error *err);
} sp_pool_ops;

/* ------------------------------------------------------------------------------------------ */
/* The plugin                                                                                 */

typedef struct sp_plugin {
    uint32_t abi_version; /* the plugin's own SP_ABI_VERSION */
    uint32_t struct_size;
    const char *name;    /* the product the plugin drives, for messages */
    const char *version; /* the plugin's release, "1.2.3" */
    const sp_lifecycle_ops *lifecycle;
    const sp_driver_ops *driver;
    const sp_adaptor_ops *adaptor;
    const sp_pool_ops *pool;
    /* Ends one sp_plugin_init; the last releases process-wide state (no handle may be open then). */
    void (*shutdown)(void);
    /* Publishes every setting and pool detail the plugin reads: *out is an array of *count
     * descriptions owned by the plugin (static, valid until shutdown()); step through it with
     * SP_AT(const sp_setting_desc, *out, i). Thread-safe. May be NULL: the plugin reads nothing. */
    sp_status (*describe)(const sp_setting_desc **out, size_t *count, sp_error *err);
    /* Host utilities the plugin bundles; NULL when it bundles none. */
    const sp_hostutil_ops *hostutil;
} sp_plugin;

/* The entry point. `services` must stay valid until shutdown(); *out is static plugin data,
 * valid until shutdown(). Refuses another major version with SP_E_VERSION, and other services
 * than those it already serves with SP_E_BUSY (see Threads). */
typedef sp_status (*sp_plugin_init_fn)(uint32_t host_abi_version, const sp_host_services *services,
                                       const sp_plugin **out, sp_error *err);

sp_status sp_plugin_init(uint32_t host_abi_version, const sp_host_services *services, const sp_plugin **out,
                         sp_error *err);

/* Sizes of the version 2.0 tables: the least a host of this major accepts. */
#define SP_PLUGIN_SIZE_2_0 SP_SIZE_THROUGH(sp_plugin, hostutil)
#define SP_HOST_SERVICES_SIZE_2_0 SP_SIZE_THROUGH(sp_host_services, get_setting)
#define SP_LIFECYCLE_OPS_SIZE_2_0 SP_SIZE_THROUGH(sp_lifecycle_ops, remove)
#define SP_DRIVER_OPS_SIZE_2_0 SP_SIZE_THROUGH(sp_driver_ops, list_volumes)
#define SP_ADAPTOR_OPS_SIZE_2_0 SP_SIZE_THROUGH(sp_adaptor_ops, recover_copies)
#define SP_HOSTUTIL_OPS_SIZE_2_0 SP_SIZE_THROUGH(sp_hostutil_ops, create_config_drive)
#define SP_POOL_OPS_SIZE_2_0 SP_SIZE_THROUGH(sp_pool_ops, get_volume_stats)
/* The sizes of the tables with the members appended since 2.0. */
#define SP_DRIVER_OPS_SIZE SP_SIZE_THROUGH(sp_driver_ops, get_custom_stats)
#define SP_ADAPTOR_OPS_SIZE SP_SIZE_THROUGH(sp_adaptor_ops, copy_volume_across_encrypted)

/* Sizes of the version 2.0 sized value structs: the least either side accepts. */
#define SP_VOLUME_INFO_SIZE_2_0 SP_SIZE_THROUGH(sp_volume_info, format)
#define SP_VOLUME_SPEC_SIZE_2_0 SP_SIZE_THROUGH(sp_volume_spec, qos)
#define SP_HOST_REF_SIZE_2_0 SP_SIZE_THROUGH(sp_host_ref, ip)
#define SP_HOST_ATTACH_RESULT_SIZE_2_0 SP_SIZE_THROUGH(sp_host_attach_result, message)
#define SP_CAPACITY_SIZE_2_0 SP_SIZE_THROUGH(sp_capacity, provisioned_bytes)
#define SP_POOL_CREATE_PARAMS_SIZE_2_0 SP_SIZE_THROUGH(sp_pool_create_params, n_details)
#define SP_SNAPSHOT_GROUP_INFO_SIZE_2_0 SP_SIZE_THROUGH(sp_snapshot_group_info, n_snapshots)
#define SP_IMAGE_SOURCE_SIZE_2_0 SP_SIZE_THROUGH(sp_image_source, checksum)
#define SP_IMAGE_INFO_SIZE_2_0 SP_SIZE_THROUGH(sp_image_info, checksum)
#define SP_DISK_INFO_SIZE_2_0 SP_SIZE_THROUGH(sp_disk_info, size_bytes)
#define SP_VOLUME_STATS_SIZE_2_0 SP_SIZE_THROUGH(sp_volume_stats, used_bytes)
#define SP_SETTING_DESC_SIZE_2_0 SP_SIZE_THROUGH(sp_setting_desc, max)
/* Sized value structs added after 2.0: the least size either side accepts is the one they were
 * added with. */
#define SP_ENCRYPTION_SIZE_MIN SP_SIZE_THROUGH(sp_encryption, usable_bytes)

#ifdef __cplusplus
}
#endif

#endif /* STORAGE_PLUGIN_H */
