/* gateway_system.c - the version, systems, protection domains, storage pools and SDCs.
 * Every function is one request; lookups by name filter one list rather than probing. */
#include "config.h"

#include "gateway_system.h"

#include "error.h"
#include "gateway_call.h"
#include "gateway_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_MAX_LEN 256

static int version_ok(const char *v)
{
    int digits = 0;

    for (; *v != '\0'; v++) {
        if (*v >= '0' && *v <= '9')
            digits++;
        else if (*v == '.' && digits > 0)
            digits = 0;
        else
            return 0;
    }
    return digits > 0;
}

sp_status pfx_gw_version(pfx_gw_client *c, char *buf, size_t len, sp_error *err)
{
    pfx_gw_http_reply reply;
    sp_status st;

    if (len > 0)
        buf[0] = '\0';
    st = pfx_gw_call(c, "GET", "/version", NULL, 1, &reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_string(reply.body, reply.len, "version", buf, len, err);
    if (st == SP_OK && !version_ok(buf)) {
        st = pfx_error(err, SP_E_PROTOCOL, "version: \"%.32s\" is not a version number", buf);
        buf[0] = '\0';
    }
    pfx_gw_http_reply_clear(&reply, 0);
    return pfx_gw_context(err, st, "gateway %s", pfx_gw_client_display(c));
}

sp_status pfx_gw_list_systems(pfx_gw_client *c, pfx_gw_system_list *out, sp_error *err)
{
    sp_status st = PFX_GW_GET_OBJECT(c, "/types/System/instances", pfx_gw_parse_system_list, out, err);

    return pfx_gw_context(err, st, "listing systems");
}

sp_status pfx_gw_system_get(pfx_gw_client *c, const char *system_id, pfx_gw_system *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("system", system_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/System::%s", system_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_system, out, err);
    return pfx_gw_context(err, st, "system %s", system_id);
}

sp_status pfx_gw_protection_domain_get(pfx_gw_client *c, const char *pd_id, pfx_gw_protection_domain *out,
                                       sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("protection domain", pd_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/ProtectionDomain::%s", pd_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_protection_domain, out, err);
    return pfx_gw_context(err, st, "protection domain %s", pd_id);
}

sp_status pfx_gw_list_pools(pfx_gw_client *c, pfx_gw_pool_list *out, sp_error *err)
{
    sp_status st = PFX_GW_GET_OBJECT(c, "/types/StoragePool/instances", pfx_gw_parse_pool_list, out, err);

    return pfx_gw_context(err, st, "listing storage pools");
}

sp_status pfx_gw_pool_get(pfx_gw_client *c, const char *pool_id, pfx_gw_pool *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("storage pool", pool_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/StoragePool::%s", pool_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_pool, out, err);
    return pfx_gw_context(err, st, "storage pool %s", pool_id);
}

sp_status pfx_gw_pool_find(pfx_gw_client *c, const char *pd_id, const char *name, pfx_gw_pool *out,
                           sp_error *err)
{
    pfx_gw_pool_list list;
    size_t found = 0, at = 0;
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_str("storage pool name", name, PFX_GW_NAME_SIZE - 1, err)) != SP_OK)
        return st;
    if (pd_id != NULL && (st = pfx_gw_check_id("protection domain", pd_id, err)) != SP_OK)
        return st;
    st = pfx_gw_list_pools(c, &list, err);
    if (st != SP_OK)
        return st;
    for (size_t i = 0; i < list.n; i++) {
        if (strcmp(list.items[i].name, name) != 0)
            continue;
        if (pd_id != NULL && strcmp(list.items[i].protection_domain_id, pd_id) != 0)
            continue;
        if (found++ == 0)
            at = i;
    }
    if (found == 0)
        st = pfx_error(err, SP_E_NOT_FOUND, "storage pool \"%s\" not found%s%s among the gateway's %zu pools",
                       name, pd_id ? " in protection domain " : "", pd_id ? pd_id : "", list.n);
    else if (found > 1)
        st = pfx_error(err, SP_E_INVALID,
                       "storage pool name \"%s\" is used in %zu protection domains; name the protection "
                       "domain too",
                       name, found);
    else
        *out = list.items[at];
    pfx_gw_pool_list_clear(&list);
    return st;
}

sp_status pfx_gw_pool_get_stats(pfx_gw_client *c, const char *pool_id, pfx_gw_pool_stats *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("storage pool", pool_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/StoragePool::%s/relationships/Statistics", pool_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_pool_stats, out, err);
    return pfx_gw_context(err, st, "storage pool %s statistics", pool_id);
}

sp_status pfx_gw_list_sdcs(pfx_gw_client *c, pfx_gw_sdc_list *out, sp_error *err)
{
    sp_status st = PFX_GW_GET_OBJECT(c, "/types/Sdc/instances", pfx_gw_parse_sdc_list, out, err);

    return pfx_gw_context(err, st, "listing SDCs");
}

sp_status pfx_gw_sdc_get(pfx_gw_client *c, const char *sdc_id, pfx_gw_sdc *out, sp_error *err)
{
    char path[PATH_MAX_LEN];
    sp_status st;

    memset(out, 0, sizeof(*out));
    if ((st = pfx_gw_check_id("SDC", sdc_id, err)) != SP_OK)
        return st;
    snprintf(path, sizeof(path), "/instances/Sdc::%s", sdc_id);
    st = PFX_GW_GET_OBJECT(c, path, pfx_gw_parse_sdc, out, err);
    return pfx_gw_context(err, st, "SDC %s", sdc_id);
}

sp_status pfx_gw_sdc_id_by_ip(pfx_gw_client *c, const char *ip, char *buf, size_t len, sp_error *err)
{
    pfx_gw_http_reply reply;
    char *body = NULL;
    sp_status st;

    if (len > 0)
        buf[0] = '\0';
    if ((st = pfx_gw_check_str("SDC address", ip, PFX_GW_IP_SIZE - 1, err)) != SP_OK)
        return st;
    st = pfx_json_flat(&body, err, "ip", ip, NULL);
    if (st == SP_OK)
        st = pfx_gw_call(c, "POST", "/types/Sdc/instances/action/queryIdByKey", body, 1, &reply, err);
    else
        memset(&reply, 0, sizeof(reply));
    if (st == SP_OK)
        st = pfx_gw_parse_string(reply.body, reply.len, "SDC id", buf, len, err);
    pfx_gw_http_reply_clear(&reply, 0);
    free(body);
    return pfx_gw_context(err, st, "SDC with address %s", ip);
}
