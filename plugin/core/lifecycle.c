/* lifecycle.c - the Lifecycle methods (lifecycle.h): add, open, attach, maintain and remove a
 * primary storage pool (CloudStack's PrimaryDataStoreLifeCycle). Nothing here creates or deletes
 * anything on PowerFlex: pools and domains are the array administrator's. */
#include "config.h"

#include "lifecycle.h"

#include "capacity.h"
#include "client.h"
#include "error.h"
#include "gateway_system.h"
#include "gateway_url.h"
#include "hostsvc.h"
#include "naming.h"
#include "poolhandle.h"
#include "sized.h"
#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *passthrough_details[] = {PFX_DETAIL_GW_CAFILE, PFX_DETAIL_GW_PINNED,
                                            PFX_DETAIL_GW_INSECURE};

static void sink_passthrough(const sp_kv *details, size_t n, sp_kv_sink sink, void *ctx)
{
    for (size_t i = 0; i < sizeof(passthrough_details) / sizeof(passthrough_details[0]); i++) {
        const char *v = pfx_detail(details, n, passthrough_details[i]);
        if (v != NULL)
            sink(ctx, passthrough_details[i], v);
    }
}

static sp_status check_params(const sp_pool_create_params *p, sp_error *err)
{
    char key[5];

    if (p == NULL)
        return pfx_error(err, SP_E_INVALID, "pool parameters are missing");
    if (p->hypervisor == NULL || strcasecmp(p->hypervisor, "KVM") != 0)
        return pfx_error(err, SP_E_INVALID, "PowerFlex pools serve KVM only; hypervisor %s is not supported",
                         p->hypervisor != NULL ? p->hypervisor : "(none)");
    if (p->scope != SP_POOL_SCOPE_ZONE && p->scope != SP_POOL_SCOPE_CLUSTER)
        return pfx_error(err, SP_E_INVALID, "pool scope must be zone or cluster");
    if (p->scope == SP_POOL_SCOPE_CLUSTER && (p->cluster_uuid == NULL || *p->cluster_uuid == '\0'))
        return pfx_error(err, SP_E_INVALID, "a cluster-wide pool needs its cluster");
    if (p->zone_uuid == NULL || *p->zone_uuid == '\0')
        return pfx_error(err, SP_E_INVALID, "a pool needs its zone");
    return pfx_pool_key(p->uuid, key, err);
}

sp_status pfx_lc_initialize(const sp_pool_create_params *params, sp_kv_sink sink, void *sink_ctx,
                            sp_capacity *cap, sp_error *err)
{
    pfx_url url;
    pfx_gw_client *gw = NULL;
    pfx_gw_pool pool;
    pfx_gw_protection_domain pd;
    pfx_gw_pool_stats stats;
    pfx_gw_system sys;
    char gw_url[600], release[32];
    sp_status st;
    PFX_ERR_GUARD(err);

    if (sink == NULL || cap == NULL)
        return pfx_error(err, SP_E_INVALID, "initialize needs a details sink and a capacity output");
    PFX_SIZED(params, sp_pool_create_params, SP_POOL_CREATE_PARAMS_SIZE_2_0, "initialize", err);
    PFX_SIZED(cap, sp_capacity, SP_CAPACITY_SIZE_2_0, "initialize", err);
    st = check_params(params, err);
    if (st != SP_OK)
        return st;
    st = pfx_url_parse(params->url, &url, err);
    if (st != SP_OK)
        return st;
    st = pfx_pool_client_new(NULL, url.gateway, url.user, url.password, params->details, params->n_details,
                             &gw, err);
    if (st != SP_OK)
        goto out;
    st = pfx_gw_pool_find(gw, NULL, url.pool, &pool, err);
    if (st == SP_E_NOT_FOUND) {
        st = pfx_error(err, SP_E_NOT_FOUND,
                       "Failed to find the provided storage pool name: %s in the discovered PowerFlex "
                       "storage pools of gateway %s",
                       url.pool, pfx_gw_client_display(gw));
        goto out;
    }
    if (st != SP_OK)
        goto out;
    st = pfx_gw_protection_domain_get(gw, pool.protection_domain_id, &pd, err);
    if (st == SP_OK)
        st = pfx_gw_pool_get_stats(gw, pool.id, &stats, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "storage pool %s", url.pool);
        goto out;
    }
    if (pd.system_id[0] == '\0') {
        st = pfx_error(err, SP_E_PROTOCOL, "protection domain %s of storage pool %s names no system", pd.id,
                       url.pool);
        goto out;
    }
    /* The MDM addresses hosts join the system with (drv_cfg --add_mdm), kept with the pool as
     * CloudStack keeps powerflex.storagepool.mdms. */
    st = pfx_gw_system_get(gw, pd.system_id, &sys, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "storage pool %s", url.pool);
        goto out;
    }
    pfx_capacity_from_stats(&stats, cap);
    snprintf(gw_url, sizeof(gw_url), "https://%s/api", url.gateway);
    sink(sink_ctx, PFX_DETAIL_GW_URL, gw_url);
    sink(sink_ctx, PFX_DETAIL_GW_USER, url.user);
    sink(sink_ctx, PFX_DETAIL_GW_PASSWORD, url.password);
    sink(sink_ctx, PFX_DETAIL_POOL_NAME, pool.name);
    sink(sink_ctx, PFX_DETAIL_POOL_ID, pool.id);
    sink(sink_ctx, PFX_DETAIL_SYSTEM_ID, pd.system_id);
    sink(sink_ctx, PFX_DETAIL_PD_ID, pd.id);
    if (sys.mdm_ips[0] != '\0')
        sink(sink_ctx, PFX_DETAIL_MDMS, sys.mdm_ips);
    if (pfx_gw_client_api(gw, release, sizeof(release)) != 0 && release[0] != '\0')
        sink(sink_ctx, PFX_DETAIL_GW_VERSION, release);
    sink_passthrough(params->details, params->n_details, sink, sink_ctx);
    pfx_log(SP_LOG_INFO, "pool %s: PowerFlex storage pool %s (%s) of system %s on gateway %s", params->uuid,
            pool.name, pool.id, pd.system_id, pfx_gw_client_display(gw));
