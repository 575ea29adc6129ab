/* test_client.c - every gateway call against powerflex-sim over real HTTPS: success and the
 * gateway's refusals, with the exact number of requests each operation makes. */
#include "config.h"

#include "gateway_system.h"
#include "gateway_volume.h"
#include "gateway_vtree.h"
#include "gwsim.h"
#include "gwtest.h"

#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsim *sim;
static pfx_gw_client *cl;
static char system_id[PFX_GW_ID_SIZE], pd1[PFX_GW_ID_SIZE], pool1[PFX_GW_ID_SIZE], pool2[PFX_GW_ID_SIZE];
static char pool_pd2[PFX_GW_ID_SIZE], sdc1[PFX_GW_ID_SIZE], sdc2[PFX_GW_ID_SIZE];

#define UNKNOWN_ID "0123456789abcdef"
#define ANY_CODE (-2)

/* Runs `call` and checks it made exactly n requests and no login. */
#define REQUESTS(n, call)                                                                                    \
    do {                                                                                                     \
        gws_mark m_ = gws_now(sim);                                                                          \
        call;                                                                                                \
        CU_ASSERT_EQUAL(gws_requests_since(sim, m_), (n));                                                   \
        CU_ASSERT_EQUAL(gws_logins_since(sim, m_), 0);                                                       \
    } while (0)

static int count(const char *key)
{
    return tsim_stats_count(sim, key);
}

/* The failure was `want`, with errorCode `code` (-1: none) and a message holding `needle`. */
static void expect_err(sp_status got, const sp_error *e, sp_status want, int code, const char *needle)
{
    CU_ASSERT_EQUAL(got, want);
    CU_ASSERT_EQUAL(e->status, want);
    if (code != ANY_CODE)
        CU_ASSERT_EQUAL(e->backend_code, code);
    if (needle != NULL && strstr(e->message, needle) == NULL) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", e->message, needle);
        CU_FAIL("message");
    }
    CU_ASSERT_TRUE(gwt_error_clean(e));
}

static int suite_init(void)
{
    static const char *const args[] = {"--pool", "pool1:1024:domain1", "--pool",         "pool2:1024:domain1",
                                       "--pool", "pool1:512:domain2",  "--sdc",          "10.0.0.1",
                                       "--sdc",  "10.0.0.2",           "--migration-ms", "2500",
                                       NULL};
    pfx_gw_pool_list pools;
    pfx_gw_sdc_list sdcs;
    pfx_gw_system_list systems;
    sp_error e;

    gwt_log_capture_start();
    sim = gws_start(args);
    cl = gws_client(sim, 30, 8);
    if (pfx_gw_client_login(cl, &e) != SP_OK || pfx_gw_list_systems(cl, &systems, &e) != SP_OK ||
        pfx_gw_list_pools(cl, &pools, &e) != SP_OK || pfx_gw_list_sdcs(cl, &sdcs, &e) != SP_OK) {
        fprintf(stderr, "discovery failed: %s\n", e.message);
        return 1;
    }
    snprintf(system_id, sizeof(system_id), "%s", systems.items[0].id);
    for (size_t i = 0; i < pools.n; i++) {
        pfx_gw_pool *p = &pools.items[i];
        if (strcmp(p->name, "pool2") == 0) {
            snprintf(pool2, sizeof(pool2), "%s", p->id);
            snprintf(pd1, sizeof(pd1), "%s", p->protection_domain_id);
        }
    }
    for (size_t i = 0; i < pools.n; i++) {
        pfx_gw_pool *p = &pools.items[i];
        if (strcmp(p->name, "pool1") == 0 && strcmp(p->protection_domain_id, pd1) == 0)
            snprintf(pool1, sizeof(pool1), "%s", p->id);
        else if (strcmp(p->name, "pool1") == 0)
            snprintf(pool_pd2, sizeof(pool_pd2), "%s", p->id);
    }
    for (size_t i = 0; i < sdcs.n; i++)
        snprintf(strcmp(sdcs.items[i].ip, "10.0.0.1") == 0 ? sdc1 : sdc2, PFX_GW_ID_SIZE, "%s",
                 sdcs.items[i].id);
    pfx_gw_system_list_clear(&systems);
    pfx_gw_pool_list_clear(&pools);
    pfx_gw_sdc_list_clear(&sdcs);
    return !(pool1[0] && pool2[0] && pool_pd2[0] && sdc1[0] && sdc2[0]);
}

