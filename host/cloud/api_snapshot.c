/* api_snapshot.c - volume snapshots kept on primary storage (create, list, revert, delete) and
 * disk-only VM snapshots as one consistency group (memory snapshots are refused). */
#include "config.h"

#include "api.h"
#include "guestdata.h"
#include "objects.h"
#include "poolh.h"
#include "store.h"
#include "undo.h"
#include "vmops.h"
#include "volops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int host_json_snapshot(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT s.uuid, s.name, s.volume_id, coalesce(v.name, ''), coalesce(v.type, ''), s.size, "
        "s.state, s.created, coalesce(s.pool_id, 0) FROM snapshot s "
        "LEFT JOIN volume v ON v.id = s.volume_id WHERE s.id = ?",
        "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "snapshot %lld vanished", (long long)id);
    }
    host_timestamp(sqlite3_column_int64(st, 7), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    {
        char vuuid[40] = "";
        host_sql_text(cs->db, vuuid, sizeof(vuuid), err, sizeof(err), "SELECT uuid FROM volume WHERE id = ?",
                      "i", sqlite3_column_int64(st, 2));
        if (vuuid[0])
            host_jsonw_string(w, "volumeid", vuuid);
    }
    host_jsonw_string(w, "volumename", host_col_text(st, 3));
    host_jsonw_string(w, "volumetype", host_col_text(st, 4));
    host_jsonw_uint(w, "physicalsize", (uint64_t)sqlite3_column_int64(st, 5));
    host_jsonw_string(w, "state", host_col_text(st, 6));
    host_jsonw_string(w, "snapshottype", "MANUAL");
    host_jsonw_string(w, "locationtype", "Primary");
    host_json_ref(cs, w, "storage", "pool", sqlite3_column_int64(st, 8));
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

/* Whether the volume's VM is running (reverting needs it stopped or the volume detached). */
static int vm_running(host_cs *cs, int64_t vm, int *out, host_err *e)
{
    char err[256], state[16] = "";
    if (vm != 0 && host_sql_text(cs->db, state, sizeof(state), err, sizeof(err),
                                 "SELECT state FROM vm WHERE id = ?", "i", vm) < 0)
        return host_fail_db(e, err);
    *out = strcmp(state, "Running") == 0;
    return 0;
}

static int create_snapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e);
    char err[512], uuid[37], sname[256];
    int64_t vol, id, intent = 0;
    host_vol v;
    sp_pool *pool;
    sp_volume_info info = SP_INIT(sp_volume_info);
    sp_error se;
    sp_status s;

    if (host_param_ref(cs, cmd, "volumeid", "volume", 1, &vol, e) != 0 || host_vol_load(cs, vol, &v, e) != 0)
        return -1;
    if (v.pool_id == 0)
        return host_fail(e, HOST_E_PARAM, "volume %s is not on primary storage yet (attach it to a VM first)",
                         v.uuid);
    if (host_pool_open(cs, v.pool_id, &pool, e) != 0 || host_uuid(uuid) != 0)
        return -1;
    snprintf(sname, sizeof(sname), "%s", name != NULL ? name : v.name);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO snapshot(uuid, name, volume_id, pool_id, path, size, state, created) "
                     "VALUES (?, ?, ?, NULL, '', 0, 'Creating', ?)",
                     "ttii", uuid, sname, vol, host_now()) < 0)
        return host_fail_db(e, err);
    id = sqlite3_last_insert_rowid(cs->db);
    if (host_undo_announce(cs, HOST_INTENT_CREATE, v.pool_id, "snapshot", SP_VOLUME_SNAPSHOT, id, 0, NULL, 0,
                           &intent, e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    info = (sp_volume_info)SP_INIT(sp_volume_info);
    s = cs->sp->driver->create_snapshot(pool, &(sp_volume_ref){v.path}, (uint64_t)id, &info, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to snapshot volume %s", v.uuid);
    host_undo_done(cs, intent, info.path);
    /* A snapshot on primary storage counts as allocated space of the pool, at the volume's size. */
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE snapshot SET pool_id = ?, path = ?, size = ?, tree_id = ?, state = 'BackedUp' "
                     "WHERE id = ?",
                     "ituti", v.pool_id, info.path, info.size_bytes ? info.size_bytes : v.size,
                     info.lineage_id, id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "SNAPSHOT.CREATE", "snapshot %s of volume %s", sname, v.uuid);
    return host_json_snapshot(cs, w, "snapshot", id, e);
}

static int list_snapshots(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t vol;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "volumeid", "volume", 0, &vol, e) != 0)
        return -1;
    st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT id FROM snapshot WHERE vm_snapshot_id IS NULL AND (?1 IS NULL OR uuid = ?1) "
                         "AND (?2 = 0 OR volume_id = ?2) ORDER BY id",
                         "ti", host_param(cmd, "id", 0, e), vol);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "snapshot", st, host_json_snapshot, e);
}

