/* sizes.c - size arithmetic for PowerFlex. CloudStack once sized a template under 1 GiB to
 * 0 GB and had it refused; here every conversion rounds up. */
#include "config.h"

#include "sizes.h"

#include "error.h"

#include <inttypes.h>

sp_status pfx_round_size(uint64_t bytes, const char *what, uint64_t *rounded, sp_error *err)
{
    uint64_t units;

    if (bytes == 0)
        return pfx_error(err, SP_E_INVALID, "%s: size must be greater than 0 bytes", what);
    units = bytes / PFX_ALLOC_UNIT + (bytes % PFX_ALLOC_UNIT != 0);
    if (units > UINT64_MAX / PFX_ALLOC_UNIT)
        return pfx_error(err, SP_E_INVALID, "%s: size of %" PRIu64 " bytes is too large", what, bytes);
    *rounded = units * PFX_ALLOC_UNIT;
    return SP_OK;
}
