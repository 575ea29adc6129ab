/* test_lifecycle.c - the Lifecycle table through the ABI against powerflex-sim: adding a pool
 * (details, capacity, refusals, malformed URLs), attaching hosts, maintenance and enable/disable,
 * credentials updates and removal. */
#include "config.h"

#include "drvtest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsim *sim;

static int setup(void)
{
    const char *extra[] = {"--pool", "pool1:1024",  "--pool", "pool2:512:pd2", "--pool", "twin:64",
                           "--pool", "twin:64:pd2", NULL};

    dt_load();
    sim = dt_sim(extra);
    return 0;
}

static int teardown(void)
{
    tsim_stop(sim);
    return dt_unload() == 0 ? 0 : -1;
}

/* The id of the pool named `name` according to the simulator (malloc'd). */
static char *sim_pool_id(const char *name)
{
    yajl_val pools = dt_api_get(sim, "/types/StoragePool/instances");
    char *id = NULL;

    for (size_t i = 0; pools != NULL && YAJL_IS_ARRAY(pools) && i < pools->u.array.len; i++)
        if (strcmp(dt_jstr(pools->u.array.values[i], "name"), name) == 0)
            id = strdup(dt_jstr(pools->u.array.values[i], "id"));
    yajl_tree_free(pools);
    return id;
}

/* CloudStack: total = (maxCapacityInKb - spareCapacityInKb) / 2 KiB, used = total -
 * netUnusedCapacityInKb KiB. */
static void expect_cloudstack_capacity(const char *pool_id, const sp_capacity *cap)
{
    yajl_val st = dt_pool_stats(sim, pool_id);
    int64_t max = dt_jint(st, "maxCapacityInKb"), spare = dt_jint(st, "spareCapacityInKb");
    int64_t unused = dt_jint(st, "netUnusedCapacityInKb");
    uint64_t total;

    CU_ASSERT_FATAL(max > 0 && spare >= 0 && unused >= 0);
    total = (uint64_t)(max - spare) / 2 * 1024;
    CU_ASSERT_EQUAL(cap->total_bytes, total);
    CU_ASSERT_EQUAL(cap->used_bytes, total - (uint64_t)unused * 1024);
    CU_ASSERT_EQUAL(cap->available_bytes, (uint64_t)unused * 1024);
    yajl_tree_free(st);
}

static void test_initialize_sinks_details_and_capacity(void)
{
    dt_details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    char *url = dt_url(sim, "pool2", NULL), *pool_id = sim_pool_id("pool2"), *sys = dt_system_id(sim);
    char gw[128];
    sp_pool *pool;
    sp_error err;
    int before = dt_requests(sim);

    pool = dt_pool(sim, "pool2", DT_POOL_UUID, &d, &cap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    /* login + the release + list pools + protection domain + statistics + the system (its MDM
     * addresses; a 4.x gateway adds its own login); open makes no request. */
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 5);
    snprintf(gw, sizeof(gw), "https://%s/api", tsim_hostport(sim));
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.gw.url"), gw);
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.gw.username"), tsim_user(sim));
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.gw.password"), tsim_password(sim));
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.storagepool.name"), "pool2");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pool_id);
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.storagepool.id"), pool_id);
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.storagepool.system.id"), sys);
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.gw.cafile"), tsim_cafile(sim));
    /* the release, stored so that handles log in without asking again */
    CU_ASSERT_STRING_EQUAL(dt_detail(&d, "powerflex.gw.version"), tsim_api4(sim) ? "4.5" : "3.5");
    /* the MDM addresses hosts join the system with: master and slave of the simulator's mdmCluster */
    CU_ASSERT_PTR_NOT_NULL(strchr(dt_detail(&d, "powerflex.storagepool.mdms"), ','));
    expect_cloudstack_capacity(pool_id, &cap);
    /* 512 GiB raw, 10 % spare, two copies: 230.4 GiB usable, nothing used yet. */
    CU_ASSERT_EQUAL(cap.total_bytes, (uint64_t)(512ull * 1024 * 1024 - 53687091) / 2 * 1024);
    CU_ASSERT_EQUAL(cap.used_bytes, 0);

    /* The stored details are enough to work with the pool. */
    CU_ASSERT_EQUAL(POOLOPS->get_capacity(pool, &cap, &err), SP_OK);
    expect_cloudstack_capacity(pool_id, &cap);
    LC->close(pool);
    dt_details_free(&d);
    free(url);
    free(pool_id);
    free(sys);
}

