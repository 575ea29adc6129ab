/* configdrive.c - config drives: where the zone's settings place them and building them through
 * the plugin's host utilities (sp_hostutil_ops.create_config_drive). PowerFlex pools cannot hold
 * a config drive, so with vm.configdrive.primarypool.enabled the host cache is used when allowed. */
#include "config.h"

#include "api.h"
#include "cfg.h"
#include "poolh.h"
#include "store.h"
#include "vmops.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECONDARY_HOST_UUID "secondary-storage-vm"

/* Decodes base64 user data (CloudStack takes it base64-encoded). NULL when malformed. */
static char *decode_userdata(const char *b64)
{
    size_t n = strlen(b64);
    unsigned char *out;
    int len, pad = 0;

    if (n == 0 || n % 4 != 0)
        return NULL;
    out = malloc(n / 4 * 3 + 1);
    if (out == NULL)
        return NULL;
    len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (len < 0) {
        free(out);
        return NULL;
    }
    if (b64[n - 1] == '=')
        pad++;
    if (b64[n - 2] == '=')
        pad++;
    out[len - pad] = '\0';
    return (char *)out;
}

void host_configdrive_remove(host_cs *cs, int64_t vm_id, int64_t host_id)
{
    char err[256], path[SP_PATH_MAX], where[32];

    if (host_sql_text(cs->db, path, sizeof(path), err, sizeof(err),
                      "SELECT coalesce(configdrive, '') FROM vm WHERE id = ?", "i", vm_id) <= 0 ||
        path[0] == '\0')
        return;
    host_sql_text(cs->db, where, sizeof(where), err, sizeof(err),
                  "SELECT coalesce(configdrive_location, '') FROM vm WHERE id = ?", "i", vm_id);
    if (host_id != 0 && strcmp(where, "hostcache") != 0)
        return;
    unlink(path);
    host_sql_run(cs->db, err, sizeof(err),
                 "UPDATE vm SET configdrive = NULL, configdrive_location = NULL WHERE id = ?", "i", vm_id);
}

