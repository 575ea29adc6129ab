/* api_infra.c - zones, pods, clusters and KVM hosts (createZone, createPod, addCluster, addHost,
 * list/update/delete). Each host is a KVM agent with its own state dir and agent.properties. */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "fsutil.h"
#include "objects.h"
#include "pools.h"
#include "simproc.h"
#include "store.h"
#include "vmops.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void host_json_ref(host_cs *cs, host_jsonw *w, const char *prefix, const char *table, int64_t id)
{
    char sql[96], err[128], uuid[64], name[256], key[64];
    sqlite3_stmt *st;

    if (id == 0)
        return;
    snprintf(sql, sizeof(sql), "SELECT uuid, name FROM %s WHERE id = ?", table);
    st = host_sql_prepare(cs->db, err, sizeof(err), sql, "i", id);
    if (st == NULL)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(uuid, sizeof(uuid), "%s", host_col_text(st, 0));
        snprintf(name, sizeof(name), "%s", host_col_text(st, 1));
        snprintf(key, sizeof(key), "%sid", prefix);
        host_jsonw_string(w, key, uuid);
        snprintf(key, sizeof(key), "%sname", prefix);
        host_jsonw_string(w, key, name);
    }
    sqlite3_finalize(st);
}

static sqlite3_stmt *row(host_cs *cs, const char *sql, int64_t id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err), sql, "i", id);
    if (st == NULL) {
        host_fail_db(e, err);
        return NULL;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        host_fail(e, HOST_E_INTERNAL, "object %lld vanished from the database", (long long)id);
        return NULL;
    }
    return st;
}

int host_json_zone(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    sqlite3_stmt *st =
        row(cs, "SELECT uuid, name, networktype, allocationstate FROM zone WHERE id = ?", id, e);
    if (st == NULL)
        return -1;
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "networktype", host_col_text(st, 2));
    host_jsonw_string(w, "allocationstate", host_col_text(st, 3));
    host_jsonw_bool(w, "localstorageenabled", 0);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

int host_json_pod(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    sqlite3_stmt *st = row(cs, "SELECT uuid, name, zone_id FROM pod WHERE id = ?", id, e);
    if (st == NULL)
        return -1;
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 2));
    host_jsonw_string(w, "allocationstate", "Enabled");
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

int host_json_cluster(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    sqlite3_stmt *st =
        row(cs, "SELECT uuid, name, zone_id, pod_id, hypervisor, allocationstate FROM cluster WHERE id = ?",
            id, e);
    if (st == NULL)
        return -1;
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 2));
    host_json_ref(cs, w, "pod", "pod", sqlite3_column_int64(st, 3));
    host_jsonw_string(w, "hypervisortype", host_col_text(st, 4));
    host_jsonw_string(w, "clustertype", "CloudManaged");
    host_jsonw_string(w, "allocationstate", host_col_text(st, 5));
    host_jsonw_string(w, "managedstate", "Managed");
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

int host_json_host(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char created[32], buf[1024];
    sqlite3_stmt *st =
        row(cs,
            "SELECT uuid, name, ip, zone_id, pod_id, cluster_id, state, resourcestate, created, "
            "sdc_guid FROM host WHERE id = ?",
            id, e);
    if (st == NULL)
        return -1;
    host_timestamp(sqlite3_column_int64(st, 8), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "ipaddress", host_col_text(st, 2));
    host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 3));
    host_json_ref(cs, w, "pod", "pod", sqlite3_column_int64(st, 4));
    host_json_ref(cs, w, "cluster", "cluster", sqlite3_column_int64(st, 5));
    host_jsonw_string(w, "hypervisor", "KVM");
    host_jsonw_string(w, "type", "Routing");
    host_jsonw_string(w, "state", host_col_text(st, 6));
    host_jsonw_string(w, "resourcestate", host_col_text(st, 7));
    host_jsonw_string(w, "created", created);
    host_jsonw_object_begin(w, "details");
    /* Its agent.properties: every host-scope setting, the harness's and the plugin's. */
    {
        const host_setting_def *d;
        for (size_t i = 0; (d = host_config_def_at(cs, i)) != NULL; i++)
            if ((d->scopes & HOST_CFG_HOST) &&
                host_config_get(cs, d->name, SP_SCOPE_HOST, host_col_text(st, 0), buf, sizeof(buf)) == 0)
                host_jsonw_string(w, d->name, buf);
    }
    host_jsonw_string(w, "powerflex.sdc.guid", host_col_text(st, 9));
    host_jsonw_object_end(w);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

