/* test_badday.c - the Driver against a gateway on a bad day (powerflex-sim's modes and faults):
 * removals still running in a V-Tree (errorCode 212) waited out, HTML error pages, empty bodies
 * and 502/504 from a proxy named and retried where a step is safe to repeat, the array's
 * allocation limit refusing what CloudStack's overprovisioning would allow, a Monitor user's
 * writes refused naming the missing permission, and a session limit on logins. */
#include "config.h"

#include "drvtest.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMOVE "POST /api/instances/Volume::{id}/action/removeVolume"
#define MAP "POST /api/instances/Volume::{id}/action/addMappedSdc"

static tsim *sim;
static sp_pool *pool, *small;

static int setup(void)
{
    const char *extra[] = {"--pool", "pool1:1024", "--pool", "small:64", NULL};

    dt_load();
    sim = dt_sim(extra);
    pool = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL);
    small = dt_pool(sim, "small", DT_POOL_UUID2, NULL, NULL);
    return pool != NULL && small != NULL ? 0 : -1;
}

static int teardown(void)
{
    LC->close(pool);
    LC->close(small);
    tsim_stop(sim);
    return dt_unload() == 0 ? 0 : -1;
}

static int modes(const char *json)
{
    return tsim_control(sim, "POST", "/sim/modes", json);
}

static int create(sp_pool *p, uint64_t id, sp_volume_info *vol, sp_error *err)
{
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, id, 8 * GIB, SP_PROVISION_THIN);

    return DRV->create_volume(p, &spec, vol, err);
}

static int on_array(const char *id)
{
    yajl_val list = dt_volumes(sim);
    int there = dt_vol_by_id(list, id) != NULL;

    yajl_tree_free(list);
    return there;
}

/* Deleting a snapshot, then its volume at once: the array is still removing the snapshot in the
 * V-Tree and answers 212 until it is done; the delete waits it out. */
static void test_busy_removal_waited_out(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    sp_error err = {0};
    int before;

    CU_ASSERT_EQUAL_FATAL(create(pool, 900, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(DRV->create_snapshot(pool, &(sp_volume_ref){vol.path}, 901, &snap, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(modes("{\"removalMs\":700}"), 200);
    before = dt_count(sim, REMOVE);
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &(sp_volume_ref){snap.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(modes("{\"removalMs\":0}"), 200);
    /* the snapshot once, the volume refused at least once (212) and then removed */
    CU_ASSERT(dt_count(sim, REMOVE) - before >= 3);
    CU_ASSERT_FALSE(on_array(vol.id));
    CU_ASSERT_FALSE(on_array(snap.id));

    /* The same answer injected twice: the third try removes it. */
    CU_ASSERT_EQUAL_FATAL(create(pool, 902, &vol, &err), SP_OK);
    CU_ASSERT_FATAL(dt_fault(sim, REMOVE ":busy:count=2"));
    before = dt_count(sim, REMOVE);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_count(sim, REMOVE) - before, 3);
    dt_clear_faults(sim);
    CU_ASSERT_FALSE(on_array(vol.id));
}

/* A map is safe to repeat: 502 and 504 pages, an HTML 500 and an empty 500 in a row are sent
 * again; a proxy that keeps failing is named in the error. */
static void test_proxy_pages(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), made = SP_INIT(sp_volume_info);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_error err = {0};
    yajl_val list;
    int before;

    CU_ASSERT_EQUAL_FATAL(create(pool, 910, &vol, &err), SP_OK);
    CU_ASSERT_FATAL(dt_fault(sim, MAP ":http502:nth=1"));
    CU_ASSERT_FATAL(dt_fault(sim, MAP ":http504:nth=2"));
    CU_ASSERT_FATAL(dt_fault(sim, MAP ":html:status=500:nth=3"));
    before = dt_count(sim, MAP);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_count(sim, MAP) - before, 4);
    dt_clear_faults(sim);
    list = dt_volumes(sim);
    CU_ASSERT_EQUAL(dt_mappings(dt_vol_by_id(list, vol.id)), 1);
    yajl_tree_free(list);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &(sp_volume_ref){vol.path}, &h1, &err), SP_OK);

    /* every try an HTML page: reported with the status line, after the policy's tries */
    CU_ASSERT_FATAL(dt_fault(sim, MAP ":http502"));
    before = dt_count(sim, MAP);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, NULL, 0, &err),
                    SP_E_UNAVAILABLE);
    CU_ASSERT_EQUAL(dt_count(sim, MAP) - before, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "502 Bad Gateway: HTML error page from gateway/proxy"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, vol.id));
    dt_clear_faults(sim);
    CU_ASSERT_FATAL(dt_fault(sim, MAP ":empty:status=500"));
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, NULL, 0, &err), SP_E_BACKEND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "500 Internal Server Error with an empty body"));
    dt_clear_faults(sim);

    /* A create is not repeated blindly: an HTML page before the array acted is reported, one
     * after it is resolved by finding the volume by name. */
    CU_ASSERT_FATAL(dt_fault(sim, "POST /api/types/Volume/instances:html:status=502:once"));
    CU_ASSERT_EQUAL(create(pool, 911, &made, &err), SP_E_UNAVAILABLE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HTML error page from gateway/proxy"));
    CU_ASSERT_FATAL(dt_fault(sim, "POST /api/types/Volume/instances:http504:once:after"));
    CU_ASSERT_EQUAL(create(pool, 911, &made, &err), SP_OK);
    CU_ASSERT_TRUE(on_array(made.id));
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){made.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

/* 64 GiB raw: 28.8 GiB net; the array allows 0.84 of it, 24 GiB of volumes, thin or not, where
 * CloudStack's thin overprovisioning (2 x) would place 57 GiB. */
static void test_allocation_limit(void)
{
    sp_volume_info v[4] = {SP_INIT(sp_volume_info), SP_INIT(sp_volume_info), SP_INIT(sp_volume_info),
                           SP_INIT(sp_volume_info)};
    sp_error err = {0};
    int made = 0;

    for (int i = 0; i < 3; i++)
        made += create(small, 920 + (uint64_t)i, &v[i], &err) == SP_OK;
    CU_ASSERT_EQUAL(made, 3);
    CU_ASSERT_EQUAL(create(small, 923, &v[3], &err), SP_E_NO_SPACE);
    CU_ASSERT_EQUAL(err.backend_code, 300);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "Requested volume size exceeds the volume allocation limit"));
    for (int i = 0; i < made; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(small, &(sp_volume_ref){v[i].path}, &err), SP_OK);
}