static int snap_param(host_cs *cs, host_cmd *cmd, int64_t *id, char *path, size_t plen, int64_t *vol,
                      int64_t *pool, host_err *e)
{
    char err[256];
    if (host_param_ref(cs, cmd, "id", "snapshot", 1, id, e) != 0)
        return -1;
    if (host_sql_text(cs->db, path, plen, err, sizeof(err), "SELECT path FROM snapshot WHERE id = ?", "i",
                      *id) < 0 ||
        host_sql_int(cs->db, vol, err, sizeof(err), "SELECT volume_id FROM snapshot WHERE id = ?", "i", *id) <
            0 ||
        host_sql_int(cs->db, pool, err, sizeof(err), "SELECT coalesce(pool_id, 0) FROM snapshot WHERE id = ?",
                     "i", *id) < 0)
        return host_fail_db(e, err);
    return 0;
}

static int revert_snapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char path[SP_PATH_MAX];
    int64_t id, vol, pool_id;
    host_vol v;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    int running;

    if (snap_param(cs, cmd, &id, path, sizeof(path), &vol, &pool_id, e) != 0)
        return -1;
    if (host_vol_load(cs, vol, &v, e) != 0)
        return host_fail(e, HOST_E_PARAM, "the volume of snapshot %s no longer exists",
                         host_param(cmd, "id", 1, e));
    if (vm_running(cs, v.vm_id, &running, e) != 0)
        return -1;
    if (running)
        return host_fail(e, HOST_E_PARAM,
                         "the VM of volume %s is running: stop it (or detach the volume) before reverting",
                         v.uuid);
    if (v.pool_id != pool_id)
        return host_fail(e, HOST_E_PARAM, "volume %s moved to another storage pool since this snapshot",
                         v.uuid);
    /* A revert in flight is done again at the next start: whether the array overwrote the volume
     * cannot be told from outside. */
    if (host_pool_open(cs, v.pool_id, &pool, e) != 0 ||
        host_undo_announce(cs, HOST_INTENT_REVERT, v.pool_id, "snapshot", 0, id, vol, v.path, 0, NULL, e) !=
            0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->revert_snapshot(pool, &(sp_volume_ref){v.path}, &(sp_volume_ref){path}, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to revert volume %s to snapshot %s", v.uuid,
                            host_param(cmd, "id", 1, e));
    if (host_guestdata_revert_snapshot(cs, vol, id, e) != 0)
        return -1;
    host_event(cs, "SNAPSHOT.REVERT", "volume %s reverted", v.uuid);
    return host_json_snapshot(cs, w, "snapshot", id, e);
}