static int suite_clean(void)
{
    pfx_gw_client_free(cl);
    tsim_stop(sim);
    return 0;
}

/* ---- system, domains, pools, SDCs --------------------------------------------------------- */

static void test_version(void)
{
    char v[32];
    sp_error e;

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(v, gws_release(sim));
    CU_ASSERT_EQUAL(count("GET /api/version"), 1);
}

static void test_systems(void)
{
    pfx_gw_system_list l;
    pfx_gw_system s;
    sp_error e;

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_list_systems(cl, &l, &e), SP_OK));
    CU_ASSERT_EQUAL(l.n, 1);
    pfx_gw_system_list_clear(&l);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_system_get(cl, system_id, &s, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(s.id, system_id);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.version_name, "R3_5"));
    /* a gateway serves one system: another system's id is the caller's mistake */
    REQUESTS(1, expect_err(pfx_gw_system_get(cl, UNKNOWN_ID, &s, &e), &e, SP_E_INVALID, 202,
                           "system " UNKNOWN_ID));
}

static void test_domain_and_pools(void)
{
    pfx_gw_protection_domain d;
    pfx_gw_pool p;
    pfx_gw_pool_stats st;
    sp_error e;

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_protection_domain_get(cl, pd1, &d, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(d.system_id, system_id);
    CU_ASSERT_STRING_EQUAL(d.name, "domain1");
    REQUESTS(1, expect_err(pfx_gw_protection_domain_get(cl, UNKNOWN_ID, &d, &e), &e, SP_E_NOT_FOUND, 142,
                           "protection domain " UNKNOWN_ID ": gateway returned 500 (errorCode 142)"));

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_pool_get(cl, pool1, &p, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(p.name, "pool1");
    CU_ASSERT_STRING_EQUAL(p.protection_domain_id, pd1);
    REQUESTS(1, expect_err(pfx_gw_pool_get(cl, UNKNOWN_ID, &p, &e), &e, SP_E_NOT_FOUND, 171,
                           "Could not find Storage Pool"));

    /* by name: one list request; names are unique only within a domain */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_pool_find(cl, pd1, "pool1", &p, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(p.id, pool1);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_pool_find(cl, NULL, "pool2", &p, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(p.id, pool2);
    REQUESTS(1, expect_err(pfx_gw_pool_find(cl, NULL, "pool1", &p, &e), &e, SP_E_INVALID, -1,
                           "2 protection domains"));
    REQUESTS(1, expect_err(pfx_gw_pool_find(cl, pd1, "POOL1", &p, &e), &e, SP_E_NOT_FOUND, -1,
                           "\"POOL1\" not found"));
    REQUESTS(0, expect_err(pfx_gw_pool_find(cl, "no/such", "pool1", &p, &e), &e, SP_E_INVALID, -1,
                           "not a PowerFlex id"));

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_pool_get_stats(cl, pool1, &st, &e), SP_OK));
    CU_ASSERT_EQUAL(st.max_capacity_kb, 1024ull * 1024 * 1024);
    CU_ASSERT_TRUE(st.spare_capacity_kb > 0);
    CU_ASSERT_TRUE(st.net_unused_capacity_kb.present);
    CU_ASSERT_EQUAL(count("GET /api/instances/StoragePool::{id}/relationships/Statistics"), 1);
    REQUESTS(1, expect_err(pfx_gw_pool_get_stats(cl, UNKNOWN_ID, &st, &e), &e, SP_E_NOT_FOUND, 171, NULL));
}

static void test_sdcs(void)
{
    pfx_gw_sdc_list l;
    pfx_gw_sdc s;
    char id[PFX_GW_ID_SIZE];
    sp_error e;

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_list_sdcs(cl, &l, &e), SP_OK));
    CU_ASSERT_EQUAL(l.n, 2);
    pfx_gw_sdc_list_clear(&l);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_sdc_get(cl, sdc1, &s, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(s.ip, "10.0.0.1");
    CU_ASSERT_EQUAL(s.state, PFX_GW_SDC_CONNECTED);
    CU_ASSERT_STRING_EQUAL(s.system_id, system_id);
    REQUESTS(1, expect_err(pfx_gw_sdc_get(cl, UNKNOWN_ID, &s, &e), &e, SP_E_NOT_FOUND, 80,
                           "Could not find the SDC"));

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_sdc_id_by_ip(cl, "10.0.0.2", id, sizeof(id), &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(id, sdc2);
    CU_ASSERT_EQUAL(count("POST /api/types/Sdc/instances/action/queryIdByKey"), 1);
    REQUESTS(1, expect_err(pfx_gw_sdc_id_by_ip(cl, "10.9.9.9", id, sizeof(id), &e), &e, SP_E_NOT_FOUND, 3,
                           "SDC with address 10.9.9.9: gateway returned 500 (errorCode 3): Not found"));
    CU_ASSERT_STRING_EQUAL(id, "");
}

/* ---- volumes ------------------------------------------------------------------------------ */

static void create(const char *name, const char *pool, uint64_t kb, int thick, char *id)
{
    pfx_gw_volume_spec spec = {name, pool, kb, thick};
    sp_error e;

    REQUESTS(1, CU_ASSERT_EQUAL_FATAL(pfx_gw_volume_create(cl, &spec, id, PFX_GW_ID_SIZE, &e), SP_OK));
}

static void test_volume_lifecycle(void)
{
    char id[PFX_GW_ID_SIZE], thick[PFX_GW_ID_SIZE], found[PFX_GW_ID_SIZE], other[PFX_GW_ID_SIZE];
    pfx_gw_volume v;
    pfx_gw_volume_list l;
    pfx_gw_volume_spec spec;
    sp_error e;
    int seen = 0;

    create("vol-1-27cb-ab12", pool1, 1048576, 0, id); /* 1 GiB: the gateway rounds to 8 */
    CU_ASSERT_EQUAL(count("POST /api/types/Volume/instances"), 1);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(v.name, "vol-1-27cb-ab12");
    CU_ASSERT_EQUAL(v.size_kb, 8388608);
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_THIN);
    CU_ASSERT_STRING_EQUAL(v.storage_pool_id, pool1);
    CU_ASSERT_NOT_EQUAL(v.vtree_id[0], '\0');
    CU_ASSERT_EQUAL(v.n_mappings, 0);
    pfx_gw_volume_clear(&v);

    create("vol-2-27cb-ab12", pool1, 8388608, 1, thick);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, thick, &v, &e), SP_OK));
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_THICK);
    pfx_gw_volume_clear(&v);

    /* refusals */
    spec = (pfx_gw_volume_spec){"vol-1-27cb-ab12", pool1, 8388608, 0};
    REQUESTS(
        1, expect_err(pfx_gw_volume_create(cl, &spec, other, sizeof(other), &e), &e, SP_E_EXISTS, 99,
                      "creating volume \"vol-1-27cb-ab12\": gateway returned 500 (errorCode 99): Volume name "
                      "already in use. Please use a different name."));
    CU_ASSERT_EQUAL(e.http_status, 500);
    spec = (pfx_gw_volume_spec){"vol-3", UNKNOWN_ID, 8388608, 0};
    REQUESTS(1, expect_err(pfx_gw_volume_create(cl, &spec, other, sizeof(other), &e), &e, SP_E_NOT_FOUND, 171,
                           NULL));
    spec = (pfx_gw_volume_spec){"a-name-that-is-longer-than-31-characters", pool1, 8388608, 0};
    REQUESTS(1, expect_err(pfx_gw_volume_create(cl, &spec, other, sizeof(other), &e), &e, SP_E_INVALID, 226,
                           "31 characters"));
    spec = (pfx_gw_volume_spec){"huge", pool1, 1ull << 40, 1};
    REQUESTS(1, CU_ASSERT_NOT_EQUAL(pfx_gw_volume_create(cl, &spec, other, sizeof(other), &e), SP_OK));
    CU_ASSERT_TRUE(e.status == SP_E_NO_SPACE || e.status == SP_E_INVALID);
    spec = (pfx_gw_volume_spec){"zero", pool1, 0, 0};
    REQUESTS(
        0, expect_err(pfx_gw_volume_create(cl, &spec, other, sizeof(other), &e), &e, SP_E_INVALID, -1, NULL));

    /* find, list */
    REQUESTS(
        1, CU_ASSERT_EQUAL(pfx_gw_volume_id_by_name(cl, "vol-1-27cb-ab12", found, sizeof(found), &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(found, id);
    CU_ASSERT_EQUAL(count("POST /api/types/Volume/instances/action/queryIdByKey"), 1);
    REQUESTS(1, expect_err(pfx_gw_volume_id_by_name(cl, "no-such-volume", found, sizeof(found), &e), &e,
                           SP_E_NOT_FOUND, 3, "volume \"no-such-volume\""));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_list_in_pool(cl, pool1, &l, &e), SP_OK));
    for (size_t i = 0; i < l.n; i++)
        seen += strcmp(l.items[i].id, id) == 0 || strcmp(l.items[i].id, thick) == 0;
    CU_ASSERT_EQUAL(seen, 2);
    pfx_gw_volume_list_clear(&l);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_list_in_pool(cl, pool2, &l, &e), SP_OK));
    CU_ASSERT_EQUAL(l.n, 0);
    pfx_gw_volume_list_clear(&l);

    /* rename, resize */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_rename(cl, id, "vol-1-renamed", &e), SP_OK));
    REQUESTS(1, expect_err(pfx_gw_volume_rename(cl, id, "vol-2-27cb-ab12", &e), &e, SP_E_EXISTS, 99, NULL));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_resize(cl, id, 16, &e), SP_OK));
    REQUESTS(1,
             expect_err(pfx_gw_volume_resize(cl, id, 8, &e), &e, SP_E_INVALID, 133, "can only be increased"));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(v.name, "vol-1-renamed");
    CU_ASSERT_EQUAL(v.size_kb, 16ull * 1024 * 1024);
    pfx_gw_volume_clear(&v);
    CU_ASSERT_EQUAL(count("POST /api/instances/Volume::{id}/action/setVolumeSize"), 2);

    /* delete: idempotent, one request each */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, thick, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, thick, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
    CU_ASSERT_EQUAL(count("POST /api/instances/Volume::{id}/action/removeVolume"), 2);
    REQUESTS(1, expect_err(pfx_gw_volume_get(cl, thick, &v, &e), &e, SP_E_NOT_FOUND, 79, NULL));
    CU_ASSERT_EQUAL(e.http_status, 500);
    {
        char want[256];
        snprintf(want, sizeof(want),
                 "volume %s: gateway returned 500 (errorCode 79): Could not find the volume", thick);
        CU_ASSERT_STRING_EQUAL(e.message, want);
    }
    REQUESTS(1,
             CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, id, PFX_GW_REMOVE_INCLUDING_DESCENDANTS, &e), SP_OK));

    /* ids are checked before they reach a URL */
    REQUESTS(0, expect_err(pfx_gw_volume_get(cl, "../../login", &v, &e), &e, SP_E_INVALID, -1,
                           "not a PowerFlex id"));
    REQUESTS(
        0, expect_err(pfx_gw_volume_delete(cl, NULL, PFX_GW_REMOVE_ONLY_ME, &e), &e, SP_E_INVALID, -1, NULL));
    REQUESTS(0,
             expect_err(pfx_gw_volume_delete(cl, id, (pfx_gw_remove_mode)9, &e), &e, SP_E_INVALID, -1, NULL));
}