static void test_initialize_unknown_pool(void)
{
    char *url = dt_url(sim, "NoSuchPool", NULL);
    dt_details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    dt_params pp;
    sp_error err;

    dt_params_init(&pp, sim, url, DT_POOL_UUID);
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(err.status, SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Failed to find the provided storage pool name: NoSuchPool"));
    CU_ASSERT_EQUAL(d.n, 0); /* nothing is stored for a pool that was not added */
    /* Pool names are case sensitive. */
    free(url);
    url = dt_url(sim, "POOL1", NULL);
    pp.p.url = url;
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_NOT_FOUND);
    free(url);
}

static void test_initialize_ambiguous_pool_name(void)
{
    char *url = dt_url(sim, "twin", NULL);
    dt_details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    dt_params pp;
    sp_error err;

    /* Names are unique within a protection domain only, and the URL cannot say which: refused
     * rather than one picked at random. */
    dt_params_init(&pp, sim, url, DT_POOL_UUID);
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "twin"));
    CU_ASSERT_EQUAL(d.n, 0);
    free(url);
}

static void test_open_checks_stored_details(void)
{
    static const char *required[] = {"powerflex.gw.url", "powerflex.gw.username", "powerflex.gw.password",
                                     "powerflex.storagepool.id", "powerflex.storagepool.system.id"};
    dt_details d = {0};
    sp_pool *pool = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL);
    int before = tsim_stats_count(sim, "total");
    sp_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    LC->close(pool);
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        dt_details partial = {0};
        for (size_t j = 0; j < d.n; j++)
            if (strcmp(d.kv[j].key, required[i]) != 0)
                dt_details_set(&partial, d.kv[j].key, d.kv[j].value);
        pool = (sp_pool *)1;
        CU_ASSERT_EQUAL(LC->open(DT_POOL_UUID, partial.kv, partial.n, &pool, &err), SP_E_INVALID);
        CU_ASSERT_PTR_NULL(pool);
        dt_details_free(&partial);
    }
    dt_details_set(&d, "powerflex.storagepool.id", "not-hex");
    CU_ASSERT_EQUAL(LC->open(DT_POOL_UUID, d.kv, d.n, &pool, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(LC->open("no-key", d.kv, d.n, &pool, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before); /* open makes no request */
    dt_details_free(&d);
}

static void test_initialize_wrong_password(void)
{
    const char *wrong = "Wr0ng-Pa55word";
    char *url = dt_url(sim, "pool1", wrong);
    dt_details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    dt_params pp;
    sp_error err;

    dt_secret(wrong);
    dt_params_init(&pp, sim, url, DT_POOL_UUID);
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_AUTH);
    CU_ASSERT_EQUAL(err.status, SP_E_AUTH);
    CU_ASSERT_PTR_NULL(strstr(err.message, wrong));
    CU_ASSERT_PTR_NULL(strstr(err.message, tsim_password(sim)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "admin")); /* names who was refused */
    CU_ASSERT_EQUAL(d.n, 0);
    free(url);
}

static void test_initialize_refuses_other_hypervisors_and_params(void)
{
    char *url = dt_url(sim, "pool1", NULL);
    const char *hvs[] = {"VMware", "XenServer", "Hyperv", "", NULL};
    dt_details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    dt_params pp;
    sp_error err;
    int before;

    for (size_t i = 0; i < sizeof(hvs) / sizeof(hvs[0]); i++) {
        dt_params_init(&pp, sim, url, DT_POOL_UUID);
        pp.p.hypervisor = hvs[i];
        CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "KVM"));
    }
    dt_params_init(&pp, sim, url, DT_POOL_UUID);
    pp.p.hypervisor = "kvm"; /* CloudStack's enum is case-insensitive */
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_OK);
    dt_details_free(&d);
    before = tsim_stats_count(sim, "total");
    dt_params_init(&pp, sim, url, "fd52-27cb");
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_INVALID); /* no pool key */
    dt_params_init(&pp, sim, url, DT_POOL_UUID);
    pp.p.scope = SP_POOL_SCOPE_CLUSTER; /* without its cluster */
    CU_ASSERT_EQUAL(LC->initialize(&pp.p, dt_sink, &d, &cap, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before);
    CU_ASSERT_EQUAL(d.n, 0);
    free(url);
}

