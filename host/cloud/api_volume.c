/* api_volume.c - volumes: createVolume (placed lazily, at attach, as CloudStack does), attach,
 * detach (DATA, and ROOT of a stopped VM), resize (grow only, capacity checked), delete, list. */
#include "config.h"

#include "alloc.h"
#include "api.h"
#include "crypt.h"
#include "objects.h"
#include "poolh.h"
#include "pools.h"
#include "store.h"
#include "undo.h"
#include "volops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int host_json_volume(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32], vmstate[16] = "";
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT uuid, name, type, coalesce(vm_id, 0), deviceid, coalesce(pool_id, 0), path, "
        "size, provisioning, coalesce(offering_id, 0), coalesce(template_id, 0), zone_id, state, "
        "created FROM volume WHERE id = ?",
        "i", id);
    int64_t vm, pool, off;

    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "volume %lld vanished", (long long)id);
    }
    vm = sqlite3_column_int64(st, 3);
    pool = sqlite3_column_int64(st, 5);
    off = sqlite3_column_int64(st, 9);
    host_timestamp(sqlite3_column_int64(st, 13), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "type", host_col_text(st, 2));
    host_jsonw_uint(w, "size", (uint64_t)sqlite3_column_int64(st, 7));
    host_jsonw_string(w, "state", host_col_text(st, 12));
    host_json_ref(cs, w, "zone", "zone", sqlite3_column_int64(st, 11));
    if (pool != 0) {
        char name[256] = "", uuid[40] = "";
        host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM pool WHERE id = ?", "i",
                      pool);
        host_sql_text(cs->db, name, sizeof(name), err, sizeof(err), "SELECT name FROM pool WHERE id = ?", "i",
                      pool);
        host_jsonw_string(w, "storageid", uuid);
        host_jsonw_string(w, "storage", name);
        host_jsonw_string(w, "storagetype", "shared");
        host_jsonw_string(w, "path", host_col_text(st, 6));
        /* The KVM host's view of the volume (Pool.get_volume_stats), as CloudStack's volume stats. */
        if (cs->sp != NULL) {
            sp_pool *ph;
            host_err ignored;
            sp_volume_stats vs = {SP_SIZED(sp_volume_stats)};
            sp_error se;
            memset(&se, 0, sizeof(se));
            if (host_pool_open(cs, pool, &ph, &ignored) == 0 &&
                cs->sp->pool->get_volume_stats(ph, &(sp_volume_ref){host_col_text(st, 6)}, &vs, &se) ==
                    SP_OK) {
                host_jsonw_uint(w, "virtualsize", vs.virtual_bytes);
                host_jsonw_uint(w, "physicalsize", vs.used_bytes);
            }
        }
    }
    if (vm != 0) {
        char vuuid[40] = "", vname[256] = "", vdisplay[256] = "", vtype[32] = "";
        /* CloudStack's VolumeResponse: virtualmachineid, vmname, vmdisplayname, vmtype, vmstate. */
        host_sql_text(cs->db, vuuid, sizeof(vuuid), err, sizeof(err), "SELECT uuid FROM vm WHERE id = ?", "i",
                      vm);
        host_sql_text(cs->db, vname, sizeof(vname), err, sizeof(err), "SELECT name FROM vm WHERE id = ?", "i",
                      vm);
        host_sql_text(cs->db, vdisplay, sizeof(vdisplay), err, sizeof(err),
                      "SELECT displayname FROM vm WHERE id = ?", "i", vm);
        host_sql_text(cs->db, vtype, sizeof(vtype), err, sizeof(err), "SELECT type FROM vm WHERE id = ?", "i",
                      vm);
        host_sql_text(cs->db, vmstate, sizeof(vmstate), err, sizeof(err), "SELECT state FROM vm WHERE id = ?",
                      "i", vm);
        host_jsonw_string(w, "virtualmachineid", vuuid);
        host_jsonw_string(w, "vmname", vname);
        host_jsonw_string(w, "vmdisplayname", vdisplay);
        host_jsonw_string(w, "vmtype", vtype);
        host_jsonw_string(w, "vmstate", vmstate);
        host_jsonw_int(w, "deviceid", sqlite3_column_int64(st, 4));
    }
    host_jsonw_string(w, "provisioningtype", host_col_text(st, 8));
    if (off != 0) {
        char kind[16] = "";
        host_sql_text(cs->db, kind, sizeof(kind), err, sizeof(err), "SELECT kind FROM offering WHERE id = ?",
                      "i", off);
        host_json_ref(cs, w, strcmp(kind, "disk") == 0 ? "diskoffering" : "serviceoffering", "offering", off);
    }
    host_json_ref(cs, w, "template", "template", sqlite3_column_int64(st, 10));
    {
        /* An encrypted volume: its encrypted disk's format and what the guest sees of it. */
        char fmt[16] = "";
        int64_t usable = 0;
        if (host_sql_text(cs->db, fmt, sizeof(fmt), err, sizeof(err),
                          "SELECT format FROM volume_encryption WHERE volume_id = ?", "i", id) > 0) {
            host_sql_int(cs->db, &usable, err, sizeof(err),
                         "SELECT usable FROM volume_encryption WHERE volume_id = ?", "i", id);
            host_jsonw_bool(w, "encrypted", 1);
            host_jsonw_string(w, "encryptformat", fmt);
            host_jsonw_uint(w, "encryptedusablesize", (uint64_t)usable);
        }
    }
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

