/* plugin.h - the plugin's descriptor and its vtables, as one module sees the others.
 * Each vtable is implemented in its own file (driver.c, lifecycle.c, adaptor.c, pool.c,
 * hostutil.c).
 *
 * What the generic ABI's words mean for PowerFlex (the header itself names no product):
 *   pool URL (sp_pool_create_params.url)  powerflex://user:password@gateway[:port]/<storage pool>
 *   sp_volume_info.path                    "<volumeId>:<name>"
 *   sp_volume_info.id / .name              the volume's id (16 hex digits) and name (<= 31 chars)
 *   sp_volume_info.lineage_id              the volume's V-Tree id
 *   sp_volume_info.format                  always RAW
 *   sp_error.backend_code                  the gateway's errorCode; http_status its HTTP status
 *   sp_host_ref.ip / attach client_id      the address and id of the host's SDC
 *   SP_MIGRATE_NATIVE                      migrateVTree: the V-Tree, snapshots included, moves
 *   SP_E_BACKEND                           the gateway refused the request
 * The settings and pool details the plugin reads are published by its describe method. */
#ifndef PFX_PLUGIN_H
#define PFX_PLUGIN_H

#include "storage_plugin.h"

#define PFX_PLUGIN_NAME "PowerFlex"

extern const sp_lifecycle_ops pfx_lifecycle_ops;
extern const sp_driver_ops pfx_driver_ops;
extern const sp_adaptor_ops pfx_adaptor_ops;
extern const sp_pool_ops pfx_pool_ops;
extern const sp_hostutil_ops pfx_hostutil_ops;

/* Negotiates the ABI and hands out the descriptor (the body of sp_plugin_init). */
sp_status pfx_plugin_init(uint32_t host_abi_version, const sp_host_services *services, const sp_plugin **out,
                          sp_error *err);

/* The answer of a method this build does not provide yet: SP_E_UNSUPPORTED naming it. */
#define PFX_UNSUPPORTED(err, method)                                                                         \
    pfx_error((err), SP_E_UNSUPPORTED, "PowerFlex plugin %s: %s is not supported by this build",             \
              PACKAGE_VERSION, (method))

#endif
