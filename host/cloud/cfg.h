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

#define HOST_CFG_OVERPROVISIONING "storage.overprovisioning.factor"
#define HOST_CFG_CAPACITY_THRESHOLD "pool.storage.capacity.disablethreshold"
#define HOST_CFG_ALLOCATED_THRESHOLD "pool.storage.allocated.capacity.disablethreshold"
#define HOST_CFG_CD_PRIMARY "vm.configdrive.primarypool.enabled"
#define HOST_CFG_CD_HOST_CACHE_UNSUPPORTED "vm.configdrive.use.host.cache.on.unsupported.pool"
#define HOST_CFG_CD_FORCE_HOST_CACHE "vm.configdrive.force.host.cache.use"
#define HOST_CFG_VR_RECREATE "router.health.checks.failures.to.recreate.vr"
#define HOST_CFG_CONNECT_ON_DEMAND "powerflex.connect.on.demand"
#define HOST_CFG_CLIENTS_LIMIT "storage.pool.connected.clients.limit"
#define HOST_CFG_MDM_APPLY_WAIT "powerflex.mdm.change.apply.wait"
#define HOST_CFG_SDC_CFG_FILE "powerflex.sdc.cfg.file"
#define HOST_CFG_MIGRATE_WAIT "migratewait"

typedef struct host_setting_def {
    const char *name;
    const char *def; /* CloudStack's default; NULL for custom.cs.identifier (random at first start) */
    unsigned scopes; /* where it may be set; the widest is where its default lives */
    const char *category;
    const char *description;
} host_setting_def;

/* The definition of a setting, or NULL when the harness does not know it. */
const host_setting_def *host_config_def(const char *name);

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

/* Every setting the harness knows (for listConfigurations). */
const host_setting_def *host_config_defs(size_t *n);

#endif
