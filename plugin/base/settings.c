/* settings.c - the plugin's settings and pool details: the table describe() publishes, and
 * readers that take each setting's default and range from it, so what the plugin says it uses
 * is what it uses. */
#include "config.h"

#include "settings.h"

#include "error.h"
#include "hostsvc.h"

#include <stdlib.h>
#include <string.h>

#define SETTING(key, scopes_, type_, def, lo, hi, text)                                                      \
    {                                                                                                        \
        .struct_size = sizeof(sp_setting_desc), .kind = SP_SETTING_KIND_SETTING, .name = (key),              \
        .description = (text), .default_value = (def), .scopes = (scopes_), .type = (type_), .min = (lo),    \
        .max = (hi)                                                                                          \
    }
#define DETAIL(key, type_, flags_, def, text)                                                                \
    {                                                                                                        \
        .struct_size = sizeof(sp_setting_desc), .kind = SP_SETTING_KIND_POOL_DETAIL, .name = (key),          \
        .description = (text), .default_value = (def), .type = (type_), .flags = (flags_)                    \
    }

#define POOL_WIDE (SP_SCOPE_BIT(SP_SCOPE_GLOBAL) | SP_SCOPE_BIT(SP_SCOPE_POOL))
#define AGENT SP_SCOPE_BIT(SP_SCOPE_HOST)
#define ZONE_WIDE (SP_SCOPE_BIT(SP_SCOPE_GLOBAL) | SP_SCOPE_BIT(SP_SCOPE_ZONE))