static int vol_param(host_cs *cs, host_cmd *cmd, int64_t *id, host_vol *v, host_err *e)
{
    if (host_param_ref(cs, cmd, "id", "volume", 0, id, e) != 0)
        return -1;
    if (*id == 0 && host_param_ref(cs, cmd, "volumeid", "volume", 1, id, e) != 0)
        return -1;
    return host_vol_load(cs, *id, v, e);
}

/* The cluster a VM's new volume goes to: its host's, else its last host's, else its ROOT's pool's. */
static int vm_cluster(host_cs *cs, int64_t vm, int64_t *cluster, int64_t *host, host_err *e)
{
    char err[256];
    *cluster = *host = 0;
    if (host_sql_int(cs->db, host, err, sizeof(err),
                     "SELECT coalesce(host_id, last_host_id, 0) FROM vm WHERE id = ?", "i", vm) < 0)
        return host_fail_db(e, err);
    if (*host != 0 && host_sql_int(cs->db, cluster, err, sizeof(err),
                                   "SELECT cluster_id FROM host WHERE id = ?", "i", *host) < 0)
        return host_fail_db(e, err);
    if (*cluster == 0 &&
        host_sql_int(cs->db, cluster, err, sizeof(err),
                     "SELECT coalesce(p.cluster_id, 0) FROM volume v JOIN pool p ON p.id = v.pool_id "
                     "WHERE v.vm_id = ? AND v.type = 'ROOT'",
                     "i", vm) < 0)
        return host_fail_db(e, err);
    return 0;
}

