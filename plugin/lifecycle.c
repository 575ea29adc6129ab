/* lifecycle.c - the Lifecycle vtable: add, open, attach, maintain and remove a primary storage
 * pool (CloudStack's PrimaryDataStoreLifeCycle). */
#include "config.h"

#include "error.h"
#include "plugin.h"

static sp_status initialize(const sp_pool_create_params *params, sp_kv_sink sink, void *sink_ctx,
                            sp_capacity *cap, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.initialize");
}

static sp_status open_pool(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                           sp_error *err)
{
    if (out != NULL)
        *out = NULL;
    return PFX_UNSUPPORTED(err, "lifecycle.open");
}

static void close_pool(sp_pool *pool)
{
}

static sp_status attach(sp_pool *pool, sp_pool_scope scope, const sp_host_ref *hosts, size_t n_hosts,
                        sp_host_attach_result *results, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.attach");
}

static sp_status maintain(sp_pool *pool, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.maintain");
}

static sp_status cancel_maintain(sp_pool *pool, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.cancel_maintain");
}

static sp_status enable(sp_pool *pool, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.enable");
}

static sp_status disable(sp_pool *pool, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.disable");
}

static sp_status update(sp_pool *pool, const sp_kv *details, size_t n_details, sp_kv_sink sink,
                        void *sink_ctx, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.update");
}

static sp_status remove_pool(sp_pool *pool, uint64_t n_volumes, sp_error *err)
{
    return PFX_UNSUPPORTED(err, "lifecycle.remove");
}

const sp_lifecycle_ops pfx_lifecycle_ops = {
    .abi_version = SP_ABI_VERSION,
    .struct_size = sizeof(sp_lifecycle_ops),
    .initialize = initialize,
    .open = open_pool,
    .close = close_pool,
    .attach = attach,
    .maintain = maintain,
    .cancel_maintain = cancel_maintain,
    .enable = enable,
    .disable = disable,
    .update = update,
    .remove = remove_pool,
};
