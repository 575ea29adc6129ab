/* vmops.c - a VM's lifecycle as CloudStack's orchestrator runs it.
 * Access follows the VM: a volume is granted and connected only on the host running its VM. */
#include "config.h"

#include "vmops.h"

#include "alloc.h"
#include "api.h"
#include "clients.h"
#include "pools.h"
#include "store.h"
#include "volops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vm_row {
    int64_t zone_id;
    int64_t host_id;
    char state[16];
    char name[256];
    char userdata[16];
} vm_row;

static int load_vm(host_cs *cs, int64_t vm_id, vm_row *r, host_err *e)
{
    char err[256];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT zone_id, coalesce(host_id, 0), state, name, coalesce(userdata, '') "
                         "FROM vm WHERE id = ?",
                         "i", vm_id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "VM %lld vanished", (long long)vm_id);
    }
    r->zone_id = sqlite3_column_int64(st, 0);
    r->host_id = sqlite3_column_int64(st, 1);
    snprintf(r->state, sizeof(r->state), "%s", host_col_text(st, 2));
    snprintf(r->name, sizeof(r->name), "%s", host_col_text(st, 3));
    snprintf(r->userdata, sizeof(r->userdata), "%s", host_col_text(st, 4));
    sqlite3_finalize(st);
    return 0;
}

static int vm_volumes(host_cs *cs, int64_t vm_id, int64_t **ids, size_t *n, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM volume WHERE vm_id = ? ORDER BY type = 'ROOT' DESC, deviceid, id", "i", vm_id);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_stmt_ids(cs, st, ids, n, e);
}

/* Whether host_id can run the VM: every placed volume's pool reachable, every Allocated volume
 * placeable in the host's cluster on a pool it reaches. `why` says what failed. */
static int host_fits(host_cs *cs, const int64_t *vols, size_t n, int64_t host_id, int *ok, char *why,
                     size_t whylen, host_err *e)
{
    char err[256], tags[512], client[512];
    int64_t cluster = 0;
    host_vol v;
    int reach;

    *ok = 0;
    if (host_sql_int(cs->db, &cluster, err, sizeof(err), "SELECT cluster_id FROM host WHERE id = ?", "i",
                     host_id) < 0)
        return host_fail_db(e, err);
    for (size_t i = 0; i < n; i++) {
        int64_t pool = 0;
        if (host_vol_load(cs, vols[i], &v, e) != 0)
            return -1;
        pool = v.pool_id;
        if (pool == 0) {
            host_alloc_req req;
            int64_t tsize = 0;
            tags[0] = '\0';
            if (v.offering_id != 0)
                host_sql_text(cs->db, tags, sizeof(tags), err, sizeof(err),
                              "SELECT tags FROM offering WHERE id = ?", "i", v.offering_id);
            memset(&req, 0, sizeof(req));
            req.zone_id = v.zone_id;
            req.cluster_id = cluster;
            req.tags = tags;
            req.size = v.size;
            if (v.template_id != 0) {
                char format[16] = "";
                host_sql_text(cs->db, format, sizeof(format), err, sizeof(err),
                              "SELECT format FROM template WHERE id = ?", "i", v.template_id);
                host_sql_int(cs->db, &tsize, err, sizeof(err), "SELECT size FROM template WHERE id = ?", "i",
                             v.template_id);
                if (strcmp(format, "ISO") != 0) {
                    req.template_id = v.template_id;
                    req.template_size = (uint64_t)tsize;
                    if ((uint64_t)tsize > req.size)
                        req.size = (uint64_t)tsize;
                }
            }
            if (host_alloc_pool(cs, &req, &pool, why, whylen, e) != 0)
                return -1;
            if (pool == 0) {
                char reason[1024];
                snprintf(reason, sizeof(reason), "%s", why);
                snprintf(why, whylen, "no storage for volume %.200s: %.700s", v.name, reason);
                return 0;
            }
        }
        if (v.pool_id != 0) {
            char state[16] = "";
            host_sql_text(cs->db, state, sizeof(state), err, sizeof(err),
                          "SELECT state FROM pool WHERE id = ?", "i", pool);
            /* A disabled pool still serves its volumes; one in maintenance serves nothing. The
             * volume is not moved here (CloudStack may migrate a ROOT off on start): a move
             * inside a start could not be undone with it, so the caller migrates it first. */
            if (strcmp(state, "Maintenance") == 0) {
                char puuid[40];
                host_pool_uuid(cs, pool, puuid);
                snprintf(
                    why, whylen,
                    "volume %.200s is on storage pool %.40s, which is in maintenance: migrate it to another "
                    "pool first (migrateVolume; findStoragePoolsForMigration lists the suitable ones)",
                    v.name, puuid);
                return 0;
            }
            if (strcmp(state, "Up") != 0 && strcmp(state, "Disabled") != 0) {
                snprintf(why, whylen, "the storage pool of volume %.200s is in state %s", v.name, state);
                return 0;
            }
        }
        /* Asked now, as CloudStack's grant asks: a host whose SDC lost its MDM is passed over
         * (and alerted on), as CloudStack's start avoids a host whose storage it cannot reach. */
        if (host_pool_client_check(cs, pool, host_id, &reach, client, sizeof(client), e) != 0)
            return -1;
        if (!reach) {
            snprintf(why, whylen,
                     "it cannot reach the storage pool of volume %.200s (no connected SDC%s%.300s)", v.name,
                     client[0] ? ": " : "", client);
            return 0;
        }
        {
            /* CloudStack's canHostPrepareStoragePoolAccess: a client the array would not take
             * (the connected clients limit) sends the VM elsewhere. */
            char reason[1024];
            int can = 1;
            if (host_client_can_access(cs, pool, host_id, &can, reason, sizeof(reason), e) != 0)
                return -1;
            if (!can) {
                snprintf(why, whylen, "volume %.200s: %.800s", v.name, reason);
                return 0;
            }
        }
    }
    *ok = 1;
    return 0;
}