static int delete_snapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char path[SP_PATH_MAX], err[256];
    int64_t id, vol, pool_id;
    sp_pool *pool;
    sp_error se;
    sp_status s;

    if (snap_param(cs, cmd, &id, path, sizeof(path), &vol, &pool_id, e) != 0)
        return -1;
    if (pool_id != 0) {
        if (host_pool_open(cs, pool_id, &pool, e) != 0 ||
            host_undo_announce(cs, HOST_INTENT_DELETE, pool_id, "snapshot", 0, id, 0, path, 0, NULL, e) != 0)
            return -1;
        memset(&se, 0, sizeof(se));
        s = cs->sp->driver->delete_snapshot(pool, &(sp_volume_ref){path}, &se);
        if (s != SP_OK)
            return host_fail_sp(e, s, &se, "Failed to delete snapshot %s", host_param(cmd, "id", 1, e));
    }
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

int host_json_vmsnapshot(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32];
    sqlite3_stmt *st =
        host_sql_prepare(cs->db, err, sizeof(err),
                         "SELECT uuid, name, displayname, description, vm_id, state, created, group_id "
                         "FROM vm_snapshot WHERE id = ?",
                         "i", id);
    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "VM snapshot %lld vanished", (long long)id);
    }
    host_timestamp(sqlite3_column_int64(st, 6), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "displayname", host_col_text(st, 2));
    host_jsonw_string(w, "description", host_col_text(st, 3));
    host_json_ref(cs, w, "virtualmachine", "vm", sqlite3_column_int64(st, 4));
    host_jsonw_string(w, "state", host_col_text(st, 5));
    host_jsonw_string(w, "type", "Disk");
    host_jsonw_bool(w, "current", 1);
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

/* The VM's volumes (ids, paths) and the one pool a group snapshot goes through: every volume
 * must be on that pool or on a pool of the same array (Driver.migration_kind says NATIVE). */