static void test_mapping(void)
{
    char id[PFX_GW_ID_SIZE];
    pfx_gw_volume v;
    pfx_gw_volume_stats vs;
    sp_error e;
    const char *add = "POST /api/instances/Volume::{id}/action/addMappedSdc";
    const char *rm = "POST /api/instances/Volume::{id}/action/removeMappedSdc";
    int adds = count(add), rms = count(rm), gets = count("GET /api/instances/Volume::{id}");

    create("vol-map-27cb-ab12", pool1, 8388608, 0, id);
    /* map: one POST; mapping again is success in one POST too (no GET first) */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_map(cl, id, sdc1, 0, NULL, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_map(cl, id, sdc1, 0, NULL, &e), SP_OK));
    CU_ASSERT_EQUAL(count(add) - adds, 2);
    CU_ASSERT_EQUAL(count("GET /api/instances/Volume::{id}"), gets); /* no read before a map */
    REQUESTS(
        1, expect_err(pfx_gw_volume_map(cl, id, sdc2, 0, NULL, &e), &e, SP_E_BUSY, 297, "may not be mapped"));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_map(cl, id, sdc2, 1, NULL, &e), SP_OK));
    REQUESTS(1, expect_err(pfx_gw_volume_map(cl, id, UNKNOWN_ID, 1, NULL, &e), &e, SP_E_NOT_FOUND, 80, NULL));
    REQUESTS(1,
             expect_err(pfx_gw_volume_map(cl, UNKNOWN_ID, sdc1, 1, NULL, &e), &e, SP_E_NOT_FOUND, 79, NULL));

    /* limits: the gateway's rules are checked without a request */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_set_limits(cl, id, sdc1, 9000, 92160, &e), SP_OK));
    REQUESTS(0, expect_err(pfx_gw_volume_set_limits(cl, id, sdc1, 10, 0, &e), &e, SP_E_INVALID, -1,
                           "more than 10"));
    REQUESTS(0,
             expect_err(pfx_gw_volume_set_limits(cl, id, sdc1, 0, 1000, &e), &e, SP_E_INVALID, -1, "1024"));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_set_limits(cl, id, sdc2, 0, 0, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    CU_ASSERT_EQUAL_FATAL(v.n_mappings, 2);
    for (size_t i = 0; i < v.n_mappings; i++)
        if (strcmp(v.mappings[i].sdc_id, sdc1) == 0) {
            CU_ASSERT_EQUAL(v.mappings[i].limit_iops, 9000);
            CU_ASSERT_EQUAL(v.mappings[i].limit_bw_mbps, 90);
            CU_ASSERT_STRING_EQUAL(v.mappings[i].sdc_ip, "10.0.0.1");
        }
    pfx_gw_volume_clear(&v);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get_stats(cl, id, &vs, &e), SP_OK));
    CU_ASSERT_EQUAL(vs.num_mapped_sdcs, 2);

    /* a mapped volume cannot be deleted */
    REQUESTS(1, expect_err(pfx_gw_volume_delete(cl, id, PFX_GW_REMOVE_ONLY_ME, &e), &e, SP_E_BUSY, 104,
                           "Volume is mapped"));

    /* unmap: one POST; unmapping what is not mapped is success in one POST */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_unmap(cl, id, sdc1, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_unmap(cl, id, sdc1, &e), SP_OK));
    REQUESTS(1, expect_err(pfx_gw_volume_set_limits(cl, id, sdc1, 0, 0, &e), &e, SP_E_NOT_FOUND, 84, NULL));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_unmap(cl, id, NULL, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_unmap(cl, id, NULL, &e), SP_OK));
    CU_ASSERT_EQUAL(count(rm) - rms, 4);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    CU_ASSERT_EQUAL(v.n_mappings, 0);
    pfx_gw_volume_clear(&v);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, id, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
}

