/* hostsvc.c - the host's services (logging, settings) for the plugin's modules.
 * The table is set once at init, before any other thread uses the plugin. */
#include "config.h"

#include "hostsvc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sp_host_services *host_services;

static int has_log(void)
{
    return host_services != NULL && SP_HAS(host_services, log);
}

static int has_settings(void)
{
    return host_services != NULL && SP_HAS(host_services, get_setting);
}

void pfx_hostsvc_set(const sp_host_services *services)
{
    host_services = services;
}

void pfx_hostsvc_reset(void)
{
    host_services = NULL;
}

void pfx_log(sp_log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;

    if (!has_log() ||
        (SP_HAS(host_services, log_enabled) && !host_services->log_enabled(host_services->host_ctx, level)))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    host_services->log(host_services->host_ctx, level, line);
}

int pfx_setting_str(sp_scope scope, const char *scope_id, const char *key, const char *def, char *buf,
                    size_t buf_len)
{
    int found = 0;

    if (buf_len == 0)
        return 0;
    if (has_settings()) {
        int rc = host_services->get_setting(host_services->host_ctx, scope, scope_id, key, buf, buf_len);
        if (rc == 1 && memchr(buf, '\0', buf_len) != NULL)
            found = 1;
        else if (rc < 0)
            pfx_log(SP_LOG_WARN, "setting %s is longer than %zu bytes; using its default", key, buf_len - 1);
    }
    if (!found)
        snprintf(buf, buf_len, "%s", def != NULL ? def : "");
    return found;
}

uint64_t pfx_setting_u64(sp_scope scope, const char *scope_id, const char *key, uint64_t def, uint64_t min,
                         uint64_t max)
{
    char buf[64];
    char *end = NULL;
    unsigned long long v;

    if (!pfx_setting_str(scope, scope_id, key, NULL, buf, sizeof(buf)) || buf[0] == '\0')
        return def;
    errno = 0;
    v = strtoull(buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\0' || buf[0] == '-' || v < min || v > max) {
        pfx_log(SP_LOG_WARN, "setting %s=\"%s\" is not a whole number in [%llu, %llu]; using %llu", key, buf,
                (unsigned long long)min, (unsigned long long)max, (unsigned long long)def);
        return def;
    }
    return (uint64_t)v;
}
