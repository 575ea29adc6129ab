/* router.c - virtual routers: listRouters and getRouterHealthCheckResults with the seed's
 * "filesystem.writable.test". A router whose root disk no longer takes writes is recreated when
 * router.health.checks.failures.to.recreate.vr names that test. */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "objects.h"
#include "store.h"
#include "vmops.h"
#include "volops.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FS_TEST "filesystem.writable.test"

static int json_router(host_cs *cs, host_jsonw *w, const char *key, int64_t id, host_err *e)
{
    return host_json_vm(cs, w, key, id, e);
}

static int list_routers(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM vm WHERE type = 'DomainRouter' AND (?1 IS NULL OR uuid = ?1) AND "
                          "(?2 = 0 OR zone_id = ?2) "
                          "ORDER BY id",
                          "ti", host_param(cmd, "id", 0, e), zone);
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "router", st, json_router, e);
}

/* The router's check: its root disk, as its host sees it, takes a write. The block written is
 * the one read, so the disk's content does not change. */
static int disk_writable(const char *dev, char *why, size_t whylen)
{
    unsigned char block[512];
    struct stat st;
    int fd = open(dev, O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        snprintf(why, whylen, "cannot open the root disk %s for writing: %s", dev, strerror(errno));
        return 0;
    }
    if (fstat(fd, &st) == 0 && (st.st_mode & 0222) == 0) {
        close(fd);
        snprintf(why, whylen, "the root disk %s is read-only", dev);
        return 0;
    }
    if (pread(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) ||
        pwrite(fd, block, sizeof(block), 0) != (ssize_t)sizeof(block) || fdatasync(fd) != 0) {
        snprintf(why, whylen, "writing to the root disk %s failed: %s", dev, strerror(errno));
        close(fd);
        return 0;
    }
    close(fd);
    snprintf(why, whylen, "the root disk takes writes");
    return 1;
}

/* Destroys the router (its ROOT volume on the array included) and deploys a new one. */
static int recreate(host_cs *cs, int64_t router, int64_t zone, int64_t *new_id, host_err *e)
{
    char err[256];
    int64_t root = 0;
    host_vol v;

    if (host_vm_stop(cs, router, e) != 0)
        return -1;
    if (host_sql_int(cs->db, &root, err, sizeof(err),
                     "SELECT id FROM volume WHERE vm_id = ? AND type = 'ROOT'", "i", router) < 0)
        return host_fail_db(e, err);
    if (root != 0 && (host_vol_load(cs, root, &v, e) != 0 || host_vol_delete_on_array(cs, &v, e) != 0))
        return -1;
    if (host_sql_run(cs->db, err, sizeof(err), "DELETE FROM volume WHERE vm_id = ?", "i", router) < 0 ||
        host_sql_run(cs->db, err, sizeof(err), "DELETE FROM vm WHERE id = ?", "i", router) < 0)
        return host_fail_db(e, err);
    if (host_router_ensure(cs, zone, e) != 0)
        return -1;
    if (host_sql_int(cs->db, new_id, err, sizeof(err),
                     "SELECT id FROM vm WHERE type = 'DomainRouter' AND zone_id = ? ORDER BY id DESC LIMIT 1",
                     "i", zone) < 0)
        return host_fail_db(e, err);
    host_event(cs, "ROUTER.RECREATE", "router recreated after %s failed", FS_TEST);
    return 0;
}

