/* entry.c - the one symbol the module exports.
 * Kept apart from libpfx so that unit tests linking libpfx do not define it twice. */
#include "config.h"

#include "plugin.h"

__attribute__((visibility("default"))) sp_status sp_plugin_init(uint32_t host_abi_version,
                                                                const sp_host_services *services,
                                                                const sp_plugin **out, sp_error *err)
{
    return pfx_plugin_init(host_abi_version, services, out, err);
}