static void test_snapshots(void)
{
    char a[PFX_GW_ID_SIZE], b[PFX_GW_ID_SIZE], c[PFX_GW_ID_SIZE];
    pfx_gw_snapshot_def defs[2];
    pfx_gw_snapshot_group g, g1, bad;
    pfx_gw_volume v, va;
    uint64_t removed;
    sp_error e;

    create("vol-sa-27cb-ab12", pool1, 8388608, 0, a);
    create("vol-sb-27cb-ab12", pool1, 8388608, 0, b);
    create("vol-sc-27cb-ab12", pool1, 8388608, 0, c);

    /* a consistency group of two, in request order */
    defs[0] = (pfx_gw_snapshot_def){b, "vmsnap-1-b"};
    defs[1] = (pfx_gw_snapshot_def){a, "vmsnap-1-a"};
    REQUESTS(1, CU_ASSERT_EQUAL_FATAL(pfx_gw_snapshot_volumes(cl, system_id, defs, 2, &g, &e), SP_OK));
    CU_ASSERT_EQUAL_FATAL(g.n, 2);
    CU_ASSERT_EQUAL(count("POST /api/instances/System::{id}/action/snapshotVolumes"), 1);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, g.ids[1].id, &v, &e), SP_OK));
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_SNAPSHOT);
    CU_ASSERT_STRING_EQUAL(v.ancestor_id, a);
    CU_ASSERT_STRING_EQUAL(v.consistency_group_id, g.group_id);
    CU_ASSERT_STRING_EQUAL(v.name, "vmsnap-1-a");
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, a, &va, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(v.vtree_id, va.vtree_id);
    pfx_gw_volume_clear(&v);
    pfx_gw_volume_clear(&va);

    /* the group's snapshots and a volume read back in one request, in the order asked */
    {
        const char *ids[3] = {g.ids[1].id, a, g.ids[0].id};
        const char *unknown[2] = {g.ids[0].id, UNKNOWN_ID};
        const char *twice[2] = {a, a};
        const char *malformed[1] = {"invalidIdentifier"};
        pfx_gw_volume_list l;

        REQUESTS(1, CU_ASSERT_EQUAL_FATAL(pfx_gw_volume_get_many(cl, ids, 3, &l, &e), SP_OK));
        CU_ASSERT_EQUAL(count("POST /api/types/Volume/instances/action/queryBySelectedIds"), 1);
        CU_ASSERT_EQUAL_FATAL(l.n, 3);
        CU_ASSERT_STRING_EQUAL(l.items[0].id, g.ids[1].id);
        CU_ASSERT_STRING_EQUAL(l.items[0].name, "vmsnap-1-a");
        CU_ASSERT_STRING_EQUAL(l.items[0].ancestor_id, a);
        CU_ASSERT_STRING_EQUAL(l.items[0].consistency_group_id, g.group_id);
        CU_ASSERT_EQUAL(l.items[0].type, PFX_GW_VOLUME_SNAPSHOT);
        CU_ASSERT_STRING_EQUAL(l.items[1].id, a);
        CU_ASSERT_EQUAL(l.items[1].type, PFX_GW_VOLUME_THIN);
        CU_ASSERT_STRING_EQUAL(l.items[2].name, "vmsnap-1-b");
        CU_ASSERT_STRING_EQUAL(l.items[2].ancestor_id, b);
        pfx_gw_volume_list_clear(&l);
        CU_ASSERT_PTR_NULL(l.items);
        /* an id the array does not know: not found, naming it, and nothing handed back */
        REQUESTS(1, expect_err(pfx_gw_volume_get_many(cl, unknown, 2, &l, &e), &e, SP_E_NOT_FOUND, ANY_CODE,
                               NULL));
        CU_ASSERT_PTR_NULL(l.items);
        CU_ASSERT_EQUAL(l.n, 0);
        /* refused before any request */
        REQUESTS(0, expect_err(pfx_gw_volume_get_many(cl, twice, 2, &l, &e), &e, SP_E_INVALID, -1, NULL));
        REQUESTS(0, expect_err(pfx_gw_volume_get_many(cl, malformed, 1, &l, &e), &e, SP_E_INVALID, -1, NULL));
        REQUESTS(0, expect_err(pfx_gw_volume_get_many(cl, ids, 0, &l, &e), &e, SP_E_INVALID, -1, NULL));
    }

    /* one snapshot, through the System path without an id */
    defs[0] = (pfx_gw_snapshot_def){c, "snap-1-27cb-ab12"};
    REQUESTS(1, CU_ASSERT_EQUAL_FATAL(pfx_gw_snapshot_volumes(cl, NULL, defs, 1, &g1, &e), SP_OK));
    CU_ASSERT_EQUAL(g1.n, 1);
    CU_ASSERT_EQUAL(count("POST /api/instances/System/action/snapshotVolumes"), 1);
    REQUESTS(1, expect_err(pfx_gw_snapshot_volumes(cl, system_id, defs, 1, &bad, &e), &e, SP_E_EXISTS, 99,
                           "snap-1-27cb-ab12"));
    CU_ASSERT_PTR_NULL(bad.ids);
    defs[0] = (pfx_gw_snapshot_def){UNKNOWN_ID, "snap-x"};
    REQUESTS(1, expect_err(pfx_gw_snapshot_volumes(cl, system_id, defs, 1, &bad, &e), &e, SP_E_NOT_FOUND, 79,
                           NULL));
    REQUESTS(
        0, expect_err(pfx_gw_snapshot_volumes(cl, system_id, defs, 0, &bad, &e), &e, SP_E_INVALID, -1, NULL));

    /* revert: same V-Tree only */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_overwrite(cl, c, g1.ids[0].id, &e), SP_OK));
    CU_ASSERT_EQUAL(count("POST /api/instances/Volume::{id}/action/overwriteVolumeContent"), 1);
    REQUESTS(1, expect_err(pfx_gw_volume_overwrite(cl, a, g1.ids[0].id, &e), &e, SP_E_INVALID, 198,
                           "same V-Tree"));
    REQUESTS(1, expect_err(pfx_gw_volume_overwrite(cl, c, c, &e), &e, SP_E_INVALID, 330, NULL));

    /* V-Tree and its statistics */
    {
        pfx_gw_vtree t;
        pfx_gw_vtree_stats ts;
        REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, c, &v, &e), SP_OK));
        REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_vtree_get(cl, v.vtree_id, &t, &e), SP_OK));
        CU_ASSERT_STRING_EQUAL(t.storage_pool_id, pool1);
        CU_ASSERT_STRING_EQUAL(t.base_volume_id, c);
        CU_ASSERT_TRUE(t.migration.present);
        CU_ASSERT_EQUAL(t.migration.status, PFX_GW_MIGRATION_NONE);
        REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_vtree_get_stats(cl, v.vtree_id, &ts, &e), SP_OK));
        CU_ASSERT_TRUE(ts.net_provisioned_addresses_kb.present);
        CU_ASSERT_TRUE(ts.num_volumes.present);
        CU_ASSERT_EQUAL(ts.num_volumes.value, 2);
        pfx_gw_volume_clear(&v);
        REQUESTS(1, expect_err(pfx_gw_vtree_get(cl, UNKNOWN_ID, &t, &e), &e, SP_E_NOT_FOUND, ANY_CODE, NULL));
    }

    /* remove the group: a count back; a second time the group is unknown */
    REQUESTS(1,
             CU_ASSERT_EQUAL(pfx_gw_snapshot_group_remove(cl, system_id, g.group_id, &removed, &e), SP_OK));
    CU_ASSERT_EQUAL(removed, 2);
    CU_ASSERT_EQUAL(count("POST /api/instances/System::{id}/action/removeConsistencyGroupSnapshots"), 1);
    REQUESTS(1, expect_err(pfx_gw_snapshot_group_remove(cl, system_id, g.group_id, &removed, &e), &e,
                           SP_E_NOT_FOUND, 185, NULL));
    REQUESTS(0, expect_err(pfx_gw_snapshot_group_remove(cl, NULL, g.group_id, &removed, &e), &e, SP_E_INVALID,
                           -1, NULL));
    pfx_gw_snapshot_group_clear(&g);

    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, c, PFX_GW_REMOVE_WHOLE_VTREE, &e), SP_OK));
    REQUESTS(1, expect_err(pfx_gw_volume_get(cl, g1.ids[0].id, &v, &e), &e, SP_E_NOT_FOUND, 79, NULL));
    pfx_gw_snapshot_group_clear(&g1);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, a, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, b, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
}