static int vm_disks(host_cs *cs, int64_t vm, int64_t **ids, char ***paths, size_t *n, int64_t *pool_id,
                    host_err *e)
{
    char err[256];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM volume WHERE vm_id = ? ORDER BY type = 'ROOT' DESC, deviceid", "i", vm);
    sp_pool *root = NULL;

    *paths = NULL;
    *pool_id = 0;
    if (st == NULL || host_stmt_ids(cs, st, ids, n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    *paths = calloc(*n + 1, sizeof(char *));
    if (*paths == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        host_vol v;
        if (host_vol_load(cs, (*ids)[i], &v, e) != 0)
            return -1;
        if (v.pool_id == 0)
            return host_fail(e, HOST_E_PARAM, "volume %s of the VM is not on primary storage yet", v.uuid);
        {
            /* As CloudStack (its VM snapshots of encrypted disks fail), refused up front. */
            char err2[256];
            int64_t enc = 0;
            if (host_sql_int(cs->db, &enc, err2, sizeof(err2),
                             "SELECT count(*) FROM volume_encryption WHERE volume_id = ?", "i", v.id) < 0)
                return host_fail_db(e, err2);
            if (enc > 0)
                return host_fail(e, HOST_E_UNSUPPORTED,
                                 "VM snapshots of VMs with encrypted volumes are not supported (volume %s)",
                                 v.uuid);
        }
        if ((*paths)[i] = strdup(v.path), (*paths)[i] == NULL)
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        if (i == 0) {
            *pool_id = v.pool_id;
            if (host_pool_open(cs, v.pool_id, &root, e) != 0)
                return -1;
        } else if (v.pool_id != *pool_id) {
            sp_pool *other;
            sp_migration_kind k = SP_MIGRATE_NONE;
            sp_error se;
            memset(&se, 0, sizeof(se));
            if (host_pool_open(cs, v.pool_id, &other, e) != 0)
                return -1;
            if (cs->sp->driver->migration_kind(root, other, &k, &se) != SP_OK || k != SP_MIGRATE_NATIVE)
                return host_fail(e, HOST_E_PARAM,
                                 "VM snapshots need every volume on one %s system; volume %s is on another",
                                 cs->sp->name, v.uuid);
        }
    }
    return 0;
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths != NULL && i < n; i++)
        free(paths[i]);
    free(paths);
}

static int create_vmsnapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    const char *name = host_param(cmd, "name", 0, e), *desc = host_param(cmd, "description", 0, e);
    char err[512], uuid[37], sname[256];
    int64_t vm, *ids = NULL, pool_id, id;
    char **paths = NULL;
    size_t n = 0;
    sp_volume_ref *refs = NULL;
    uint64_t *vids = NULL;
    sp_volume_info *snaps = NULL;
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    host_intent it;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    int memory = 0, rc = -1;

    if (host_param_ref(cs, cmd, "virtualmachineid", "vm", 1, &vm, e) != 0 ||
        host_param_bool(cmd, "snapshotmemory", 0, &memory, e) != 0)
        return -1;
    if (memory)
        return host_fail(e, HOST_E_PARAM,
                         "VM snapshots with memory are not supported on %s storage; use snapshotmemory=false",
                         cs->sp != NULL ? cs->sp->name : "this");
    if (host_need_plugin(cs, e) != 0 || vm_disks(cs, vm, &ids, &paths, &n, &pool_id, e) != 0)
        goto out;
    if (n == 0) {
        host_fail(e, HOST_E_PARAM, "the VM has no volumes");
        goto out;
    }
    if (host_pool_open(cs, pool_id, &pool, e) != 0 || host_uuid(uuid) != 0)
        goto out;
    refs = calloc(n, sizeof(*refs));
    vids = calloc(n, sizeof(*vids));
    snaps = calloc(n, sizeof(*snaps));
    if (refs == NULL || vids == NULL || snaps == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        snaps[i] = (sp_volume_info)SP_INIT(sp_volume_info);
    snprintf(sname, sizeof(sname), "%s", name != NULL ? name : uuid);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO vm_snapshot(uuid, name, displayname, description, vm_id, pool_id, "
                     "group_id, state, created) "
                     "VALUES (?, ?, ?, ?, ?, ?, '', 'Creating', ?)",
                     "ttttiii", uuid, sname, sname, desc != NULL ? desc : "", vm, pool_id, host_now()) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    id = sqlite3_last_insert_rowid(cs->db);
    memset(&it, 0, sizeof(it));
    it.kind = HOST_INTENT_VMSNAP_CREATE;
    it.pool_id = pool_id;
    snprintf(it.obj, sizeof(it.obj), "vmsnapshot");
    it.spec_kind = SP_VOLUME_VM_SNAPSHOT;
    it.obj_id = id;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(it.ids);
        refs[i].path = paths[i];
        vids[i] = (uint64_t)ids[i];
        snprintf(it.ids + l, sizeof(it.ids) - l, "%s%lld", i ? "," : "", (long long)ids[i]);
    }
    if (host_undo_intent(cs, &it, e) != 0)
        goto out;
    memset(&se, 0, sizeof(se));
    group = (sp_snapshot_group_info)SP_INIT(sp_snapshot_group_info);
    s = cs->sp->driver->create_vm_snapshot(pool, (uint64_t)id, refs, vids, n, &group, snaps, &se);
    if (s != SP_OK) {
        host_fail_sp(e, s, &se, "Failed to create VM snapshot %s", sname);
        goto out;
    }
    host_undo_done(cs, it.id, group.group_id);
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE vm_snapshot SET group_id = ?, state = 'Ready' WHERE id = ?", "ti",
                     group.group_id, id) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        host_vol v;
        char suuid[37];
        if (host_vol_load(cs, ids[i], &v, e) != 0 || host_uuid(suuid) != 0)
            goto out;
        if (host_sql_run(cs->db, err, sizeof(err),
                         "INSERT INTO snapshot(uuid, name, volume_id, pool_id, path, size, state, "
                         "vm_snapshot_id, tree_id, "
                         "created) VALUES (?, ?, ?, ?, ?, ?, 'BackedUp', ?, ?, ?)",
                         "ttiitiiti", suuid, sname, ids[i], v.pool_id, snaps[i].path,
                         (int64_t)(snaps[i].size_bytes ? snaps[i].size_bytes : v.size), id,
                         snaps[i].lineage_id, host_now()) < 0) {
            host_fail_db(e, err);
            goto out;
        }
    }
    host_event(cs, "VMSNAPSHOT.CREATE", "VM snapshot %s", sname);
    rc = host_json_vmsnapshot(cs, w, "vmsnapshot", id, e);