static int attach(host_cs *cs, int64_t vol_id, int64_t vm, int64_t deviceid, host_err *e)
{
    char err[256], state[16] = "", vstate[16] = "";
    int64_t zone = 0, cluster, host, running_host = 0, has_root = 0, dev = deviceid;
    host_vol v;

    if (host_vol_load(cs, vol_id, &v, e) != 0)
        return -1;
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM vm WHERE id = ?", "i",
                  vm);
    host_sql_int(cs->db, &zone, err, sizeof(err), "SELECT zone_id FROM vm WHERE id = ?", "i", vm);
    snprintf(vstate, sizeof(vstate), "%s", v.state);
    if (v.vm_id != 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is already attached to a VM", v.uuid);
    if (strcmp(vstate, "Ready") != 0 && strcmp(vstate, "Allocated") != 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is %s", v.uuid, vstate);
    if (zone != v.zone_id)
        return host_fail(e, HOST_E_PARAM, "volume %s and the VM are in different zones", v.uuid);
    if (strcmp(state, "Running") != 0 && strcmp(state, "Stopped") != 0)
        return host_fail(e, HOST_E_PARAM, "the VM is %s", state);
    if (strcmp(v.type, "ROOT") == 0) {
        host_sql_int(cs->db, &has_root, err, sizeof(err),
                     "SELECT count(*) FROM volume WHERE vm_id = ? AND type = 'ROOT'", "i", vm);
        if (has_root || strcmp(state, "Stopped") != 0)
            return host_fail(e, HOST_E_PARAM, "a ROOT volume attaches only to a stopped VM without one");
        dev = 0;
    } else if (dev <= 0 && host_sql_int(cs->db, &dev, err, sizeof(err),
                                        "SELECT coalesce(max(deviceid), 0) + 1 FROM volume WHERE vm_id = ?",
                                        "i", vm) < 0) {
        return host_fail_db(e, err);
    }
    if (vm_cluster(cs, vm, &cluster, &host, e) != 0)
        return -1;
    if (strcmp(state, "Running") == 0)
        host_sql_int(cs->db, &running_host, err, sizeof(err), "SELECT host_id FROM vm WHERE id = ?", "i", vm);
    if (v.pool_id == 0) {
        if (host == 0)
            return host_fail(e, HOST_E_PARAM,
                             "the VM has never run: start it once before attaching a new volume");
        if (host_vol_realize(cs, vol_id, cluster, host, e) != 0)
            return -1;
    }
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET vm_id = ?, deviceid = ? WHERE id = ?",
                     "iii", vm, dev, vol_id) < 0)
        return host_fail_db(e, err);
    if (running_host != 0 && host_access_grant(cs, vol_id, running_host, 0, e) != 0)
        return -1;
    host_event(cs, "VOLUME.ATTACH", "volume %s attached", v.uuid);
    return 0;
}

static int create_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e);
    int64_t zone, off, vm, size = 0, id;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 1, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "diskofferingid", "offering", 1, &off, e) != 0 ||
        host_param_ref(cs, cmd, "virtualmachineid", "vm", 0, &vm, e) != 0 ||
        host_param_gb(cmd, "size", &size, e) != 0)
        return -1;
    if (host_cmd_get(cmd, "snapshotid") != NULL)
        return host_fail(e, HOST_E_UNSUPPORTED,
                         "createVolume from a snapshot is not part of this harness; revert the snapshot "
                         "or create a template from it");
    if (host_volume_new_data(cs, name, zone, off, size, 0, 0, &id, e) != 0)
        return -1;
    if (vm != 0 && attach(cs, id, vm, 0, e) != 0)
        return -1;
    host_event(cs, "VOLUME.CREATE", "volume %s allocated", name != NULL ? name : "(unnamed)");
    return host_json_volume(cs, w, "volume", id, e);
}

static int attach_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    int64_t id, vm, dev = 0;
    host_vol v;

    if (vol_param(cs, cmd, &id, &v, e) != 0 ||
        host_param_ref(cs, cmd, "virtualmachineid", "vm", 1, &vm, e) != 0 ||
        host_param_num(cmd, "deviceid", 0, 0, INT32_MAX, &dev, e) != 0 || attach(cs, id, vm, dev, e) != 0)
        return -1;
    return host_json_volume(cs, w, "volume", id, e);
}

static int detach_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], state[16] = "";
    int64_t id, host = 0;
    host_vol v;

    if (vol_param(cs, cmd, &id, &v, e) != 0)
        return -1;
    if (v.vm_id == 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is not attached", v.uuid);
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err), "SELECT state FROM vm WHERE id = ?", "i",
                  v.vm_id);
    if (strcmp(v.type, "ROOT") == 0 && strcmp(state, "Stopped") != 0)
        return host_fail(e, HOST_E_PARAM, "a ROOT volume detaches only from a stopped VM");
    if (strcmp(state, "Running") == 0) {
        host_sql_int(cs->db, &host, err, sizeof(err), "SELECT host_id FROM vm WHERE id = ?", "i", v.vm_id);
        if (host_access_revoke(cs, id, host, e) != 0)
            return -1;
    }
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET vm_id = NULL, deviceid = NULL WHERE id = ?",
                     "i", id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "VOLUME.DETACH", "volume %s detached", v.uuid);
    return host_json_volume(cs, w, "volume", id, e);
}

