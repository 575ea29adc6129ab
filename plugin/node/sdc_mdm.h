/* sdc_mdm.h - changing which PowerFlex systems this host's SDC belongs to (sdc.h lists them):
 * joining or leaving a system's MDM cluster (--add_mdm / --remove_mdm --ip ... --file ...), as
 * CloudStack's agent does to connect an SDC on demand.
 * Threads: every function may be called concurrently; changes to one system's membership are the
 * caller's to serialise. */
#ifndef PFX_SDC_MDM_H
#define PFX_SDC_MDM_H

#include "sdc.h"
#include "storage_plugin.h"

#include <stddef.h>

#define PFX_SDC_MDM_IPLIST_MAX 256 /* "ip,ip,..." of one MDM cluster */

/* m's addresses as "a,b,..." into buf, as drv_cfg's --ip takes them: 1 when there is at least
 * one, it fits and passes pfx_sdc_mdm_ips_ok; else 0. */
int pfx_sdc_mdm_ip_list(const pfx_sdc_mdm *m, char *buf, size_t buf_len);

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
