/* adaptor_device.c - the Adaptor's device methods (connect, disconnect, the physical disk) and
 * config drives; the copies each have their file (adaptor_impl.h lists them). Settings of the
 * host are read with SP_SCOPE_HOST and the host's uuid; the disk wait with SP_SCOPE_POOL and the
 * pool's uuid. */
#include "config.h"

#include "adaptor_impl.h"
#include "configdrive.h"
#include "error.h"
#include "hostsvc.h"
#include "sized.h"

#include <stdio.h>
#include <string.h>

static sp_status fill_disk(const char *path, uint64_t size, sp_disk_info *disk, sp_error *err)
{
    memset(disk, 0, sizeof(*disk));
    disk->struct_size = sizeof(*disk);
    if (snprintf(disk->path, sizeof(disk->path), "%s", path) >= (int)sizeof(disk->path))
        return pfx_error(err, SP_E_INVALID, "device path %s does not fit the ABI's %d bytes", path,
                         SP_PATH_MAX);
    disk->size_bytes = size;
    disk->format = SP_FORMAT_RAW;
    return SP_OK;
}

/* The checks every device method starts with: a pool, a volume id, the host's settings. */
static sp_status begin(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host, const char *what,
                       char *id, size_t id_len, pfx_host_cfg *cfg, sp_error *err)
{
    sp_status st;

    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "%s: no pool handle given", what);
    if ((st = pfx_path_volume_id(vol, id, id_len, err)) != SP_OK)
        return st;
    return pfx_ad_host_cfg(host, cfg, err);
}

static const char *host_label(const sp_host_ref *host)
{
    if (host->name != NULL && host->name[0] != '\0')
        return host->name;
    return host->ip != NULL ? host->ip : host->uuid;
}

sp_status pfx_ad_connect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                sp_disk_info *disk, sp_error *err)
{
    char id[SP_ID_MAX], path[SP_PATH_MAX];
    pfx_host_cfg cfg;
    uint64_t size = 0;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (disk == NULL)
        return pfx_error(err, SP_E_INVALID, "connect_volume needs a disk output");
    PFX_SIZED(disk, sp_disk_info, SP_DISK_INFO_SIZE_2_0, "connect_volume", err);
    if ((st = begin(pool, vol, host, "connect_volume", id, sizeof(id), &cfg, err)) != SP_OK)
        return st;
    st = pfx_ad_connect(pool, id, host, &cfg, path, sizeof(path), &size, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "connecting volume %s of pool %s on host %s", vol->path, pool->uuid,
                                host_label(host));
    pfx_log(SP_LOG_INFO, "volume %s is %s on host %s", vol->path, path, host_label(host));
    return fill_disk(path, size, disk, err);
}

sp_status pfx_ad_disconnect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_error *err)
{
    char id[SP_ID_MAX];
    pfx_host_cfg cfg;
    sp_status st;

    PFX_ERR_GUARD(err);
    if ((st = begin(pool, vol, host, "disconnect_volume", id, sizeof(id), &cfg, err)) != SP_OK)
        return st;
    st = pfx_ad_disconnect(pool, id, host, &cfg, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "disconnecting volume %s of pool %s from host %s", vol->path, pool->uuid,
                                host_label(host));
    return SP_OK;
}

sp_status pfx_ad_get_physical_disk(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_disk_info *disk, sp_error *err)
{
    char id[SP_ID_MAX], path[SP_PATH_MAX];
    pfx_host_cfg cfg;
    uint64_t size = 0;
    int present = 0;
    sp_status st;

    PFX_ERR_GUARD(err);
    if (disk == NULL)
        return pfx_error(err, SP_E_INVALID, "get_physical_disk needs a disk output");
    PFX_SIZED(disk, sp_disk_info, SP_DISK_INFO_SIZE_2_0, "get_physical_disk", err);
    if ((st = begin(pool, vol, host, "get_physical_disk", id, sizeof(id), &cfg, err)) != SP_OK)
        return st;
    if ((st = pfx_ad_device(pool, id, &cfg, 1, path, sizeof(path), &present, &size, err)) != SP_OK)
        return st;
    if (!present)
        return pfx_error(err, SP_E_NOT_FOUND,
                         "volume %s has no device on host %s (%s): it is not connected there", vol->path,
                         host_label(host), path);
    return fill_disk(path, size, disk, err);
}

sp_status pfx_ad_create_config_drive(const sp_host_ref *host, const char *vm_name, const sp_kv *files,
                                     size_t n_files, char *iso_path_out, size_t iso_path_len, sp_error *err)
{
    pfx_host_cfg cfg;
    sp_status st;

    PFX_ERR_GUARD(err);
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    if (files == NULL && n_files > 0)
        return pfx_error(err, SP_E_INVALID, "create_config_drive: %zu files announced, none given", n_files);
    st = pfx_configdrive_build(cfg.cache_dir, vm_name, files, n_files, iso_path_out, iso_path_len, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "config drive of VM %.200s on host %s",
                                vm_name != NULL ? vm_name : "(none)", host_label(host));
    return SP_OK;
}
