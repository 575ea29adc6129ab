/* client.c - the SDC joining and leaving a system's MDMs (client.h). The Adaptor side runs
 * drv_cfg on this host; the Driver side reads the gateway's SDC list for the limit, the placement
 * check and the ConnectedSDCCount statistic. */
#include "config.h"

#include "client.h"

#include "error.h"
#include "gateway_system.h"
#include "gateway_volume.h"
#include "hostsvc.h"
#include "retry.h"
#include "sdc_mdm.h"
#include "settings.h"
#include "sized.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_SYSTEMS 64
#define MAX_MEMBERS 1024
#define CONNECTED_WAIT_MS 15000 /* CloudStack polls the gateway up to 15 s for "Connected" */
#define POLL_MS 100

/* ---- per-system locks and what this process knows of the SDC's memberships ------------------ */

typedef struct sys_lock {
    char id[SP_ID_MAX];
    pthread_mutex_t m;
} sys_lock;

typedef struct member {
    char system_id[SP_ID_MAX];
    char ip[64];
    char sdc_id[SP_ID_MAX];
    int joined;
} member;

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t overflow_lock = PTHREAD_MUTEX_INITIALIZER;
static sys_lock locks[MAX_SYSTEMS];
static size_t n_locks;
static member members[MAX_MEMBERS];
static size_t n_members;

/* The lock of a system (made at first use, kept for the process's life); past MAX_SYSTEMS one
 * shared lock serves the rest, which is only slower. */
static pthread_mutex_t *system_lock(const char *system_id)
{
    pthread_mutex_t *m = &overflow_lock;

    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < n_locks; i++)
        if (strcmp(locks[i].id, system_id) == 0) {
            m = &locks[i].m;
            goto out;
        }
    if (n_locks < MAX_SYSTEMS && strlen(system_id) < sizeof(locks[0].id)) {
        snprintf(locks[n_locks].id, sizeof(locks[n_locks].id), "%s", system_id);
        pthread_mutex_init(&locks[n_locks].m, NULL);
        m = &locks[n_locks++].m;
    }
out:
    pthread_mutex_unlock(&table_lock);
    return m;
}

/* 1 joined (sdc_id filled), 0 left, -1 not known in this process. */
static int member_get(const char *system_id, const char *ip, char *sdc_id, size_t len)
{
    int state = -1;

    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < n_members; i++)
        if (strcmp(members[i].system_id, system_id) == 0 && strcmp(members[i].ip, ip) == 0) {
            state = members[i].joined;
            if (state == 1 && sdc_id != NULL)
                snprintf(sdc_id, len, "%s", members[i].sdc_id);
            break;
        }
    pthread_mutex_unlock(&table_lock);
    return state;
}

static void member_set(const char *system_id, const char *ip, const char *sdc_id, int joined)
{
    size_t i;

    if (strlen(system_id) >= sizeof(members[0].system_id) || strlen(ip) >= sizeof(members[0].ip))
        return;
    pthread_mutex_lock(&table_lock);
    for (i = 0; i < n_members; i++)
        if (strcmp(members[i].system_id, system_id) == 0 && strcmp(members[i].ip, ip) == 0)
            break;
    if (i == n_members) {
        if (n_members == MAX_MEMBERS)
            i = 0; /* full: forgetting one only costs a drv_cfg run later */
        else
            n_members++;
    }
    snprintf(members[i].system_id, sizeof(members[i].system_id), "%s", system_id);
    snprintf(members[i].ip, sizeof(members[i].ip), "%s", ip);
    snprintf(members[i].sdc_id, sizeof(members[i].sdc_id), "%s", sdc_id != NULL ? sdc_id : "");
    members[i].joined = joined;
    pthread_mutex_unlock(&table_lock);
}

void pfx_client_forget_system(const char *system_id)
{
    pthread_mutex_lock(&table_lock);
    for (size_t i = 0; i < n_members;) {
        if (strcmp(members[i].system_id, system_id) == 0)
            members[i] = members[--n_members];
        else
            i++;
    }
    pthread_mutex_unlock(&table_lock);
}

/* ---- settings ------------------------------------------------------------------------------ */

