/* api_vm.c - user VMs: deployVirtualMachine (template or ISO), start, stop, reboot, restore
 * (reinstall), destroy, recover, expunge, list, and live migration between hosts. */
#include "config.h"

#include "api.h"
#include "clients.h"
#include "objects.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"
#include "vmops.h"
#include "volops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int host_json_vm(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT uuid, name, displayname, type, zone_id, coalesce(host_id, 0), offering_id, "
                         "coalesce(template_id, 0), coalesce(iso_id, 0), state, coalesce(configdrive, ''), "
                         "coalesce(configdrive_location, ''), created FROM vm WHERE id = ?",
                         "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "VM %lld vanished", (long long)id);
    }
    host_timestamp(sqlite3_column_int64(st, 12), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "displayname", host_col_text(st, 2));
    if (strcmp(host_col_text(st, 3), "User") != 0)
        host_jsonw_string(w, "systemvmtype", host_col_text(st, 3));
    host_jsonw_string(w, "state", host_col_text(st, 9));
    host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 4));
    host_json_ref(cs, w, "host", "host", sqlite3_column_int64(st, 5));
    host_json_ref(cs, w, "serviceoffering", "offering", sqlite3_column_int64(st, 6));
    host_json_ref(cs, w, "template", "template", sqlite3_column_int64(st, 7));
    host_json_ref(cs, w, "iso", "template", sqlite3_column_int64(st, 8));
    host_jsonw_string(w, "hypervisor", "KVM");
    if (*host_col_text(st, 10)) {
        host_jsonw_string(w, "configdrive", host_col_text(st, 10));
        host_jsonw_string(w, "configdrivelocation", host_col_text(st, 11));
    }
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

static int vm_param(host_cs *cs, host_cmd *cmd, int64_t *id, char *state, size_t slen, host_err *e)
{
    char err[256];
    if (host_param_ref(cs, cmd, "id", "vm", 0, id, e) != 0)
        return -1;
    if (*id == 0 && host_param_ref(cs, cmd, "virtualmachineid", "vm", 1, id, e) != 0)
        return -1;
    if (host_sql_text(cs->db, state, slen, err, sizeof(err), "SELECT state FROM vm WHERE id = ?", "i", *id) <=
        0)
        return host_fail_db(e, err);
    return 0;
}

