/* adaptor.c - the Adaptor vtable: the KVM host side (CloudStack's KVM StorageAdaptor): SDC
 * devices, qemu-img copies, cross-array block copy and config drives. */
#include "config.h"

#include "error.h"
#include "plugin.h"

static sp_status connect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                sp_disk_info *disk, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.connect_volume");
}

static sp_status disconnect_volume(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.disconnect_volume");
}

static sp_status get_physical_disk(sp_pool *pool, const sp_volume_ref *vol, const sp_host_ref *host,
                                   sp_disk_info *disk, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.get_physical_disk");
}

static sp_status copy_image_to_volume(sp_pool *pool, const sp_image_source *src, const sp_volume_ref *dest,
                                      const sp_host_ref *host, const sp_progress *progress, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.copy_image_to_volume");
}

static sp_status copy_volume_to_image(sp_pool *pool, const sp_volume_ref *src, const sp_host_ref *host,
                                      const char *dest_path, const sp_progress *progress,
                                      sp_image_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.copy_volume_to_image");
}

static sp_status copy_volume_across(sp_pool *src, const sp_volume_ref *vol, sp_pool *dest,
                                    const sp_volume_spec *spec, const sp_host_ref *host,
                                    const sp_progress *progress, sp_volume_info *out, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.copy_volume_across");
}

static sp_status recover_copies(sp_pool *const *pools, size_t n_pools, const sp_host_ref *host,
                                sp_kv_sink resolved, void *resolved_ctx, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.recover_copies");
}

static sp_status create_config_drive(const sp_host_ref *host, const char *vm_name, const sp_kv *files,
                                     size_t n_files, char *iso_path_out, size_t iso_path_len,
                                     sp_error *err)
{
    return PFX_UNSUPPORTED(err, "adaptor.create_config_drive");
}

const sp_adaptor_ops pfx_adaptor_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_adaptor_ops),
    .connect_volume = connect_volume,
    .disconnect_volume = disconnect_volume,
    .get_physical_disk = get_physical_disk,
    .copy_image_to_volume = copy_image_to_volume,
    .copy_volume_to_image = copy_volume_to_image,
    .copy_volume_across = copy_volume_across,
    .recover_copies = recover_copies,
    .create_config_drive = create_config_drive,
};