out:
    pfx_gw_client_free(gw);
    pfx_url_clear(&url);
    return st;
}

sp_status pfx_lc_open(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                      sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (out == NULL)
        return pfx_error(err, SP_E_INVALID, "open needs an output handle");
    return pfx_pool_open(pool_uuid, details, n_details, out, err);
}

void pfx_lc_close(sp_pool *pool)
{
    if (pool != NULL)
        pfx_client_forget_system(pool->system_id);
    pfx_pool_free(pool);
}

sp_status pfx_lc_attach(sp_pool *pool, sp_pool_scope scope, const sp_host_ref *hosts, size_t n_hosts,
                        sp_host_attach_result *results, sp_error *err)
{
    pfx_gw_sdc_list sdcs;
    size_t connected = 0;
    uint32_t host_stride, result_stride;
    int on_demand;
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL || (n_hosts > 0 && (hosts == NULL || results == NULL)))
        return pfx_error(err, SP_E_INVALID, "attach needs a pool, hosts and results");
    if ((st = pfx_sized_check_array(hosts, n_hosts, SP_HOST_REF_SIZE_2_0, "sp_host_ref", "attach", err)) !=
            SP_OK ||
        (st = pfx_sized_check_array(results, n_hosts, SP_HOST_ATTACH_RESULT_SIZE_2_0, "sp_host_attach_result",
                                    "attach", err)) != SP_OK)
        return st;
    if (n_hosts == 0)
        return pfx_error(err, SP_E_NOT_FOUND, "pool %s: no KVM host to attach to in this %s", pool->uuid,
                         scope == SP_POOL_SCOPE_ZONE ? "zone" : "cluster");
    host_stride = hosts->struct_size;
    result_stride = results->struct_size;
    st = pfx_gw_list_sdcs(pool->gw, &sdcs, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "pool %s: listing SDCs", pool->uuid);
    /* On demand, an SDC joins the system when a volume first needs it: registered is enough. */
    on_demand = pfx_client_on_demand(pool);
    for (size_t i = 0; i < n_hosts; i++) {
        sp_host_attach_result *r = PFX_AT(sp_host_attach_result, results, result_stride, i);
        const sp_host_ref *h = PFX_AT(const sp_host_ref, hosts, host_stride, i);
        const pfx_gw_sdc *match = NULL;
        const char *ip = h->ip != NULL ? h->ip : "";
        const char *name = h->name != NULL ? h->name : ip;

        memset(r, 0, sizeof(*r));
        r->struct_size = sizeof(*r);
        for (size_t j = 0; j < sdcs.n && match == NULL; j++)
            if (*ip != '\0' && strcmp(sdcs.items[j].ip, ip) == 0 &&
                (sdcs.items[j].system_id[0] == '\0' || strcmp(sdcs.items[j].system_id, pool->system_id) == 0))
                match = &sdcs.items[j];
        if (match == NULL) {
            r->status = SP_E_NOT_FOUND;
            snprintf(r->message, sizeof(r->message), "host %s (%s) has no SDC registered with system %s",
                     name, ip, pool->system_id);
        } else if (match->state != PFX_GW_SDC_CONNECTED && on_demand) {
            r->status = SP_OK;
            snprintf(r->client_id, sizeof(r->client_id), "%s", match->id);
            snprintf(r->message, sizeof(r->message), "host %s (%s): SDC %s connects when a volume needs it",
                     name, ip, match->id);
            connected++;
        } else if (match->state != PFX_GW_SDC_CONNECTED) {
            r->status = SP_E_STATE;
            snprintf(r->client_id, sizeof(r->client_id), "%s", match->id);
            snprintf(r->message, sizeof(r->message), "host %s (%s): SDC %s is not connected to the MDM", name,
                     ip, match->id);
        } else {
            r->status = SP_OK;
            snprintf(r->client_id, sizeof(r->client_id), "%s", match->id);
            snprintf(r->message, sizeof(r->message), "host %s (%s): SDC %s connected", name, ip, match->id);
            pfx_pool_sdc_remember(pool, ip, match->id);
            connected++;
        }
        if (r->status != SP_OK)
            pfx_log(SP_LOG_WARN, "pool %s: %s", pool->uuid, r->message);
    }
    pfx_gw_sdc_list_clear(&sdcs);
    if (connected == 0)
        return pfx_error(err, SP_E_NOT_FOUND, "pool %s: none of the %zu host(s) has an SDC %s system %s",
                         pool->uuid, n_hosts, on_demand ? "registered with" : "connected to",
                         pool->system_id);
    return SP_OK;
}

