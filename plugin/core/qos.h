/* qos.h - SDC limits from an offering's QoS details (bandwidthLimitInMbps, iopsLimit).
 * Validates the strings and converts them to what setMappedSdcLimits takes. */
#ifndef PFX_QOS_H
#define PFX_QOS_H

#include "storage_plugin.h"

#include <stdint.h>

#define PFX_IOPS_MIN_LIMITED 11 /* the array takes 0 (unlimited) or more than 10 */
#define PFX_QOS_MAX INT32_MAX   /* the gateway keeps limits in 32-bit integers */

typedef struct pfx_limits {
    uint64_t bandwidth_kbps; /* 0 = unlimited; a multiple of 1024 */
    uint64_t iops;           /* 0 = unlimited; else >= 11 */
    int iops_raised;         /* the requested IOPS (1..10) were raised to 11 */
} pfx_limits;

/* Parses qos (NULL members or "" or "0" = unlimited). Negative, non-numeric, fractional or
 * overflowing values are SP_E_INVALID naming the detail. */
sp_status pfx_qos_parse(const sp_qos *qos, pfx_limits *out, sp_error *err);

/* Whether any limit is set. */
static inline int pfx_limits_any(const pfx_limits *l)
{
    return l->bandwidth_kbps != 0 || l->iops != 0;
}

#endif