static int deploy(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e), *userdata = host_param(cmd, "userdata", 0, e);
    const char *displayname = host_param(cmd, "displayname", 0, e);
    char err[512], format[16] = "", uuid[37], dname[128];
    int64_t zone, offering, tmpl, disk_off, host, root_size = 0, size = 0, vm_id, tzone = 0;
    int start = 1;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "serviceofferingid", "offering", 1, &offering, e) != 0 ||
        host_param_ref(cs, cmd, "templateid", "template", 1, &tmpl, e) != 0 ||
        host_param_ref(cs, cmd, "diskofferingid", "offering", 0, &disk_off, e) != 0 ||
        host_param_ref(cs, cmd, "hostid", "host", 0, &host, e) != 0 ||
        host_param_gb(cmd, "rootdisksize", &root_size, e) != 0 || host_param_gb(cmd, "size", &size, e) != 0 ||
        host_param_bool(cmd, "startvm", 1, &start, e) != 0)
        return -1;
    if (host_sql_text(cs->db, format, sizeof(format), err, sizeof(err),
                      "SELECT format FROM template WHERE id = ?", "i", tmpl) < 0 ||
        host_sql_int(cs->db, &tzone, err, sizeof(err),
                     "SELECT coalesce(zone_id, 0) FROM template WHERE id = ?", "i", tmpl) < 0)
        return host_fail_db(e, err);
    if (tzone != 0 && tzone != zone)
        return host_fail(e, HOST_E_PARAM, "template %s is not available in zone %s",
                         host_param(cmd, "templateid", 1, e), host_param(cmd, "zoneid", 1, e));
    if (strcmp(format, "ISO") == 0 && disk_off == 0 && root_size == 0)
        return host_fail(e, HOST_E_PARAM, "a VM deployed from an ISO needs diskofferingid (its ROOT disk)");
    if (name == NULL) {
        if (host_uuid(uuid) != 0)
            return host_fail(e, HOST_E_INTERNAL, "no randomness");
        snprintf(dname, sizeof(dname), "VM-%s", uuid);
        name = dname;
    }
    /* The guest network's router comes first, as CloudStack implements the network first. */
    if (host_router_ensure(cs, zone, e) != 0)
        return -1;
    if (host_vm_create(cs, name, "User", zone, offering, tmpl, strcmp(format, "ISO") == 0 ? disk_off : 0,
                       (uint64_t)root_size, userdata, &vm_id, e) != 0)
        return -1;
    /* displayname= is kept as given (CloudStack shows it; name is the VM's host name). */
    if (displayname != NULL &&
        host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET displayname = ? WHERE id = ?", "ti",
                     displayname, vm_id) < 0)
        return host_fail_db(e, err);
    if (disk_off != 0 && strcmp(format, "ISO") != 0) {
        char vname[64];
        int64_t data;
        snprintf(vname, sizeof(vname), "DATA-%lld", (long long)vm_id);
        if (host_volume_new_data(cs, vname, zone, disk_off, size, vm_id, 1, &data, e) != 0)
            return -1;
    }
    if (start && host_vm_start(cs, vm_id, host, e) != 0)
        return -1;
    host_event(cs, "VM.CREATE", "VM %s deployed", name);
    return host_json_vm(cs, w, "virtualmachine", vm_id, e);
}

static int start_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16];
    int64_t id, host;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0 ||
        host_param_ref(cs, cmd, "hostid", "host", 0, &host, e) != 0 || host_vm_start(cs, id, host, e) != 0)
        return -1;
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

static int stop_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16];
    int64_t id;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0 || host_vm_stop(cs, id, e) != 0)
        return -1;
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