out:
    free(ids);
    free_paths(paths, n);
    free(refs);
    free(vids);
    free(snaps);
    return rc;
}

static int list_vmsnapshots(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t vm;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "virtualmachineid", "vm", 0, &vm, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM vm_snapshot WHERE (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR vm_id = ?2) ORDER BY id",
        "ti", host_param(cmd, "vmsnapshotid", 0, e), vm);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "vmSnapshot", st, host_json_vmsnapshot, e);
}

int host_vmsnapshot_revert(host_cs *cs, int64_t id, host_err *e)
{
    char err[256];
    int64_t pool_id = 0, *sids = NULL;
    size_t n = 0;
    sp_volume_ref *vols = NULL, *snaps = NULL;
    char **vpaths = NULL, **spaths = NULL;
    sqlite3_stmt *st;
    sp_pool *pool;
    sp_error se;
    sp_status s;
    int rc = -1;

    if (host_sql_int(cs->db, &pool_id, err, sizeof(err), "SELECT pool_id FROM vm_snapshot WHERE id = ?", "i",
                     id) < 0)
        return host_fail_db(e, err);
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM snapshot WHERE vm_snapshot_id = ? ORDER BY id", "i", id);
    if (st == NULL || host_stmt_ids(cs, st, &sids, &n, e) != 0)
        return st == NULL ? host_fail_db(e, err) : -1;
    vols = calloc(n + 1, sizeof(*vols));
    snaps = calloc(n + 1, sizeof(*snaps));
    vpaths = calloc(n + 1, sizeof(char *));
    spaths = calloc(n + 1, sizeof(char *));
    if (vols == NULL || snaps == NULL || vpaths == NULL || spaths == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char p[SP_PATH_MAX];
        if (host_sql_text(cs->db, p, sizeof(p), err, sizeof(err),
                          "SELECT v.path FROM snapshot s JOIN volume v ON v.id = s.volume_id WHERE s.id = ?",
                          "i", sids[i]) <= 0) {
            host_fail(e, HOST_E_PARAM, "a volume of this VM snapshot no longer exists");
            goto out;
        }
        vpaths[i] = strdup(p);
        if (host_sql_text(cs->db, p, sizeof(p), err, sizeof(err), "SELECT path FROM snapshot WHERE id = ?",
                          "i", sids[i]) <= 0) {
            host_fail_db(e, err);
            goto out;
        }
        spaths[i] = strdup(p);
        if (vpaths[i] == NULL || spaths[i] == NULL) {
            host_fail(e, HOST_E_INTERNAL, "out of memory");
            goto out;
        }
        vols[i].path = vpaths[i];
        snaps[i].path = spaths[i];
    }
    /* A revert in flight is done again, whole, at the next start: some volumes may already hold
     * the snapshot and the others not, and its safety copies may be on the array. */
    if (host_pool_open(cs, pool_id, &pool, e) != 0 ||
        host_undo_announce(cs, HOST_INTENT_VMSNAP_REVERT, pool_id, "vmsnapshot", 0, id, 0, NULL, 0, NULL,
                           e) != 0)
        goto out;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->revert_vm_snapshot(pool, vols, snaps, n, &se);
    if (s != SP_OK) {
        char uuid[40] = "";
        host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err),
                      "SELECT uuid FROM vm_snapshot WHERE id = ?", "i", id);
        host_fail_sp(e, s, &se, "Failed to revert to VM snapshot %s", uuid);
        goto out;
    }
    if (host_guestdata_revert_vmsnapshot(cs, id, e) != 0)
        goto out;
    rc = 0;