static int create_zone(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 1, e);
    const char *type = host_param(cmd, "networktype", 0, e);
    char uuid[37], err[256];
    int64_t exists = 0, id;

    if (name == NULL)
        return -1;
    if (type == NULL)
        type = "Advanced";
    if (strcasecmp(type, "Advanced") != 0 && strcasecmp(type, "Basic") != 0)
        return host_fail(e, HOST_E_PARAM, "Invalid network type %s: Basic or Advanced", type);
    if (host_sql_int(cs->db, &exists, err, sizeof(err), "SELECT id FROM zone WHERE name = ?", "t", name) < 0)
        return host_fail_db(e, err);
    if (exists)
        return host_fail(e, HOST_E_PARAM, "A zone with name %s already exists", name);
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO zone(uuid, name, networktype, allocationstate, created) VALUES (?, ?, ?, "
                     "'Disabled', ?)",
                     "ttti", uuid, name, strcasecmp(type, "Basic") == 0 ? "Basic" : "Advanced",
                     host_now()) < 0)
        return host_fail_db(e, err);
    id = sqlite3_last_insert_rowid(cs->db);
    host_event(cs, "ZONE.CREATE", "zone %s created", name);
    return host_json_zone(cs, w, "zone", id, e);
}

static int list_zones(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT id FROM zone WHERE (?1 IS NULL OR uuid = ?1) AND (?2 IS NULL OR name = ?2) "
                         "ORDER BY id",
                         "tt", host_param(cmd, "id", 0, e), host_param(cmd, "name", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "zone", st, host_json_zone, e);
}

static int update_zone(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *state = host_param(cmd, "allocationstate", 0, e);
    const char *name = host_param(cmd, "name", 0, e);
    char err[256];
    int64_t id;

    if (host_param_ref(cs, cmd, "id", "zone", 1, &id, e) != 0)
        return -1;
    if (name != NULL &&
        host_sql_run(cs->db, err, sizeof(err), "UPDATE zone SET name = ? WHERE id = ?", "ti", name, id) < 0)
        return host_fail_db(e, err);
    if (state != NULL) {
        if (strcasecmp(state, "Enabled") != 0 && strcasecmp(state, "Disabled") != 0)
            return host_fail(e, HOST_E_PARAM, "Invalid allocationstate %s: Enabled or Disabled", state);
        if (host_sql_run(cs->db, err, sizeof(err), "UPDATE zone SET allocationstate = ? WHERE id = ?", "ti",
                         strcasecmp(state, "Enabled") == 0 ? "Enabled" : "Disabled", id) < 0)
            return host_fail_db(e, err);
        /* Enabling a zone starts its system VMs (secondary storage VM and console proxy). */
        if (strcasecmp(state, "Enabled") == 0 && host_vm_system_deploy(cs, id, e) != 0)
            return -1;
    }
    return host_json_zone(cs, w, "zone", id, e);
}

static int delete_zone(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t id, n = 0;

    if (host_param_ref(cs, cmd, "id", "zone", 1, &id, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &n, err, sizeof(err),
                     "SELECT (SELECT count(*) FROM pod WHERE zone_id = ?1) + (SELECT count(*) FROM pool "
                     "WHERE zone_id = ?1)",
                     "i", id) < 0)
        return host_fail_db(e, err);
    if (n > 0)
        return host_fail(e, HOST_E_IN_USE,
                         "The zone is not deletable because there are servers or storage pools in it");
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM zone WHERE id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM config WHERE scope = 1 AND scope_id = ?", "t",
                     host_param(cmd, "id", 1, e)) < 0)
        return host_fail_db(e, err);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

static int create_pod(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 1, e);
    char uuid[37], err[256];
    int64_t zone;

    if (name == NULL || host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0)
        return -1;
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(cs->db, err, sizeof(err), "INSERT INTO pod(uuid, name, zone_id) VALUES (?, ?, ?)", "tti",
                     uuid, name, zone) < 0)
        return host_fail(e, HOST_E_PARAM, "A pod with name %s already exists in the zone (%s)", name, err);
    return host_json_pod(cs, w, "pod", sqlite3_last_insert_rowid(cs->db), e);
}

static int list_pods(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM pod WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) ORDER BY id", "ti",
        host_param(cmd, "id", 0, e), zone);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "pod", st, host_json_pod, e);
}

