/* adaptor.c - the Adaptor vtable: the KVM host side (CloudStack's KVM StorageAdaptor): SDC
 * devices, qemu-img copies and cross-array block copy.
 *
 * The devices are here; the copies each have their file (adaptor_impl.h lists them). Settings of
 * the host are read with SP_SCOPE_HOST and the host's uuid; the disk wait with SP_SCOPE_POOL and
 * the pool's uuid. */
#include "config.h"

#include "adaptor_impl.h"
#include "error.h"
#include "hostsvc.h"
#include "plugin.h"
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

static sp_status connect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
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

static sp_status disconnect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
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

static sp_status get_physical_disk(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
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

const sp_adaptor_ops pfx_adaptor_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_adaptor_ops),
    .connect_volume = connect_volume,
    .disconnect_volume = disconnect_volume,
    .get_physical_disk = get_physical_disk,
    .copy_image_to_volume = pfx_ad_copy_image_to_volume,
    .copy_volume_to_image = pfx_ad_copy_volume_to_image,
    .copy_volume_across = pfx_ad_copy_volume_across,
    .recover_copies = pfx_ad_recover_copies,
};
