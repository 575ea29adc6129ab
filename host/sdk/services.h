/* services.h - the host services table the harness lends a plugin: logging and settings.
 * Settings live in a small in-memory map keyed by scope, scope id and name. */
#ifndef HOST_SERVICES_H
#define HOST_SERVICES_H

#include "storage_plugin.h"

#include <stdio.h>

typedef struct host_settings host_settings;

typedef struct host_services {
    sp_host_services table;  /* handed to the plugin; host_ctx points back at this struct */
    sp_log_level max_level;  /* lines above it are dropped */
    FILE *log_file;          /* borrowed; stderr by default */
    host_settings *settings; /* owned */
    /* Applied to every log line before it is written (the harness masks URLs and password=...
     * there, as CloudStack's log4j masking does, although the plugin promises no secrets in its
     * logs); returns a malloc'd line the services free, NULL when out of memory. NULL: none. */
    char *(*log_filter)(const char *message);
} host_services;

/* Initialises svc (log to stderr at WARN and above, no settings). Returns 0 or -1 (no memory). */
int host_services_init(host_services *svc);
void host_services_free(host_services *svc);

/* Sets (or with value NULL, clears) a setting. scope_id is ignored for SP_SCOPE_GLOBAL.
 * Returns 0, or -1 when out of memory. */
int host_setting_set(host_services *svc, sp_scope scope, const char *scope_id, const char *key,
                     const char *value);

/* Removes every setting (the harness reloads the map from its database). */
void host_settings_clear(host_services *svc);

/* The value set at exactly this scope, or NULL. Borrowed until the setting changes. */
const char *host_setting_get(const host_services *svc, sp_scope scope, const char *scope_id, const char *key);

#endif