static int add_cluster(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "clustername", 1, e);
    const char *hv;
    char uuid[37], err[256];
    int64_t zone, pod, podzone = 0;

    if (name == NULL || host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "podid", "pod", 1, &pod, e) != 0 ||
        (hv = host_param(cmd, "hypervisor", 1, e)) == NULL)
        return -1;
    if (strcasecmp(hv, "KVM") != 0)
        return host_fail(e, HOST_E_PARAM,
                         "Hypervisor %s is not supported by this harness: its hosts are KVM agents", hv);
    if (host_sql_int(cs->db, &podzone, err, sizeof(err), "SELECT zone_id FROM pod WHERE id = ?", "i", pod) <
        0)
        return host_fail_db(e, err);
    if (podzone != zone)
        return host_fail(e, HOST_E_PARAM, "Pod %s is not in zone %s", host_param(cmd, "podid", 1, e),
                         host_param(cmd, "zoneid", 1, e));
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO cluster(uuid, name, zone_id, pod_id, hypervisor, allocationstate) "
                     "VALUES (?, ?, ?, ?, 'KVM', 'Enabled')",
                     "ttii", uuid, name, zone, pod) < 0)
        return host_fail(e, HOST_E_PARAM, "A cluster with name %s already exists in the zone", name);
    host_jsonw_uint(w, "count", 1);
    host_jsonw_array_begin(w, "cluster");
    if (host_json_cluster(cs, w, NULL, sqlite3_last_insert_rowid(cs->db), e) != 0)
        return -1;
    host_jsonw_array_end(w);
    return 0;
}

static int list_clusters(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, pod;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "podid", "pod", 0, &pod, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM cluster WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) "
        "AND (?3 = 0 OR pod_id = ?3) AND (?4 IS NULL OR name = ?4) ORDER BY id",
        "tiit", host_param(cmd, "id", 0, e), zone, pod, host_param(cmd, "name", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "cluster", st, host_json_cluster, e);
}

/* The IP of "http://127.0.0.2" or "127.0.0.2"; a literal address, because the SDC is registered
 * by address and the harness resolves no names. */
static int host_ip(const char *url, char *ip, size_t len, host_err *e)
{
    const char *p = strstr(url, "://");
    unsigned char tmp[16];
    size_t n;

    p = p != NULL ? p + 3 : url;
    n = strcspn(p, "/:");
    if (*p == '[') {
        const char *rb = strchr(p, ']');
        if (rb == NULL)
            return host_fail(e, HOST_E_PARAM, "Invalid host url %s", url);
        p++;
        n = (size_t)(rb - p);
    }
    if (n == 0 || n >= len)
        return host_fail(e, HOST_E_PARAM, "Invalid host url %s: no address", url);
    memcpy(ip, p, n);
    ip[n] = '\0';
    if (inet_pton(AF_INET, ip, tmp) != 1 && inet_pton(AF_INET6, ip, tmp) != 1)
        return host_fail(e, HOST_E_PARAM,
                         "Invalid host url %s: the harness takes an IP address (127.0.0.x for tests)", url);
    return 0;
}