static const sp_setting_desc table[] = {
    SETTING(PFX_SETTING_DISK_WAIT, POOL_WIDE, SP_VALUE_UINT, "60", 0, 86400,
            "Seconds a KVM host waits for a volume's device to appear after the volume was mapped to it."),
    SETTING(PFX_SETTING_CLIENT_TIMEOUT, POOL_WIDE, SP_VALUE_UINT, "60", 1, 3600,
            "Seconds the PowerFlex gateway has to answer one request."),
    SETTING(PFX_SETTING_CLIENT_MAX_CONNECTIONS, POOL_WIDE, SP_VALUE_UINT, "100", 1, 10000,
            "Most connections to the PowerFlex gateway open at once, per pool."),
    SETTING(PFX_SETTING_MIGRATION_WAIT, POOL_WIDE, SP_VALUE_UINT, "10800", 1, 7 * 24 * 3600,
            "Seconds a V-Tree migration between two pools of one system may take; one still running then is "
            "paused and rolled back to its source pool."),
    SETTING(PFX_SETTING_CS_IDENTIFIER, SP_SCOPE_BIT(SP_SCOPE_GLOBAL), SP_VALUE_STRING, NULL, 0, 0,
            "The installation's identifier, which ends the name of every volume made on the array; no volume "
            "is made while it is unset."),
    SETTING(PFX_SETTING_CS_IDENTIFIER_HISTORY, SP_SCOPE_BIT(SP_SCOPE_GLOBAL), SP_VALUE_STRING, "", 0, 0,
            "The identifiers the installation used before the current custom.cs.identifier, comma-separated: "
            "volumes whose names end with any of them are still listed as the installation's."),
    SETTING(
        PFX_SETTING_HOST_CACHE, AGENT, SP_VALUE_PATH, PFX_HOST_CACHE_DEFAULT, 0, 0,
        "agent.properties: the host's cache, holding template downloads, config drives and the journal of "
        "copies between arrays."),
    SETTING(
        PFX_SETTING_SDC_HOME, AGENT, SP_VALUE_PATH, PFX_SDC_HOME_DEFAULT, 0, 0,
        "agent.properties: the PowerFlex SDC's home, whose bin/drv_cfg rescans and lists mapped volumes."),
    SETTING(PFX_SETTING_DEVICE_DIR, AGENT, SP_VALUE_PATH, PFX_SDC_DEVICE_DIR_DEFAULT, 0, 0,
            "agent.properties: where the SDC's emc-vol-<system>-<volume> device links appear."),
    SETTING(PFX_SETTING_CONNECT_ON_DEMAND, ZONE_WIDE, SP_VALUE_BOOL, "true", 0, 0,
            "true: a host's SDC joins a system's MDMs when a volume of it is first needed there and leaves "
            "when the last one is gone; false: SDCs are connected beforehand."),
    SETTING(PFX_SETTING_CLIENTS_LIMIT, POOL_WIDE, SP_VALUE_STRING, "-1", 0, 0,
            "Most SDCs connected to the pool's system at once, a whole number; 0 or less: no limit. A host "
            "whose SDC would pass it is not given the pool's volumes."),
    SETTING(PFX_SETTING_MDM_APPLY_WAIT, ZONE_WIDE, SP_VALUE_UINT, "3000", 0, 600000,
            "Milliseconds an SDC has to list a system after drv_cfg --add_mdm (or to drop it after "
            "--remove_mdm)."),
    SETTING(PFX_SETTING_SDC_CFG_FILE, AGENT, SP_VALUE_PATH, PFX_SDC_DRV_CFG_FILE_DEFAULT, 0, 0,
            "agent.properties: the SDC's configuration file, in which drv_cfg keeps the MDMs it joined."),
    DETAIL(PFX_DETAIL_GW_URL, SP_VALUE_STRING, SP_SETTING_REQUIRED | SP_SETTING_OUTPUT, NULL,
           "The gateway's API URL, https://host[:port]/api, taken from the pool URL."),
    DETAIL(PFX_DETAIL_GW_USER, SP_VALUE_STRING, SP_SETTING_REQUIRED | SP_SETTING_OUTPUT, NULL,
           "The gateway user, taken from the pool URL."),
    DETAIL(PFX_DETAIL_GW_PASSWORD, SP_VALUE_STRING,
           SP_SETTING_REQUIRED | SP_SETTING_OUTPUT | SP_SETTING_SECRET, NULL,
           "The gateway user's password, taken from the pool URL."),
    DETAIL(PFX_DETAIL_POOL_NAME, SP_VALUE_STRING, SP_SETTING_OUTPUT, NULL,
           "The PowerFlex storage pool's name."),
    DETAIL(PFX_DETAIL_POOL_ID, SP_VALUE_STRING, SP_SETTING_REQUIRED | SP_SETTING_OUTPUT, NULL,
           "The PowerFlex storage pool's id."),
    DETAIL(PFX_DETAIL_SYSTEM_ID, SP_VALUE_STRING, SP_SETTING_REQUIRED | SP_SETTING_OUTPUT, NULL,
           "The id of the PowerFlex system holding the pool."),
    DETAIL(PFX_DETAIL_PD_ID, SP_VALUE_STRING, SP_SETTING_OUTPUT, NULL, "The pool's protection domain id."),
    DETAIL(
        PFX_DETAIL_UPDATE_URL, SP_VALUE_STRING, SP_SETTING_SECRET, NULL,
        "update only: a new pool URL (powerflex://user:password@gateway/pool) to take new credentials from."),
    DETAIL(PFX_DETAIL_GW_CAFILE, SP_VALUE_PATH, 0, NULL,
           "A PEM bundle of the CAs to verify the gateway's certificate with (default: the system's)."),
    DETAIL(PFX_DETAIL_GW_PINNED, SP_VALUE_STRING, 0, NULL,
           "The gateway's public key, sha256//<base64>: the certificate must carry this key."),
    DETAIL(PFX_DETAIL_GW_INSECURE, SP_VALUE_BOOL, 0, "false",
           "true: the gateway's certificate is not verified (logged as a warning on every open)."),
    DETAIL(
        PFX_DETAIL_GW_VERSION, SP_VALUE_STRING, SP_SETTING_OUTPUT, NULL,
        "The gateway's release (\"3.5\", \"4.5\") as learnt when the pool was added: it says how to log in."),
    DETAIL(PFX_DETAIL_MDMS, SP_VALUE_STRING, SP_SETTING_OUTPUT, NULL,
           "The system's MDM addresses (ip,ip) an SDC joins it with, learnt when the pool was added."),
};

#define N_TABLE (sizeof(table) / sizeof(table[0]))

const sp_setting_desc *pfx_settings(size_t *n)
{
    *n = N_TABLE;
    return table;
}

const sp_setting_desc *pfx_setting_desc(const char *name)
{
    for (size_t i = 0; i < N_TABLE; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

sp_status pfx_describe(const sp_setting_desc **out, size_t *count, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (out == NULL || count == NULL)
        return pfx_error(err, SP_E_INVALID, "describe needs an output array and a count");
    *out = table;
    *count = N_TABLE;
    return SP_OK;
}

uint64_t pfx_setting_uint(sp_scope scope, const char *scope_id, const char *name)
{
    const sp_setting_desc *d = pfx_setting_desc(name);

    /* Every caller names a UINT entry of the table; test_units checks each reader's key. */
    if (d == NULL || d->type != SP_VALUE_UINT || d->default_value == NULL)
        return 0;
    return pfx_setting_u64(scope, scope_id, name, strtoull(d->default_value, NULL, 10), d->min, d->max);
}

int pfx_setting_text(sp_scope scope, const char *scope_id, const char *name, char *buf, size_t buf_len)
{
    const sp_setting_desc *d = pfx_setting_desc(name);

    return pfx_setting_str(scope, scope_id, name, d != NULL ? d->default_value : NULL, buf, buf_len);
}