static int set_role(const char *role)
{
    char body[512];

    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"%s\",\"role\":\"%s\"}", tsim_user(sim),
             tsim_password(sim), role);
    return tsim_control(sim, "POST", "/sim/users", body) == 200 &&
           tsim_control(sim, "POST", "/sim/expire-tokens", NULL) == 200;
}

/* The pool's user becomes a Monitor: reads go on, a change is refused, and the error says which
 * permission is missing. */
static void test_monitor_role(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), got = SP_INIT(sp_volume_info);
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(create(pool, 930, &vol, &err), SP_OK);
    CU_ASSERT_FATAL(set_role("Monitor"));
    CU_ASSERT_EQUAL(DRV->get_volume(pool, &(sp_volume_ref){vol.path}, &got, &err), SP_OK);
    CU_ASSERT_EQUAL(create(pool, 931, &got, &err), SP_E_AUTH);
    CU_ASSERT_EQUAL(err.backend_code, 168);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, tsim_user(sim)));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "FrontEndConfigure, Configure or Administrator role"));
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_E_AUTH);
    CU_ASSERT_TRUE(on_array(vol.id));
    CU_ASSERT_FATAL(set_role("Administrator"));
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

typedef struct reader {
    const char *path;
    int ok;
} reader;

static void *read_many(void *arg)
{
    reader *r = arg;
    sp_volume_info got = SP_INIT(sp_volume_info);
    sp_error err;

    for (int i = 0; i < 10; i++)
        r->ok += DRV->get_volume(pool, &(sp_volume_ref){r->path}, &got, &err) == SP_OK;
    return NULL;
}

/* One session per pool, whatever the threads: a limit of one session serves eight threads;
 * a second pool's client then finds no session left and says so. */
static void test_session_limit(void)
{
    enum { N = 8 };
    pthread_t th[N];
    reader r[N];
    sp_volume_info vol = SP_INIT(sp_volume_info), got = SP_INIT(sp_volume_info);
    sp_error err = {0};
    int ok = 0, logins;

    CU_ASSERT_EQUAL_FATAL(create(pool, 940, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(modes("{\"maxSessions\":1}"), 200);
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    logins = dt_logins(sim);
    for (int i = 0; i < N; i++) {
        r[i] = (reader){vol.path, 0};
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, read_many, &r[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += r[i].ok;
    }
    CU_ASSERT_EQUAL(ok, N * 10);
    CU_ASSERT_EQUAL(dt_logins(sim) - logins, 1);
    CU_ASSERT_EQUAL(DRV->get_volume(small, &(sp_volume_ref){vol.path}, &got, &err), SP_E_UNAVAILABLE);
    CU_ASSERT_EQUAL(err.backend_code, 252);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "as many sessions open as it allows"));
    CU_ASSERT_EQUAL(modes("{\"maxSessions\":0}"), 200);
    CU_ASSERT_EQUAL(DRV->get_volume(small, &(sp_volume_ref){vol.path}, &got, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

int main(void)
{
    static const dt_test tests[] = {
        {"removal in progress (212) waited out", test_busy_removal_waited_out},
        {"HTML pages, empty bodies, 502/504: named, retried where safe", test_proxy_pages},
        {"the array's allocation limit refuses what overprovisioning allows", test_allocation_limit},
        {"a Monitor user: reads work, writes name the missing permission", test_monitor_role},
        {"session limit: one session per pool; none left is said", test_session_limit},
        {NULL, NULL},
    };

    return dt_run("bad day", setup, teardown, tests);
}