static int add_host(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *url = host_param(cmd, "url", 0, e), *name = host_param(cmd, "name", 0, e), *hv;
    char ip[64], uuid[37], guid[37], defname[96], err[512], *dir = NULL, *path = NULL;
    const sp_kv *details;
    int64_t zone, pod, cluster, cz = 0, cp = 0, id;
    long nd;
    int rc = -1;

    if (url == NULL)
        url = host_param(cmd, "ipaddress", 1, e);
    if (url == NULL || host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "podid", "pod", 1, &pod, e) != 0 ||
        host_param_ref(cs, cmd, "clusterid", "cluster", 1, &cluster, e) != 0 ||
        host_ip(url, ip, sizeof(ip), e) != 0)
        return -1;
    hv = host_param(cmd, "hypervisor", 0, e);
    if (hv != NULL && strcasecmp(hv, "KVM") != 0)
        return host_fail(e, HOST_E_PARAM, "Hypervisor %s is not supported: hosts are KVM agents", hv);
    if (host_sql_int(cs->db, &cz, err, sizeof(err), "SELECT zone_id FROM cluster WHERE id = ?", "i",
                     cluster) < 0 ||
        host_sql_int(cs->db, &cp, err, sizeof(err), "SELECT pod_id FROM cluster WHERE id = ?", "i", cluster) <
            0)
        return host_fail_db(e, err);
    if (cz != zone || cp != pod)
        return host_fail(e, HOST_E_PARAM, "Cluster %s is not in the given zone and pod",
                         host_param(cmd, "clusterid", 1, e));
    if (name == NULL) {
        snprintf(defname, sizeof(defname), "kvm-%s", ip);
        for (char *c = defname; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '-')
                *c = '-';
        name = defname;
    }
    if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return host_fail(e, HOST_E_PARAM, "Invalid host name %s", name);
    if (host_uuid(uuid) != 0 || host_uuid(guid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    for (char *c = guid; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (asprintf(&dir, "%s/hosts/%s", cs->workdir, name) < 0) {
        dir = NULL;
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    }
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO host(uuid, name, ip, zone_id, pod_id, cluster_id, state, resourcestate, "
                     "sdc_guid, dir, "
                     "created) VALUES (?, ?, ?, ?, ?, ?, 'Up', 'Enabled', ?, ?, ?)",
                     "tttiiitti", uuid, name, ip, zone, pod, cluster, guid, dir, host_now()) < 0) {
        host_fail(e, HOST_E_PARAM, "A host named %s or with address %s already exists", name, ip);
        goto out;
    }
    id = sqlite3_last_insert_rowid(cs->db);
    /* agent.properties: defaults inside the host's own state dir, so hosts never share a cache
     * or an SDC; details[0].<property>=... overrides them. */
    {
        static const char *keys[] = {HOST_CFG_HOST_CACHE, HOST_SIM_SDC_HOME, HOST_SIM_DEVICE_DIR};
        static const char *subdirs[] = {"cache", "sdc", "dev"};
        for (int i = 0; i < 3; i++) {
            if (host_config_def(cs, keys[i]) == NULL)
                continue; /* a plugin that reads no such agent property */
            free(path);
            if (asprintf(&path, "%s/%s", dir, subdirs[i]) < 0) {
                path = NULL;
                host_fail(e, HOST_E_INTERNAL, "out of memory");
                goto out;
            }
            if (host_mkdirs(path) != 0) {
                host_fail(e, HOST_E_INTERNAL, "cannot create %s: %s", path, strerror(errno));
                goto out;
            }
            if (host_config_set(cs, keys[i], SP_SCOPE_HOST, uuid, path, e) != 0)
                goto out;
        }
        /* The SDC's own drv_cfg.txt (where --add_mdm keeps the MDMs it joined) inside its home. */
        if (host_config_def(cs, HOST_SIM_SDC_CFG_FILE) != NULL) {
            free(path);
            if (asprintf(&path, "%s/sdc/cfg/drv_cfg.txt", dir) < 0) {
                path = NULL;
                host_fail(e, HOST_E_INTERNAL, "out of memory");
                goto out;
            }
            if (host_config_set(cs, HOST_SIM_SDC_CFG_FILE, SP_SCOPE_HOST, uuid, path, e) != 0)
                goto out;
        }
    }
    nd = host_cmd_map(cmd, "details", &details);
    for (long i = 0; i < nd; i++)
        if (host_config_set(cs, details[i].key, SP_SCOPE_HOST, uuid, details[i].value, e) != 0)
            goto out;
    if (host_sims_write_sdc_conf(cs, id, e) != 0)
        goto out;
    /* CloudStack connects a new host to the pools already in its cluster and zone. */
    if (host_pools_attach_host(cs, id, e) != 0)
        goto out;
    host_event(cs, "HOST.ADD", "host %s (%s) added", name, ip);
    host_jsonw_uint(w, "count", 1);
    host_jsonw_array_begin(w, "host");
    rc = host_json_host(cs, w, NULL, id, e);
    host_jsonw_array_end(w);
out:
    free(dir);
    free(path);
    return rc;
}

static int list_hosts(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, cluster;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "clusterid", "cluster", 0, &cluster, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM host WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) "
                          "AND (?3 = 0 OR cluster_id = ?3) AND (?4 IS NULL OR name = ?4) ORDER BY id",
                          "tiit", host_param(cmd, "id", 0, e), zone, cluster, host_param(cmd, "name", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "host", st, host_json_host, e);
}

static int update_host(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *state = host_param(cmd, "allocationstate", 1, e);
    char err[256];
    int64_t id;

    if (state == NULL || host_param_ref(cs, cmd, "id", "host", 1, &id, e) != 0)
        return -1;
    if (strcasecmp(state, "Enable") != 0 && strcasecmp(state, "Disable") != 0)
        return host_fail(e, HOST_E_PARAM, "Invalid allocationstate %s: Enable or Disable", state);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE host SET resourcestate = ? WHERE id = ?", "ti",
                     strcasecmp(state, "Enable") == 0 ? "Enabled" : "Disabled", id) < 0)
        return host_fail_db(e, err);
    return host_json_host(cs, w, "host", id, e);
}

static int delete_host(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t id, n = 0;

    if (host_param_ref(cs, cmd, "id", "host", 1, &id, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &n, err, sizeof(err), "SELECT count(*) FROM vm WHERE host_id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    if (n > 0)
        return host_fail(e, HOST_E_IN_USE, "Host %s has %lld running VMs: stop or migrate them first",
                         host_param(cmd, "id", 1, e), (long long)n);
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM pool_host WHERE host_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM access WHERE host_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM host WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

const host_api host_api_infra[] = {
    {"createZone", create_zone, 0},
    {"listZones", list_zones, 0},
    {"updateZone", update_zone, 0},
    {"deleteZone", delete_zone, 0},
    {"createPod", create_pod, 0},
    {"listPods", list_pods, 0},
    {"addCluster", add_cluster, 0},
    {"listClusters", list_clusters, 0},
    {"addHost", add_host, 0},
    {"listHosts", list_hosts, 0},
    {"updateHost", update_host, 0},
    {"deleteHost", delete_host, 0},
    {NULL, NULL, 0},
};