/* A reboot keeps the storage as it is; the agent checks every disk is still there. */
static int reboot_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16], err[256];
    int64_t id, host = 0, *vols;
    size_t n;
    sqlite3_stmt *st;
    int rc = 0;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0)
        return -1;
    if (strcmp(state, "Running") != 0)
        return host_fail(e, HOST_E_PARAM, "VM %s is not running", host_param(cmd, "id", 0, e));
    host_sql_int(cs->db, &host, err, sizeof(err), "SELECT host_id FROM vm WHERE id = ?", "i", id);
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT id FROM volume WHERE vm_id = ?", "i", id);
    if (st == NULL || host_stmt_ids(cs, st, &vols, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        host_vol v;
        host_href href;
        sp_pool *pool;
        sp_disk_info disk = SP_INIT(sp_disk_info);
        sp_error se;
        sp_status s;
        if (host_vol_load(cs, vols[i], &v, e) != 0 || host_href_load(cs, host, &href, e) != 0 ||
            host_pool_open(cs, v.pool_id, &pool, e) != 0) {
            rc = -1;
            break;
        }
        memset(&se, 0, sizeof(se));
        s = cs->sp->adaptor->get_physical_disk(pool, &(sp_volume_ref){v.path}, &href.ref, &disk, &se);
        if (s != SP_OK)
            rc = host_fail_sp(e, s, &se, "VM reboot: disk %s is missing on host %s", v.name, href.name);
    }
    free(vols);
    if (rc != 0)
        return -1;
    host_event(cs, "VM.REBOOT", "VM rebooted");
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

/* restoreVirtualMachine: a new ROOT volume from the (given or current) template replaces the
 * old one, which is deleted; the VM keeps its state. */
static int restore_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16], err[512], uuid[37];
    int64_t id, tmpl, old_root = 0, host = 0, cluster = 0, new_root;
    host_vol old;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0 ||
        host_param_ref(cs, cmd, "templateid", "template", 0, &tmpl, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &old_root, err, sizeof(err),
                     "SELECT id FROM volume WHERE vm_id = ? AND type = 'ROOT'", "i", id) < 0 ||
        (tmpl == 0 && host_sql_int(cs->db, &tmpl, err, sizeof(err),
                                   "SELECT coalesce(template_id, 0) FROM vm WHERE id = ?", "i", id) < 0))
        return host_fail_db(e, err);
    if (tmpl == 0)
        return host_fail(e, HOST_E_PARAM, "VM %s was deployed from an ISO: give templateid",
                         host_param(cmd, "id", 0, e));
    if (host_vol_load(cs, old_root, &old, e) != 0)
        return -1;
    if (strcmp(state, "Running") == 0)
        host_sql_int(cs->db, &host, err, sizeof(err), "SELECT host_id FROM vm WHERE id = ?", "i", id);
    else
        host_sql_int(cs->db, &host, err, sizeof(err), "SELECT coalesce(last_host_id, 0) FROM vm WHERE id = ?",
                     "i", id);
    if (host == 0 && host_pick_host_for_pool(cs, old.pool_id, 0, &host, e) != 0)
        return -1;
    host_sql_int(cs->db, &cluster, err, sizeof(err), "SELECT cluster_id FROM host WHERE id = ?", "i", host);
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO volume(uuid, name, type, vm_id, deviceid, size, provisioning, offering_id, "
                     "template_id, "
                     "zone_id, state, iops, bw, created) SELECT ?, name, 'ROOT', vm_id, 0, size, "
                     "provisioning, offering_id, ?, "
                     "zone_id, 'Allocated', iops, bw, ? FROM volume WHERE id = ?",
                     "tiii", uuid, tmpl, host_now(), old_root) < 0)
        return host_fail_db(e, err);
    new_root = sqlite3_last_insert_rowid(cs->db);
    if (host_vol_realize(cs, new_root, cluster, host, e) != 0)
        return -1;
    if (strcmp(state, "Running") == 0) {
        if (host_access_revoke(cs, old_root, host, e) != 0 ||
            host_access_grant(cs, new_root, host, 0, e) != 0)
            return -1;
    }
    /* The old ROOT goes from the array once the new one is committed in its place. */
    if (host_vol_delete_after_commit(cs, &old, e) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE id = ?", "i", old_root) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET template_id = ? WHERE id = ?", "ii", tmpl, id) <
            0)
        return host_fail_db(e, err);
    host_event(cs, "VM.RESTORE", "VM reinstalled");
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

/* Deletes the VM's VM snapshots, as CloudStack's expunge does (deleteAllVMSnapshots) before the
 * volumes go: the groups on the array first, newest first. */