/* Each URL is wrong in one part; the message must name that part. */
static const struct bad_url {
    const char *url; /* {gw}: the simulator's host:port */
    const char *part;
} bad_urls[] = {
    {"", "empty"},
    {"https://admin:S3cr3tPw@{gw}/pool1", "powerflex://"},
    {"powerflex:/admin:S3cr3tPw@{gw}/pool1", "powerflex://"},
    {"powerflex//admin:S3cr3tPw@{gw}/pool1", "powerflex://"},
    {"powerflex://{gw}/pool1", "user and password"},
    {"powerflex://admin@{gw}/pool1", "password"},
    {"powerflex://adminS3cr3tPw@{gw}/pool1", "password"},
    {"powerflex://:S3cr3tPw@{gw}/pool1", "user name"},
    {"powerflex://admin:@{gw}/pool1", "password is empty"},
    {"powerflex://ad%0Amin:S3cr3tPw@{gw}/pool1", "user name"},
    {"powerflex://ad%3Amin:S3cr3tPw@{gw}/pool1", "user name"},
    {"powerflex://admin:S3cr3tPw%zz@{gw}/pool1", "password"},
    {"powerflex://admin:S3cr3tPw%4@{gw}/pool1", "password"},
    {"powerflex://admin:S3cr3tPw%07@{gw}/pool1", "password"},
    {"powerflex://admin:S3cr3tPw@/pool1", "gateway host"},
    {"powerflex://admin:S3cr3tPw@:443/pool1", "gateway host"},
    {"powerflex://admin:S3cr3tPw@bad host/pool1", "gateway host"},
    {"powerflex://admin:S3cr3tPw@gw$1.example/pool1", "gateway host"},
    {"powerflex://admin:S3cr3tPw@[::1/pool1", "IPv6"},
    {"powerflex://admin:S3cr3tPw@[zz::1]/pool1", "IPv6"},
    {"powerflex://admin:S3cr3tPw@[::1]443/pool1", "IPv6"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:0/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:65536/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:44x3/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:-1/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@127.0.0.1:4431234/pool1", "port"},
    {"powerflex://admin:S3cr3tPw@{gw}", "storage pool name"},
    {"powerflex://admin:S3cr3tPw@{gw}/", "storage pool name"},
    {"powerflex://admin:S3cr3tPw@{gw}/pool1/extra", "path"},
    {"powerflex://admin:S3cr3tPw@{gw}/pool1?x=1", "query"},
    {"powerflex://admin:S3cr3tPw@{gw}/pool1#top", "fragment"},
    {"powerflex://admin:S3cr3tPw@{gw}/%", "storage pool name"},
    {"powerflex://admin:S3cr3tPw@{gw}/po%0Aol1", "storage pool name"},
    {"powerflex://admin:S3cr3tPw@{gw}/%00", "storage pool name"},
    {"powerflex://adm?n:S3cr3tPw@{gw}/pool1", "user info"},
    {"powerflex://admin:S3c#r3tPw@{gw}/pool1", "user info"},
    {"powerflex://admin:S3cr3tPw@{gw}/po\tol1", "control character"},
};

/* The URL with {gw} replaced by the simulator's host:port. */
static void expand(const char *tmpl, char *buf, size_t len)
{
    const char *at = strstr(tmpl, "{gw}");

    if (at == NULL)
        snprintf(buf, len, "%s", tmpl);
    else
        snprintf(buf, len, "%.*s%s%s", (int)(at - tmpl), tmpl, tsim_hostport(sim), at + 4);
}

static void test_malformed_urls_refused_before_any_request(void)
{
    size_t n = sizeof(bad_urls) / sizeof(bad_urls[0]);
    int before = tsim_stats_count(sim, "total");
    dt_details d = {0};
    char url[512];
    sp_capacity cap = SP_INIT(sp_capacity);
    dt_params pp;
    sp_error err;

    CU_ASSERT(n >= 25);
    dt_secret("S3cr3tPw");
    for (size_t i = 0; i < n; i++) {
        expand(bad_urls[i].url, url, sizeof(url));
        dt_params_init(&pp, sim, url, DT_POOL_UUID);
        memset(&err, 0, sizeof(err));
        sp_status st = LC->initialize(&pp.p, dt_sink, &d, &cap, &err);
        CU_ASSERT_EQUAL(st, SP_E_INVALID);
        CU_ASSERT_EQUAL(err.status, SP_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad_urls[i].part));
        CU_ASSERT_PTR_NULL(strstr(err.message, "S3cr3tPw"));
        CU_ASSERT_PTR_NULL(strstr(err.message, "S3cr3tPw%"));
        if (st != SP_E_INVALID || strstr(err.message, bad_urls[i].part) == NULL ||
            strstr(err.message, "S3cr3tPw") != NULL)
            fprintf(stderr, "URL %s: status %d, message \"%s\" (expected to name \"%s\")\n", url, (int)st,
                    err.message, bad_urls[i].part);
    }
    CU_ASSERT_EQUAL(d.n, 0);
    /* Not one of them reached the gateway, not even a login. */
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before);
}