static int health(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256], dev[SP_PATH_MAX] = "", why[1024], zuuid[40], tests[1024], state[16] = "", ts[32];
    int64_t router, zone = 0, host = 0, new_id = 0;
    int ok, fresh = 1, recreated = 0;

    if (host_param_ref(cs, cmd, "routerid", "vm", 1, &router, e) != 0 ||
        host_param_bool(cmd, "performfreshchecks", 1, &fresh, e) != 0)
        return -1;
    host_sql_text(cs->db, state, sizeof(state), err, sizeof(err),
                  "SELECT state FROM vm WHERE id = ? AND type = 'DomainRouter'", "i", router);
    if (strcmp(state, "Running") != 0)
        return host_fail(e, HOST_E_PARAM, "router %s is not running%s%s", host_param(cmd, "routerid", 1, e),
                         state[0] ? ": " : "", state);
    if (!fresh)
        return host_fail(e, HOST_E_PARAM,
                         "the harness keeps no earlier results: use performfreshchecks=true");
    host_sql_int(cs->db, &zone, err, sizeof(err), "SELECT zone_id FROM vm WHERE id = ?", "i", router);
    host_sql_int(cs->db, &host, err, sizeof(err), "SELECT host_id FROM vm WHERE id = ?", "i", router);
    host_sql_text(cs->db, zuuid, sizeof(zuuid), err, sizeof(err), "SELECT uuid FROM zone WHERE id = ?", "i",
                  zone);
    if (host_sql_text(cs->db, dev, sizeof(dev), err, sizeof(err),
                      "SELECT a.devpath FROM access a JOIN volume v ON v.id = a.volume_id WHERE v.vm_id = ? "
                      "AND v.type = 'ROOT' "
                      "AND a.host_id = ?",
                      "ii", router, host) <= 0 ||
        dev[0] == '\0')
        return host_fail(e, HOST_E_INTERNAL, "the router's root disk is not connected on its host");
    ok = disk_writable(dev, why, sizeof(why));
    host_timestamp(host_now(), ts);
    if (host_config_get(cs, HOST_CFG_VR_RECREATE, SP_SCOPE_ZONE, zuuid, tests, sizeof(tests)) != 0)
        tests[0] = '\0';
    if (!ok && strstr(tests, FS_TEST) != NULL) {
        if (recreate(cs, router, zone, &new_id, e) != 0)
            return -1;
        recreated = 1;
    }
    host_jsonw_object_begin(w, "routerhealthchecks");
    host_jsonw_uint(w, "count", 1);
    host_jsonw_array_begin(w, "healthchecks");
    host_jsonw_object_begin(w, NULL);
    host_jsonw_string(w, "checkname", FS_TEST);
    host_jsonw_string(w, "checktype", "basic");
    host_jsonw_bool(w, "success", ok);
    host_jsonw_string(w, "details", why);
    host_jsonw_string(w, "lastupdated", ts);
    host_jsonw_object_end(w);
    host_jsonw_array_end(w);
    host_jsonw_bool(w, "recreated", recreated);
    if (recreated) {
        char nuuid[40] = "";
        host_sql_text(cs->db, nuuid, sizeof(nuuid), err, sizeof(err), "SELECT uuid FROM vm WHERE id = ?", "i",
                      new_id);
        host_jsonw_string(w, "newrouterid", nuuid);
    }
    host_jsonw_object_end(w);
    return 0;
}

/* listSystemVms: the zone's secondary storage VM and console proxy. */
static int list_system_vms(host_cs *cs, host_cmd *cmd, host_jsonw *w, host_err *e)
{
    char err[256];
    int64_t zone;
    sqlite3_stmt *st;

    if (host_param_ref(cs, cmd, "zoneid", "zone", 0, &zone, e) != 0)
        return -1;
    st = host_sql_prepare(cs->db, err, sizeof(err),
                          "SELECT id FROM vm WHERE type IN ('SecondaryStorageVm', 'ConsoleProxy') "
                          "AND (?1 IS NULL OR uuid = ?1) AND (?2 = 0 OR zone_id = ?2) AND (?3 IS NULL OR "
                          "type = ?3) ORDER BY id",
                          "tit", host_param(cmd, "id", 0, e), zone, host_param(cmd, "systemvmtype", 0, e));
    if (st == NULL)
        return host_fail_db(e, err);
    return host_write_list(cs, w, "systemvm", st, json_router, e);
}

const host_api host_api_router[] = {
    {"listSystemVms", list_system_vms, 0},
    {"listRouters", list_routers, 0},
    {"getRouterHealthCheckResults", health, 0},
    {NULL, NULL, 0},
};
