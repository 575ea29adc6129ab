/* cfg.h - CloudStack's configuration settings at global, zone, pool and agent (host) scope:
 * names, defaults, lookups with scope fallback, and the listConfigurations/updateConfiguration APIs. */
#ifndef HOST_CFG_H
#define HOST_CFG_H

#include "cs.h"

/* Scopes a setting may be set at (bit mask of 1 << sp_scope). */
#define HOST_CFG_GLOBAL (1u << SP_SCOPE_GLOBAL)
#define HOST_CFG_ZONE (1u << SP_SCOPE_ZONE)
#define HOST_CFG_POOL (1u << SP_SCOPE_POOL)
#define HOST_CFG_HOST (1u << SP_SCOPE_HOST)

#define HOST_CFG_CS_IDENTIFIER "custom.cs.identifier"
#define HOST_CFG_HOST_CACHE "host.cache.location" /* agent.properties */
#define HOST_CFG_OVERPROVISIONING "storage.overprovisioning.factor"
#define HOST_CFG_CAPACITY_THRESHOLD "pool.storage.capacity.disablethreshold"
#define HOST_CFG_ALLOCATED_THRESHOLD "pool.storage.allocated.capacity.disablethreshold"
#define HOST_CFG_CD_PRIMARY "vm.configdrive.primarypool.enabled"
#define HOST_CFG_CD_HOST_CACHE_UNSUPPORTED "vm.configdrive.use.host.cache.on.unsupported.pool"
#define HOST_CFG_CD_FORCE_HOST_CACHE "vm.configdrive.force.host.cache.use"
#define HOST_CFG_VR_RECREATE "router.health.checks.failures.to.recreate.vr"
/* Every custom.cs.identifier this installation used before the current one (comma-separated):
 * the plugin counts volumes named with any of them as its own, so changing the identifier does
 * not make older volumes "missing on the array". Kept by the harness when the identifier changes. */
#define HOST_CFG_CS_IDENTIFIER_HISTORY "custom.cs.identifier.history"
#define HOST_CFG_IMAGE_DIRS "harness.image.directories"
/* CloudStack's management-server settings for SDCs connected on demand: the harness decides
 * with them (when to prepare a host's client, which hosts may take a pool's volumes) as
 * CloudStack does, though the plugin reads them too; and CloudStack's wait for a VM migration,
 * which the harness gives a live volume migration. */
#define HOST_CFG_CONNECT_ON_DEMAND "powerflex.connect.on.demand"
#define HOST_CFG_CLIENTS_LIMIT "storage.pool.connected.clients.limit"
#define HOST_CFG_MIGRATE_WAIT "migratewait"
#define HOST_CFG_DEFAULT_PAGE_SIZE "default.page.size"

typedef struct host_setting_def {
    const char *name;
    const char *def; /* CloudStack's default; NULL for custom.cs.identifier (random at first start) */
    unsigned scopes; /* where it may be set; the widest is where its default lives */
    const char *category;
    const char *description;
} host_setting_def;

/* The definition of a setting, the harness's own or one the plugin published; NULL when
 * neither knows it. */
const host_setting_def *host_config_def(host_cs *cs, const char *name);

/* The i-th known setting (the harness's, then the plugin's), NULL past the last. */
const host_setting_def *host_config_def_at(host_cs *cs, size_t i);

/* The plugin's description of a setting it published, or NULL (the harness's own settings,
 * whose rules the harness keeps even when the plugin reads them too). */
const sp_setting_desc *host_config_desc(host_cs *cs, const char *name);

/* Takes the settings the loaded plugin publishes through describe (cs->sp): from then on they
 * are listed, set and checked like the harness's own, with the plugin's defaults, scopes, types
 * and ranges. 0, or -1 with e when the plugin's answer is unusable. */
int host_config_adopt_plugin(host_cs *cs, host_err *e);

/* Forgets them (before the plugin, which owns their text, is unloaded). */
void host_config_drop_plugin(host_cs *cs);

/* Loads the config table into cs->svc with CloudStack's defaults under it, generating
 * custom.cs.identifier at first start. Also maps every pool to its zone for scope fallback. */
int host_config_load(host_cs *cs, host_err *e);

/* The effective value at scope/scope_id, walking pool -> zone -> global -> default (a host-scope
 * setting has no wider scope). Copies into buf; returns 0 or -1 when unknown or too long. */
int host_config_get(host_cs *cs, const char *name, sp_scope scope, const char *scope_id, char *buf,
                    size_t buflen);
double host_config_double(host_cs *cs, const char *name, sp_scope scope, const char *scope_id);
int host_config_bool(host_cs *cs, const char *name, sp_scope scope, const char *scope_id);

/* Sets a value at one scope in the database (the caller's transaction) and in cs->svc; value NULL
 * removes it. Checks the name, the scope and the value's type. */
int host_config_set(host_cs *cs, const char *name, sp_scope scope, const char *scope_id, const char *value,
                    host_err *e);

#endif
