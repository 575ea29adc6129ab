/* plugininfo.c - what `cs-harness info` says of a plugin: its identity, ABI version and every
 * setting and pool detail it publishes through describe, so an operator sees what to configure. */
#include "config.h"

#include "plugininfo.h"

#include <stdio.h>

static void scopes(host_jsonw *w, uint32_t mask)
{
    static const struct {
        sp_scope scope;
        const char *name;
    } names[] = {{SP_SCOPE_GLOBAL, "global"},
                 {SP_SCOPE_ZONE, "zone"},
                 {SP_SCOPE_CLUSTER, "cluster"},
                 {SP_SCOPE_POOL, "storagepool"},
                 {SP_SCOPE_HOST, "host"}};

    host_jsonw_array_begin(w, "scopes");
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (mask & SP_SCOPE_BIT(names[i].scope))
            host_jsonw_string(w, NULL, names[i].name);
    host_jsonw_array_end(w);
}

static const char *type_name(sp_value_type t)
{
    switch (t) {
    case SP_VALUE_STRING: return "string";
    case SP_VALUE_BOOL: return "boolean";
    case SP_VALUE_UINT: return "integer";
    case SP_VALUE_PATH: return "path";
    }
    return "unknown";
}

static void one(host_jsonw *w, const sp_setting_desc *d)
{
    host_jsonw_object_begin(w, NULL);
    host_jsonw_string(w, "name", d->name);
    host_jsonw_string(w, "kind", d->kind == SP_SETTING_KIND_POOL_DETAIL ? "pooldetail" : "setting");
    host_jsonw_string(w, "type", type_name(d->type));
    if (d->kind == SP_SETTING_KIND_SETTING)
        scopes(w, d->scopes);
    host_jsonw_string(w, "defaultvalue", d->default_value);
    if (d->type == SP_VALUE_UINT) {
        host_jsonw_uint(w, "min", d->min);
        host_jsonw_uint(w, "max", d->max);
    }
    host_jsonw_bool(w, "secret", (d->flags & SP_SETTING_SECRET) != 0);
    if (d->kind == SP_SETTING_KIND_POOL_DETAIL) {
        host_jsonw_bool(w, "required", (d->flags & SP_SETTING_REQUIRED) != 0);
        host_jsonw_bool(w, "madebyplugin", (d->flags & SP_SETTING_OUTPUT) != 0);
    }
    host_jsonw_string(w, "description", d->description);
    host_jsonw_object_end(w);
}

int host_plugin_info(const host_plugin *plugin, host_jsonw *w, char *errbuf, size_t errlen)
{
    const sp_plugin *d = host_plugin_descriptor(plugin);
    const sp_setting_desc *list = NULL;
    size_t n = 0;
    char abi[32];
    sp_error se = {0};

    if (SP_HAS(d, describe)) {
        sp_status s = d->describe(&list, &n, &se);
        if (s != SP_OK) {
            snprintf(errbuf, errlen, "plugin %s does not describe its settings (status %d): %s", d->name,
                     (int)s, se.message);
            return -1;
        }
        if (n > 0 && (list == NULL || list->struct_size < SP_SETTING_DESC_SIZE_2_0)) {
            snprintf(errbuf, errlen, "plugin %s describes its settings in a form older than ABI %u.0",
                     d->name, SP_ABI_VERSION_MAJOR);
            return -1;
        }
    }
    snprintf(abi, sizeof(abi), "%u.%u", SP_ABI_MAJOR(d->abi_version), SP_ABI_MINOR(d->abi_version));
    host_jsonw_object_begin(w, "plugin");
    host_jsonw_string(w, "name", d->name);
    host_jsonw_string(w, "version", d->version);
    host_jsonw_string(w, "abiversion", abi);
    host_jsonw_uint(w, "abimajor", SP_ABI_MAJOR(d->abi_version));
    host_jsonw_uint(w, "abiminor", SP_ABI_MINOR(d->abi_version));
    host_jsonw_string(w, "path", host_plugin_path(plugin));
    host_jsonw_uint(w, "settingcount", n);
    if (n > 0) {
        host_jsonw_array_begin(w, "setting");
        for (size_t i = 0; i < n; i++)
            one(w, SP_AT(const sp_setting_desc, list, i));
        host_jsonw_array_end(w);
    }
    host_jsonw_object_end(w);
    return 0;
}