int pfx_client_on_demand(sp_pool *pool)
{
    char v[16];

    pfx_setting_text(SP_SCOPE_POOL, pool->uuid, PFX_SETTING_CONNECT_ON_DEMAND, v, sizeof(v));
    return strcasecmp(v, "false") != 0;
}

/* storage.pool.connected.clients.limit; 0 when there is none (CloudStack: <= 0 is unlimited). */
static uint64_t clients_limit(sp_pool *pool)
{
    char v[32], *end;
    long long n;

    pfx_setting_text(SP_SCOPE_POOL, pool->uuid, PFX_SETTING_CLIENTS_LIMIT, v, sizeof(v));
    n = strtoll(v, &end, 10);
    if (end == v || *end != '\0') {
        pfx_log(SP_LOG_WARN, "pool %s: %s=\"%s\" is not a number; no limit applies", pool->uuid,
                PFX_SETTING_CLIENTS_LIMIT, v);
        return 0;
    }
    return n > 0 ? (uint64_t)n : 0;
}

static void cfg_file(const sp_host_ref *host, char *buf, size_t len)
{
    pfx_setting_text(SP_SCOPE_HOST, host->uuid, PFX_SETTING_SDC_CFG_FILE, buf, len);
}

static const char *host_label(const sp_host_ref *host)
{
    return host->name != NULL && host->name[0] != '\0' ? host->name : host->ip;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the gateway's view -------------------------------------------------------------------- */

typedef struct sdc_view {
    uint64_t connected; /* SDCs of the system the gateway sees connected */
    int registered;     /* the host's SDC is known to the system */
    int host_connected; /* and connected */
    char host_sdc[SP_ID_MAX];
} sdc_view;

static int of_system(const pfx_gw_sdc *s, const char *system_id)
{
    return s->system_id[0] == '\0' || strcmp(s->system_id, system_id) == 0;
}

/* One GET of the SDC list. ip may be NULL. */
static sp_status read_sdcs(sp_pool *pool, const char *ip, sdc_view *out, sp_error *err)
{
    pfx_gw_sdc_list l;
    int tries = 0;
    sp_status st;

    memset(out, 0, sizeof(*out));
    /* A look-up: sent again while the gateway fails in passing. */
    while ((st = pfx_gw_list_sdcs(pool->gw, &l, err)) != SP_OK && pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK)
        return pfx_error_prefix(err, "pool %s", pool->uuid);
    for (size_t i = 0; i < l.n; i++) {
        if (!of_system(&l.items[i], pool->system_id))
            continue;
        if (l.items[i].state == PFX_GW_SDC_CONNECTED)
            out->connected++;
        if (ip != NULL && strcmp(l.items[i].ip, ip) == 0) {
            out->registered = 1;
            out->host_connected = l.items[i].state == PFX_GW_SDC_CONNECTED;
            snprintf(out->host_sdc, sizeof(out->host_sdc), "%s", l.items[i].id);
        }
    }
    pfx_gw_sdc_list_clear(&l);
    return SP_OK;
}

static sp_status limit_refusal(sp_pool *pool, const sp_host_ref *host, uint64_t limit, uint64_t connected,
                               sp_error *err)
{
    return pfx_error(err, SP_E_NO_SPACE,
                     "host %s cannot connect its SDC to system %s of pool %s: %" PRIu64
                     " SDC(s) are connected, the limit (%s) is %" PRIu64,
                     host_label(host), pool->system_id, pool->uuid, connected, PFX_SETTING_CLIENTS_LIMIT,
                     limit);
}

/* The system's MDM addresses: the stored detail, else mdmCluster from the gateway (kept). */
static sp_status mdm_ips(sp_pool *pool, char *buf, size_t len, sp_error *err)
{
    pfx_gw_system sys;
    sp_status st;

    pthread_mutex_lock(&pool->lock);
    snprintf(buf, len, "%s", pool->mdm_ips);
    pthread_mutex_unlock(&pool->lock);
    if (buf[0] != '\0')
        return SP_OK;
    st = pfx_gw_system_get(pool->gw, pool->system_id, &sys, err);
    if (st != SP_OK)
        return pfx_error_prefix(err, "pool %s: reading the MDM addresses of its system", pool->uuid);
    if (sys.mdm_ips[0] == '\0')
        return pfx_error(err, SP_E_PROTOCOL, "pool %s: system %s names no MDM address (mdmCluster)",
                         pool->uuid, pool->system_id);
    pthread_mutex_lock(&pool->lock);
    snprintf(pool->mdm_ips, sizeof(pool->mdm_ips), "%s", sys.mdm_ips);
    pthread_mutex_unlock(&pool->lock);
    snprintf(buf, len, "%s", sys.mdm_ips);
    return SP_OK;
}

/* ---- the host's view (drv_cfg) ------------------------------------------------------------ */

/* Whether drv_cfg --query_mdms lists the system with a real SDC id (into sdc_id); ips (may be
 * NULL) receives the addresses it lists. */
static sp_status joined_here(const pfx_host_cfg *cfg, const char *system_id, int *joined, char *sdc_id,
                             size_t len, char *ips, size_t ips_len, sp_error *err)
{
    pfx_sdc_mdm *m = NULL;
    size_t n = 0;
    sp_status st = pfx_sdc_query_mdms(cfg->sdc_home, &m, &n, err);

    *joined = 0;
    if (st != SP_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(m[i].system_id, system_id) == 0 && pfx_sdc_mdm_valid_sdc_id(m[i].sdc_id)) {
            *joined = 1;
            snprintf(sdc_id, len, "%s", m[i].sdc_id);
            if (ips != NULL && !pfx_sdc_mdm_ip_list(&m[i], ips, ips_len))
                ips[0] = '\0';
        }
    free(m);
    return SP_OK;
}

/* After --add_mdm: drv_cfg lists the system (up to powerflex.mdm.change.apply.wait), then the
 * gateway sees the SDC connected (up to 15 s). */
static sp_status wait_joined(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg, char *sdc_id,
                             size_t len, sp_error *err)
{
    unsigned apply = (unsigned)pfx_setting_uint(SP_SCOPE_POOL, pool->uuid, PFX_SETTING_MDM_APPLY_WAIT);
    int64_t deadline = now_ms() + apply;
    pfx_gw_sdc sdc;
    int joined = 0;
    sp_status st;

    for (;;) {
        if ((st = joined_here(cfg, pool->system_id, &joined, sdc_id, len, NULL, 0, err)) != SP_OK)
            return st;
        if (joined || now_ms() >= deadline)
            break;
        sleep_ms(POLL_MS);
    }
    if (!joined)
        return pfx_error(err, SP_E_TIMEOUT,
                         "host %s: the SDC did not list system %s within %u ms of drv_cfg --add_mdm (%s)",
                         host_label(host), pool->system_id, apply, PFX_SETTING_MDM_APPLY_WAIT);
    deadline = now_ms() + CONNECTED_WAIT_MS;
    for (;;) {
        st = pfx_gw_sdc_get(pool->gw, sdc_id, &sdc, err);
        if (st == SP_OK && sdc.state == PFX_GW_SDC_CONNECTED)
            return SP_OK;
        if (now_ms() >= deadline)
            break;
        sleep_ms(4 * POLL_MS);
    }
    if (st != SP_OK)
        return pfx_error_prefix(err, "host %s: reading SDC %s", host_label(host), sdc_id);
    return pfx_error(err, SP_E_TIMEOUT,
                     "host %s: SDC %s joined system %s but is not connected to the MDM (the "
                     "gateway did not see it connected within %d s)",
                     host_label(host), sdc_id, pool->system_id, CONNECTED_WAIT_MS / 1000);
}

/* ---- prepare and unprepare ----------------------------------------------------------------- */

sp_status pfx_client_prepare(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg, char *sdc_id,
                             size_t sdc_id_len, int *joined_now, sp_error *err)
{
    pthread_mutex_t *lock;
    char ips[PFX_SDC_MDM_IPLIST_MAX], file[SP_PATH_MAX];
    uint64_t limit;
    int joined = 0;
    sdc_view view;
    sp_status st;

    if (joined_now != NULL)
        *joined_now = 0;
    if (host == NULL || host->ip == NULL || host->ip[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "the host has no IP address to find its SDC by");
    if (member_get(pool->system_id, host->ip, sdc_id, sdc_id_len) == 1)
        return SP_OK; /* joined by this process, and not left since: no drv_cfg run */
    lock = system_lock(pool->system_id);
    pthread_mutex_lock(lock);
    if (member_get(pool->system_id, host->ip, sdc_id, sdc_id_len) == 1) {
        st = SP_OK;
        goto out;
    }
    if ((st = joined_here(cfg, pool->system_id, &joined, sdc_id, sdc_id_len, NULL, 0, err)) != SP_OK) {
        pfx_error_prefix(err, "host %s: asking the SDC which systems it belongs to", host_label(host));
        goto out;
    }
    if (joined) {
        member_set(pool->system_id, host->ip, sdc_id, 1);
        goto out;
    }
    if ((limit = clients_limit(pool)) > 0) {
        if ((st = read_sdcs(pool, host->ip, &view, err)) != SP_OK)
            goto out;
        if (!view.host_connected && view.connected >= limit) {
            st = limit_refusal(pool, host, limit, view.connected, err);
            goto out;
        }
    }
    if ((st = mdm_ips(pool, ips, sizeof(ips), err)) != SP_OK)
        goto out;
    cfg_file(host, file, sizeof(file));
    if ((st = pfx_sdc_add_mdm(cfg->sdc_home, ips, file, err)) != SP_OK) {
        pfx_error_prefix(err, "host %s: joining system %s (MDMs %s)", host_label(host), pool->system_id, ips);
        goto out;
    }
    if ((st = wait_joined(pool, host, cfg, sdc_id, sdc_id_len, err)) != SP_OK) {
        /* A join that did not connect is taken back: no client is left in the system, counted
         * against its limit, that nothing will release. */
        sp_error undo;
        if (pfx_sdc_remove_mdm(cfg->sdc_home, ips, file, &undo) != SP_OK)
            pfx_ad_add_failure(err, "leaving the system again", &undo);
        goto out;
    }
    member_set(pool->system_id, host->ip, sdc_id, 1);
    pfx_pool_sdc_remember(pool, host->ip, sdc_id);
    if (joined_now != NULL)
        *joined_now = 1;
    pfx_log(SP_LOG_INFO, "host %s: SDC %s joined system %s (MDMs %s) for pool %s", host_label(host), sdc_id,
            pool->system_id, ips, pool->uuid);
out:
    pthread_mutex_unlock(lock);
    return st;
}

sp_status pfx_client_unprepare(sp_pool *pool, const sp_host_ref *host, const pfx_host_cfg *cfg, sp_error *err)
{
    pthread_mutex_t *lock;
    char sdc_id[SP_ID_MAX] = "", listed[PFX_SDC_MDM_IPLIST_MAX] = "", ips[PFX_SDC_MDM_IPLIST_MAX],
         file[SP_PATH_MAX];
    pfx_gw_volume_list mapped;
    sp_error ignored;
    int joined = 0, tries = 0;
    sp_status st;

    if (host == NULL || host->ip == NULL || host->ip[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "the host has no IP address to find its SDC by");
    /* Always asked of drv_cfg: another process (a harness before its restart, an administrator)
     * may have joined the SDC since this one saw it leave. */
    lock = system_lock(pool->system_id);
    pthread_mutex_lock(lock);
    if ((st = joined_here(cfg, pool->system_id, &joined, sdc_id, sizeof(sdc_id), listed, sizeof(listed),
                          err)) != SP_OK) {
        pfx_error_prefix(err, "host %s: asking the SDC which systems it belongs to", host_label(host));
        goto out;
    }
    if (!joined) {
        member_set(pool->system_id, host->ip, NULL, 0);
        goto out;
    }
    /* CloudStack's rule: not while any volume of the system is mapped to this SDC, whoever mapped
     * it (the array's list, so a mapping whose device has not appeared yet counts too). */
    while ((st = pfx_gw_volume_list_on_sdc(pool->gw, sdc_id, &mapped, err)) != SP_OK &&
           pfx_retry_again(err, &tries))
        ;
    if (st != SP_OK) {
        pfx_error_prefix(err, "pool %s", pool->uuid);
        goto out;
    }
    if (mapped.n > 0) {
        st = pfx_error(
            err, SP_E_BUSY,
            "host %s: %zu volume(s) of system %s are mapped to SDC %s (%s first); it stays connected",
            host_label(host), mapped.n, pool->system_id, sdc_id,
            mapped.items[0].name[0] != '\0' ? mapped.items[0].name : mapped.items[0].id);
        pfx_gw_volume_list_clear(&mapped);
        goto out;
    }
    pfx_gw_volume_list_clear(&mapped);
    /* What was added is what is removed: the pool's addresses, else those drv_cfg lists. */
    if (mdm_ips(pool, ips, sizeof(ips), &ignored) != SP_OK)
        snprintf(ips, sizeof(ips), "%s", listed);
    cfg_file(host, file, sizeof(file));
    if ((st = pfx_sdc_remove_mdm(cfg->sdc_home, ips, file, err)) != SP_OK) {
        pfx_error_prefix(err, "host %s: leaving system %s (MDMs %s)", host_label(host), pool->system_id, ips);
        goto out;
    }
    member_set(pool->system_id, host->ip, NULL, 0);
    pfx_pool_sdc_disconnected(pool, host->ip);
    pfx_log(SP_LOG_INFO, "host %s: SDC %s left system %s (no volume of it mapped any more)", host_label(host),
            sdc_id, pool->system_id);
out:
    pthread_mutex_unlock(lock);
    return st;
}

/* ---- the tables' methods ------------------------------------------------------------------- */

sp_status pfx_drv_check_host_access(sp_pool *pool, const sp_host_ref *host, sp_error *err)
{
    uint64_t limit;
    sdc_view view;
    sp_status st;
    PFX_ERR_GUARD(err);

    PFX_SIZED(host, sp_host_ref, SP_HOST_REF_SIZE_2_0, "check_host_access", err);
    if (pool == NULL || host == NULL || host->ip == NULL || host->ip[0] == '\0')
        return pfx_error(err, SP_E_INVALID,
                         "checking a host's access needs a pool and a host with an IP address");
    if ((st = read_sdcs(pool, host->ip, &view, err)) != SP_OK)
        return st;
    if (view.host_connected)
        return SP_OK;
    if (!pfx_client_on_demand(pool)) {
        if (!view.registered)
            return pfx_error(err, SP_E_NOT_FOUND, "host %s has no SDC registered with system %s of pool %s",
                             host_label(host), pool->system_id, pool->uuid);
        return pfx_error(
            err, SP_E_STATE, "host %s: SDC %s is not connected to system %s of pool %s (%s is false)",
            host_label(host), view.host_sdc, pool->system_id, pool->uuid, PFX_SETTING_CONNECT_ON_DEMAND);
    }
    limit = clients_limit(pool);
    if (limit > 0 && view.connected >= limit)
        return limit_refusal(pool, host, limit, view.connected, err);
    return SP_OK;
}

sp_status pfx_drv_custom_stats(sp_pool *pool, sp_kv_sink sink, void *sink_ctx, sp_error *err)
{
    char n[32];
    sdc_view view;
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL || sink == NULL)
        return pfx_error(err, SP_E_INVALID, "custom statistics need a pool and a sink");
    if ((st = read_sdcs(pool, NULL, &view, err)) != SP_OK)
        return st;
    snprintf(n, sizeof(n), "%" PRIu64, view.connected);
    sink(sink_ctx, PFX_CONNECTED_SDC_COUNT, n);
    return SP_OK;
}

sp_status pfx_ad_prepare_client(sp_pool *pool, const sp_host_ref *host, char *client_id_out, sp_error *err)
{
    pfx_host_cfg cfg;
    char id[SP_ID_MAX] = "";
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "no pool given");
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    st = pfx_client_prepare(pool, host, &cfg, id, sizeof(id), NULL, err);
    if (st == SP_OK && client_id_out != NULL)
        snprintf(client_id_out, SP_ID_MAX, "%s", id);
    return st;
}

sp_status pfx_ad_unprepare_client(sp_pool *pool, const sp_host_ref *host, sp_error *err)
{
    pfx_host_cfg cfg;
    sp_status st;
    PFX_ERR_GUARD(err);

    if (pool == NULL)
        return pfx_error(err, SP_E_INVALID, "no pool given");
    if ((st = pfx_ad_host_cfg(host, &cfg, err)) != SP_OK)
        return st;
    return pfx_client_unprepare(pool, host, &cfg, err);
}
