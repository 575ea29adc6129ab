/* settings.h - every setting and pool detail the plugin reads, in one table with its default,
 * range and scopes: describe() publishes the table, and the code reads settings through it. */
#ifndef PFX_SETTINGS_H
#define PFX_SETTINGS_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

/* Defaults and pool detail keys, with the table that publishes them. */
#define PFX_SDC_HOME_DEFAULT "/opt/emc/scaleio/sdc"  /* powerflex.sdc.home.dir */
#define PFX_SDC_DEVICE_DIR_DEFAULT "/dev/disk/by-id" /* powerflex.sdc.device.dir */
#define PFX_HOST_CACHE_DEFAULT "/var/cache/cloud"
#define PFX_DETAIL_GW_URL "powerflex.gw.url" /* https://host[:port]/api */
#define PFX_DETAIL_GW_USER "powerflex.gw.username"
#define PFX_DETAIL_GW_PASSWORD "powerflex.gw.password" /* the host stores it encrypted */
#define PFX_DETAIL_POOL_NAME "powerflex.storagepool.name"
#define PFX_DETAIL_POOL_ID "powerflex.storagepool.id"
#define PFX_DETAIL_SYSTEM_ID "powerflex.storagepool.system.id"
#define PFX_DETAIL_PD_ID "powerflex.storagepool.protectiondomain.id"
#define PFX_DETAIL_GW_CAFILE "powerflex.gw.cafile"       /* PEM bundle to verify the gateway */
#define PFX_DETAIL_GW_PINNED "powerflex.gw.pinnedpubkey" /* sha256//<base64> */
#define PFX_DETAIL_GW_INSECURE "powerflex.gw.insecure"   /* "true": no verification (warned) */
#define PFX_DETAIL_UPDATE_URL "url"                      /* update(): new credentials as a pool URL */
/* The gateway's release as learnt when the pool was added ("3.5", "4.5"): handles log in the
 * way it takes without asking again. */
#define PFX_DETAIL_GW_VERSION "powerflex.gw.version"
/* The system's MDM addresses an SDC joins it with ("ip,ip"), learnt when the pool was added. */
#define PFX_DETAIL_MDMS "powerflex.storagepool.mdms"
#define PFX_SDC_DRV_CFG_FILE_DEFAULT "/etc/emc/scaleio/drv_cfg.txt" /* powerflex.sdc.cfg.file */

/* Settings (sp_host_services.get_setting). The first five are CloudStack's own keys: four it
 * documents as read by PowerFlex pools, and its timeout for an offline storage migration on KVM,
 * which it also gives a V-Tree migration; the identifier history (the identifiers the
 * installation used before custom.cs.identifier's current value, a comma list the host keeps:
 * volumes named with them are still its own) and the SDC ones are this plugin's. */
#define PFX_SETTING_DISK_WAIT "storage.pool.disk.wait"                           /* pool, s */
#define PFX_SETTING_CLIENT_TIMEOUT "storage.pool.client.timeout"                 /* pool, s */
#define PFX_SETTING_CLIENT_MAX_CONNECTIONS "storage.pool.client.max.connections" /* pool */
#define PFX_SETTING_CS_IDENTIFIER "custom.cs.identifier"                         /* global */
#define PFX_SETTING_CS_IDENTIFIER_HISTORY "custom.cs.identifier.history"         /* global */
#define PFX_SETTING_MIGRATION_WAIT "kvm.storage.offline.migration.wait"          /* pool, s */
#define PFX_SETTING_HOST_CACHE "host.cache.location"                             /* host */
#define PFX_SETTING_SDC_HOME "powerflex.sdc.home.dir"                            /* host */
#define PFX_SETTING_DEVICE_DIR "powerflex.sdc.device.dir"                        /* host */
/* SDCs connected on demand: CloudStack's keys, and the SDC's configuration file on the host. */
#define PFX_SETTING_CONNECT_ON_DEMAND "powerflex.connect.on.demand"      /* zone, bool */
#define PFX_SETTING_CLIENTS_LIMIT "storage.pool.connected.clients.limit" /* pool, <= 0: none */
#define PFX_SETTING_MDM_APPLY_WAIT "powerflex.mdm.change.apply.wait"     /* zone, ms */
#define PFX_SETTING_SDC_CFG_FILE "powerflex.sdc.cfg.file"                /* host */

/* The table (static), n entries. */
const sp_setting_desc *pfx_settings(size_t *n);

/* The entry named `name`, or NULL. */
const sp_setting_desc *pfx_setting_desc(const char *name);

/* sp_plugin.describe. */
sp_status pfx_describe(const sp_setting_desc **out, size_t *count, sp_error *err);

/* A setting of type UINT at scope/scope_id, with the table's default and range (an invalid
 * value is logged and the default used). */
uint64_t pfx_setting_uint(sp_scope scope, const char *scope_id, const char *name);

/* A setting's text at scope/scope_id into buf, the table's default when unset ("" when it has
 * none). Returns 1 when set, 0 when not (as pfx_setting_str). */
int pfx_setting_text(sp_scope scope, const char *scope_id, const char *name, char *buf, size_t buf_len);

#endif
