/* api_config.c - listConfigurations, updateConfiguration and resetConfiguration at global, zone
 * (zoneid), storage pool (storageid) and agent (hostid, standing for the host's agent.properties)
 * scope. */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *scope_name(sp_scope s)
{
    static const char *names[] = {"global", "zone", "storagepool", "host", "cluster"};
    return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* Which scope the request names: zoneid, storageid or hostid (uuid into *id). */
static int scope_of(host_cs *cs, host_cmd *cmd, sp_scope *scope, const char **id, host_err *e)
{
    static const struct {
        const char *param;
        const char *table;
        sp_scope scope;
    } s[] = {{"zoneid", "zone", SP_SCOPE_ZONE},
             {"storageid", "pool", SP_SCOPE_POOL},
             {"hostid", "host", SP_SCOPE_HOST}};
    int64_t row;

    *scope = SP_SCOPE_GLOBAL;
    *id = NULL;
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        if (host_param(cmd, s[i].param, 0, e) == NULL)
            continue;
        if (*id != NULL)
            return host_fail(e, HOST_E_PARAM, "give at most one of zoneid, storageid and hostid");
        if (host_param_ref(cs, cmd, s[i].param, s[i].table, 1, &row, e) != 0)
            return -1;
        *scope = s[i].scope;
        *id = host_param(cmd, s[i].param, 1, e);
    }
    return 0;
}

static void write_one(host_cs *cs, host_jsonw *w, const char *key, const host_setting_def *d, sp_scope scope,
                      const char *id)
{
    const sp_setting_desc *pd = host_config_desc(cs, d->name);
    char value[1024];

    if (host_config_get(cs, d->name, scope, id, value, sizeof(value)) != 0)
        value[0] = '\0';
    if (pd != NULL && (pd->flags & SP_SETTING_SECRET) && value[0] != '\0')
        snprintf(value, sizeof(value), "******"); /* CloudStack's answer for a hidden value */
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "name", d->name);
    host_jsonw_string(w, "value", value);
    host_jsonw_string(w, "defaultvalue", d->def != NULL ? d->def : "");
    host_jsonw_string(w, "category", d->category);
    host_jsonw_string(w, "description", d->description);
    host_jsonw_string(w, "scope", scope_name(scope));
    if (id != NULL)
        host_jsonw_string(w, "id", id);
    host_jsonw_bool(w, "isdynamic", 1);
    host_jsonw_object_end(w);
}

static int list_configurations(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e), *kw = host_param(cmd, "keyword", 0, e), *id;
    const host_setting_def *d;
    size_t count = 0;
    sp_scope scope;

    if (scope_of(cs, cmd, &scope, &id, e) != 0)
        return -1;
    for (size_t i = 0; (d = host_config_def_at(cs, i)) != NULL; i++)
        if ((d->scopes & (1u << scope)) && (name == NULL || strcmp(name, d->name) == 0) &&
            (kw == NULL || strstr(d->name, kw) != NULL))
            count++;
    if (count == 0)
        return 0;
    host_jsonw_uint(w, "count", count);
    host_jsonw_array_begin(w, "configuration");
    for (size_t i = 0; (d = host_config_def_at(cs, i)) != NULL; i++)
        if ((d->scopes & (1u << scope)) && (name == NULL || strcmp(name, d->name) == 0) &&
            (kw == NULL || strstr(d->name, kw) != NULL))
            write_one(cs, w, NULL, d, scope, id);
    host_jsonw_array_end(w);
    return 0;
}

static int update_configuration(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e, int reset)
{
    const char *name = host_param(cmd, "name", 1, e), *value = reset ? NULL : host_cmd_get(cmd, "value"), *id;
    const host_setting_def *d;
    sp_scope scope;

    if (name == NULL || scope_of(cs, cmd, &scope, &id, e) != 0)
        return -1;
    if (!reset && value == NULL)
        return host_fail(e, HOST_E_PARAM, "Please enter a value for the required parameter 'value'");
    if (host_config_set(cs, name, scope, id, value, e) != 0)
        return -1;
    d = host_config_def(cs, name);
    host_event(cs, "CONFIGURATION.VALUE.EDIT", "%s=%s at %s scope", name, value != NULL ? value : "(reset)",
               scope_name(scope));
    write_one(cs, w, "configuration", d, scope, id);
    return 0;
}

static int update(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return update_configuration(cs, cmd, w, e, 0);
}

static int reset(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return update_configuration(cs, cmd, w, e, 1);
}

/* listEvents: what the orchestration did, newest last (CloudStack's event log). */
static int list_events(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], created[32];
    int64_t count = 0;
    sqlite3_stmt *st;

    if (host_sql_int(cs->db, &count, err, sizeof(err),
                     "SELECT count(*) FROM event WHERE (?1 IS NULL OR type = ?1)", "t",
                     host_param(cmd, "type", 0, e)) < 0)
        return host_fail_db(e, err);
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id, type, description, created FROM event WHERE (?1 IS NULL OR type = ?1) ORDER BY id", "t",
        host_param(cmd, "type", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    if (count > 0) {
        host_jsonw_int(w, "count", count);
        host_jsonw_array_begin(w, "event");
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        host_timestamp(sqlite3_column_int64(st, 3), created);
        host_jsonw_object_begin(w, NULL);
        host_jsonw_int(w, "id", sqlite3_column_int64(st, 0));
        host_jsonw_string(w, "type", host_col_text(st, 1));
        host_jsonw_string(w, "description", host_col_text(st, 2));
        host_jsonw_string(w, "level", strncmp(host_col_text(st, 1), "ALERT.", 6) == 0 ? "WARN" : "INFO");
        host_jsonw_string(w, "state", "Completed");
        host_jsonw_string(w, "created", created);
        host_jsonw_object_end(w);
    }
    sqlite3_finalize(st);
    if (count > 0)
        host_jsonw_array_end(w);
    return 0;
}

const host_api host_api_config[] = {
    {"listEvents", list_events, 0},
    {"listConfigurations", list_configurations, 0},
    {"updateConfiguration", update, 0},
    {"resetConfiguration", reset, 0},
    {NULL, NULL, 0},
};
