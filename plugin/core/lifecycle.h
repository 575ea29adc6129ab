/* lifecycle.h - the Lifecycle methods: a primary storage pool added, opened, attached to hosts,
 * put in and out of maintenance, updated and removed. The Lifecycle table points at them. */
#ifndef PFX_LIFECYCLE_H
#define PFX_LIFECYCLE_H

#include "storage_plugin.h"

sp_status pfx_lc_initialize(const sp_pool_create_params *params, sp_kv_sink sink, void *sink_ctx,
                            sp_capacity *cap, sp_error *err);
sp_status pfx_lc_open(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                      sp_error *err);
void pfx_lc_close(sp_pool *pool);
sp_status pfx_lc_attach(sp_pool *pool, sp_pool_scope scope, const sp_host_ref *hosts, size_t n_hosts,
                        sp_host_attach_result *results, sp_error *err);
sp_status pfx_lc_maintain(sp_pool *pool, sp_error *err);
sp_status pfx_lc_cancel_maintain(sp_pool *pool, sp_error *err);
sp_status pfx_lc_enable(sp_pool *pool, sp_error *err);
sp_status pfx_lc_disable(sp_pool *pool, sp_error *err);
sp_status pfx_lc_update(sp_pool *pool, const sp_kv *details, size_t n_details, sp_kv_sink sink,
                        void *sink_ctx, sp_error *err);
sp_status pfx_lc_remove(sp_pool *pool, uint64_t n_volumes, sp_error *err);

#endif