static int delete_vm_snapshots(host_cs *cs, int64_t id, host_err *e)
{
    char err[256];
    int64_t *snaps;
    size_t n;
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err), "SELECT id FROM vm_snapshot WHERE vm_id = ? ORDER BY id DESC", "i", id);
    int rc = 0;

    if (st == NULL || host_stmt_ids(cs, st, &snaps, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = host_vmsnapshot_delete(cs, snaps[i], e);
    free(snaps);
    return rc;
}

/* Expunge: the VM snapshots and the ROOT volume go, DATA volumes are detached and stay. */
static int expunge(host_cs *cs, int64_t id, host_err *e)
{
    char err[256];
    int64_t *vols;
    size_t n;
    sqlite3_stmt *st;
    int rc = 0;

    if (delete_vm_snapshots(cs, id, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT id FROM volume WHERE vm_id = ? AND type = 'ROOT'",
                          "i", id);
    if (st == NULL || host_stmt_ids(cs, st, &vols, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        host_vol v;
        rc = host_vol_load(cs, vols[i], &v, e);
        /* Deleted on the array once the expunge is committed: a kill before leaves the VM whole. */
        if (rc == 0)
            rc = host_vol_delete_after_commit(cs, &v, e);
        if (rc == 0 &&
            host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE id = ?", "i", vols[i]) < 0)
            rc = host_fail_db(e, err);
    }
    free(vols);
    if (rc != 0)
        return -1;
    host_configdrive_remove(cs, id, 0);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume SET vm_id = NULL, deviceid = NULL WHERE vm_id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM vm WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "VM.EXPUNGE", "VM expunged");
    return 0;
}

static int destroy_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16], err[256];
    int64_t id;
    int now = 0;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0 ||
        host_param_bool(cmd, "expunge", 0, &now, e) != 0)
        return -1;
    if (strcmp(state, "Running") == 0 && host_vm_stop(cs, id, e) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET state = 'Destroyed' WHERE id = ?", "i", id) <
            0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume SET state = 'Destroy' WHERE vm_id = ? AND type = 'ROOT'", "i", id) < 0)
        return host_fail_db(e, err);
    if (!now)
        return host_json_vm(cs, w, "virtualmachine", id, e);
    host_jsonw_object_begin(w, "virtualmachine");
    host_jsonw_string(w, "id",
                      host_param(cmd, "id", 0, e) ? host_param(cmd, "id", 0, e)
                                                  : host_param(cmd, "virtualmachineid", 0, e));
    host_jsonw_string(w, "state", "Expunging");
    host_jsonw_object_end(w);
    return expunge(cs, id, e);
}

static int recover_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16], err[256];
    int64_t id;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0)
        return -1;
    if (strcmp(state, "Destroyed") != 0)
        return host_fail(e, HOST_E_PARAM, "only a Destroyed VM can be recovered (it is %s)", state);
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET state = 'Stopped' WHERE id = ?", "i", id) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume SET state = 'Ready' WHERE vm_id = ? AND state = 'Destroy'", "i", id) < 0)
        return host_fail_db(e, err);
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

static int expunge_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char state[16];
    int64_t id;

    if (vm_param(cs, cmd, &id, state, sizeof(state), e) != 0)
        return -1;
    if (strcmp(state, "Destroyed") != 0)
        return host_fail(e, HOST_E_PARAM, "only a Destroyed VM can be expunged (it is %s)", state);
    if (expunge(cs, id, e) != 0)
        return -1;
    host_jsonw_bool(w, "success", 1);
    return 0;
}

static int list_vms(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, host;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "hostid", "host", 0, &host, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM vm WHERE type = 'User' AND (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) "
        "AND (?3 = 0 OR host_id = ?3) AND (?4 IS NULL OR name = ?4 OR displayname = ?4) "
        "AND (?5 IS NULL OR state = ?5) ORDER BY id",
        "tiitt", host_param(cmd, "id", 0, e), zone, host, host_param(cmd, "name", 0, e),
        host_param(cmd, "state", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "virtualmachine", st, host_json_vm, e);
}

/* Live migration: the volumes are granted to the destination too (allow_multiple) and
 * connected there, the VM moves, then the source host's access is revoked. */
