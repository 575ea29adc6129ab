/* objects.h - CloudStack-shaped JSON for every object the harness keeps (zone, host, storage
 * pool, offering, template, VM, volume, snapshot), shared by the modules that answer for them. */
#ifndef HOST_OBJECTS_H
#define HOST_OBJECTS_H

#include "api.h"

int host_json_zone(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_pod(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_cluster(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_host(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_pool(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
/* The members of a pool object only (callers add their own, as findStoragePoolsForMigration). */
int host_json_pool_fields(host_cs *cs, host_jsonw *w, int64_t id, host_err *e);
/* The pools of a zone but `except`, in id order (by_name: in name order, then id), one statement:
 * each row's pool id is its last column (host_col_count - 1), and host_json_pool_row writes its
 * fields as above. */
sqlite3_stmt *host_pool_rows(host_cs *cs, int64_t zone_id, int64_t except, int by_name, host_err *e);
int host_json_pool_row(host_cs *cs, host_jsonw *w, sqlite3_stmt *st, host_err *e);
int host_json_offering(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_template(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_vm(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_volume(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_snapshot(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);
int host_json_vmsnapshot(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);

/* Writes "<prefix>id"/"<prefix>name" for the row `id` of table (nothing when id is 0). */
void host_json_ref(host_cs *cs, host_jsonw *w, const char *prefix, const char *table, int64_t id);

#endif
