/* api.h - the CloudStack APIs the harness answers: the handler type, the registry that maps
 * cmk words ("list storagepools") or a camelCase name to a handler, and parameter helpers. */
#ifndef HOST_API_H
#define HOST_API_H

#include "cmk.h"
#include "cs.h"
#include "jsonw.h"

#include <sqlite3.h>
#include <stdint.h>

/* Writes the response object into w (already opened: handlers add its members) and returns 0,
 * or returns -1 with e filled. The caller owns the transaction unless HOST_API_OWN_TXN. */
typedef int (*host_api_fn)(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e);

#define HOST_API_OWN_TXN 2u /* long operation: commits its own steps so a restart can resolve it */

typedef struct host_api {
    const char *name; /* CloudStack's API name, e.g. "createStoragePool" */
    host_api_fn fn;
    unsigned flags;
} host_api;

/* Each module's table, terminated by {NULL}. */
extern const host_api host_api_infra[];
extern const host_api host_api_config[];
extern const host_api host_api_pool[];
extern const host_api host_api_offering[];
extern const host_api host_api_template[];
extern const host_api host_api_vm[];
extern const host_api host_api_volume[];
extern const host_api host_api_snapshot[];
extern const host_api host_api_migrate[];
extern const host_api host_api_capacity[];
extern const host_api host_api_router[];
extern const host_api host_api_guestdata[];
extern const host_api host_api_alert[];

/* Finds the API named by the words (joined, case-insensitively: "create storagepool" and
 * "createStoragePool" are the same), or NULL. */
const host_api *host_api_find(char *const *words, size_t n);

/* --- parameters --- */

/* The parameter's value; when required and absent (or empty), fails with 431. */
const char *host_param(host_cmd *cmd, const char *key, int required, host_err *e);
/* A whole-number parameter in [min, max] (0 <= min <= max), read by host_num_parse; absent gives
 * def. -1 with 431 naming the parameter when it is empty, malformed or out of range. */
int host_param_num(host_cmd *cmd, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out,
                   host_err *e);
/* A size parameter in GB, as bytes (absent: 0); 431 unless its bytes fit in int64_t. */
int host_param_gb(host_cmd *cmd, const char *key, int64_t *bytes, host_err *e);
/* Checks every CloudStack numeric parameter the command carries (size, disksize, miniops,
 * bytesreadrate, capacitybytes, ...) whether or not its handler reads it: 431 naming the first
 * malformed or out-of-range one. */
int host_param_check_numbers(host_cmd *cmd, host_err *e);
/* A list command's page, as CloudStack's BaseListCmd reads page and pagesize: pagesize defaults to
 * default.page.size (500; -1 there lifts the limit) and may not exceed it; pagesize=-1 asks for
 * every row and then takes no page; page counts from 1 (0 and absent: the first). *start is the
 * first row answered, *size how many (0: all of them). -1 with 431 naming the parameter. */
int host_param_page(host_cs *cs, host_cmd *cmd, size_t *start, size_t *size, host_err *e);
/* A boolean parameter (true/false); absent gives def. -1 with 431 on a malformed value. */
int host_param_bool(host_cmd *cmd, const char *key, int def, int *out, host_err *e);
/* Resolves an id parameter (a uuid) to the row id in `table`. Absent: *out = 0, and -1 with 431
 * only when required. Unknown: 431 naming the parameter. */
int host_param_ref(host_cs *cs, host_cmd *cmd, const char *key, const char *table, int required, int64_t *out,
                   host_err *e);
/* The row id of uuid in table (0 when none), -1 on database error. */
int host_lookup(host_cs *cs, const char *table, const char *uuid, int64_t *out, host_err *e);

/* Collects the first column (an id) of every row of st, then finalizes st. */
int host_stmt_ids(host_cs *cs, sqlite3_stmt *st, int64_t **ids, size_t *n, host_err *e);

/* Writes one object (named `key`, or unnamed inside an array when key is NULL). */
typedef int (*host_json_fn)(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e);

/* Writes a list response: "count" then the array `key` of objects written by each(id). */
int host_write_list(host_cs *cs, host_jsonw *w, const char *key, sqlite3_stmt *st, host_json_fn each,
                    host_err *e);

/* Records an event (CloudStack's event table): shows what the orchestration did. */
void host_event(host_cs *cs, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