static sp_status set_state(sp_pool *pool, pfx_pool_state to, sp_error *err)
{
    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "no pool handle given");
    pfx_pool_set_state(pool, to);
    return SP_OK;
}

sp_status pfx_lc_maintain(sp_pool *pool, sp_error *err)
{
    PFX_ERR_GUARD(err);
    return set_state(pool, PFX_POOL_MAINTENANCE, err);
}

sp_status pfx_lc_cancel_maintain(sp_pool *pool, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (pool != NULL && pfx_pool_get_state(pool) != PFX_POOL_MAINTENANCE)
        return pfx_error(err, SP_E_STATE, "pool %s is not in maintenance", pool->uuid);
    return set_state(pool, PFX_POOL_UP, err);
}

sp_status pfx_lc_enable(sp_pool *pool, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (pool != NULL && pfx_pool_get_state(pool) == PFX_POOL_MAINTENANCE)
        return pfx_error(err, SP_E_STATE, "pool %s is in maintenance; cancel maintenance first", pool->uuid);
    return set_state(pool, PFX_POOL_UP, err);
}

sp_status pfx_lc_disable(sp_pool *pool, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (pool != NULL && pfx_pool_get_state(pool) == PFX_POOL_MAINTENANCE)
        return pfx_error(err, SP_E_STATE, "pool %s is in maintenance; cancel maintenance first", pool->uuid);
    return set_state(pool, PFX_POOL_DISABLED, err);
}

/* The update's details, completed with the pool's own TLS details for the keys the update does
 * not bring: a host that sends only new credentials means the same gateway, verified the same
 * way (and of the release the pool's client knows, `release`). NULL when out of memory; free()
 * the array (its strings are borrowed). */