/* After the array grew an encrypted volume: its encrypted disk grows through a host reaching the
 * pool. */
static int grow_encrypted(host_cs *cs, sp_pool *pool, const host_vol *v, host_err *e)
{
    int64_t host_id = 0;
    host_href href;
    host_crypt c;
    sp_disk_info d;
    sp_error se;
    sp_status s;
    int rc = -1;

    if (!SP_HAS(cs->sp->adaptor, grow_encrypted))
        return host_fail(e, HOST_E_UNSUPPORTED, "the storage plugin cannot grow encrypted volumes");
    if (host_pick_host_for_pool(cs, v->pool_id, 0, &host_id, e) != 0 ||
        host_href_load(cs, host_id, &href, e) != 0)
        return -1;
    if (host_crypt_open(cs, v->id, &c, e) != 1)
        return -1;
    c.enc.usable_bytes = 0; /* the new size's */
    /* The Adaptor maps the volume to the host for the call: a kill meanwhile leaves that mapping,
     * which the next start takes away (the rows map it only to the host running its VM). */
    if (host_undo_announce(cs, HOST_INTENT_MAP, v->pool_id, "volume", 0, v->id, 0, v->path, host_id, NULL,
                           e) != 0) {
        host_crypt_close(&c);
        return -1;
    }
    memset(&se, 0, sizeof(se));
    d = (sp_disk_info)SP_INIT(sp_disk_info);
    s = cs->sp->adaptor->grow_encrypted(pool, &(sp_volume_ref){v->path}, &href.ref, &c.enc, &d, &se);
    if (s != SP_OK)
        host_fail_sp(e, s, &se, "Failed to grow the encrypted disk of volume %s", v->uuid);
    else
        rc = host_crypt_record(cs, v->id, &d, e);
    host_crypt_close(&c);
    return rc;
}

