/* adaptor.c - the Adaptor table: the KVM host side (CloudStack's KVM StorageAdaptor); its
 * methods are core's (adaptor_impl.h). */
#include "config.h"

#include "adaptor_crypt.h"
#include "adaptor_impl.h"
#include "client.h"
#include "plugin.h"

const sp_adaptor_ops pfx_adaptor_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_adaptor_ops),
    .connect_volume = pfx_ad_connect_volume,
    .disconnect_volume = pfx_ad_disconnect_volume,
    .get_physical_disk = pfx_ad_get_physical_disk,
    .copy_image_to_volume = pfx_ad_copy_image_to_volume,
    .copy_volume_to_image = pfx_ad_copy_volume_to_image,
    .copy_volume_across = pfx_ad_copy_volume_across,
    .recover_copies = pfx_ad_recover_copies,
    .prepare_client = pfx_ad_prepare_client,
    .unprepare_client = pfx_ad_unprepare_client,
    .format_encrypted = pfx_ad_format_encrypted,
    .grow_encrypted = pfx_ad_grow_encrypted,
    .copy_volume_across_encrypted = pfx_ad_copy_volume_across_encrypted,
};