int host_vm_start(host_cs *cs, int64_t vm_id, int64_t host_hint, host_err *e)
{
    char err[512], why[1536] = "there is no Up and Enabled host in the zone";
    int64_t *vols = NULL, *hosts = NULL, host_id = 0, cluster = 0;
    size_t nvols = 0, nhosts = 0;
    vm_row vm;
    sqlite3_stmt *st;
    int ok, rc = -1;

    if (load_vm(cs, vm_id, &vm, e) != 0)
        return -1;
    if (strcmp(vm.state, "Running") == 0)
        return host_fail(e, HOST_E_PARAM, "VM %s is already running", vm.name);
    if (strcmp(vm.state, "Stopped") != 0)
        return host_fail(e, HOST_E_PARAM, "VM %s is %s: it cannot be started", vm.name, vm.state);
    if (vm_volumes(cs, vm_id, &vols, &nvols, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT h.id FROM host h WHERE h.zone_id = ?1 AND h.state = 'Up' AND h.resourcestate = 'Enabled' "
        "AND (?2 = 0 OR h.id = ?2) ORDER BY (SELECT count(*) FROM vm WHERE vm.host_id = h.id), h.id",
        "ii", vm.zone_id, host_hint);
    if (st == NULL) {
        host_fail_db(e, err);
        goto out;
    }
    if (host_stmt_ids(cs, st, &hosts, &nhosts, e) != 0)
        goto out;
    for (size_t i = 0; i < nhosts && host_id == 0; i++) {
        char one[1024];
        if (host_fits(cs, vols, nvols, hosts[i], &ok, one, sizeof(one), e) != 0)
            goto out;
        if (ok)
            host_id = hosts[i];
        else
            snprintf(why, sizeof(why), "%s", one);
    }
    if (host_id == 0) {
        host_fail(e, HOST_E_CAPACITY, "Unable to create a deployment for VM %s: %s", vm.name, why);
        goto out;
    }
    if (host_sql_int(cs->db, &cluster, err, sizeof(err), "SELECT cluster_id FROM host WHERE id = ?", "i",
                     host_id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    /* A failure from here on is taken back on the array by the command's undo steps. */
    for (size_t i = 0; i < nvols; i++) {
        host_vol v;
        if (host_vol_load(cs, vols[i], &v, e) != 0)
            goto out;
        if (v.pool_id != 0)
            continue;
        if (host_vol_realize(cs, vols[i], cluster, host_id, e) != 0)
            goto out;
    }
    for (size_t i = 0; i < nvols; i++)
        if (host_access_grant(cs, vols[i], host_id, 0, e) != 0)
            goto out;
    if (vm.userdata[0] && host_configdrive_build(cs, vm_id, host_id, e) != 0)
        goto out;
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE vm SET state = 'Running', host_id = ?, last_host_id = ? WHERE id = ?", "iii",
                     host_id, host_id, vm_id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    host_event(cs, "VM.START", "VM %s started", vm.name);
    rc = 0;
    goto out;
out:
    free(vols);
    free(hosts);
    return rc;
}

int host_vm_stop(host_cs *cs, int64_t vm_id, host_err *e)
{
    char err[256];
    int64_t *vols = NULL;
    size_t n = 0;
    vm_row vm;
    int rc = 0;

    if (load_vm(cs, vm_id, &vm, e) != 0)
        return -1;
    if (strcmp(vm.state, "Running") != 0)
        return host_fail(e, HOST_E_PARAM, "VM %s is not running (%s)", vm.name, vm.state);
    if (vm_volumes(cs, vm_id, &vols, &n, e) != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = host_access_revoke(cs, vols[i], vm.host_id, e);
    free(vols);
    if (rc != 0)
        return -1;
    host_configdrive_remove(cs, vm_id, vm.host_id);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE vm SET state = 'Stopped', last_host_id = host_id, host_id = NULL WHERE id = ?",
                     "i", vm_id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "VM.STOP", "VM %s stopped", vm.name);
    return 0;
}

int host_vm_stop_on_pool(host_cs *cs, int64_t pool_id, host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(cs->db, err, sizeof(err),
                                        "SELECT DISTINCT vm.id FROM vm JOIN volume v ON v.vm_id = vm.id "
                                        "WHERE v.pool_id = ? AND vm.state = 'Running'",
                                        "i", pool_id);
    int64_t *ids;
    size_t n;
    int rc = 0;

    if (st == NULL)
        return host_fail_db(e, err);
    if (host_stmt_ids(cs, st, &ids, &n, e) != 0)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = host_vm_stop(cs, ids[i], e);
    free(ids);
    return rc;
}

int host_vm_create(host_cs *cs, const char *name, const char *type, int64_t zone_id, int64_t offering_id,
                   int64_t template_id, int64_t root_offering_id, uint64_t root_size, const char *userdata,
                   int64_t *vm_id, host_err *e)
{
    char err[512], uuid[37], vuuid[37], format[16] = "", vname[300];
    int64_t tsize = 0, qos_offering = offering_id;
    host_offering_row off;

    if (host_uuid(uuid) != 0 || host_uuid(vuuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (template_id != 0 &&
        (host_sql_text(cs->db, format, sizeof(format), err, sizeof(err),
                       "SELECT format FROM template WHERE id = ?", "i", template_id) < 0 ||
         host_sql_int(cs->db, &tsize, err, sizeof(err), "SELECT size FROM template WHERE id = ?", "i",
                      template_id) < 0))
        return host_fail_db(e, err);
    /* An ISO's ROOT disk takes its size, provisioning and QoS from the disk offering. */
    if (root_offering_id != 0)
        qos_offering = root_offering_id;
    if (host_offering_load(cs, qos_offering, &off, e) != 0)
        return -1;
    if (root_offering_id != 0 && root_size == 0)
        root_size = (uint64_t)off.disksize;
    if (strcmp(format, "ISO") != 0 && (uint64_t)tsize > root_size)
        root_size = (uint64_t)tsize;
    if (root_size == 0)
        return host_fail(e, HOST_E_PARAM,
                         "the ROOT disk of VM %s has no size: give a disk offering or rootdisksize", name);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO vm(uuid, name, displayname, type, zone_id, offering_id, template_id, "
                     "iso_id, state, userdata, "
                     "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'Stopped', ?, ?)",
                     "ttttiiiiti", uuid, uuid, name, type, zone_id, offering_id,
                     strcmp(format, "ISO") == 0 ? (int64_t)0 : template_id,
                     strcmp(format, "ISO") == 0 ? template_id : (int64_t)0, userdata, host_now()) < 0)
        return host_fail_db(e, err);
    *vm_id = sqlite3_last_insert_rowid(cs->db);
    /* CloudStack's internal names: i-<account>-<id>-VM for users, r-/s-/v-<id>-VM for system VMs. */
    if (strcmp(type, "User") == 0)
        snprintf(vname, sizeof(vname), "%s", name);
    else
        snprintf(vname, sizeof(vname), "%c-%lld-VM",
                 strcmp(type, "DomainRouter") == 0   ? 'r'
                 : strcmp(type, "ConsoleProxy") == 0 ? 'v'
                                                     : 's',
                 (long long)*vm_id);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET name = ?, displayname = ? WHERE id = ?", "tti",
                     vname, strcmp(type, "User") == 0 ? name : vname, *vm_id) < 0)
        return host_fail(e, HOST_E_PARAM, "A VM named %s already exists", vname);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO volume(uuid, name, type, vm_id, deviceid, size, provisioning, offering_id, "
                     "template_id, "
                     "zone_id, state, iops, bw, created) VALUES (?, ?, 'ROOT', ?, 0, ?, ?, ?, ?, ?, "
                     "'Allocated', ?, ?, ?)",
                     "ttiutiiitti", vuuid, "ROOT", *vm_id, root_size, off.provisioning, qos_offering,
                     template_id, zone_id, off.iops, off.bw, host_now()) < 0)
        return host_fail_db(e, err);
    snprintf(vname, sizeof(vname), "ROOT-%lld", (long long)*vm_id);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET name = ? WHERE id = ?", "ti", vname,
                     sqlite3_last_insert_rowid(cs->db)) < 0)
        return host_fail_db(e, err);
    return 0;
}

