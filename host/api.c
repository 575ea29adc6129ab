/* api.c - the registry of CloudStack APIs the harness answers and the parameter helpers every
 * handler uses, so that "not found" and "malformed" read the same everywhere. */
#include "config.h"

#include "api.h"

#include "mask.h"
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const host_api *const tables[] = {
    host_api_infra,  host_api_config,   host_api_pool,    host_api_offering, host_api_template, host_api_vm,
    host_api_volume, host_api_snapshot, host_api_migrate, host_api_capacity, host_api_router, host_api_guestdata,
};

const host_api *host_api_find(char *const *words, size_t n)
{
    char joined[256];
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        size_t wl = strlen(words[i]);
        if (len + wl + 1 > sizeof(joined))
            return NULL;
        memcpy(joined + len, words[i], wl);
        len += wl;
    }
    joined[len] = '\0';
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
        for (const host_api *a = tables[t]; a->name != NULL; a++)
            if (strcasecmp(a->name, joined) == 0)
                return a;
    return NULL;
}

const char *host_param(host_cmd *cmd, const char *key, int required, host_err *e)
{
    const char *v = host_cmd_get(cmd, key);
    if (v != NULL && *v == '\0')
        v = NULL;
    if (v == NULL && required)
        host_fail(e, HOST_E_PARAM, "Please enter a value for the required parameter '%s'", key);
    return v;
}

int host_param_i64(host_cmd *cmd, const char *key, int64_t def, int64_t *out, host_err *e)
{
    const char *v = host_param(cmd, key, 0, e);
    char *end;
    long long x;

    if (v == NULL) {
        *out = def;
        return 0;
    }
    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0')
        return host_fail(e, HOST_E_PARAM, "Invalid parameter %s value=%s: not a whole number", key, v);
    *out = x;
    return 0;
}

int host_param_bool(host_cmd *cmd, const char *key, int def, int *out, host_err *e)
{
    const char *v = host_param(cmd, key, 0, e);
    if (v == NULL)
        *out = def;
    else if (strcasecmp(v, "true") == 0)
        *out = 1;
    else if (strcasecmp(v, "false") == 0)
        *out = 0;
    else
        return host_fail(e, HOST_E_PARAM, "Invalid parameter %s value=%s: takes true or false", key, v);
    return 0;
}

int host_lookup(host_cs *cs, const char *table, const char *uuid, int64_t *out, host_err *e)
{
    char sql[128], err[256];
    int rc;

    *out = 0;
    snprintf(sql, sizeof(sql), "SELECT id FROM %s WHERE uuid = ?", table);
    rc = host_sql_int(cs->db, out, err, sizeof(err), sql, "t", uuid);
    if (rc < 0)
        return host_fail_db(e, err);
    return 0;
}

int host_param_ref(host_cs *cs, host_cmd *cmd, const char *key, const char *table, int required, int64_t *out,
                   host_err *e)
{
    const char *v = host_param(cmd, key, required, e);

    *out = 0;
    if (v == NULL)
        return required ? -1 : 0;
    if (host_lookup(cs, table, v, out, e) != 0)
        return -1;
    if (*out == 0)
        return host_fail(e, HOST_E_PARAM, "Invalid parameter %s value=%s: no %s has this id", key, v,
                         strcmp(table, "pool") == 0          ? "storage pool"
                         : strcmp(table, "vm") == 0          ? "virtual machine"
                         : strcmp(table, "vm_snapshot") == 0 ? "VM snapshot"
                                                             : table);
    return 0;
}

int host_stmt_ids(host_cs *cs, sqlite3_stmt *st, int64_t **ids, size_t *n, host_err *e)
{
    size_t cap = 0;
    int rc;

    *ids = NULL;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            int64_t *ni = realloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof(*ni));
            if (ni == NULL) {
                sqlite3_finalize(st);
                free(*ids);
                *ids = NULL;
                return host_fail(e, HOST_E_INTERNAL, "out of memory");
            }
            *ids = ni;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    }
    return 0;
}

int host_write_list(host_cs *cs, host_jsonw *w, const char *key, sqlite3_stmt *st, host_json_fn each,
                    host_err *e)
{
    int64_t *ids;
    size_t n;
    int rc = 0;

    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    host_jsonw_uint(w, "count", n);
    if (n > 0) {
        host_jsonw_array_begin(w, key);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = each(cs, w, NULL, ids[i], e);
        host_jsonw_array_end(w);
    }
    free(ids);
    return rc;
}

void host_event(host_cs *cs, const char *type, const char *fmt, ...)
{
    char text[1024], err[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    host_mask_inplace(text, sizeof(text));
    host_sql_run(cs->db, err, sizeof(err), "INSERT INTO event(type, description, created) VALUES (?, ?, ?)",
                 "tti", type, text, host_now());
}
