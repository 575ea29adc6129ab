/* poolhandle.c - the opened pool (sp_pool): details, gateway client, state, SDC id cache.
 * The cache is what lets a grant cost two requests instead of CloudStack's five. */
#include "config.h"

#include "poolhandle.h"

#include "error.h"
#include "gateway_system.h"
#include "gateway_url.h"
#include "hostsvc.h"
#include "naming.h"
#include "settings.h"
#include "sizes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *pfx_detail(const sp_kv *details, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (details[i].key != NULL && strcmp(details[i].key, key) == 0)
            return details[i].value;
    return NULL;
}

static int is_true(const char *v)
{
    return v != NULL && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0);
}

sp_status pfx_pool_client_new(const char *pool_uuid, const char *gateway, const char *user,
                              const char *password, const sp_kv *details, size_t n_details,
                              pfx_gw_client **out, sp_error *err)
{
    pfx_gw_config cfg;
    sp_scope scope = pool_uuid != NULL ? SP_SCOPE_POOL : SP_SCOPE_GLOBAL;

    memset(&cfg, 0, sizeof(cfg));
    cfg.gateway = gateway;
    cfg.user = user;
    cfg.password = password;
    cfg.timeout_s = (unsigned)pfx_setting_uint(scope, pool_uuid, PFX_SETTING_CLIENT_TIMEOUT);
    cfg.max_connections = (unsigned)pfx_setting_uint(scope, pool_uuid, PFX_SETTING_CLIENT_MAX_CONNECTIONS);
    cfg.ca_file = pfx_detail(details, n_details, PFX_DETAIL_GW_CAFILE);
    cfg.pinned_pubkey = pfx_detail(details, n_details, PFX_DETAIL_GW_PINNED);
    cfg.insecure = is_true(pfx_detail(details, n_details, PFX_DETAIL_GW_INSECURE));
    cfg.api_version = pfx_detail(details, n_details, PFX_DETAIL_GW_VERSION);
    return pfx_gw_client_new(&cfg, out, err);
}

static sp_status copy_detail(const sp_kv *details, size_t n, const char *key, char *buf, size_t len,
                             int required, sp_error *err)
{
    const char *v = pfx_detail(details, n, key);
    if (v == NULL || *v == '\0') {
        if (required)
            return pfx_error(err, SP_E_INVALID, "pool details lack %s", key);
        buf[0] = '\0';
        return SP_OK;
    }
    if (snprintf(buf, len, "%s", v) >= (int)len)
        return pfx_error(err, SP_E_INVALID, "pool detail %s is too long", key);
    return SP_OK;
}

/* *out = a copy of the detail, or NULL when absent; 0 when out of memory. */
static int dup_detail(const sp_kv *details, size_t n, const char *key, char **out)
{
    const char *v = pfx_detail(details, n, key);

    *out = v != NULL ? strdup(v) : NULL;
    return v == NULL || *out != NULL;
}

