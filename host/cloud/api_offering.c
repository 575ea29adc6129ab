/* api_offering.c - service and disk offerings: storage tags, provisioning type (fat = thick),
 * disk size, and the QoS details bandwidthLimitInMbps and iopsLimit handed to the plugin as
 * strings (the plugin validates them when it grants access). */
#include "config.h"

#include "api.h"
#include "num.h"
#include "objects.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int host_json_offering(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    char err[256], created[32];
    sqlite3_stmt *st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT uuid, name, displaytext, kind, provisioning, disksize, customized, cpunumber, "
        "cpuspeed, memory, tags, iops, bw, created, systemuse, miniops, maxiops FROM offering WHERE id = ?",
        "i", id);
    int disk;

    if (st == NULL)
        return host_fail_db(e, err);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return host_fail(e, HOST_E_INTERNAL, "offering %lld vanished", (long long)id);
    }
    disk = strcmp(host_col_text(st, 3), "disk") == 0;
    host_timestamp(sqlite3_column_int64(st, 13), created);
    host_jsonw_object_begin(w, key);
    host_jsonw_string(w, "id", host_col_text(st, 0));
    host_jsonw_string(w, "name", host_col_text(st, 1));
    host_jsonw_string(w, "displaytext", host_col_text(st, 2));
    host_jsonw_string(w, "storagetype", "shared");
    host_jsonw_string(w, "provisioningtype", host_col_text(st, 4));
    if (disk) {
        host_jsonw_uint(w, "disksize", (uint64_t)sqlite3_column_int64(st, 5) / HOST_GIB);
        host_jsonw_bool(w, "iscustomized", sqlite3_column_int(st, 6));
    } else {
        host_jsonw_int(w, "cpunumber", sqlite3_column_int64(st, 7));
        host_jsonw_int(w, "cpuspeed", sqlite3_column_int64(st, 8));
        host_jsonw_int(w, "memory", sqlite3_column_int64(st, 9));
        if (sqlite3_column_int64(st, 5) > 0)
            host_jsonw_uint(w, "rootdisksize", (uint64_t)sqlite3_column_int64(st, 5) / HOST_GIB);
        host_jsonw_bool(w, "issystem", sqlite3_column_int(st, 14));
    }
    if (*host_col_text(st, 10))
        host_jsonw_string(w, "tags", host_col_text(st, 10));
    if (sqlite3_column_int64(st, 15) > 0)
        host_jsonw_int(w, "miniops", sqlite3_column_int64(st, 15));
    if (sqlite3_column_int64(st, 16) > 0)
        host_jsonw_int(w, "maxiops", sqlite3_column_int64(st, 16));
    if (*host_col_text(st, 11) || *host_col_text(st, 12)) {
        host_jsonw_object_begin(w, disk ? "details" : "serviceofferingdetails");
        if (*host_col_text(st, 12))
            host_jsonw_string(w, "bandwidthLimitInMbps", host_col_text(st, 12));
        if (*host_col_text(st, 11))
            host_jsonw_string(w, "iopsLimit", host_col_text(st, 11));
        host_jsonw_object_end(w);
    }
    {
        int64_t enc = 0;
        if (host_sql_int(cs->db, &enc, err, sizeof(err),
                         "SELECT count(*) FROM offering_encrypt WHERE offering_id = ?", "i", id) < 0)
            enc = 0;
        host_jsonw_bool(w, disk ? "encrypt" : "encryptroot", enc > 0);
    }
    host_jsonw_string(w, "created", created);
    host_jsonw_object_end(w);
    sqlite3_finalize(st);
    return 0;
}

static int provisioning(host_cmd *cmd, const char **out, host_err *e)
{
    const char *p = host_param(cmd, "provisioningtype", 0, e);
    if (p == NULL || strcasecmp(p, "thin") == 0)
        *out = "thin";
    else if (strcasecmp(p, "sparse") == 0)
        *out = "sparse";
    else if (strcasecmp(p, "fat") == 0 || strcasecmp(p, "thick") == 0)
        *out = "fat"; /* CloudStack's FAT; the seed writes it "thick" */
    else
        return host_fail(e, HOST_E_PARAM, "Invalid provisioningtype %s: thin, sparse, fat or thick", p);
    return 0;
}

/* The QoS details of an offering: only the two keys the plugin understands are taken; any
 * other key is refused so that a typo does not silently mean "unlimited". */
static int qos(host_cmd *cmd, const char *map, const char **iops, const char **bw, host_err *e)
{
    const sp_kv *kv;
    long n = host_cmd_map(cmd, map, &kv);

    *iops = *bw = NULL;
    if (n < 0)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    for (long i = 0; i < n; i++) {
        if (strcmp(kv[i].key, "iopsLimit") == 0)
            *iops = kv[i].value;
        else if (strcmp(kv[i].key, "bandwidthLimitInMbps") == 0)
            *bw = kv[i].value;
        else
            return host_fail(e, HOST_E_PARAM,
                             "%s: unknown detail %s (this harness takes bandwidthLimitInMbps and iopsLimit)",
                             map, kv[i].key);
    }
    return 0;
}

