/* lifecycle.c - the Lifecycle table (CloudStack's PrimaryDataStoreLifeCycle); its methods are
 * core/lifecycle.c's. */
#include "config.h"

#include "lifecycle.h"
#include "plugin.h"

const sp_lifecycle_ops pfx_lifecycle_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_lifecycle_ops),
    .initialize = pfx_lc_initialize,
    .open = pfx_lc_open,
    .close = pfx_lc_close,
    .attach = pfx_lc_attach,
    .maintain = pfx_lc_maintain,
    .cancel_maintain = pfx_lc_cancel_maintain,
    .enable = pfx_lc_enable,
    .disable = pfx_lc_disable,
    .update = pfx_lc_update,
    .remove = pfx_lc_remove,
};
