/* cfg.c - CloudStack's configuration settings at global, zone, pool and agent (host) scope:
 * the harness's own, and those the plugin publishes through describe.
 * The config table is the truth; cs->svc mirrors it so that the plugin's get_setting, which may
 * come from any thread, never touches SQLite. */
#include "config.h"

#include "cfg.h"
#include "dirlist.h"
#include "num.h"
#include "store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The settings the harness itself reads or owns. Those a storage plugin reads come from its
 * describe (host_config_adopt_plugin); where both name one, the harness's rules stay. */
static const host_setting_def defs[] = {
    {HOST_CFG_CS_IDENTIFIER, NULL, HOST_CFG_GLOBAL, "Advanced",
     "A unique identifier for the cloudstack installation, used in the names of its volumes on shared "
     "storage."},
    {HOST_CFG_CS_IDENTIFIER_HISTORY, "", HOST_CFG_GLOBAL, "Advanced",
     "The custom.cs.identifier values this installation used before the current one (comma-separated; kept "
     "when it changes): volumes named with any of them are still this installation's."},
    {HOST_CFG_OVERPROVISIONING, "2", HOST_CFG_GLOBAL | HOST_CFG_ZONE | HOST_CFG_POOL, "Storage",
     "Used for storage overprovisioning calculation; available storage will be (actualStorageSize * "
     "storage.overprovisioning.factor)"},
    {HOST_CFG_CAPACITY_THRESHOLD, "0.85", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Alert",
     "Percentage (as a value between 0 and 1) of storage utilization above which allocators will disable "
     "using the pool for low storage available."},
    {HOST_CFG_ALLOCATED_THRESHOLD, "0.85", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Alert",
     "Percentage (as a value between 0 and 1) of allocated storage utilization above which allocators will "
     "disable using the pool for low allocated storage available."},
    {HOST_CFG_CD_PRIMARY, "false", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Storage",
     "If config drive need to be created and hosted on primary storage pool. Currently only supported for "
     "KVM."},
    {HOST_CFG_CD_HOST_CACHE_UNSUPPORTED, "true", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Storage",
     "If true, config drive is created on the host cache storage when vm.configdrive.primarypool.enabled is "
     "true and the primary pool type doesn't support config drive."},
    {HOST_CFG_CD_FORCE_HOST_CACHE, "false", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Storage",
     "If true, config drive is forced to create on the host cache storage. Currently only supported for "
     "KVM."},
    {HOST_CFG_VR_RECREATE, "", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Advanced",
     "Health checks failures defined by this config are the checks that should cause router recreation. If "
     "empty the recreate is not attempted for any health check failure. Possible values are comma separated "
     "script names from systemvm's /root/health_scripts/, connectivity.test, filesystem.writable.test or "
     "services."},
    {HOST_CFG_CONNECT_ON_DEMAND, "true", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Storage",
     "Connect PowerFlex client on Host when a Volume is mapped to it, and disconnect when the last Volume is "
     "unmapped from it. If false, the client connects when the Host connects to the pool."},
    {HOST_CFG_CLIENTS_LIMIT, "-1", HOST_CFG_GLOBAL | HOST_CFG_POOL, "Storage",
     "Maximum connected storage pool clients supported for the storage (for managed pools), <= 0 for "
     "unlimited (default: -1). Currently supported for PowerFlex only."},
    {HOST_CFG_MIGRATE_WAIT, "3600", HOST_CFG_GLOBAL, "Advanced",
     "Time (in seconds) to wait for VM migrate to finish. The harness gives a live volume migration this "
     "long (0: it gives up at the copy's first progress report)."},
    {HOST_CFG_DEFAULT_PAGE_SIZE, "500", HOST_CFG_GLOBAL, "Advanced",
     "Default page size for API list* commands (-1: unlimited). The harness pages "
     "findStoragePoolsForMigration by it."},
    {HOST_CFG_IMAGE_DIRS, "", HOST_CFG_GLOBAL, "Advanced",
     "cs-harness: comma-separated absolute directories, besides the work dir and --image-dir, from which "
     "templates and ISOs may be registered by path or file:// URL (never /proc, /sys or /dev)."},
    {HOST_CFG_HOST_CACHE, "/var/cache/cloud", HOST_CFG_HOST, "Agent",
     "agent.properties: the host cache path; config drives are created in its config/ directory."},
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

/* The plugin's settings as the harness lists them; desc[i] is what the plugin said of defs[i]
 * (its text lives in the plugin, so this goes before the plugin is unloaded). */
struct host_cfg_plugin {
    host_setting_def *defs;
    const sp_setting_desc **desc;
    size_t n;
};

const host_setting_def *host_config_def_at(host_cs *cs, size_t i)
{
    if (i < N_DEFS)
        return &defs[i];
    i -= N_DEFS;
    return cs->cfg_plugin != NULL && i < cs->cfg_plugin->n ? &cs->cfg_plugin->defs[i] : NULL;
}

const host_setting_def *host_config_def(host_cs *cs, const char *name)
{
    const host_setting_def *d;

    for (size_t i = 0; (d = host_config_def_at(cs, i)) != NULL; i++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

const sp_setting_desc *host_config_desc(host_cs *cs, const char *name)
{
    for (size_t i = 0; cs->cfg_plugin != NULL && i < cs->cfg_plugin->n; i++)
        if (strcmp(cs->cfg_plugin->defs[i].name, name) == 0)
            return cs->cfg_plugin->desc[i];
    return NULL;
}

void host_config_drop_plugin(host_cs *cs)
{
    if (cs->cfg_plugin == NULL)
        return;
    free(cs->cfg_plugin->defs);
    free(cs->cfg_plugin->desc);
    free(cs->cfg_plugin);
    cs->cfg_plugin = NULL;
}

static int known_here(const char *name)
{
    for (size_t i = 0; i < N_DEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return 1;
    return 0;
}

int host_config_adopt_plugin(host_cs *cs, host_err *e)
{
    const unsigned all = HOST_CFG_GLOBAL | HOST_CFG_ZONE | HOST_CFG_POOL | HOST_CFG_HOST;
    const sp_setting_desc *list = NULL;
    struct host_cfg_plugin *p;
    size_t n = 0;
    sp_error se;
    sp_status s;

    host_config_drop_plugin(cs);
    if (cs->sp == NULL || !SP_HAS(cs->sp, describe))
        return 0;
    memset(&se, 0, sizeof(se));
    if ((s = cs->sp->describe(&list, &n, &se)) != SP_OK)
        return host_fail_sp(e, s, &se, "plugin %s does not describe its settings", cs->sp->name);
    if (n > 0 && (list == NULL || list->struct_size < SP_SETTING_DESC_SIZE_2_0))
        return host_fail(e, HOST_E_INTERNAL, "plugin %s describes its settings in a form older than ABI %u.0",
                         cs->sp->name, SP_ABI_VERSION_MAJOR);
    if ((p = calloc(1, sizeof(*p))) == NULL || (n > 0 && ((p->defs = calloc(n, sizeof(*p->defs))) == NULL ||
                                                          (p->desc = calloc(n, sizeof(*p->desc))) == NULL))) {
        if (p != NULL) {
            free(p->defs);
            free(p);
        }
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    cs->cfg_plugin = p;
    for (size_t i = 0; i < n; i++) {
        const sp_setting_desc *d = SP_AT(const sp_setting_desc, list, i);
        if (d->kind != SP_SETTING_KIND_SETTING || d->name == NULL || known_here(d->name))
            continue;
        if ((d->scopes & all) == 0)
            return host_fail(e, HOST_E_INTERNAL,
                             "plugin %s publishes setting %s at no scope this harness has", cs->sp->name,
                             d->name);
        p->defs[p->n].name = d->name;
        p->defs[p->n].def = d->default_value;
        p->defs[p->n].scopes = d->scopes & all;
        p->defs[p->n].category = (d->scopes & HOST_CFG_HOST) ? "Agent" : "Storage";
        p->defs[p->n].description = d->description != NULL ? d->description : "";
        p->desc[p->n++] = d;
    }
    return 0;
}

/* Which values a plugin's setting takes: its type and range, as it published them. */
static int check_plugin_value(const sp_setting_desc *d, const char *v, host_err *e)
{
    unsigned long long x;
    char *end;

    switch (d->type) {
    case SP_VALUE_BOOL:
        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes true or false, not '%s'", d->name, v);
        return 0;
    case SP_VALUE_UINT:
        errno = 0;
        x = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || errno != 0 || *end != '\0' || x < d->min || x > d->max)
            return host_fail(e, HOST_E_PARAM,
                             "configuration %s takes a whole number from %llu to %llu, not '%s'", d->name,
                             (unsigned long long)d->min, (unsigned long long)d->max, v);
        return 0;
    case SP_VALUE_PATH:
        if (v[0] != '/')
            return host_fail(e, HOST_E_PARAM, "configuration %s takes an absolute path, not '%s'", d->name,
                             v);
        return 0;
    case SP_VALUE_STRING: return 0;
    }
    return 0;
}

/* Which values a setting takes; checked before anything is stored. */
static int check_value(host_cs *cs, const host_setting_def *d, const char *v, host_err *e)
{
    const sp_setting_desc *pd = host_config_desc(cs, d->name);
    char *end;
    double x;

    if (pd != NULL)
        return check_plugin_value(pd, v, e);

    if (strcmp(d->def != NULL ? d->def : "", "true") == 0 ||
        strcmp(d->def != NULL ? d->def : "", "false") == 0) {
        if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes true or false, not '%s'", d->name, v);
        return 0;
    }
    if (strcmp(d->name, HOST_CFG_CLIENTS_LIMIT) == 0) {
        errno = 0;
        (void)strtoll(v, &end, 10);
        if (errno != 0 || end == v || *end != '\0')
            return host_fail(e, HOST_E_PARAM,
                             "configuration %s takes a whole number (<= 0: no limit), not '%s'", d->name, v);
        return 0;
    }
    if (strcmp(d->name, HOST_CFG_IMAGE_DIRS) == 0)
        return host_dirlist_check(HOST_CFG_IMAGE_DIRS, v, e);
    if (strcmp(d->name, HOST_CFG_CS_IDENTIFIER_HISTORY) == 0) {
        if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,") != strlen(v))
            return host_fail(e, HOST_E_PARAM,
                             "configuration %s takes identifiers (letters or digits) separated by commas",
                             d->name);
        return 0;
    }
    if (strcmp(d->name, HOST_CFG_CS_IDENTIFIER) == 0) {
        if (*v == '\0' || strlen(v) > 16 ||
            strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(v))
            return host_fail(e, HOST_E_PARAM,
                             "configuration %s takes 1 to 16 letters or digits (it ends every volume name on "
                             "shared storage)",
                             d->name);
        return 0;
    }
    if (d->def != NULL && *d->def != '\0' && strspn(d->def, "0123456789.") == strlen(d->def)) {
        const char *dot = strchr(v, '.');
        char why[128];
        uint64_t whole;

        if (strchr(d->def, '.') == NULL && strcmp(d->name, HOST_CFG_OVERPROVISIONING) != 0) {
            if (host_num_parse(v, 0, INT32_MAX, &whole, why, sizeof(why)) != 0)
                return host_fail(e, HOST_E_PARAM, "configuration %s value '%.64s' %s", d->name, v, why);
            return 0;
        }
        /* Digits with at most one '.': no sign, blank, hex, exponent, inf or nan. */
        if (strspn(v, "0123456789.") != strlen(v) || strspn(v, ".") == strlen(v) ||
            (dot != NULL && strchr(dot + 1, '.') != NULL))
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a non-negative number, not '%.64s'",
                             d->name, v);
        errno = 0;
        x = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0' || !isfinite(x) || x < 0)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a non-negative number, not '%.64s'",
                             d->name, v);
        if (strstr(d->name, "threshold") != NULL && x > 1)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a value between 0 and 1, not '%.64s'",
                             d->name, v);
    }
    return 0;
}

static int load_pools(host_cs *cs, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err), "SELECT p.uuid, z.uuid FROM pool p JOIN zone z ON z.id = p.zone_id", "");
    int rc;

    if (st == NULL)
        return host_fail_db(e, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (host_setting_set(&cs->svc, SP_SCOPE_POOL, host_col_text(st, 0), "zone", host_col_text(st, 1)) !=
            0) {
            sqlite3_finalize(st);
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : host_fail_db(e, sqlite3_errmsg(cs->db));
}

int host_config_load(host_cs *cs, host_err *e)
{
    char err[256], ident[8];
    sqlite3_stmt *st;
    int64_t n = 0;
    int rc;

    if (host_sql_int(cs->db, &n, err, sizeof(err), "SELECT count(*) FROM config WHERE scope = 0 AND name = ?",
                     "t", HOST_CFG_CS_IDENTIFIER) < 0)
        return host_fail_db(e, err);
    if (n == 0) {
        /* CloudStack generates the identifier once, at its first start, and keeps it. */
        if (host_random_chars(ident, 4) != 0)
            return host_fail(e, HOST_E_INTERNAL, "no randomness for custom.cs.identifier");
        if (host_sql_run(cs->db, err, sizeof(err),
                         "INSERT INTO config(scope, scope_id, name, value) VALUES (0, '', ?, ?)", "tt",
                         HOST_CFG_CS_IDENTIFIER, ident) < 0)
            return host_fail_db(e, err);
    }
    host_settings_clear(&cs->svc);
    for (size_t i = 0; i < N_DEFS; i++)
        if (defs[i].def != NULL && *defs[i].def != '\0' && (defs[i].scopes & HOST_CFG_GLOBAL))
            if (host_setting_set(&cs->svc, SP_SCOPE_GLOBAL, NULL, defs[i].name, defs[i].def) != 0)
                return host_fail(e, HOST_E_INTERNAL, "out of memory");
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT scope, scope_id, name, value FROM config", "");
    if (st == NULL)
        return host_fail_db(e, err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (host_setting_set(&cs->svc, (sp_scope)sqlite3_column_int(st, 0), host_col_text(st, 1),
                             host_col_text(st, 2), host_col_text(st, 3)) != 0) {
            sqlite3_finalize(st);
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return host_fail_db(e, sqlite3_errmsg(cs->db));
    return load_pools(cs, e);
}

int host_config_get(host_cs *cs, const char *name, sp_scope scope, const char *scope_id, char *buf,
                    size_t buflen)
{
    const host_setting_def *d = host_config_def(cs, name);
    int rc;

    if (d == NULL || buflen == 0)
        return -1;
    rc = cs->svc.table.get_setting(&cs->svc, scope, scope_id, name, buf, buflen);
    if (rc < 0)
        return -1;
    if (rc == 0 && (size_t)snprintf(buf, buflen, "%s", d->def != NULL ? d->def : "") >= buflen)
        return -1;
    return 0;
}

double host_config_double(host_cs *cs, const char *name, sp_scope scope, const char *scope_id)
{
    char buf[64];
    const host_setting_def *d = host_config_def(cs, name);
    if (host_config_get(cs, name, scope, scope_id, buf, sizeof(buf)) != 0)
        return d != NULL && d->def != NULL ? strtod(d->def, NULL) : 0;
    return strtod(buf, NULL);
}

int host_config_bool(host_cs *cs, const char *name, sp_scope scope, const char *scope_id)
{
    char buf[16];
    if (host_config_get(cs, name, scope, scope_id, buf, sizeof(buf)) != 0)
        return 0;
    return strcasecmp(buf, "true") == 0;
}

/* The identifier is about to become `next` (NULL: reset): the current one joins the history, once,
 * so that volumes named with it stay recognised. */
static int remember_identifier(host_cs *cs, const char *next, host_err *e)
{
    char cur[64] = "", hist[1024] = "", padded[1100], needle[80];

    if (host_config_get(cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, cur, sizeof(cur)) != 0 ||
        cur[0] == '\0' || (next != NULL && strcmp(cur, next) == 0))
        return 0;
    if (host_config_get(cs, HOST_CFG_CS_IDENTIFIER_HISTORY, SP_SCOPE_GLOBAL, NULL, hist, sizeof(hist)) != 0)
        hist[0] = '\0';
    snprintf(padded, sizeof(padded), ",%s,", hist);
    snprintf(needle, sizeof(needle), ",%s,", cur);
    if (strstr(padded, needle) != NULL)
        return 0;
    if (strlen(hist) + strlen(cur) + 2 > sizeof(hist))
        return host_fail(e, HOST_E_PARAM, "configuration %s is full: %zu bytes of earlier identifiers",
                         HOST_CFG_CS_IDENTIFIER_HISTORY, strlen(hist));
    if (hist[0] != '\0')
        strcat(hist, ",");
    strcat(hist, cur);
    return host_config_set(cs, HOST_CFG_CS_IDENTIFIER_HISTORY, SP_SCOPE_GLOBAL, NULL, hist, e);
}

int host_config_set(host_cs *cs, const char *name, sp_scope scope, const char *scope_id, const char *value,
                    host_err *e)
{
    static const char *scope_names[] = {"global", "zone", "storage pool", "host", "cluster"};
    const host_setting_def *d = host_config_def(cs, name);
    char err[256];

    if (d == NULL)
        return host_fail(e, HOST_E_PARAM, "configuration %s is not known to this harness", name);
    if (!(d->scopes & (1u << scope)))
        return host_fail(e, HOST_E_PARAM, "configuration %s cannot be set at %s scope", name,
                         scope_names[scope]);
    if (scope == SP_SCOPE_GLOBAL)
        scope_id = "";
    if (value != NULL && check_value(cs, d, value, e) != 0)
        return -1;
    if (strcmp(name, HOST_CFG_CS_IDENTIFIER) == 0 && remember_identifier(cs, value, e) != 0)
        return -1;
    if (value == NULL) {
        if (host_sql_run(cs->db, err, sizeof(err),
                         "DELETE FROM config WHERE scope = ? AND scope_id = ? AND name = ?", "itt",
                         (int64_t)scope, scope_id, name) < 0)
            return host_fail_db(e, err);
    } else if (host_sql_run(cs->db, err, sizeof(err),
                            "INSERT OR REPLACE INTO config(scope, scope_id, name, value) VALUES (?, ?, ?, ?)",
                            "itt"
                            "t",
                            (int64_t)scope, scope_id, name, value) < 0) {
        return host_fail_db(e, err);
    }
    /* The allocator reads a pool's own over-provisioning factor from the pool row. */
    if (scope == SP_SCOPE_POOL && strcmp(name, HOST_CFG_OVERPROVISIONING) == 0 &&
        (value != NULL ? host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET overprov = ? WHERE uuid = ?",
                                      "dt", strtod(value, NULL), scope_id)
                       : host_sql_run(cs->db, err, sizeof(err),
                                      "UPDATE pool SET overprov = NULL WHERE uuid = ?", "t", scope_id)) < 0)
        return host_fail_db(e, err);
    if (host_setting_set(&cs->svc, scope, scope_id, name, value) != 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    return 0;
}