static int create_offering(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e, int disk)
{
    const char *name = host_param(cmd, "name", 1, e), *text = host_param(cmd, "displaytext", 0, e);
    const char *stype = host_param(cmd, "storagetype", 0, e), *prov = "thin", *iops = NULL, *bw = NULL;
    char uuid[37], err[256];
    int64_t size = 0, cpu = 0, speed = 0, mem = 0, miniops = 0, maxiops = 0, id;
    int customized = 0, encrypt = 0;

    /* CloudStack's names: a disk offering's encrypt, a service offering's encryptroot. */
    if (host_param_bool(cmd, disk ? "encrypt" : "encryptroot", 0, &encrypt, e) != 0)
        return -1;
    if (name == NULL || provisioning(cmd, &prov, e) != 0 ||
        qos(cmd, disk ? "details" : "serviceofferingdetails", &iops, &bw, e) != 0 ||
        host_param_gb(cmd, disk ? "disksize" : "rootdisksize", &size, e) != 0 ||
        host_param_bool(cmd, "customized", 0, &customized, e) != 0 ||
        host_param_num(cmd, "cpunumber", 1, 1, INT32_MAX, &cpu, e) != 0 ||
        host_param_num(cmd, "cpuspeed", 500, 1, INT32_MAX, &speed, e) != 0 ||
        host_param_num(cmd, "memory", 512, 1, INT32_MAX, &mem, e) != 0 ||
        host_param_num(cmd, "miniops", 0, 0, INT64_MAX, &miniops, e) != 0 ||
        host_param_num(cmd, "maxiops", 0, 0, INT64_MAX, &maxiops, e) != 0)
        return -1;
    if (maxiops > 0 && miniops > maxiops)
        return host_fail(e, HOST_E_PARAM, "miniops %lld is above maxiops %lld", (long long)miniops,
                         (long long)maxiops);
    if (stype != NULL && strcasecmp(stype, "shared") != 0)
        return host_fail(e, HOST_E_PARAM, "storagetype %s: the harness has shared primary storage only",
                         stype);
    if (disk && size == 0 && !customized)
        return host_fail(e, HOST_E_PARAM, "a disk offering needs disksize in GB (or customized=true)");
    if (host_uuid(uuid) != 0)
        return host_fail(e, HOST_E_INTERNAL, "no randomness");
    if (host_sql_run(
            cs->db, err, sizeof(err),
            "INSERT INTO offering(uuid, name, displaytext, kind, provisioning, disksize, customized, "
            "cpunumber, "
            "cpuspeed, memory, tags, iops, bw, created, miniops, maxiops) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "tttttiiiiittti"
            "ii",
            uuid, name, text != NULL ? text : name, disk ? "disk" : "service", prov, size,
            (int64_t)customized, disk ? (int64_t)0 : cpu, disk ? (int64_t)0 : speed, disk ? (int64_t)0 : mem,
            host_cmd_get(cmd, "tags") != NULL ? host_cmd_get(cmd, "tags") : "", iops != NULL ? iops : "",
            bw != NULL ? bw : "", host_now(), miniops, maxiops) < 0)
        return host_fail_db(e, err);
    id = sqlite3_last_insert_rowid(cs->db);
    if (encrypt && host_sql_run(cs->db, err, sizeof(err),
                                "INSERT INTO offering_encrypt(offering_id) VALUES (?)", "i", id) < 0)
        return host_fail_db(e, err);
    return host_json_offering(cs, w, disk ? "diskoffering" : "serviceoffering", id, e);
}

static int create_service(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return create_offering(cs, cmd, w, e, 0);
}

static int create_disk(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return create_offering(cs, cmd, w, e, 1);
}

static int list_offerings(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e, int disk)
{
    char err[256];
    int sys = 0;
    sqlite3_stmt *st;

    if (host_param_bool(cmd, "issystem", 0, &sys, e) != 0)
        return -1;
    st = host_sql_prepare(
        cs->db, err, sizeof(err),
        "SELECT id FROM offering WHERE kind = ?1 AND state = 'Active' AND (?2 IS NULL OR uuid = ?2) "
        "AND (?3 IS NULL OR name = ?3) AND systemuse = ?4 ORDER BY id",
        "ttti", disk ? "disk" : "service", host_param(cmd, "id", 0, e), host_param(cmd, "name", 0, e),
        (int64_t)sys);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, disk ? "diskoffering" : "serviceoffering", st, host_json_offering, e);
}

static int list_service(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return list_offerings(cs, cmd, w, e, 0);
}

static int list_disk(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    return list_offerings(cs, cmd, w, e, 1);
}

static int delete_offering(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t id;

    if (host_param_ref(cs, cmd, "id", "offering", 1, &id, e) != 0)
        return -1;
    /* Volumes keep their offering's QoS; the offering is only retired, as in CloudStack. */
    if (host_sql_run(cs->db, err, sizeof(err), "UPDATE offering SET state = 'Inactive' WHERE id = ?", "i",
                     id) < 0)
        return host_fail_db(e, err);
    host_jsonw_bool(w, "success", 1);
    return 0;
}

const host_api host_api_offering[] = {
    {"createServiceOffering", create_service, 0},
    {"listServiceOfferings", list_service, 0},
    {"deleteServiceOffering", delete_offering, 0},
    {"createDiskOffering", create_disk, 0},
    {"listDiskOfferings", list_disk, 0},
    {"deleteDiskOffering", delete_offering, 0},
    {NULL, NULL, 0},
};