typedef struct progress {
    int calls;
    int stop_at;
    pfx_gw_migration_status last;
} progress;

static int on_progress(void *ctx, const pfx_gw_migration *m)
{
    progress *p = ctx;

    p->calls++;
    p->last = m->status;
    CU_ASSERT_TRUE(m->status == PFX_GW_MIGRATION_PENDING || m->status == PFX_GW_MIGRATION_RUNNING);
    return p->stop_at != 0 && p->calls >= p->stop_at;
}

static void test_migration(void)
{
    char id[PFX_GW_ID_SIZE];
    pfx_gw_volume v;
    pfx_gw_migration m;
    progress p = {0, 0, PFX_GW_MIGRATION_UNKNOWN};
    pfx_gw_wait w = {30, 50, on_progress, &p, 0};
    sp_error e;
    gws_mark mark;

    create("vol-mig-27cb-ab12", pool1, 8388608, 0, id);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    REQUESTS(1, expect_err(pfx_gw_vtree_migrate(cl, id, pool1, &e), &e, SP_E_INVALID, 718, "are the same"));

    /* Held in the simulator until the deadline below has passed, however slowly this runs. */
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":true}"), 200);
    REQUESTS(1, CU_ASSERT_EQUAL_FATAL(pfx_gw_vtree_migrate(cl, id, pool2, &e), SP_OK));
    CU_ASSERT_EQUAL(count("POST /api/instances/Volume::{id}/action/migrateVTree"), 2);
    REQUESTS(1, expect_err(pfx_gw_vtree_migrate(cl, id, pool_pd2, &e), &e, SP_E_BUSY, 717, NULL));
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_vtree_migration(cl, v.vtree_id, &m, &e), SP_OK));
    CU_ASSERT_TRUE(m.status == PFX_GW_MIGRATION_PENDING || m.status == PFX_GW_MIGRATION_RUNNING);
    CU_ASSERT_STRING_EQUAL(m.dest_pool_id, pool2);

    /* a callback asking to stop ends the wait, not the migration */
    p.stop_at = 1;
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(cl, v.vtree_id, &w, &m, &e), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(p.calls, 1);
    /* a deadline the (held) migration outlasts */
    w.timeout_s = 1;
    w.progress = NULL;
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(cl, v.vtree_id, &w, &m, &e), SP_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "still"));
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":false}"), 200);
    /* and to the end (2.5 s): one GET per poll, nothing else */
    p.stop_at = 0;
    p.calls = 0;
    w.timeout_s = 300;
    w.progress = on_progress;
    mark = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(cl, v.vtree_id, &w, &m, &e), SP_OK);
    CU_ASSERT_EQUAL(gws_requests_since(sim, mark), p.calls + 1);
    CU_ASSERT_EQUAL(m.status, PFX_GW_MIGRATION_NONE);
    pfx_gw_volume_clear(&v);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, id, &v, &e), SP_OK));
    CU_ASSERT_STRING_EQUAL(v.storage_pool_id, pool2);
    /* nothing to wait for */
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(cl, v.vtree_id, &w, &m, &e), SP_OK));
    /* the whole V-Tree of the last poll: the pool it is in now */
    {
        pfx_gw_vtree t;
        REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait_tree(cl, v.vtree_id, &w, &t, &e), SP_OK));
        CU_ASSERT_STRING_EQUAL(t.id, v.vtree_id);
        CU_ASSERT_STRING_EQUAL(t.storage_pool_id, pool2);
        CU_ASSERT_EQUAL(t.migration.status, PFX_GW_MIGRATION_NONE);
        REQUESTS(1, expect_err(pfx_gw_vtree_migration_wait_tree(cl, UNKNOWN_ID, &w, &t, &e), &e,
                               SP_E_NOT_FOUND, ANY_CODE, NULL));
        CU_ASSERT_STRING_EQUAL(t.id, "");
    }
    pfx_gw_volume_clear(&v);
    REQUESTS(1, CU_ASSERT_EQUAL(pfx_gw_volume_delete(cl, id, PFX_GW_REMOVE_ONLY_ME, &e), SP_OK));
}

static void test_no_secrets(void)
{
    CU_ASSERT_TRUE(gwt_log_count(NULL) > 0);
    CU_ASSERT_TRUE(gwt_log_count("logged in") >= 1);
    CU_ASSERT_EQUAL(gwt_log_leaks(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway client against powerflex-sim", suite_init, suite_clean);
    CU_add_test(s, "version", test_version);
    CU_add_test(s, "systems", test_systems);
    CU_add_test(s, "protection domain, pools, pool statistics", test_domain_and_pools);
    CU_add_test(s, "SDCs", test_sdcs);
    CU_add_test(s, "volume create, get, find, list, rename, resize, delete", test_volume_lifecycle);
    CU_add_test(s, "map, unmap, limits", test_mapping);
    CU_add_test(s, "snapshots, revert, V-Trees", test_snapshots);
    CU_add_test(s, "V-Tree migration", test_migration);
    CU_add_test(s, "no password or token in any log line", test_no_secrets);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures =
        CU_get_number_of_failures() + CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    gwt_log_capture_stop();
    curl_global_cleanup();
    return failures == 0 ? 0 : 1;
}
