/* sizes.h - size arithmetic for PowerFlex: 8 GiB allocation units, KB and GB conversions.
 * Everything rounds up and checks overflow: a size is never silently made smaller. */
#ifndef PFX_SIZES_H
#define PFX_SIZES_H

#include "storage_plugin.h"

#include <stdint.h>

#define PFX_GIB (UINT64_C(1) << 30)
#define PFX_ALLOC_UNIT (UINT64_C(8) << 30) /* the array's allocation granularity */
#define PFX_ALLOC_UNIT_KB (UINT64_C(8) << 20)

/* Rounds a requested size up to the next multiple of 8 GiB. A request of 0 bytes, or one whose
 * rounding overflows, is SP_E_INVALID naming `what`. */
sp_status pfx_round_size(uint64_t bytes, const char *what, uint64_t *rounded, sp_error *err);

/* Exact conversions of an already rounded size. */
static inline uint64_t pfx_bytes_to_kb(uint64_t bytes)
{
    return bytes >> 10;
}
static inline uint64_t pfx_bytes_to_gb(uint64_t bytes)
{
    return bytes >> 30;
}
static inline uint64_t pfx_kb_to_bytes(uint64_t kb)
{
    return kb << 10;
}

#endif