static sp_kv *with_pool_tls(const sp_pool *pool, const char *release, const sp_kv *details, size_t n,
                            size_t *n_out)
{
    const struct {
        const char *key, *value;
    } own[] = {{PFX_DETAIL_GW_CAFILE, pool->ca_file},
               {PFX_DETAIL_GW_PINNED, pool->pinned_pubkey},
               {PFX_DETAIL_GW_INSECURE, pool->insecure},
               {PFX_DETAIL_GW_VERSION, release[0] != '\0' ? release : NULL}};
    sp_kv *all = calloc(n + 4, sizeof(*all));

    if (all == NULL)
        return NULL;
    if (n > 0)
        memcpy(all, details, n * sizeof(*all));
    *n_out = n;
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        if (own[i].value != NULL && pfx_detail(details, n, own[i].key) == NULL)
            all[(*n_out)++] = (sp_kv){own[i].key, own[i].value};
    return all;
}

/* New credentials are proven with a login on a throw-away client first, so a typo never
 * leaves the pool unusable. */
sp_status pfx_lc_update(sp_pool *pool, const sp_kv *details, size_t n_details, sp_kv_sink sink,
                        void *sink_ctx, sp_error *err)
{
    const char *user = pfx_detail(details, n_details, PFX_DETAIL_GW_USER);
    const char *password = pfx_detail(details, n_details, PFX_DETAIL_GW_PASSWORD);
    const char *url_text = pfx_detail(details, n_details, PFX_DETAIL_UPDATE_URL);
    pfx_url url;
    pfx_gw_client *probe = NULL;
    sp_kv *probe_details = NULL;
    size_t n_probe = 0;
    char release[32];
    sp_status st;
    PFX_ERR_GUARD(err);

    memset(&url, 0, sizeof(url));
    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "no pool handle given");
    pfx_gw_client_api(pool->gw, release, sizeof(release));
    if (url_text != NULL) {
        st = pfx_url_parse(url_text, &url, err);
        if (st != SP_OK)
            return st;
        if (strcmp(url.pool, pool->pool_name) != 0) {
            st =
                pfx_error(err, SP_E_INVALID,
                          "pool %s: the URL names storage pool %s but the pool is %s; add a new pool instead",
                          pool->uuid, url.pool, pool->pool_name);
            goto out;
        }
        char base[600], display[600];
        st = pfx_gw_url_parse(url.gateway, base, sizeof(base), display, sizeof(display), err);
        if (st != SP_OK)
            goto out;
        if (strcmp(display, pfx_gw_client_display(pool->gw)) != 0) {
            st = pfx_error(err, SP_E_INVALID,
                           "pool %s: the URL names gateway %s but the pool uses %s; a pool cannot move to "
                           "another gateway",
                           pool->uuid, display, pfx_gw_client_display(pool->gw));
            goto out;
        }
        user = url.user;
        password = url.password;
    }
    if (user == NULL || password == NULL) {
        st = pfx_error(err, SP_E_INVALID, "pool %s: an update needs a user and a password (or a url)",
                       pool->uuid);
        goto out;
    }
    if ((probe_details = with_pool_tls(pool, release, details, n_details, &n_probe)) == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "pool %s: out of memory", pool->uuid);
        goto out;
    }
    st = pfx_pool_client_new(pool->uuid, pfx_gw_client_display(pool->gw), user, password, probe_details,
                             n_probe, &probe, err);
    if (st == SP_OK)
        st = pfx_gw_client_login(probe, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "pool %s: the new credentials do not work", pool->uuid);
        goto out;
    }
    st = pfx_gw_client_set_credentials(pool->gw, user, password, err);
    if (st != SP_OK)
        goto out;
    if (sink != NULL) {
        sink(sink_ctx, PFX_DETAIL_GW_USER, user);
        sink(sink_ctx, PFX_DETAIL_GW_PASSWORD, password);
        sink_passthrough(details, n_details, sink, sink_ctx);
    }
out:
    pfx_gw_client_free(probe);
    free(probe_details);
    pfx_url_clear(&url);
    return st;
}

sp_status pfx_lc_remove(sp_pool *pool, uint64_t n_volumes, sp_error *err)
{
    PFX_ERR_GUARD(err);
    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "no pool handle given");
    if (n_volumes > 0)
        return pfx_error(err, SP_E_BUSY,
                         "pool %s still holds %llu volume(s), snapshot(s) or template(s); delete or migrate "
                         "them first",
                         pool->uuid, (unsigned long long)n_volumes);
    pfx_log(SP_LOG_INFO, "pool %s removed; PowerFlex storage pool %s is left as it is", pool->uuid,
            pool->pool_name);
    return SP_OK;
}
