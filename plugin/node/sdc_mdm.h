/* sdc_mdm.h - which PowerFlex systems this host's SDC belongs to: drv_cfg --query_mdms, and
 * joining or leaving a system's MDM cluster (--add_mdm / --remove_mdm --ip ... --file ...), as
 * CloudStack's agent does to connect an SDC on demand.
 * Threads: every function may be called concurrently; changes to one system's membership are the
 * caller's to serialise. */
#ifndef PFX_SDC_MDM_H
#define PFX_SDC_MDM_H

#include "sdc.h"
#include "storage_plugin.h"

#include <stddef.h>

#define PFX_SDC_DRV_CFG_FILE_DEFAULT "/etc/emc/scaleio/drv_cfg.txt"
#define PFX_SDC_MDM_IPS_MAX 256 /* "ip,ip,..." of one MDM cluster */

/* One MDM cluster this SDC is connected to, as drv_cfg --query_mdms lists it:
 * "MDM-ID <system id> SDC ID <sdc id> INSTALLATION ID <id> IPs [0]-a.b.c.d [1]-...". */
typedef struct pfx_sdc_mdm {
    char system_id[PFX_SDC_ID_MAX + 1];
    char sdc_id[PFX_SDC_ID_MAX + 1]; /* 0000000000000000 when the MDM does not know it (yet) */
    char ips[PFX_SDC_MDM_IPS_MAX];    /* "a.b.c.d,e.f.g.h" */
} pfx_sdc_mdm;

/* The parser behind pfx_sdc_query_mdms: "Retrieved N mdm(s)" and N MDM-ID lines. Unknown lines
 * are skipped; a malformed MDM-ID line, one before the header or a count that disagrees is
 * SP_E_PROTOCOL. *mdms is malloc'd (NULL when none). */
sp_status pfx_sdc_parse_query_mdms(const char *text, pfx_sdc_mdm **mdms, size_t *n, sp_error *err);

/* Runs drv_cfg --query_mdms and parses it. */
sp_status pfx_sdc_query_mdms(const char *sdc_home, pfx_sdc_mdm **mdms, size_t *n, sp_error *err);

/* Whether an SDC id drv_cfg reports is a real one: 16 hex digits, not all zero. */
int pfx_sdc_mdm_valid_sdc_id(const char *sdc_id);

/* 1 when ips ("a,b") is a comma-separated list of addresses: digits, hex, '.', ':' only (they go
 * on drv_cfg's command line and into its file). */
int pfx_sdc_mdm_ips_ok(const char *ips);

/* drv_cfg --add_mdm --ip <ips> --file <file> (file NULL: the default). Like CloudStack, any
 * output on stderr is a failure too. SP_E_INVALID for ips that are not addresses. */
sp_status pfx_sdc_add_mdm(const char *sdc_home, const char *ips, const char *file, sp_error *err);

/* drv_cfg --remove_mdm --ip <ips> --file <file>. SP_E_UNSUPPORTED when this drv_cfg's usage
 * does not offer --remove_mdm (older SDCs: the line must be taken out of the file and scini
 * restarted, which this plugin does not do while volumes may be in use). */
sp_status pfx_sdc_remove_mdm(const char *sdc_home, const char *ips, const char *file, sp_error *err);

#endif