sp_status pfx_pool_open(const char *pool_uuid, const sp_kv *details, size_t n_details, sp_pool **out,
                        sp_error *err)
{
    sp_pool *p;
    sp_status st;
    const char *gw_url, *user, *password;

    *out = NULL;
    if (pool_uuid == NULL || details == NULL)
        return pfx_error(err, SP_E_INVALID, "opening a pool needs its uuid and details");
    p = calloc(1, sizeof(*p));
    if (p == NULL)
        return pfx_error(err, SP_E_NOMEM, "pool %s: out of memory", pool_uuid);
    pthread_mutex_init(&p->lock, NULL);
    if (snprintf(p->uuid, sizeof(p->uuid), "%s", pool_uuid) >= (int)sizeof(p->uuid)) {
        st = pfx_error(err, SP_E_INVALID, "pool uuid is too long");
        goto fail;
    }
    st = pfx_pool_key(pool_uuid, p->pool_key, err);
    if (st == SP_OK)
        st = copy_detail(details, n_details, PFX_DETAIL_POOL_ID, p->pool_id, sizeof(p->pool_id), 1, err);
    if (st == SP_OK)
        st =
            copy_detail(details, n_details, PFX_DETAIL_SYSTEM_ID, p->system_id, sizeof(p->system_id), 1, err);
    if (st == SP_OK)
        st =
            copy_detail(details, n_details, PFX_DETAIL_POOL_NAME, p->pool_name, sizeof(p->pool_name), 0, err);
    if (st == SP_OK)
        st = copy_detail(details, n_details, PFX_DETAIL_PD_ID, p->pd_id, sizeof(p->pd_id), 0, err);
    if (st == SP_OK)
        st = copy_detail(details, n_details, PFX_DETAIL_MDMS, p->mdm_ips, sizeof(p->mdm_ips), 0, err);
    if (st != SP_OK)
        goto fail;
    if (!pfx_gw_valid_id(p->pool_id) || !pfx_gw_valid_id(p->system_id)) {
        st = pfx_error(err, SP_E_INVALID, "pool %s: stored pool id or system id is not a PowerFlex id",
                       pool_uuid);
        goto fail;
    }
    gw_url = pfx_detail(details, n_details, PFX_DETAIL_GW_URL);
    user = pfx_detail(details, n_details, PFX_DETAIL_GW_USER);
    password = pfx_detail(details, n_details, PFX_DETAIL_GW_PASSWORD);
    if (gw_url == NULL || user == NULL || password == NULL) {
        st = pfx_error(err, SP_E_INVALID, "pool %s: details lack the gateway URL, user or password",
                       pool_uuid);
        goto fail;
    }
    st = pfx_pool_client_new(pool_uuid, gw_url, user, password, details, n_details, &p->gw, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "pool %s", pool_uuid);
        goto fail;
    }
    if (!dup_detail(details, n_details, PFX_DETAIL_GW_CAFILE, &p->ca_file) ||
        !dup_detail(details, n_details, PFX_DETAIL_GW_PINNED, &p->pinned_pubkey) ||
        !dup_detail(details, n_details, PFX_DETAIL_GW_INSECURE, &p->insecure)) {
        st = pfx_error(err, SP_E_NOMEM, "pool %s: out of memory", pool_uuid);
        goto fail;
    }
    *out = p;
    return SP_OK;
fail:
    pfx_pool_free(p);
    return st;
}

void pfx_pool_free(sp_pool *p)
{
    if (p == NULL)
        return;
    pfx_gw_client_free(p->gw);
    free(p->ca_file);
    free(p->pinned_pubkey);
    free(p->insecure);
    free(p->sdcs);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

pfx_pool_state pfx_pool_get_state(sp_pool *p)
{
    pfx_pool_state s;
    pthread_mutex_lock(&p->lock);
    s = p->state;
    pthread_mutex_unlock(&p->lock);
    return s;
}

void pfx_pool_set_state(sp_pool *p, pfx_pool_state s)
{
    pthread_mutex_lock(&p->lock);
    p->state = s;
    pthread_mutex_unlock(&p->lock);
}

sp_status pfx_pool_check_usable(sp_pool *p, const char *what, int allow_disabled, sp_error *err)
{
    if (p == NULL)
        return pfx_error(err, SP_E_INVALID, "%s: no pool handle given", what);
    switch (pfx_pool_get_state(p)) {
    case PFX_POOL_UP: return SP_OK;
    case PFX_POOL_MAINTENANCE:
        return pfx_error(err, SP_E_STATE, "pool %s is in maintenance: %s is not allowed", p->uuid, what);
    case PFX_POOL_DISABLED:
        if (allow_disabled)
            return SP_OK;
        return pfx_error(err, SP_E_STATE, "pool %s is disabled: %s is not allowed", p->uuid, what);
    }
    return SP_OK;
}

/* The cached id of ip into buf: 1 when there is one (and, with need_connected, it was seen
 * connected), else 0. */
static int cached_sdc(sp_pool *p, const char *ip, int need_connected, char *buf, size_t len)
{
    int found = 0;

    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n_sdcs && !found; i++)
        if (strcmp(p->sdcs[i].ip, ip) == 0 && (!need_connected || p->sdcs[i].seen_connected)) {
            snprintf(buf, len, "%s", p->sdcs[i].sdc_id);
            found = 1;
        }
    pthread_mutex_unlock(&p->lock);
    return found;
}

