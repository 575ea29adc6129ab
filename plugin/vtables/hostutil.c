/* hostutil.c - the Host utilities table: work of the KVM host's agent that is not storage, which
 * this plugin bundles because it already runs programs on the host (the config drive's ISO tool);
 * its method is core's (adaptor_impl.h). */
#include "config.h"

#include "adaptor_impl.h"
#include "plugin.h"

const sp_hostutil_ops pfx_hostutil_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_hostutil_ops),
    .create_config_drive = pfx_ad_create_config_drive,
};
