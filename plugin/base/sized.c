/* sized.c - refusing sized value structs smaller than their 2.0 size at the plugin's edge.
 * The plugin fills whole structs of its own (2.0) size, so 2.0 is also the least it accepts. */
#include "config.h"

#include "sized.h"

#include "error.h"

#include <string.h>

/* This plugin writes whole structs (memset, assignment), so for it the 2.0 size must be the whole
 * sizeof: a struct with tail padding would let a write run past a caller's struct_size. */
#define SAME(T, min)                                                                                         \
    _Static_assert((min) == sizeof(T), #T " has tail padding: its 2.0 size is not its sizeof")
SAME(sp_volume_info, SP_VOLUME_INFO_SIZE_2_0);
SAME(sp_volume_spec, SP_VOLUME_SPEC_SIZE_2_0);
SAME(sp_host_ref, SP_HOST_REF_SIZE_2_0);
SAME(sp_host_attach_result, SP_HOST_ATTACH_RESULT_SIZE_2_0);
SAME(sp_capacity, SP_CAPACITY_SIZE_2_0);
SAME(sp_pool_create_params, SP_POOL_CREATE_PARAMS_SIZE_2_0);
SAME(sp_snapshot_group_info, SP_SNAPSHOT_GROUP_INFO_SIZE_2_0);
SAME(sp_image_source, SP_IMAGE_SOURCE_SIZE_2_0);
SAME(sp_image_info, SP_IMAGE_INFO_SIZE_2_0);
SAME(sp_disk_info, SP_DISK_INFO_SIZE_2_0);
SAME(sp_volume_stats, SP_VOLUME_STATS_SIZE_2_0);
SAME(sp_encryption, SP_ENCRYPTION_SIZE_MIN);

static uint32_t size_of(const void *s)
{
    uint32_t n;
    memcpy(&n, s, sizeof(n)); /* struct_size is every sized struct's first member */
    return n;
}

sp_status pfx_sized_check(const void *s, size_t min_size, const char *type, const char *method, sp_error *err)
{
    uint32_t n;

    if (s == NULL)
        return SP_OK;
    n = size_of(s);
    if (n < min_size)
        return pfx_error(
            err, SP_E_VERSION,
            "%s: the caller's %s has struct_size %u; ABI %u.0 needs at least %zu (set it with SP_SIZED)",
            method, type, n, SP_ABI_VERSION_MAJOR, min_size);
    return SP_OK;
}

sp_status pfx_sized_check_array(const void *base, size_t n, size_t min_size, const char *type,
                                const char *method, sp_error *err)
{
    sp_status st;
    uint32_t stride;

    if (base == NULL || n == 0)
        return SP_OK;
    if ((st = pfx_sized_check(base, min_size, type, method, err)) != SP_OK)
        return st;
    stride = size_of(base);
    for (size_t i = 1; i < n; i++) {
        uint32_t got = size_of((const char *)base + i * stride);
        if (got != stride)
            return pfx_error(err, SP_E_VERSION,
                             "%s: %s [%zu] has struct_size %u, [0] has %u; an array's elements share one",
                             method, type, i, got, stride);
    }
    return SP_OK;
}
