/* adfix.h - the Adaptor suites' fixture: the built module loaded through the ABI (host/sdk/loader.h),
 * two simulated PowerFlex systems whose SDC devices for this host share one directory, an SDC home
 * with the emulated drv_cfg, a host cache, and one open pool on each system.
 * Test code: set-up failures print a line and exit 99; checks use CUnit. */
#ifndef ADFIX_H
#define ADFIX_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define ADFIX_GIB (UINT64_C(1) << 30)

typedef struct adfix adfix;

struct adfix {
    const sp_plugin *sp;
    struct tsim *sim[2];
    char *dir;        /* scratch root */
    char *devdir;     /* this host's device directory, shared by both systems */
    char *cache;      /* host.cache.location */
    sp_pool *pool[2]; /* pool1 of each system */
    char pool_uuid[2][40];
    char system_id[2][17];
    sp_host_ref host;       /* kvm1: drv_cfg knows both systems */
    sp_host_ref host_one;   /* the same SDC, but its drv_cfg knows only system 0 (rescans miss system 1) */
    sp_host_ref host_nodrv; /* the same SDC, with no drv_cfg at all (query_vols and rescan fail) */
    void *priv;
};

/* Starts everything; extra simulator options per system may be NULL. Exits 77 when qemu-img or
 * qemu-io is missing, 99 when something else cannot be set up. */
void adfix_start(adfix *f, const char *const *extra0, const char *const *extra1);
void adfix_stop(adfix *f);

/* Sets a pool-scope setting of pool i (e.g. storage.pool.disk.wait). */
void adfix_pool_setting(adfix *f, int i, const char *key, const char *value);

/* Driver calls through the ABI; CUnit-checked, 0 on success. */
int adfix_create(adfix *f, int i, sp_volume_kind kind, uint64_t id, uint64_t size, sp_volume_info *out);
int adfix_grant(adfix *f, int i, const char *path, const sp_host_ref *host);
int adfix_revoke(adfix *f, int i, const char *path, const sp_host_ref *host);
int adfix_delete(adfix *f, int i, const char *path);

/* The simulator's view (GET /sim/volumes of system i). */
int adfix_sim_volume_count(adfix *f, int i);
/* 1 when a volume or snapshot with that id exists; *n_mappings and data_path (may be NULL) filled. */
int adfix_sim_volume(adfix *f, int i, const char *id, int *n_mappings, char *data_path, size_t len);
/* The IOPS limit of the volume's first mapping; -1 when it has none (or does not exist). */
long long adfix_sim_iops_limit(adfix *f, int i, const char *id);
/* The id of the volume named name, into id; 0 when found. */
int adfix_sim_volume_by_name(adfix *f, int i, const char *name, char *id, size_t len);
/* POST /sim/faults {"spec": spec} and DELETE /sim/faults. HTTP status. */
int adfix_fault(adfix *f, int i, const char *spec);
int adfix_clear_faults(adfix *f, int i);
/* Any /sim control call of system i: the HTTP status, the answer (malloc'd) in *resp. */
int adfix_sim_control(adfix *f, int i, const char *method, const char *path, const char *body, char **resp);
/* "POST /api/..." request counts from /sim/stats. */
int adfix_stat(adfix *f, int i, const char *key);

/* Copy records (*.copy files) in the host cache's journal. */
int adfix_journal_count(adfix *f);

/* "<id>" of a "<id>:<name>" path, in a static rotating buffer. */
const char *adfix_id(const char *path);

/* Writes len bytes of a pattern made from seed at offset of a file or device (opened O_WRONLY,
 * without truncation) and syncs; 0 on success. */
int adfix_write_pattern(const char *path, uint64_t offset, size_t len, unsigned seed);
/* 1 when the bytes at offset are that pattern. */
int adfix_check_pattern(const char *path, uint64_t offset, size_t len, unsigned seed);
/* SHA-256 (hex) of len bytes at offset. 0 on success. */
int adfix_sha256(const char *path, uint64_t offset, uint64_t len, char hex[65]);
/* 1 when the first length bytes of two files are equal, compared by SHA-256 over every range where
 * either file has data (elsewhere both read as zeros); *data_bytes (may be NULL) gets the bytes
 * compared. */
int adfix_same_content(const char *a, const char *b, uint64_t length, uint64_t *data_bytes);
/* 1 when the file has no data (SEEK_DATA) at or after offset. */
int adfix_no_data_from(const char *path, uint64_t offset);

#endif