int host_configdrive_build(host_cs *cs, int64_t vm_id, int64_t host_id, host_err *e)
{
    char err[512], zuuid[40], zname[256], vuuid[40], vname[256], b64[65536], iso[SP_PATH_MAX],
        *userdata = NULL;
    char meta[1024], *secdir = NULL;
    const char *where;
    host_href href;
    sp_error se;
    sp_status s;
    int force, primary, cache_ok, rc = -1;

    if (host_need_plugin(cs, e) != 0)
        return -1;
    if (!SP_HAS(cs->sp, hostutil) || !SP_HAS(cs->sp->hostutil, create_config_drive))
        return host_fail(e, HOST_E_UNSUPPORTED, "plugin %s builds no config drives", cs->sp->name);
    if (host_sql_text(cs->db, zuuid, sizeof(zuuid), err, sizeof(err),
                      "SELECT z.uuid FROM zone z JOIN vm ON vm.zone_id = z.id WHERE vm.id = ?", "i",
                      vm_id) <= 0 ||
        host_sql_text(cs->db, zname, sizeof(zname), err, sizeof(err),
                      "SELECT z.name FROM zone z JOIN vm ON vm.zone_id = z.id WHERE vm.id = ?", "i",
                      vm_id) <= 0 ||
        host_sql_text(cs->db, vuuid, sizeof(vuuid), err, sizeof(err), "SELECT uuid FROM vm WHERE id = ?", "i",
                      vm_id) <= 0 ||
        host_sql_text(cs->db, vname, sizeof(vname), err, sizeof(err), "SELECT name FROM vm WHERE id = ?", "i",
                      vm_id) <= 0 ||
        host_sql_text(cs->db, b64, sizeof(b64), err, sizeof(err),
                      "SELECT coalesce(userdata, '') FROM vm WHERE id = ?", "i", vm_id) < 0)
        return host_fail(e, HOST_E_INTERNAL, "VM %lld: %s", (long long)vm_id, err);
    force = host_config_bool(cs, HOST_CFG_CD_FORCE_HOST_CACHE, SP_SCOPE_ZONE, zuuid);
    primary = host_config_bool(cs, HOST_CFG_CD_PRIMARY, SP_SCOPE_ZONE, zuuid);
    cache_ok = host_config_bool(cs, HOST_CFG_CD_HOST_CACHE_UNSUPPORTED, SP_SCOPE_ZONE, zuuid);
    /* CloudStack's placement: forced host cache; else the primary pool when enabled and the pool
     * supports it (a PowerFlex pool never does), falling back to the host cache when allowed;
     * else secondary storage. */
    if (force)
        where = "hostcache";
    else if (primary && cache_ok)
        where = "hostcache";
    else if (primary)
        return host_fail(e, HOST_E_UNSUPPORTED,
                         "VM %s: %s pools cannot hold config drives and %s is false in zone %s", vname,
                         cs->sp->name, HOST_CFG_CD_HOST_CACHE_UNSUPPORTED, zname);
    else
        where = "secondary";
    if (strcmp(where, "hostcache") == 0) {
        if (host_href_load(cs, host_id, &href, e) != 0)
            return -1;
    } else {
        /* The secondary storage VM builds it onto secondary storage: a host-like agent whose cache
         * is the secondary storage directory. */
        memset(&href, 0, sizeof(href));
        snprintf(href.uuid, sizeof(href.uuid), "%s", SECONDARY_HOST_UUID);
        snprintf(href.name, sizeof(href.name), "secondary-storage");
        snprintf(href.ip, sizeof(href.ip), "127.0.0.1");
        href.ref = (sp_host_ref)SP_INIT(sp_host_ref);
        href.ref.uuid = href.uuid;
        href.ref.name = href.name;
        href.ref.ip = href.ip;
        if (asprintf(&secdir, "%s/secondary", cs->workdir) < 0 ||
            host_setting_set(&cs->svc, SP_SCOPE_HOST, SECONDARY_HOST_UUID, HOST_CFG_HOST_CACHE, secdir) !=
                0) {
            free(secdir);
            return host_fail(e, HOST_E_INTERNAL, "out of memory");
        }
        free(secdir);
    }
    userdata = decode_userdata(b64);
    if (userdata == NULL)
        return host_fail(e, HOST_E_PARAM, "VM %s: its userdata is not valid base64", vname);
    snprintf(meta, sizeof(meta),
             "{\"uuid\": \"%s\", \"name\": \"%s\", \"hostname\": \"%s\", \"availability_zone\": \"%s\"}",
             vuuid, vname, vname, zname);
    {
        const sp_kv files[] = {
            {"openstack/latest/meta_data.json", meta},
            {"openstack/latest/user_data", userdata},
            {"openstack/latest/vendor_data.json", "{}"},
            {"openstack/latest/network_data.json", "{}"},
            {"cloudstack/userdata/user_data.txt", userdata},
            {"cloudstack/metadata/vm-id.txt", vuuid},
            {"cloudstack/metadata/instance-id.txt", vname},
            {"cloudstack/metadata/local-hostname.txt", vname},
            {"cloudstack/metadata/availability-zone.txt", zname},
        };
        host_configdrive_remove(cs, vm_id, 0);
        memset(&se, 0, sizeof(se));
        s = cs->sp->hostutil->create_config_drive(&href.ref, vname, files, sizeof(files) / sizeof(files[0]),
                                                  iso, sizeof(iso), &se);
        if (s != SP_OK) {
            host_fail_sp(e, s, &se, "Failed to build the config drive of VM %s on %s", vname, href.name);
            goto out;
        }
    }
    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE vm SET configdrive = ?, configdrive_location = ? WHERE id = ?", "tti", iso,
                     where, vm_id) < 0) {
        host_fail_db(e, err);
        unlink(iso);
        goto out;
    }
    rc = 0;
out:
    free(userdata);
    return rc;
}
