/* adaptor_host.c - a volume's device on this KVM host: the host's settings, waiting for the SDC's
 * device to come and go, and mapping a volume to this host for the length of one copy. */
#include "config.h"

#include "adaptor_impl.h"

#include "client.h"
#include "error.h"
#include "gateway_volume.h"
#include "hostsvc.h"
#include "proc.h"
#include "retry.h"
#include "sdc.h"
#include "settings.h"
#include "sized.h"
#include "sizes.h"
#include "volume.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRCODE_SDC_NOT_FOUND 80

/* Appends formatted text to err's message, cutting at the buffer's end. */
static void append(sp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(sp_error *err, const char *fmt, ...)
{
    size_t len = strlen(err->message);
    va_list ap;

    if (len >= sizeof(err->message) - 1)
        return;
    va_start(ap, fmt);
    if (vsnprintf(err->message + len, sizeof(err->message) - len, fmt, ap) < 0)
        err->message[len] = '\0';
    va_end(ap);
}

void pfx_ad_add_failure(sp_error *err, const char *what, const sp_error *undo)
{
    if (err != NULL && undo != NULL)
        append(err, "; %s failed too: %s", what, undo->message);
}

static sp_status read_path_setting(const sp_host_ref *host, const char *key, char *buf, size_t len,
                                   sp_error *err)
{
    pfx_setting_text(SP_SCOPE_HOST, host->uuid, key, buf, len);
    if (buf[0] != '/')
        return pfx_error(err, SP_E_INVALID, "host %s: setting %s=\"%.200s\" is not an absolute path",
                         host->uuid, key, buf);
    return SP_OK;
}

sp_status pfx_ad_host_cfg(const sp_host_ref *host, pfx_host_cfg *out, sp_error *err)
{
    sp_status st;

    memset(out, 0, sizeof(*out));
    if (host == NULL)
        return pfx_error(err, SP_E_INVALID, "no host given");
    PFX_SIZED(host, sp_host_ref, SP_HOST_REF_SIZE_2_0, "host settings", err);
    if (host->uuid == NULL || host->uuid[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "host %s has no uuid to read its settings by",
                         host->name != NULL ? host->name : "(unnamed)");
    if ((st = read_path_setting(host, PFX_SETTING_SDC_HOME, out->sdc_home, sizeof(out->sdc_home), err)) !=
            SP_OK ||
        (st = read_path_setting(host, PFX_SETTING_DEVICE_DIR, out->device_dir, sizeof(out->device_dir),
                                err)) != SP_OK ||
        (st = read_path_setting(host, PFX_SETTING_HOST_CACHE, out->cache_dir, sizeof(out->cache_dir), err)) !=
            SP_OK)
        return st;
    return SP_OK;
}

unsigned pfx_ad_disk_wait(sp_pool *pool)
{
    return (unsigned)pfx_setting_uint(SP_SCOPE_POOL, pool->uuid, PFX_SETTING_DISK_WAIT);
}

/* The host's SDC id if the pool has it cached: for messages only, so never worth a request. */
static void cached_sdc_id(sp_pool *pool, const sp_host_ref *host, char *buf, size_t len)
{
    buf[0] = '\0';
    if (host == NULL || host->ip == NULL)
        return;
    pthread_mutex_lock(&pool->lock);
    for (size_t i = 0; i < pool->n_sdcs; i++)
        if (strcmp(pool->sdcs[i].ip, host->ip) == 0) {
            snprintf(buf, len, "%s", pool->sdcs[i].sdc_id);
            break;
        }
    pthread_mutex_unlock(&pool->lock);
}

/* The SDC's list of volumes (drv_cfg --query_vols) as read at most SDC_LIST_TTL_MS ago, for the
 * look-ups of devices that are not where the pool's system id puts them: get_physical_disk of
 * every volume of a pool on every host (check storagepool over tens of thousands) would otherwise
 * run drv_cfg once per volume. One list is kept, for the last SDC home asked. */
#define SDC_LIST_TTL_MS 1000

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static char list_home[SP_PATH_MAX];
static int64_t list_at;
static pfx_sdc_vol *list_vols;
static size_t list_n;

void pfx_ad_sdc_list_forget(void)
{
    pthread_mutex_lock(&list_lock);
    free(list_vols);
    list_vols = NULL;
    list_n = 0;
    list_home[0] = '\0';
    pthread_mutex_unlock(&list_lock);
}

/* A copy of the SDC's list (fresh: read now whatever is kept); the caller frees *vols. */
static sp_status sdc_list(const pfx_host_cfg *cfg, int fresh, pfx_sdc_vol **vols, size_t *n, sp_error *qerr)
{
    int64_t now = pfx_now_ms();
    pfx_sdc_vol *copy = NULL;
    sp_status st;

    pthread_mutex_lock(&list_lock);
    if (!fresh && list_vols != NULL && now - list_at < SDC_LIST_TTL_MS &&
        strcmp(list_home, cfg->sdc_home) == 0 && (copy = malloc((list_n + 1) * sizeof(*copy))) != NULL) {
        if (list_n > 0)
            memcpy(copy, list_vols, list_n * sizeof(*copy));
        *vols = copy;
        *n = list_n;
        pthread_mutex_unlock(&list_lock);
        return SP_OK;
    }
    pthread_mutex_unlock(&list_lock);
    if ((st = pfx_sdc_query_vols(cfg->sdc_home, vols, n, qerr)) != SP_OK)
        return st;
    if ((copy = malloc((*n + 1) * sizeof(*copy))) != NULL) {
        if (*n > 0)
            memcpy(copy, *vols, *n * sizeof(*copy));
        pthread_mutex_lock(&list_lock);
        free(list_vols);
        list_vols = copy;
        list_n = *n;
        list_at = now;
        snprintf(list_home, sizeof(list_home), "%s", cfg->sdc_home);
        pthread_mutex_unlock(&list_lock);
    }
    return SP_OK;
}

/* What the SDC says about one volume: -1 drv_cfg failed (why in qerr), 0 not listed, 1 listed
 * (its system id in sys). */
static int sdc_lists(const pfx_host_cfg *cfg, int fresh, const char *vol_id, char *sys, size_t sys_len,
                     sp_error *qerr)
{
    pfx_sdc_vol *vols = NULL;
    size_t n = 0;
    int found = 0;

    if (sdc_list(cfg, fresh, &vols, &n, qerr) != SP_OK)
        return -1;
    for (size_t i = 0; i < n && !found; i++)
        if (strcmp(vols[i].volume_id, vol_id) == 0) {
            snprintf(sys, sys_len, "%s", vols[i].system_id);
            found = 1;
        }
    free(vols);
    return found;
}

static int device_present(const char *path, uint64_t *size)
{
    sp_error e;
    uint64_t sz = 0;

    if (pfx_device_size(path, &sz, &e) != SP_OK || sz == 0)
        return 0;
    if (size != NULL)
        *size = sz;
    return 1;
}

sp_status pfx_ad_device(sp_pool *pool, const char *vol_id, const pfx_host_cfg *cfg, int ask_sdc, char *path,
                        size_t path_len, int *present, uint64_t *size, sp_error *err)
{
    char sys[PFX_SDC_ID_MAX + 1], other[SP_PATH_MAX];
    sp_error qerr;
    sp_status st;

    *present = 0;
    st = pfx_sdc_device_path(cfg->device_dir, pool->system_id, vol_id, path, path_len, err);
    if (st != SP_OK)
        return st;
    if (device_present(path, size)) {
        *present = 1;
        return SP_OK;
    }
    /* Not under the pool's system id: the SDC may know the volume under its MDM's id. */
    if (ask_sdc && sdc_lists(cfg, 0, vol_id, sys, sizeof(sys), &qerr) == 1 &&
        strcmp(sys, pool->system_id) != 0 &&
        pfx_sdc_device_path(cfg->device_dir, sys, vol_id, other, sizeof(other), NULL) == SP_OK &&
        device_present(other, size)) {
        snprintf(path, path_len, "%s", other);
        *present = 1;
    }
    return SP_OK;
}

static void init_wait(pfx_sdc_wait *w, sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                      const pfx_host_cfg *cfg, const char *sdc_id)
{
    memset(w, 0, sizeof(*w));
    w->sdc_home = cfg->sdc_home;
    w->device_dir = cfg->device_dir;
    w->system_id = pool->system_id;
    w->volume_id = vol_id;
    w->sdc_id = sdc_id[0] != '\0' ? sdc_id : NULL;
    w->host_name = host->name != NULL && host->name[0] != '\0' ? host->name : host->ip;
    w->wait_s = pfx_ad_disk_wait(pool);
}

/* Why a device did not come, from the SDC's own list, appended to a timeout's message. */
static void explain_timeout(sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                            const pfx_host_cfg *cfg, int have_sdc_id, sp_error *err)
{
    char sys[PFX_SDC_ID_MAX + 1], id[SP_ID_MAX];
    sp_error qerr;
    int listed = sdc_lists(cfg, 1, vol_id, sys, sizeof(sys), &qerr);

    if (listed < 0)
        append(err, "; drv_cfg --query_vols failed too: %s", qerr.message);
    else if (listed == 0)
        append(err, "; drv_cfg --query_vols does not list the volume, so the mapping has not reached this "
                    "SDC (is access granted to this host?)");
    else
        append(err,
               "; drv_cfg --query_vols lists it (system %s), so the SDC has the mapping but made no device "
               "in %s",
               sys, cfg->device_dir);
    /* The SDC's id was not cached: worth one lookup now that the message is all that is left. */
    if (!have_sdc_id && host->ip != NULL && pfx_pool_sdc_id(pool, host->ip, id, sizeof(id), &qerr) == SP_OK)
        append(err, " (SDC %s of system %s)", id, pool->system_id);
}

sp_status pfx_ad_connect(sp_pool *pool, const char *vol_id, const sp_host_ref *host, const pfx_host_cfg *cfg,
                         char *path, size_t path_len, uint64_t *size, sp_error *err)
{
    char expected[SP_PATH_MAX], found[SP_PATH_MAX], sys[PFX_SDC_ID_MAX + 1], sdc_id[SP_ID_MAX];
    pfx_sdc_wait w;
    int64_t start = pfx_now_ms();
    uint64_t sz = 0;
    sp_error qerr;
    sp_status st;
    int listed;

    st = pfx_sdc_device_path(cfg->device_dir, pool->system_id, vol_id, expected, sizeof(expected), err);
    if (st != SP_OK)
        return st;
    /* Usually the device is there by the time the host asks: no drv_cfg run is needed then. */
    if (device_present(expected, &sz)) {
        snprintf(found, sizeof(found), "%s", expected);
        goto done;
    }
    cached_sdc_id(pool, host, sdc_id, sizeof(sdc_id));
    init_wait(&w, pool, vol_id, host, cfg, sdc_id);
    listed = sdc_lists(cfg, 1, vol_id, sys, sizeof(sys), &qerr);
    if (listed == 1 && strcmp(sys, pool->system_id) != 0) {
        pfx_log(SP_LOG_WARN, "volume %s: the SDC lists it under system %s, the pool says %s; using the SDC's",
                vol_id, sys, pool->system_id);
        w.system_id = sys;
    } else if (listed < 0) {
        /* CloudStack's fallback: the one emc-vol-*-<volumeId> device. It may only stand for this
         * pool's volume, though: another system's volume of the same id must not be taken. */
        pfx_log(SP_LOG_WARN,
                "volume %s: drv_cfg --query_vols failed (%s); looking for its device by the volume id",
                vol_id, qerr.message);
        w.system_id = NULL;
        st = pfx_sdc_wait_device(&w, found, sizeof(found), &sz, err);
        if (st == SP_OK && strcmp(found, expected) == 0)
            goto done;
        if (st == SP_OK || st == SP_E_STATE) {
            int64_t left = (int64_t)w.wait_s * 1000 - (pfx_now_ms() - start);
            pfx_log(SP_LOG_WARN, "volume %s: %s is not the pool's (system %s); waiting for %s", vol_id,
                    st == SP_OK ? found : "the device found by id alone", pool->system_id, expected);
            w.system_id = pool->system_id;
            w.wait_s = left > 0 ? (unsigned)((left + 999) / 1000) : 0;
        } else {
            goto fail;
        }
    }
    st = pfx_sdc_wait_device(&w, found, sizeof(found), &sz, err);
    if (st == SP_OK)
        goto done;
fail:
    if (st == SP_E_TIMEOUT)
        explain_timeout(pool, vol_id, host, cfg, sdc_id[0] != '\0', err);
    return st;
done:
    if (snprintf(path, path_len, "%s", found) >= (int)path_len)
        return pfx_error(err, SP_E_INVALID, "device path %s does not fit in %zu bytes", found, path_len);
    if (size != NULL)
        *size = sz;
    return SP_OK;
}

sp_status pfx_ad_disconnect(sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                            const pfx_host_cfg *cfg, sp_error *err)
{
    char path[SP_PATH_MAX], sdc_id[SP_ID_MAX];
    pfx_sdc_wait w;
    int present = 0;
    sp_status st;

    /* Gone under the name connect waits for is gone: disconnects (two per copy) run no drv_cfg. */
    st = pfx_ad_device(pool, vol_id, cfg, 0, path, sizeof(path), &present, NULL, err);
    if (st != SP_OK || !present)
        return st;
    cached_sdc_id(pool, host, sdc_id, sizeof(sdc_id));
    init_wait(&w, pool, vol_id, host, cfg, sdc_id);
    st = pfx_sdc_wait_device_gone(&w, err);
    if (st == SP_E_TIMEOUT)
        append(err, "; is access to it still granted to this host?");
    return st;
}

sp_status pfx_ad_volume_read(sp_pool *pool, const char *vol_id, const sp_host_ref *host, pfx_ad_volume *out,
                             sp_error *err)
{
    pfx_gw_volume v;
    char sdc[SP_ID_MAX] = "";
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_gw_volume_get(pool->gw, vol_id, &v, err);
    if (st != SP_OK)
        return st;
    snprintf(out->id, sizeof(out->id), "%s", v.id);
    snprintf(out->name, sizeof(out->name), "%s", v.name);
    snprintf(out->vtree_id, sizeof(out->vtree_id), "%s", v.vtree_id);
    out->size_bytes = pfx_kb_to_bytes(v.size_kb);
    out->thin = v.type == PFX_GW_VOLUME_THIN;
    /* The SDC id is only needed when something is mapped: the common case costs no lookup. */
    if (v.n_mappings > 0 && host != NULL && host->ip != NULL &&
        pfx_pool_sdc_id(pool, host->ip, sdc, sizeof(sdc), NULL) != SP_OK)
        sdc[0] = '\0';
    for (size_t i = 0; i < v.n_mappings; i++) {
        if (sdc[0] != '\0' && strcmp(v.mappings[i].sdc_id, sdc) == 0)
            out->mapped_here = 1;
        else
            out->mapped_elsewhere = 1;
    }
    pfx_gw_volume_clear(&v);
    return SP_OK;
}

/* addMappedSdc of the volume to this host's SDC for a copy. No QoS: the copy is the plugin's own
 * traffic, and a new mapping starts unlimited. No other SDC: mapped elsewhere is SP_E_BUSY (297).
 * A mapping already there is read from the answer (errorCode 81) rather than from a GET before
 * it, and left exactly as it is, limits included: *was_mapped says so.
 * Like a grant's, the map is sent again while the gateway fails in passing. "Already mapped" to a
 * repeat cannot tell a mapping the failed try made from one that was there: it is taken for one
 * that was there, since unmapping a running VM's disk at the end of the copy is the worse mistake
 * (and a warning names the volume). */
/* On the host, its SDC says its own id (drv_cfg --query_mdms, as newer CloudStack agents read
 * it): taken when the pool has none cached, which spares the look-up by IP and holds for hosts
 * whose SDC registered with another address. An SDC without --query_mdms, or one that does not
 * list this system, leaves the look-up by IP. */
static void sdc_from_host(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg)
{
    char id[SP_ID_MAX];
    sp_error e;

    if (cfg == NULL || pfx_pool_sdc_cached(pool, host->ip, 1))
        return;
    if (pfx_sdc_id_for_system(cfg->sdc_home, pool->system_id, id, sizeof(id), &e) != SP_OK) {
        pfx_log(SP_LOG_DEBUG, "host %s: no SDC id from drv_cfg (%s); finding the SDC by the host's IP",
                host->ip, e.message);
        return;
    }
    if (pfx_pool_sdc_adopt(pool, host->ip, id, &e) != SP_OK)
        pfx_log(SP_LOG_WARN, "host %s: drv_cfg names SDC %s, but %s; finding the SDC by the host's IP",
                host->ip, id, e.message);
}

static sp_status map_here(sp_pool *pool, const char *vol_id, const sp_host_ref *host, const pfx_host_cfg *cfg,
                          int *was_mapped, sp_error *err)
{
    char sdc[SP_ID_MAX] = "";
    int tries = 0;
    sp_status st;

    *was_mapped = 0;
    /* The pool's state is the caller's to check for its operation: a copy reads from a pool in
     * maintenance (emptying it), a seeding or a copy's target writes only to an Up one. */
    if (host->ip == NULL || host->ip[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "the host has no IP address to find its SDC by");
    sdc_from_host(pool, host, cfg);
    if ((st = pfx_pool_sdc_id_connected(pool, host->ip, sdc, sizeof(sdc), err)) != SP_OK)
        return st;
    while ((st = pfx_gw_volume_map(pool->gw, vol_id, sdc, 0, was_mapped, err)) != SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st == SP_OK && *was_mapped && tries > 0)
        pfx_log(SP_LOG_WARN,
                "volume %s: mapped to SDC %s after a failed try; left mapped after the copy, as it cannot be "
                "told whether that try made the mapping",
                vol_id, sdc);
    if (st == SP_E_NOT_FOUND && err->backend_code == ERRCODE_SDC_NOT_FOUND) {
        /* A cached SDC id goes stale when the host's SDC registers again: looked up once more. */
        pfx_pool_sdc_forget(pool, host->ip);
        if ((st = pfx_pool_sdc_id_connected(pool, host->ip, sdc, sizeof(sdc), err)) == SP_OK)
            st = pfx_gw_volume_map(pool->gw, vol_id, sdc, 0, was_mapped, err);
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "granting host %s (SDC %s) access", host->ip, sdc);
    pfx_log(SP_LOG_INFO, "volume %s %s SDC %s of host %s for a copy", vol_id,
            *was_mapped ? "was already mapped to" : "mapped to", sdc, host->ip);
    return SP_OK;
}

/* The SDC joined for this operation leaves once its mapping is gone, when joining on demand
 * (another volume of the system still mapped keeps it: SP_E_BUSY, which is fine). */
static void leave_if_joined(pfx_ad_attach *a)
{
    sp_error e;
    sp_status st;

    if (!a->joined_here || !pfx_client_on_demand(a->pool))
        return;
    a->joined_here = 0;
    st = pfx_client_unprepare(a->pool, a->host, a->cfg, &e);
    if (st != SP_OK && st != SP_E_BUSY)
        pfx_log(SP_LOG_WARN, "%s", e.message);
}

sp_status pfx_ad_attach_volume(sp_pool *pool, const char *vol_id, const sp_host_ref *host,
                               const pfx_host_cfg *cfg, int keep_found, pfx_ad_attach *a, sp_error *err)
{
    sp_status st;

    memset(a, 0, sizeof(*a));
    a->pool = pool;
    a->host = host;
    a->cfg = cfg;
    snprintf(a->vol_id, sizeof(a->vol_id), "%s", vol_id);
    {
        /* A copy runs on a host whose SDC may not belong to this system yet. */
        char sdc[SP_ID_MAX];
        st = pfx_client_prepare(pool, host, cfg, sdc, sizeof(sdc), &a->joined_here, err);
        if (st != SP_OK)
            return pfx_error_prefix(err, "volume %s: host %s", vol_id, host->name ? host->name : host->ip);
    }
    st = map_here(pool, vol_id, host, cfg, &a->found_mapped, err);
    if (st != SP_OK) {
        leave_if_joined(a);
        return pfx_error_prefix(err, "mapping volume %s to host %s", vol_id,
                                host->name ? host->name : host->ip);
    }
    a->granted = !(a->found_mapped && keep_found);
    st = pfx_ad_connect(pool, vol_id, host, cfg, a->device, sizeof(a->device), &a->device_size, err);
    if (st != SP_OK) {
        sp_error undo;
        pfx_error_prefix(err, "connecting volume %s", vol_id);
        if (pfx_ad_detach_volume(a, &undo) != SP_OK)
            pfx_ad_add_failure(err, "unmapping it", &undo);
        return st;
    }
    a->connected = 1;
    return SP_OK;
}

sp_status pfx_ad_detach_volume(pfx_ad_attach *a, sp_error *err)
{
    sp_status st;

    if (a->pool == NULL || !a->granted) {
        /* A mapping found in place belongs to whoever made it: its device stays too. */
        a->connected = 0;
        if (a->pool != NULL)
            leave_if_joined(a);
        return SP_OK;
    }
    /* A mapping made for a copy must not outlive it: sent again while the gateway fails in passing. */
    {
        int tries = 0;
        while ((st = pfx_vol_revoke(a->pool, a->vol_id, a->host, err)) != SP_OK && err != NULL &&
               pfx_retry_again(err, &tries))
            ;
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "unmapping volume %s from host %s", a->vol_id,
                                a->host->name ? a->host->name : a->host->ip);
    a->granted = 0;
    st = pfx_ad_disconnect(a->pool, a->vol_id, a->host, a->cfg, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "volume %s was unmapped but its device stays", a->vol_id);
    a->connected = 0;
    leave_if_joined(a);
    return SP_OK;
}
