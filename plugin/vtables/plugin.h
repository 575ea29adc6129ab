/* plugin.h - the plugin's descriptor and its four vtables, as one module sees the others.
 * Each vtable is implemented in its own file (driver.c, lifecycle.c, adaptor.c, pool.c). */
#ifndef PFX_PLUGIN_H
#define PFX_PLUGIN_H

#include "storage_plugin.h"

#define PFX_PLUGIN_NAME "PowerFlex"

extern const sp_lifecycle_ops pfx_lifecycle_ops;
extern const sp_driver_ops pfx_driver_ops;
extern const sp_adaptor_ops pfx_adaptor_ops;
extern const sp_pool_ops pfx_pool_ops;

/* Negotiates the ABI and hands out the descriptor (the body of sp_plugin_init). */
sp_status pfx_plugin_init(uint32_t host_abi_version, const sp_host_services *services,
                          const sp_plugin **out, sp_error *err);

/* The answer of a method this build does not provide yet: SP_E_UNSUPPORTED naming it. */
#define PFX_UNSUPPORTED(err, method)                                                                   \
    pfx_error((err), SP_E_UNSUPPORTED, "PowerFlex plugin %s: %s is not supported by this build",       \
              PACKAGE_VERSION, (method))

#endif
