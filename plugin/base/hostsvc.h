/* hostsvc.h - the host's services (logging, settings) as the plugin's modules use them.
 * Holds the table the host passed to sp_plugin_init for the life of the process. */
#ifndef PFX_HOSTSVC_H
#define PFX_HOSTSVC_H

#include "storage_plugin.h"

#include <stdint.h>

/* Remembers the host's table (borrowed until pfx_hostsvc_reset). NULL is allowed: no logging,
 * defaults for every setting. */
void pfx_hostsvc_set(const sp_host_services *services);
void pfx_hostsvc_reset(void);

/* Logs a formatted line through the host. Callers never pass secrets. Thread-safe. */
void pfx_log(sp_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a setting into buf; returns 1 when set, 0 when not (buf then holds `def`, or "" when
 * def is NULL). Never fails: a too-small buffer counts as not set, with a warning logged. */
int pfx_setting_str(sp_scope scope, const char *scope_id, const char *key, const char *def, char *buf,
                    size_t buf_len);

/* Reads an unsigned integer setting in [min, max]; a missing or invalid value yields def
 * (invalid ones are logged as a warning). */
uint64_t pfx_setting_u64(sp_scope scope, const char *scope_id, const char *key, uint64_t def, uint64_t min,
                         uint64_t max);

#endif