static int resize_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], why[1024];
    int64_t id, size = 0, off = 0, new_size = 0;
    host_vol v;
    host_alloc_req req;
    host_alloc_limits lim;
    sp_pool *pool;
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;
    host_crypt c;
    int ok, encrypted;

    if (vol_param(cs, cmd, &id, &v, e) != 0 || host_param_gb(cmd, "size", &size, e) != 0 ||
        host_param_ref(cs, cmd, "diskofferingid", "offering", 0, &off, e) != 0)
        return -1;
    if (off != 0 && host_sql_int(cs->db, &new_size, err, sizeof(err),
                                 "SELECT disksize FROM offering WHERE id = ?", "i", off) < 0)
        return host_fail_db(e, err);
    if (size > 0)
        new_size = size;
    if (new_size <= 0)
        return host_fail(e, HOST_E_PARAM, "give size (GB) or diskofferingid");
    if ((uint64_t)new_size <= v.size)
        return host_fail(e, HOST_E_PARAM,
                         "volume %s is %llu bytes: a resize only grows it (shrinking is not supported)",
                         v.uuid, (unsigned long long)v.size);
    if (v.pool_id == 0) {
        if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET size = ? WHERE id = ?", "ii", new_size,
                         id) < 0)
            return host_fail_db(e, err);
        return host_json_volume(cs, w, "volume", id, e);
    }
    /* The growth must fit the pool like a new volume would. */
    memset(&req, 0, sizeof(req));
    req.zone_id = v.zone_id;
    req.any_cluster = 1;
    req.size = (uint64_t)new_size - v.size;
    if (host_alloc_limits_load(cs, v.zone_id, &lim, e) != 0 ||
        host_alloc_check(cs, v.pool_id, &req, &lim, &ok, why, sizeof(why), e) != 0)
        return -1;
    if (!ok)
        return host_fail(e, HOST_E_CAPACITY, "volume %s cannot grow on its storage pool: %s", v.uuid, why);
    /* A resize in flight is recorded at the size the array has at the next start. */
    if (host_pool_open(cs, v.pool_id, &pool, e) != 0 ||
        host_undo_announce(cs, HOST_INTENT_RESIZE, v.pool_id, "volume", 0, id, 0, v.path, 0, NULL, e) != 0)
        return -1;
    if ((encrypted = host_crypt_open(cs, id, &c, e)) < 0)
        return -1;
    host_crypt_close(&c);
    if (encrypted) {
        /* The encrypted disk grows on a host after the array grew the volume: not under a running
         * guest (CloudStack resizes such QCOW2 disks for stopped VMs). */
        int64_t running = 0;
        if (host_sql_int(cs->db, &running, err, sizeof(err),
                         "SELECT count(*) FROM vm WHERE id = ? AND state = 'Running'", "i", v.vm_id) < 0)
            return host_fail_db(e, err);
        if (running > 0)
            return host_fail(e, HOST_E_PARAM, "volume %s is encrypted: stop its VM or detach it to resize it",
                             v.uuid);
    }
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->resize_volume(pool, &(sp_volume_ref){v.path}, (uint64_t)new_size, &info, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to resize volume %s", v.uuid);
    if (encrypted && grow_encrypted(cs, pool, &v, e) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE volume SET size = ?, path = ? WHERE id = ?", "uti",
                     info.size_bytes, info.path[0] ? info.path : v.path, id) < 0)
        return host_fail_db(e, err);
    {
        host_err ignored;
        host_pool_refresh(cs, v.pool_id, &ignored);
    }
    host_event(cs, "VOLUME.RESIZE", "volume %s resized to %llu bytes", v.uuid,
               (unsigned long long)info.size_bytes);
    return host_json_volume(cs, w, "volume", id, e);
}

static int delete_volume(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t id;
    host_vol v;

    if (vol_param(cs, cmd, &id, &v, e) != 0)
        return -1;
    if (v.vm_id != 0)
        return host_fail(e, HOST_E_IN_USE, "Please specify a volume that is not attached to any VM.");
    if (strcmp(v.state, "Migrating") == 0)
        return host_fail(e, HOST_E_IN_USE, "volume %s is migrating", v.uuid);
    if (host_access_revoke_all(cs, id, e) != 0 || host_vol_delete_on_array(cs, &v, e) != 0)
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    if (v.pool_id != 0) {
        host_err ignored;
        host_pool_refresh(cs, v.pool_id, &ignored);
    }
    host_event(cs, "VOLUME.DELETE", "volume %s deleted", v.uuid);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

static int list_volumes(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone, vm, pool;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0 ||
        host_param_ref(cs, cmd, "virtualmachineid", "vm", 0, &vm, e) != 0 ||
        host_param_ref(cs, cmd, "storageid", "pool", 0, &pool, e) != 0)
        return -1;
    /* type= matches as CloudStack's LIKE '%type%' does: DATADISK, DATA or root. */
    st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT id FROM volume WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) "
                         "AND (?3 = 0 OR vm_id = ?3) AND (?4 = 0 OR pool_id = ?4) AND (?5 IS NULL OR type "
                         "LIKE '%' || ?5 || '%') "
                         "AND (?6 IS NULL OR name = ?6) ORDER BY id",
                         "tiiitt", host_param(cmd, "id", 0, e), zone, vm, pool, host_param(cmd, "type", 0, e),
                         host_param(cmd, "name", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "volume", st, host_json_volume, e);
}

const host_api host_api_volume[] = {
    {"createVolume", create_volume, 0},
    {"attachVolume", attach_volume, 0},
    {"detachVolume", detach_volume, 0},
    {"resizeVolume", resize_volume, 0},
    {"deleteVolume", delete_volume, 0},
    {"listVolumes", list_volumes, 0},
    {NULL, NULL, 0},
};
