/* fake_plugin.c - plugins that misbehave on purpose, for the ABI negotiation tests.
 * Built several times with different FAKE_* macros (see tests/Makemodule.am). */
#include "config.h"

#include "storage_plugin.h"

#include <stddef.h>

#ifndef FAKE_MAJOR
#define FAKE_MAJOR SP_ABI_VERSION_MAJOR
#endif
#ifndef FAKE_MINOR
#define FAKE_MINOR SP_ABI_VERSION_MINOR
#endif
#define FAKE_VERSION SP_ABI_MAKE_VERSION(FAKE_MAJOR, FAKE_MINOR)

static sp_status nothing(sp_pool *pool, sp_capacity *out, sp_error *err)
{
    (void)pool;
    (void)err;
    out->total_bytes = 42;
    return SP_OK;
}

static void shutdown_(void)
{
}

/* A newer minor appends members: here one more method at the end of the pool table. */
typedef struct fake_pool_ops {
    sp_pool_ops v1;
    sp_status (*added_in_1_1)(sp_pool *pool, sp_error *err);
} fake_pool_ops;

static sp_status added(sp_pool *pool, sp_error *err)
{
    (void)pool;
    (void)err;
    return SP_OK;
}

#ifdef FAKE_SMALL_TABLES
#define TABLE_SIZE(t) 8u /* only the header: older than any real version */
#else
#define TABLE_SIZE(t) (uint32_t)sizeof(t)
#endif

static const sp_lifecycle_ops lifecycle = {.abi_version = FAKE_VERSION,
                                           .struct_size = TABLE_SIZE(sp_lifecycle_ops)};
static const sp_driver_ops driver = {.abi_version = FAKE_VERSION, .struct_size = TABLE_SIZE(sp_driver_ops)};
static const sp_adaptor_ops adaptor = {.abi_version = FAKE_VERSION,
                                       .struct_size = TABLE_SIZE(sp_adaptor_ops)};
static const fake_pool_ops pool = {
    {FAKE_VERSION,
#ifdef FAKE_EXTRA_MEMBER
     (uint32_t)sizeof(fake_pool_ops),
#else
     TABLE_SIZE(sp_pool_ops),
#endif
     nothing, NULL},
    added,
};

/* What a foreign product's plugin reads: one setting with a range, one secret pool detail. */
static const sp_setting_desc settings[] = {
    {SP_SIZED(sp_setting_desc), .kind = SP_SETTING_KIND_SETTING, .name = "fake.wait",
     .description = "Seconds the fake waits.", .default_value = "5",
     .scopes = SP_SCOPE_BIT(SP_SCOPE_GLOBAL) | SP_SCOPE_BIT(SP_SCOPE_POOL), .type = SP_VALUE_UINT, .min = 1,
     .max = 10},
    {SP_SIZED(sp_setting_desc), .kind = SP_SETTING_KIND_POOL_DETAIL, .name = "fake.token",
     .description = "The fake's token.", .type = SP_VALUE_STRING,
     .flags = SP_SETTING_SECRET | SP_SETTING_REQUIRED},
};

static sp_status describe(const sp_setting_desc **out, size_t *count, sp_error *err)
{
    (void)err;
    *out = settings;
    *count = sizeof(settings) / sizeof(settings[0]);
    return SP_OK;
}

static const sp_plugin descriptor = {
    .abi_version = FAKE_VERSION,
    .struct_size = (uint32_t)sizeof(sp_plugin),
    .name = "Fake",
    .version = "0.0.1",
    .lifecycle = &lifecycle,
    .driver = &driver,
    .adaptor = &adaptor,
    .pool = &pool.v1,
    .shutdown = shutdown_,
    .describe = describe,
};

#ifdef FAKE_NO_ENTRY
#define ENTRY fake_entry_under_another_name
#else
#define ENTRY sp_plugin_init
#endif

sp_status ENTRY(uint32_t host_abi_version, const sp_host_services *services, const sp_plugin **out,
                sp_error *err);

sp_status ENTRY(uint32_t host_abi_version, const sp_host_services *services, const sp_plugin **out,
                sp_error *err)
{
    (void)host_abi_version;
    (void)services;
    (void)err;
    *out = &descriptor;
    return SP_OK;
}
