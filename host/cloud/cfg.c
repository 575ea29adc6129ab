/* cfg.c - CloudStack's configuration settings at global, zone, pool and agent (host) scope.
 * The config table is the truth; cs->svc mirrors it so that the plugin's get_setting, which may
 * come from any thread, never touches SQLite. */
#include "config.h"

#include "cfg.h"
#include "store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const host_setting_def defs[] = {
    {SP_SETTING_DISK_WAIT, "60", HOST_CFG_GLOBAL | HOST_CFG_POOL, "Storage",
     "Timeout (in secs) for the storage pool disk (of managed pool) to become available in the host. "
     "Currently "
     "only supported for PowerFlex."},
    {SP_SETTING_CLIENT_TIMEOUT, "60", HOST_CFG_GLOBAL | HOST_CFG_POOL, "Storage",
     "Timeout (in secs) for the storage pool client connection timeout (for managed pools). Currently only "
     "supported for PowerFlex."},
    {SP_SETTING_CLIENT_MAX_CONNECTIONS, "100", HOST_CFG_GLOBAL | HOST_CFG_POOL, "Storage",
     "Maximum connections for the storage pool client (for managed pools). Currently only supported for "
     "PowerFlex."},
    {SP_SETTING_CS_IDENTIFIER, NULL, HOST_CFG_GLOBAL, "Advanced",
     "A unique identifier for the cloudstack installation, used in the names of its volumes on shared "
     "storage."},
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
    {HOST_CFG_MDM_APPLY_WAIT, "3000", HOST_CFG_GLOBAL | HOST_CFG_ZONE, "Storage",
     "Time (in ms) to wait after an MDM addition or removal on the host's PowerFlex client, for it to take "
     "effect."},
    {HOST_CFG_MIGRATE_WAIT, "3600", HOST_CFG_GLOBAL, "Advanced",
     "Time (in seconds) to wait for VM migrate to finish. The harness gives a live volume migration this "
     "long (0: it gives up at the copy's first progress report)."},
    {SP_SETTING_HOST_CACHE, "/var/cache/cloud", HOST_CFG_HOST, "Agent",
     "agent.properties: the host cache path; config drives are created in its config/ directory."},
    {SP_SETTING_SDC_HOME, "/opt/emc/scaleio/sdc", HOST_CFG_HOST, "Agent",
     "agent.properties: the PowerFlex SDC home, whose bin/drv_cfg rescans and queries volumes."},
    {SP_SETTING_DEVICE_DIR, "/dev/disk/by-id", HOST_CFG_HOST, "Agent",
     "agent.properties: where the SDC's emc-vol-<system>-<volume> device entries appear."},
    {HOST_CFG_SDC_CFG_FILE, "/etc/emc/scaleio/drv_cfg.txt", HOST_CFG_HOST, "Agent",
     "agent.properties: the SDC's configuration file that drv_cfg --add_mdm/--remove_mdm keep the MDM "
     "lines in."},
};

#define N_DEFS (sizeof(defs) / sizeof(defs[0]))

const host_setting_def *host_config_def(const char *name)
{
    for (size_t i = 0; i < N_DEFS; i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

/* Which values a setting takes; checked before anything is stored. */
static int check_value(const host_setting_def *d, const char *v, host_err *e)
{
    char *end;
    double x;

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
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a whole number (<= 0: no limit), not '%s'",
                             d->name, v);
        return 0;
    }
    if (strcmp(d->name, SP_SETTING_CS_IDENTIFIER) == 0) {
        if (*v == '\0' || strlen(v) > 16 ||
            strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(v))
            return host_fail(e, HOST_E_PARAM,
                             "configuration %s takes 1 to 16 letters or digits (it ends every volume name on "
                             "shared storage)",
                             d->name);
        return 0;
    }
    if (d->def != NULL && *d->def != '\0' && strspn(d->def, "0123456789.") == strlen(d->def)) {
        errno = 0;
        x = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0' || !isfinite(x) || x < 0)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a non-negative number, not '%s'",
                             d->name, v);
        if (strstr(d->name, "threshold") != NULL && x > 1)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a value between 0 and 1, not '%s'",
                             d->name, v);
        if (strchr(d->def, '.') == NULL && strchr(v, '.') != NULL &&
            strcmp(d->name, HOST_CFG_OVERPROVISIONING) != 0)
            return host_fail(e, HOST_E_PARAM, "configuration %s takes a whole number, not '%s'", d->name, v);
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
                     "t", SP_SETTING_CS_IDENTIFIER) < 0)
        return host_fail_db(e, err);
    if (n == 0) {
        /* CloudStack generates the identifier once, at its first start, and keeps it. */
        if (host_random_chars(ident, 4) != 0)
            return host_fail(e, HOST_E_INTERNAL, "no randomness for custom.cs.identifier");
        if (host_sql_run(cs->db, err, sizeof(err),
                         "INSERT INTO config(scope, scope_id, name, value) VALUES (0, '', ?, ?)", "tt",
                         SP_SETTING_CS_IDENTIFIER, ident) < 0)
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
    const host_setting_def *d = host_config_def(name);
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
    const host_setting_def *d = host_config_def(name);
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

int host_config_set(host_cs *cs, const char *name, sp_scope scope, const char *scope_id, const char *value,
                    host_err *e)
{
    static const char *scope_names[] = {"global", "zone", "storage pool", "host"};
    const host_setting_def *d = host_config_def(name);
    char err[256];

    if (d == NULL)
        return host_fail(e, HOST_E_PARAM, "configuration %s is not known to this harness", name);
    if (!(d->scopes & (1u << scope)))
        return host_fail(e, HOST_E_PARAM, "configuration %s cannot be set at %s scope", name,
                         scope_names[scope]);
    if (scope == SP_SCOPE_GLOBAL)
        scope_id = "";
    if (value != NULL && check_value(d, value, e) != 0)
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

const host_setting_def *host_config_defs(size_t *n)
{
    *n = N_DEFS;
    return defs;
}