out:
    free(sids);
    free(vols);
    free(snaps);
    free_paths(vpaths, n);
    free_paths(spaths, n);
    return rc;
}

static int revert_vmsnapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t id, vm = 0;
    int running;

    if (host_param_ref(cs, cmd, "vmsnapshotid", "vm_snapshot", 1, &id, e) != 0)
        return -1;
    host_sql_int(cs->db, &vm, err, sizeof(err), "SELECT vm_id FROM vm_snapshot WHERE id = ?", "i", id);
    if (vm_running(cs, vm, &running, e) != 0)
        return -1;
    if (running)
        return host_fail(e, HOST_E_PARAM, "stop the VM before reverting it to a VM snapshot");
    if (host_vmsnapshot_revert(cs, id, e) != 0)
        return -1;
    host_event(cs, "VMSNAPSHOT.REVERTTO", "VM reverted to a VM snapshot");
    return host_json_vm(cs, w, "virtualmachine", vm, e);
}

int host_vmsnapshot_delete(host_cs *cs, int64_t id, host_err *e)
{
    char err[256], group[SP_ID_MAX], uuid[40] = "";
    int64_t pool_id = 0;
    sp_pool *pool;
    sp_error se;
    sp_status s;

    host_sql_text(cs->db, uuid, sizeof(uuid), err, sizeof(err), "SELECT uuid FROM vm_snapshot WHERE id = ?",
                  "i", id);
    if (host_sql_text(cs->db, group, sizeof(group), err, sizeof(err),
                      "SELECT group_id FROM vm_snapshot WHERE id = ?", "i", id) < 0 ||
        host_sql_int(cs->db, &pool_id, err, sizeof(err), "SELECT pool_id FROM vm_snapshot WHERE id = ?", "i",
                     id) < 0)
        return host_fail_db(e, err);
    if (host_pool_open(cs, pool_id, &pool, e) != 0 ||
        host_undo_announce(cs, HOST_INTENT_VMSNAP_DELETE, pool_id, "vmsnapshot", 0, id, 0, group, 0, NULL,
                           e) != 0)
        return -1;
    memset(&se, 0, sizeof(se));
    s = cs->sp->driver->delete_vm_snapshot(pool, group, &se);
    if (s != SP_OK)
        return host_fail_sp(e, s, &se, "Failed to delete VM snapshot %s", uuid);
    /* Gone from the array for good: should the command fail later (an expunge deletes the VM
     * snapshots before the ROOT volume), the announced removal's resolution drops these rows
     * again after the rollback (resolve.c). */
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM snapshot WHERE vm_snapshot_id = ?", "i", id) <
            0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM vm_snapshot WHERE id = ?", "i", id) < 0)
        return host_fail_db(e, err);
    host_event(cs, "VMSNAPSHOT.DELETE", "VM snapshot %s deleted", uuid);
    return 0;
}

static int delete_vmsnapshot(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    int64_t id;

    if (host_param_ref(cs, cmd, "vmsnapshotid", "vm_snapshot", 1, &id, e) != 0 ||
        host_vmsnapshot_delete(cs, id, e) != 0)
        return -1;
    host_jsonw_bool(w, "success", 1);
    return 0;
}

const host_api host_api_snapshot[] = {
    {"createSnapshot", create_snapshot, 0},
    {"listSnapshots", list_snapshots, 0},
    {"revertSnapshot", revert_snapshot, 0},
    {"deleteSnapshot", delete_snapshot, 0},
    {"createVMSnapshot", create_vmsnapshot, 0},
    {"listVMSnapshot", list_vmsnapshots, 0},
    {"revertToVMSnapshot", revert_vmsnapshot, 0},
    {"deleteVMSnapshot", delete_vmsnapshot, 0},
    {NULL, NULL, 0},
};