/* Room for one more SDC in the cache (doubling up to PFX_SDC_CACHE_MAX); 0 when there is none.
 * Called with the lock held. */
static int sdc_room(sp_pool *p)
{
    size_t cap = p->cap_sdcs ? p->cap_sdcs * 2 : 8;
    pfx_sdc_entry *grown;

    if (p->n_sdcs < p->cap_sdcs)
        return 1;
    if (p->cap_sdcs >= PFX_SDC_CACHE_MAX)
        return 0;
    if (cap > PFX_SDC_CACHE_MAX)
        cap = PFX_SDC_CACHE_MAX;
    if ((grown = realloc(p->sdcs, cap * sizeof(*grown))) == NULL)
        return 0;
    p->sdcs = grown;
    p->cap_sdcs = cap;
    return 1;
}

static void remember(sp_pool *p, const char *ip, const char *sdc_id, int connected)
{
    size_t i;

    if (strlen(ip) >= sizeof(((pfx_sdc_entry *)0)->ip) ||
        strlen(sdc_id) >= sizeof(((pfx_sdc_entry *)0)->sdc_id))
        return;
    pthread_mutex_lock(&p->lock);
    for (i = 0; i < p->n_sdcs; i++)
        if (strcmp(p->sdcs[i].ip, ip) == 0)
            break;
    if (i == p->n_sdcs) {
        if (sdc_room(p))
            p->n_sdcs++;
        else if (p->n_sdcs > 0)
            i = 0; /* full: a host count this large is rare; evict the oldest slot */
        else {
            pthread_mutex_unlock(&p->lock); /* out of memory: it is only a cache */
            return;
        }
    }
    snprintf(p->sdcs[i].ip, sizeof(p->sdcs[i].ip), "%s", ip);
    snprintf(p->sdcs[i].sdc_id, sizeof(p->sdcs[i].sdc_id), "%s", sdc_id);
    p->sdcs[i].seen_connected = connected;
    pthread_mutex_unlock(&p->lock);
}

static sp_status lookup_sdc(sp_pool *p, const char *ip, char *buf, size_t len, sp_error *err)
{
    sp_status st = pfx_gw_sdc_id_by_ip(p->gw, ip, buf, len, err);

    if (st == SP_E_NOT_FOUND)
        return pfx_error(err, SP_E_NOT_FOUND,
                         "host %s has no SDC registered with system %s (is the SDC installed and "
                         "connected to the MDM?)",
                         ip, p->system_id);
    if (st != SP_OK)
        return pfx_error_prefix(err, "looking up the SDC of host %s", ip);
    return SP_OK;
}

sp_status pfx_pool_sdc_id(sp_pool *p, const char *ip, char *buf, size_t len, sp_error *err)
{
    char id[SP_ID_MAX];
    sp_status st;

    if (ip == NULL || *ip == '\0')
        return pfx_error(err, SP_E_INVALID, "host has no IP address to find its SDC by");
    if (cached_sdc(p, ip, 0, buf, len))
        return SP_OK;
    if ((st = lookup_sdc(p, ip, id, sizeof(id), err)) != SP_OK)
        return st;
    remember(p, ip, id, 0);
    snprintf(buf, len, "%s", id);
    return SP_OK;
}

sp_status pfx_pool_sdc_id_connected(sp_pool *p, const char *ip, char *buf, size_t len, sp_error *err)
{
    char id[SP_ID_MAX];
    pfx_gw_sdc sdc;
    sp_status st;

    if (ip == NULL || *ip == '\0')
        return pfx_error(err, SP_E_INVALID, "host has no IP address to find its SDC by");
    if (cached_sdc(p, ip, 1, buf, len))
        return SP_OK;
    if (!cached_sdc(p, ip, 0, id, sizeof(id)) && (st = lookup_sdc(p, ip, id, sizeof(id), err)) != SP_OK)
        return st;
    if ((st = pfx_gw_sdc_get(p->gw, id, &sdc, err)) != SP_OK)
        return pfx_error_prefix(err, "looking up the SDC of host %s", ip);
    if (sdc.state != PFX_GW_SDC_CONNECTED)
        return pfx_error(err, SP_E_STATE,
                         "host %s: SDC %s is not connected to the MDM of system %s, so the host would not "
                         "see the volume",
                         ip, id, p->system_id);
    remember(p, ip, id, 1);
    snprintf(buf, len, "%s", id);
    return SP_OK;
}