int host_vm_migrate_live(host_cs *cs, int64_t vm_id, int64_t dest, host_err *e);
int host_vm_migrate_live(host_cs *cs, int64_t vm_id, int64_t dest, host_err *e)
{
    char err[256], state[16] = "", dstate[16] = "", loc[32] = "";
    int64_t src = 0, zone = 0, dzone = 0, *vols;
    size_t n;
    sqlite3_stmt *st;
    int reach, rc = -1;

    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM vm WHERE id = ?", "i",
                  vm_id);
    host_sql_int(cs->db, &src, err, sizeof(err), "SELECT coalesce(host_id, 0) FROM vm WHERE id = ?", "i",
                 vm_id);
    host_sql_int(cs->db, &zone, err, sizeof(err), "SELECT zone_id FROM vm WHERE id = ?", "i", vm_id);
    host_sql_int(cs->db, &dzone, err, sizeof(err), "SELECT zone_id FROM host WHERE id = ?", "i", dest);
    host_sql_text(cs->db, dstate, sizeof(dstate), err, sizeof(err), "SELECT state FROM host WHERE id = ?",
                  "i", dest);
    if (strcmp(state, "Running") != 0)
        return host_fail(e, HOST_E_PARAM, "only a running VM migrates live (this one is %s)", state);
    if (src == dest)
        return host_fail(e, HOST_E_PARAM, "the VM already runs on that host");
    if (dzone != zone || strcmp(dstate, "Up") != 0)
        return host_fail(e, HOST_E_PARAM, "the destination host is not Up in the VM's zone");
    st = host_sql_prepare(cs->db, err, sizeof(err), "SELECT id FROM volume WHERE vm_id = ? ORDER BY deviceid",
                          "i", vm_id);
    if (st == NULL || host_stmt_ids(cs, st, &vols, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    for (size_t i = 0; i < n; i++) {
        host_vol v;
        char why[512];
        if (host_vol_load(cs, vols[i], &v, e) != 0 ||
            host_pool_client_check(cs, v.pool_id, dest, &reach, why, sizeof(why), e) != 0)
            goto out;
        if (!reach) {
            host_fail(e, HOST_E_PARAM,
                      "volume %s is on a storage pool the destination host cannot reach (%.600s)", v.name,
                      why[0] ? why : "no SDC connected");
            goto out;
        }
        {
            char refusal[1024];
            int can = 1;
            if (host_client_can_access(cs, v.pool_id, dest, &can, refusal, sizeof(refusal), e) != 0)
                goto out;
            if (!can) {
                host_fail(e, HOST_E_CAPACITY, "the destination host cannot take volume %s: %s", v.name,
                          refusal);
                goto out;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (host_access_grant(cs, vols[i], dest, 1, e) != 0)
            goto out;
    host_sql_text(cs->db, loc, sizeof(loc), err, sizeof(err),
                  "SELECT coalesce(configdrive_location, '') FROM vm WHERE id = ?", "i", vm_id);
    if (strcmp(loc, "hostcache") == 0 && host_configdrive_build(cs, vm_id, dest, e) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (host_access_revoke(cs, vols[i], src, e) != 0)
            goto out;
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE vm SET host_id = ?, last_host_id = ? WHERE id = ?",
                     "iii", dest, dest, vm_id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    host_event(cs, "VM.MIGRATE", "VM migrated between hosts");
    rc = 0;
out:
    free(vols);
    return rc;
}

static int migrate_vm(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    int64_t id, host;

    if (host_param_ref(cs, cmd, "virtualmachineid", "vm", 1, &id, e) != 0 ||
        host_param_ref(cs, cmd, "hostid", "host", 0, &host, e) != 0)
        return -1;
    if (host == 0)
        return host_fail(e, HOST_E_PARAM, "give hostid (a stopped VM's volumes move with migrateVolume)");
    if (host_vm_migrate_live(cs, id, host, e) != 0)
        return -1;
    return host_json_vm(cs, w, "virtualmachine", id, e);
}

const host_api host_api_vm[] = {
    {"deployVirtualMachine", deploy, 0},
    {"startVirtualMachine", start_vm, 0},
    {"stopVirtualMachine", stop_vm, 0},
    {"rebootVirtualMachine", reboot_vm, 0},
    {"restoreVirtualMachine", restore_vm, 0},
    {"destroyVirtualMachine", destroy_vm, 0},
    {"recoverVirtualMachine", recover_vm, 0},
    {"expungeVirtualMachine", expunge_vm, 0},
    {"listVirtualMachines", list_vms, 0},
    {"migrateVirtualMachine", migrate_vm, 0},
    {NULL, NULL, 0},
};
