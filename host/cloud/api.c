/* api.c - the registry of CloudStack APIs the harness answers and the parameter helpers every
 * handler uses, so that "not found" and "malformed" read the same everywhere. */
#include "config.h"

#include "api.h"

#include "cfg.h"
#include "mask.h"
#include "num.h"
#include "store.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const host_api *const tables[] = {
    host_api_infra,  host_api_config,    host_api_pool,     host_api_offering, host_api_template,
    host_api_vm,     host_api_volume,    host_api_snapshot, host_api_migrate,  host_api_capacity,
    host_api_router, host_api_guestdata, host_api_alert,
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

static int param_num(host_cmd *cmd, const char *key, int64_t def, int64_t min, int64_t max, const char *unit,
                     int64_t *out, host_err *e)
{
    const char *v = host_cmd_get(cmd, key);
    char why[128];
    uint64_t x;

    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (host_num_parse(v, (uint64_t)min, (uint64_t)max, &x, why, sizeof(why)) != 0)
        return host_fail(e, HOST_E_PARAM, "Invalid parameter %s value=\"%.64s\": %s%s", key, v, why, unit);
    *out = (int64_t)x;
    return 0;
}

int host_param_num(host_cmd *cmd, const char *key, int64_t def, int64_t min, int64_t max, int64_t *out,
                   host_err *e)
{
    return param_num(cmd, key, def, min, max, "", out, e);
}

int host_param_gb(host_cmd *cmd, const char *key, int64_t *bytes, host_err *e)
{
    int64_t gb = 0;

    if (param_num(cmd, key, 0, 0, (int64_t)HOST_GB_MAX, "; sizes are in GB", &gb, e) != 0)
        return -1;
    if (host_num_gb_to_bytes((uint64_t)gb, bytes) != 0) /* cannot fail up to HOST_GB_MAX */
        return host_fail(e, HOST_E_PARAM, "Invalid parameter %s value=%lld: too large", key, (long long)gb);
    return 0;
}

int host_param_page(host_cs *cs, host_cmd *cmd, size_t *start, size_t *size, host_err *e)
{
    const char *ps = host_cmd_get(cmd, "pagesize"), *pg = host_cmd_get(cmd, "page");
    char def[32] = "", *end;
    int64_t max = 500, want, page;
    long long v;

    *start = 0;
    *size = 0;
    /* The setting is the largest page as well as the default one (BaseListCmd's s_maxPageSize). */
    if (host_config_get(cs, HOST_CFG_DEFAULT_PAGE_SIZE, SP_SCOPE_GLOBAL, NULL, def, sizeof(def)) == 0) {
        errno = 0;
        v = strtoll(def, &end, 10);
        if (errno == 0 && end != def && *end == '\0' && (v == -1 || v > 0))
            max = v;
    }
    if (ps != NULL && strcmp(ps, "-1") == 0) {
        if (pg != NULL)
            return host_fail(e, HOST_E_PARAM, "Can't specify page parameter when pagesize is -1 (Unlimited)");
        return 0;
    }
    if (param_num(cmd, "pagesize", max, 1, INT32_MAX, "", &want, e) != 0 ||
        param_num(cmd, "page", 0, 0, INT32_MAX, "", &page, e) != 0)
        return -1;
    if (ps != NULL && max != -1 && want > max)
        return host_fail(e, HOST_E_PARAM, "Page size can't exceed max allowed page size value: %lld",
                         (long long)max);
    if (want == -1)
        return 0; /* no pagesize, default.page.size -1: every row */
    *size = (size_t)want;
    *start = page > 0 ? (size_t)(page - 1) * (size_t)want : 0;
    return 0;
}

/* CloudStack's numeric API parameters and the largest value each takes (Long or Integer in its
 * API; sizes in GB such that their bytes fit). CloudStack refuses a malformed one with 431 before
 * the command runs, whether or not the command uses it; so does the harness, so that no command
 * silently takes "maxiops=99999999999999999999" or "size=1e3". */
static const struct {
    const char *key;
    uint64_t max;
} numeric_params[] = {
    {"size", HOST_GB_MAX},
    {"disksize", HOST_GB_MAX},
    {"rootdisksize", HOST_GB_MAX},
    {"capacitybytes", INT64_MAX},
    {"capacityiops", INT64_MAX},
    {"miniops", INT64_MAX},
    {"maxiops", INT64_MAX},
    {"bytesreadrate", INT64_MAX},
    {"bytesreadratemax", INT64_MAX},
    {"bytesreadratemaxlength", INT64_MAX},
    {"byteswriterate", INT64_MAX},
    {"byteswriteratemax", INT64_MAX},
    {"byteswriteratemaxlength", INT64_MAX},
    {"iopsreadrate", INT64_MAX},
    {"iopsreadratemax", INT64_MAX},
    {"iopsreadratemaxlength", INT64_MAX},
    {"iopswriterate", INT64_MAX},
    {"iopswriteratemax", INT64_MAX},
    {"iopswriteratemaxlength", INT64_MAX},
    {"iopstotalrate", INT64_MAX},
    {"bytestotalrate", INT64_MAX},
    {"cpunumber", INT32_MAX},
    {"cpuspeed", INT32_MAX},
    {"memory", INT32_MAX},
    {"hypervisorsnapshotreserve", INT32_MAX},
    {"deviceid", INT64_MAX},
};

int host_param_check_numbers(host_cmd *cmd, host_err *e)
{
    int64_t ignored;

    for (size_t i = 0; i < sizeof(numeric_params) / sizeof(numeric_params[0]); i++)
        if (param_num(cmd, numeric_params[i].key, 0, 0, (int64_t)numeric_params[i].max,
                      numeric_params[i].max == HOST_GB_MAX ? "; sizes are in GB" : "", &ignored, e) != 0)
            return -1;
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
    /* CloudStack answers an empty list with {}: no count, no array. */
    if (n > 0) {
        host_jsonw_uint(w, "count", n);
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