int host_system_offering(host_cs *cs, const char *kind, int64_t *out, host_err *e)
{
    char err[256], name[128], uuid[37];

    *out = 0;
    snprintf(name, sizeof(name), "System Offering For %s",
             strcmp(kind, "router") == 0         ? "Software Router"
             : strcmp(kind, "consoleproxy") == 0 ? "Console Proxy"
                                                 : "Secondary Storage VM");
    if (host_sql_int(cs->db, out, err, sizeof(err),
                     "SELECT id FROM offering WHERE systemuse = 1 AND name = ?", "t", name) < 0)
        return host_fail_db(e, err);
    if (*out != 0)
        return 0;
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO offering(uuid, name, displaytext, kind, provisioning, disksize, "
                     "customized, cpunumber, "
                     "cpuspeed, memory, tags, systemuse, created) VALUES (?, ?, ?, 'service', 'thin', 0, 0, "
                     "1, 500, 512, '', 1, ?)",
                     "ttti", uuid, name, name, host_now()) < 0)
        return host_fail_db(e, err);
    *out = sqlite3_last_insert_rowid(cs->db);
    return 0;
}

static int system_template(host_cs *cs, int64_t zone_id, int64_t *out, host_err *e)
{
    char err[256];
    *out = 0;
    if (host_sql_int(cs->db, out, err, sizeof(err),
                     "SELECT id FROM template WHERE type = 'SYSTEM' AND state = 'Ready' AND (zone_id = ? OR "
                     "zone_id IS NULL) "
                     "ORDER BY id DESC LIMIT 1",
                     "i", zone_id) < 0)
        return host_fail_db(e, err);
    return 0;
}