static void test_attach_reports_each_host(void)
{
    sp_pool *pool = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL);
    char *sdc1 = dt_sdc_id(sim, DT_HOST1_IP), *sdc2 = dt_sdc_id(sim, DT_HOST2_IP);
    sp_host_ref hosts[3] = {dt_host(DT_HOST1_IP), dt_host(DT_HOST2_IP), dt_host("10.9.9.9")};
    sp_host_attach_result res[3] = {SP_INIT(sp_host_attach_result), SP_INIT(sp_host_attach_result),
                                    SP_INIT(sp_host_attach_result)};
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 501, GIB, SP_PROVISION_THIN);
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    sp_error err;
    int before;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 0));
    /* On demand (the default), a registered SDC is enough: it joins when a volume needs it. */
    CU_ASSERT_EQUAL(LC->attach(pool, SP_POOL_SCOPE_ZONE, hosts, 3, res, &err), SP_OK);
    CU_ASSERT_EQUAL(res[1].status, SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(res[1].message, "connects when a volume needs it"));
    CU_ASSERT_EQUAL(res[2].status, SP_E_NOT_FOUND);
    /* Not on demand, the SDC must be connected already. */
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, "powerflex.connect.on.demand", "false");
    CU_ASSERT_EQUAL(LC->attach(pool, SP_POOL_SCOPE_ZONE, hosts, 3, res, &err), SP_OK);
    CU_ASSERT_EQUAL(res[0].status, SP_OK);
    CU_ASSERT_STRING_EQUAL(res[0].client_id, sdc1);
    CU_ASSERT_EQUAL(res[1].status, SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(res[1].message, "not connected"));
    CU_ASSERT_EQUAL(res[2].status, SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(res[2].message, "10.9.9.9"));

    /* No host with a connected SDC: the pool cannot be used. */
    CU_ASSERT_NOT_EQUAL(LC->attach(pool, SP_POOL_SCOPE_CLUSTER, hosts + 1, 2, res, &err), SP_OK);
    CU_ASSERT_EQUAL(res[0].status, SP_E_STATE);
    CU_ASSERT_EQUAL(res[1].status, SP_E_NOT_FOUND);
    CU_ASSERT_NOT_EQUAL(LC->attach(pool, SP_POOL_SCOPE_ZONE, hosts, 0, res, &err), SP_OK);
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, "powerflex.connect.on.demand", NULL);

    /* Attach learnt host 1's SDC: its first grant needs no lookup, and a new mapping without QoS
     * no limits call (it starts unlimited): one request. */
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    ref.path = vol.path;
    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &hosts[0], NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 1);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &ref, &err), SP_OK);

    /* Reconnected, host 2 attaches too. */
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 1));
    CU_ASSERT_EQUAL(LC->attach(pool, SP_POOL_SCOPE_ZONE, hosts, 2, res, &err), SP_OK);
    CU_ASSERT_EQUAL(res[1].status, SP_OK);
    CU_ASSERT_STRING_EQUAL(res[1].client_id, sdc2);
    LC->close(pool);
    free(sdc1);
    free(sdc2);
}