sp_status pfx_pool_sdc_adopt(sp_pool *p, const char *ip, const char *sdc_id, sp_error *err)
{
    pfx_gw_sdc sdc;
    sp_status st;

    if ((st = pfx_gw_sdc_get(p->gw, sdc_id, &sdc, err)) != SP_OK)
        return pfx_error_prefix(err, "the SDC of host %s as drv_cfg names it", ip);
    if (sdc.state != PFX_GW_SDC_CONNECTED)
        return pfx_error(err, SP_E_STATE,
                         "host %s: SDC %s is not connected to the MDM of system %s, so the host would not "
                         "see the volume",
                         ip, sdc_id, p->system_id);
    remember(p, ip, sdc_id, 1);
    return SP_OK;
}

int pfx_pool_sdc_cached(sp_pool *p, const char *ip, int connected)
{
    char id[SP_ID_MAX];

    return cached_sdc(p, ip, connected, id, sizeof(id));
}

void pfx_pool_sdc_forget(sp_pool *p, const char *ip)
{
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n_sdcs; i++)
        if (strcmp(p->sdcs[i].ip, ip) == 0) {
            p->sdcs[i] = p->sdcs[--p->n_sdcs];
            break;
        }
    pthread_mutex_unlock(&p->lock);
}

void pfx_pool_sdc_remember(sp_pool *p, const char *ip, const char *sdc_id)
{
    remember(p, ip, sdc_id, 1);
}

void pfx_pool_sdc_disconnected(sp_pool *p, const char *ip)
{
    pthread_mutex_lock(&p->lock);
    for (size_t i = 0; i < p->n_sdcs; i++)
        if (strcmp(p->sdcs[i].ip, ip) == 0)
            p->sdcs[i].seen_connected = 0;
    pthread_mutex_unlock(&p->lock);
}

sp_status pfx_pool_identifier(char *buf, size_t len, sp_error *err)
{
    if (!pfx_setting_text(SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, buf, len) || buf[0] == '\0')
        return pfx_error(err, SP_E_INVALID,
                         "setting custom.cs.identifier is not set; volume names need the installation's "
                         "identifier");
    return SP_OK;
}

sp_status pfx_path_volume_id(const sp_volume_ref *ref, char *id, size_t len, sp_error *err)
{
    const char *colon;
    size_t n;

    if (ref == NULL || ref->path == NULL || ref->path[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "no volume path given");
    colon = strchr(ref->path, ':');
    n = colon != NULL ? (size_t)(colon - ref->path) : strlen(ref->path);
    if (n == 0 || n >= len)
        return pfx_error(err, SP_E_INVALID, "volume path \"%.80s\" does not start with a PowerFlex id",
                         ref->path);
    memcpy(id, ref->path, n);
    id[n] = '\0';
    if (!pfx_gw_valid_id(id))
        return pfx_error(err, SP_E_INVALID, "volume path \"%.80s\" does not start with a PowerFlex id",
                         ref->path);
    return SP_OK;
}

void pfx_volume_info_from_gw(sp_pool *p, const pfx_gw_volume *v, sp_volume_info *out)
{
    memset(out, 0, sizeof(*out));
    out->struct_size = sizeof(*out);
    snprintf(out->path, sizeof(out->path), "%s:%s", v->id, v->name);
    snprintf(out->id, sizeof(out->id), "%s", v->id);
    snprintf(out->name, sizeof(out->name), "%s", v->name);
    snprintf(out->lineage_id, sizeof(out->lineage_id), "%s", v->vtree_id);
    snprintf(out->array_pool_id, sizeof(out->array_pool_id), "%s", v->storage_pool_id);
    snprintf(out->system_id, sizeof(out->system_id), "%s", p->system_id);
    out->size_bytes = pfx_kb_to_bytes(v->size_kb);
    out->provisioning = v->type == PFX_GW_VOLUME_THICK ? SP_PROVISION_THICK : SP_PROVISION_THIN;
    out->format = SP_FORMAT_RAW;
}