static int ensure_system_vm(host_cs *cs, int64_t zone_id, const char *type, const char *kind, int64_t tmpl,
                            host_err *e)
{
    char err[256];
    int64_t exists = 0, offering = 0, vm_id = 0;

    if (host_sql_int(cs->db, &exists, err, sizeof(err),
                     "SELECT id FROM vm WHERE zone_id = ? AND type = ? AND state != 'Destroyed'", "it",
                     zone_id, type) < 0)
        return host_fail_db(e, err);
    if (exists != 0)
        return 0;
    if (host_system_offering(cs, kind, &offering, e) != 0 ||
        host_vm_create(cs, type, type, zone_id, offering, tmpl, 0, 0, NULL, &vm_id, e) != 0)
        return -1;
    return host_vm_start(cs, vm_id, 0, e);
}

int host_vm_system_deploy(host_cs *cs, int64_t zone_id, host_err *e)
{
    char err[256], state[16] = "";
    int64_t tmpl = 0;

    if (host_sql_text(cs->db, state, sizeof(state), err, sizeof(err),
                      "SELECT allocationstate FROM zone WHERE id = ?", "i", zone_id) < 0)
        return host_fail_db(e, err);
    if (strcmp(state, "Enabled") != 0 || system_template(cs, zone_id, &tmpl, e) != 0 || tmpl == 0)
        return e->code != 0 ? -1 : 0;
    if (ensure_system_vm(cs, zone_id, "SecondaryStorageVm", "secondarystoragevm", tmpl, e) != 0 ||
        ensure_system_vm(cs, zone_id, "ConsoleProxy", "consoleproxy", tmpl, e) != 0)
        return -1;
    return 0;
}

int host_router_ensure(host_cs *cs, int64_t zone_id, host_err *e)
{
    int64_t tmpl = 0;

    if (system_template(cs, zone_id, &tmpl, e) != 0)
        return -1;
    if (tmpl == 0)
        return 0;
    return ensure_system_vm(cs, zone_id, "DomainRouter", "router", tmpl, e);
}