static void test_maintenance_and_disable(void)
{
    sp_pool *pool = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 502, GIB, SP_PROVISION_THIN);
    sp_host_ref host = dt_host(DT_HOST1_IP);
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    sp_error err;
    int before;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    ref.path = vol.path;

    /* Cancelling a maintenance that is not there is refused. */
    CU_ASSERT_EQUAL(LC->cancel_maintain(pool, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(LC->maintain(pool, &err), SP_OK);
    before = tsim_stats_count(sim, "total");
    spec.id = 503;
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "maintenance"));
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &host, NULL, 0, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(DRV->create_snapshot(pool, &ref, 9, &out, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(DRV->resize_volume(pool, &ref, 16 * GIB, &out, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before); /* refused without asking the array */
    /* Enable and disable wait for the maintenance to be cancelled. */
    CU_ASSERT_EQUAL(LC->enable(pool, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(LC->disable(pool, &err), SP_E_STATE);
    CU_ASSERT_EQUAL(LC->cancel_maintain(pool, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &host, NULL, 0, &err), SP_OK);

    /* Disabled: no new volumes, but the existing ones stay usable. */
    CU_ASSERT_EQUAL(LC->disable(pool, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "disabled"));
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &host, NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->create_snapshot(pool, &ref, 9, &out, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &(sp_volume_ref){out.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &ref, &host, &err), SP_OK);
    CU_ASSERT_EQUAL(LC->cancel_maintain(pool, &err), SP_E_STATE);
    /* A disabled pool can go into maintenance; cancelling it brings the pool up. */
    CU_ASSERT_EQUAL(LC->maintain(pool, &err), SP_OK);
    CU_ASSERT_EQUAL(LC->cancel_maintain(pool, &err), SP_OK);
    CU_ASSERT_EQUAL(LC->enable(pool, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){out.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &ref, &err), SP_OK);
    /* NULL handles are refused, not crashed on. */
    CU_ASSERT_EQUAL(LC->maintain(NULL, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(LC->enable(NULL, NULL), SP_E_INVALID);
    LC->close(pool);
}

static void test_update_credentials(void)
{
    const char *bad = "N0t-The-Pa55";
    dt_details d = {0}, upd = {0}, sunk = {0};
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 504, GIB, SP_PROVISION_THIN);
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_pool *pool = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL);
    sp_error err;
    sp_status st;
    char *url;
    int logins;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    dt_secret(bad);
    /* A wrong new password is refused and the pool keeps its working credentials, even once
     * the gateway makes it log in again. */
    dt_details_set(&upd, "powerflex.gw.username", tsim_user(sim));
    dt_details_set(&upd, "powerflex.gw.password", bad);
    CU_ASSERT_EQUAL(LC->update(pool, upd.kv, upd.n, dt_sink, &sunk, &err), SP_E_AUTH);
    CU_ASSERT_PTR_NULL(strstr(err.message, bad));
    CU_ASSERT_EQUAL(sunk.n, 0);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    LC->close(pool);

    /* A pool stored with a password that stopped working fails until the right one is given;
     * the update takes effect without reopening and is handed to the host to store. */
    dt_details_set(&d, "powerflex.gw.password", bad);
    CU_ASSERT_EQUAL_FATAL(LC->open(DT_POOL_UUID, d.kv, d.n, &pool, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &vol, &err), SP_E_AUTH);
    CU_ASSERT_PTR_NULL(strstr(err.message, bad));
    dt_details_set(&upd, "powerflex.gw.password", tsim_password(sim));
    logins = dt_logins(sim);
    st = LC->update(pool, upd.kv, upd.n, dt_sink, &sunk, &err);
    CU_ASSERT_EQUAL(st, SP_OK);
    if (st != SP_OK)
        fprintf(stderr, "update: %s\n", err.message);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dt_detail(&sunk, "powerflex.gw.password"));
    CU_ASSERT_STRING_EQUAL(dt_detail(&sunk, "powerflex.gw.password"), tsim_password(sim));
    CU_ASSERT_STRING_EQUAL(dt_detail(&sunk, "powerflex.gw.username"), tsim_user(sim));
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT(dt_logins(sim) - logins <= 2); /* the check and the pool's own login */

    /* As a URL: the same gateway and pool, other credentials. */
    dt_details_free(&upd);
    dt_details_free(&sunk);
    url = dt_url(sim, "pool1", NULL);
    dt_details_set(&upd, "url", url);
    CU_ASSERT_EQUAL(LC->update(pool, upd.kv, upd.n, dt_sink, &sunk, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(dt_detail(&sunk, "powerflex.gw.password"), tsim_password(sim));
    free(url);
    /* ... but never another pool or gateway. */
    url = dt_url(sim, "pool2", NULL);
    dt_details_set(&upd, "url", url);
    CU_ASSERT_EQUAL(LC->update(pool, upd.kv, upd.n, dt_sink, &sunk, &err), SP_E_INVALID);
    free(url);
    dt_details_set(&upd, "url", "powerflex://admin:x@10.1.2.3/pool1");
    CU_ASSERT_EQUAL(LC->update(pool, upd.kv, upd.n, dt_sink, &sunk, &err), SP_E_INVALID);
    LC->close(pool);
    dt_details_free(&d);
    dt_details_free(&upd);
    dt_details_free(&sunk);
}

static void test_remove_refused_while_volumes_remain(void)
{
    sp_pool *pool = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 505, GIB, SP_PROVISION_THIN);
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error err;
    yajl_val list;
    size_t n_before;

    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL(LC->remove(pool, 1, &err), SP_E_BUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "1 volume"));
    list = dt_volumes(sim);
    n_before = dt_vol_count(list);
    yajl_tree_free(list);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(LC->remove(pool, 0, &err), SP_OK);
    /* Removing the pool touches nothing on PowerFlex. */
    list = dt_volumes(sim);
    CU_ASSERT_EQUAL(dt_vol_count(list), n_before - 1);
    yajl_tree_free(list);
    LC->close(pool);
}

int main(void)
{
    static const dt_test tests[] = {
        {"initialize sinks the details and CloudStack's capacity",
         test_initialize_sinks_details_and_capacity},
        {"initialize: unknown pool name", test_initialize_unknown_pool},
        {"initialize: pool name in two protection domains", test_initialize_ambiguous_pool_name},
        {"initialize: wrong password", test_initialize_wrong_password},
        {"open checks the stored details", test_open_checks_stored_details},
        {"initialize: hypervisor, uuid and scope checked",
         test_initialize_refuses_other_hypervisors_and_params},
        {"initialize: malformed URLs, no request", test_malformed_urls_refused_before_any_request},
        {"attach: connected, disconnected and unknown SDCs", test_attach_reports_each_host},
        {"maintain, cancel, enable, disable", test_maintenance_and_disable},
        {"update credentials", test_update_credentials},
        {"remove refused while volumes remain", test_remove_refused_while_volumes_remain},
        {NULL, NULL},
    };

    return dt_run("lifecycle", setup, teardown, tests);
}
