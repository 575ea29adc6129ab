/* qos.c - SDC limits from an offering's QoS details.
 * CloudStack raises IOPS 1..9 to 10, which the array then refuses; here they become 11. */
#include "config.h"

#include "qos.h"

#include "error.h"
#include "hostsvc.h"

#include <ctype.h>
#include <inttypes.h>

/* Parses a whole decimal number; only digits (after optional surrounding blanks) are allowed. */
static sp_status parse_count(const char *s, const char *name, uint64_t max, uint64_t *out, sp_error *err)
{
    uint64_t v = 0;
    const char *p = s;

    *out = 0;
    if (s == NULL)
        return SP_OK;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return SP_OK;
    if (*p == '-')
        return pfx_error(err, SP_E_INVALID, "QoS detail %s=\"%.32s\" is negative; use 0 for unlimited", name,
                         s);
    if (!isdigit((unsigned char)*p))
        return pfx_error(err, SP_E_INVALID, "QoS detail %s=\"%.32s\" is not a whole number", name, s);
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (max - (uint64_t)(*p - '0')) / 10)
            return pfx_error(err, SP_E_INVALID, "QoS detail %s=\"%.32s\" is too large (at most %" PRIu64 ")",
                             name, s, max);
        v = v * 10 + (uint64_t)(*p - '0');
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '\0')
        return pfx_error(err, SP_E_INVALID, "QoS detail %s=\"%.32s\" is not a whole number", name, s);
    *out = v;
    return SP_OK;
}

sp_status pfx_qos_parse(const sp_qos *qos, pfx_limits *out, sp_error *err)
{
    uint64_t mbps = 0, iops = 0;
    sp_status st;

    out->bandwidth_kbps = 0;
    out->iops = 0;
    out->iops_raised = 0;
    if (qos == NULL)
        return SP_OK;
    st = parse_count(qos->bandwidth_limit_mbps, "bandwidthLimitInMbps", PFX_QOS_MAX / 1024, &mbps, err);
    if (st != SP_OK)
        return st;
    st = parse_count(qos->iops_limit, "iopsLimit", PFX_QOS_MAX, &iops, err);
    if (st != SP_OK)
        return st;
    out->bandwidth_kbps = mbps * 1024;
    if (iops > 0 && iops < PFX_IOPS_MIN_LIMITED) {
        pfx_log(SP_LOG_WARN,
                "QoS iopsLimit=%" PRIu64 " is below the smallest limit PowerFlex accepts; using %d", iops,
                PFX_IOPS_MIN_LIMITED);
        iops = PFX_IOPS_MIN_LIMITED;
        out->iops_raised = 1;
    }
    out->iops = iops;
    return SP_OK;
}
