/* test_driver.c - the Driver's volume and access operations and the Pool table through the ABI
 * against powerflex-sim: names, 8 GiB rounding, provisioning, resize, delete, QoS as SDC limits,
 * grant and revoke, gateway requests per operation, capacity and listing. */
#include "config.h"

#include "drvtest.h"
#include "settings.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUFFIX "-" DT_POOL_KEY "-" DT_IDENT

static tsim *sim;
static sp_pool *pool;
static char *pool_id;

static int setup(void)
{
    const char *extra[] = {"--pool", "pool1:1024", NULL};
    dt_details d = {0};

    dt_load();
    sim = dt_sim(extra);
    pool = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL);
    if (pool == NULL)
        return -1;
    pool_id = strdup(dt_detail(&d, "powerflex.storagepool.id"));
    dt_details_free(&d);
    return 0;
}

static int teardown(void)
{
    LC->close(pool);
    free(pool_id);
    tsim_stop(sim);
    return dt_unload() == 0 ? 0 : -1;
}

static sp_status create(sp_volume_kind kind, uint64_t id, uint64_t size, sp_provisioning prov,
                        sp_volume_info *out)
{
    sp_volume_spec spec = dt_spec(kind, id, size, prov);
    sp_error err;
    sp_status st = DRV->create_volume(pool, &spec, out, &err);

    if (st != SP_OK)
        fprintf(stderr, "create %" PRIu64 ": %s\n", id, err.message);
    return st;
}

static void remove_vol(const char *path)
{
    sp_error err;

    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){path}, &err), SP_OK);
}

/* The simulator's record of a volume (the caller frees *root). */
static yajl_val sim_vol(const char *id, yajl_val *root)
{
    *root = dt_volumes(sim);
    return dt_vol_by_id(*root, id);
}

static void test_names(void)
{
    sp_volume_info data = SP_INIT(sp_volume_info), root = SP_INIT(sp_volume_info);
    sp_volume_info tmpl = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    sp_volume_info vmsnaps[1] = {SP_INIT(sp_volume_info)};
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    uint64_t vol_ids[1] = {41};
    char expect[SP_PATH_MAX];
    sp_error err;
    yajl_val list;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 41, GIB, SP_PROVISION_THIN, &data), SP_OK);
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_ROOT, 42, GIB, SP_PROVISION_THIN, &root), SP_OK);
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_TEMPLATE, 43, GIB, SP_PROVISION_THIN, &tmpl), SP_OK);
    CU_ASSERT_EQUAL_FATAL(DRV->create_snapshot(pool, &(sp_volume_ref){data.path}, 44, &snap, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(
        DRV->create_vm_snapshot(pool, 45, &(sp_volume_ref){data.path}, vol_ids, 1, &group, vmsnaps, &err),
        SP_OK);
    CU_ASSERT_STRING_EQUAL(data.name, "vol-41" SUFFIX);
    CU_ASSERT_STRING_EQUAL(root.name, "vol-42" SUFFIX);
    CU_ASSERT_STRING_EQUAL(tmpl.name, "tmpl-43" SUFFIX);
    CU_ASSERT_STRING_EQUAL(snap.name, "snap-44" SUFFIX);
    CU_ASSERT_STRING_EQUAL(vmsnaps[0].name, "vmsnap-45-41" SUFFIX);
    snprintf(expect, sizeof(expect), "%s:%s", data.id, data.name);
    CU_ASSERT_STRING_EQUAL(data.path, expect);
    snprintf(expect, sizeof(expect), "%s:%s", snap.id, snap.name);
    CU_ASSERT_STRING_EQUAL(snap.path, expect);
    /* The array holds them under those names. */
    list = dt_volumes(sim);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(list, data.id), "name"), "vol-41" SUFFIX);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(list, tmpl.id), "name"), "tmpl-43" SUFFIX);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(list, snap.id), "name"), "snap-44" SUFFIX);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(list, snap.id), "ancestorVolumeId"), data.id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(list, vmsnaps[0].id), "name"), "vmsnap-45-41" SUFFIX);
    yajl_tree_free(list);
    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, group.group_id, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &(sp_volume_ref){snap.path}, &err), SP_OK);
    remove_vol(data.path);
    remove_vol(root.path);
    remove_vol(tmpl.path);
}

static void test_name_limits(void)
{
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, UINT64_C(123456789012345678), GIB, SP_PROVISION_THIN);
    int before = tsim_stats_count(sim, "total");
    sp_error err;

    /* vol-123456789012345678-27cb-ab12 is 32 characters: PowerFlex keeps 31. */
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "31"));
    /* 31 exactly is fine. */
    spec.id = UINT64_C(12345678901234567);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_OK);
    CU_ASSERT_EQUAL(strlen(out.name), 31);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before + 1);
    remove_vol(out.path);

    /* The identifier is part of every name: a long one is refused, a missing one too. */
    before = tsim_stats_count(sim, "total");
    spec.id = 7;
    host_setting_set(dt_services(), SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER,
                     "installation-one-of-many");
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "custom.cs.identifier"));
    host_setting_set(dt_services(), SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, NULL);
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "custom.cs.identifier"));
    host_setting_set(dt_services(), SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, DT_IDENT);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before);
}

static void test_rounding_and_provisioning(void)
{
    sp_volume_info thin = SP_INIT(sp_volume_info), thick = SP_INIT(sp_volume_info);
    sp_volume_info tiny = SP_INIT(sp_volume_info), info = SP_INIT(sp_volume_info);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 52, 0, SP_PROVISION_THIN);
    yajl_val root, v;
    sp_error err;
    int before;

    /* A 3 GB request is 8 GiB on PowerFlex, and the host is told so. */
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 50, UINT64_C(3000000000), SP_PROVISION_THIN, &thin), SP_OK);
    CU_ASSERT_EQUAL(thin.size_bytes, 8 * GIB);
    CU_ASSERT_EQUAL(thin.provisioning, SP_PROVISION_THIN);
    CU_ASSERT_EQUAL(thin.format, SP_FORMAT_RAW);
    CU_ASSERT_STRING_EQUAL(thin.array_pool_id, pool_id);
    v = sim_vol(thin.id, &root);
    CU_ASSERT_EQUAL(dt_jint(v, "sizeInKb"), 8 * 1024 * 1024);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "volumeType"), "ThinProvisioned");
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "storagePoolId"), pool_id);
    yajl_tree_free(root);

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 51, 9 * GIB, SP_PROVISION_THICK, &thick), SP_OK);
    CU_ASSERT_EQUAL(thick.size_bytes, 16 * GIB);
    CU_ASSERT_EQUAL(thick.provisioning, SP_PROVISION_THICK);
    v = sim_vol(thick.id, &root);
    CU_ASSERT_EQUAL(dt_jint(v, "sizeInKb"), 16 * 1024 * 1024);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "volumeType"), "ThickProvisioned");
    yajl_tree_free(root);

    /* More than the pool may allocate: refused as no space, nothing left behind. */
    before = dt_requests(sim);
    spec.id = 54;
    spec.size_bytes = (uint64_t)100 << 40;
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &info, &err), SP_E_NO_SPACE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "vol-54" SUFFIX));
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 1); /* a refusal is not looked up as a lost answer */
    root = dt_volumes(sim);
    CU_ASSERT_PTR_NULL(dt_vol_by_name(root, "vol-54" SUFFIX));
    yajl_tree_free(root);
    spec.id = 52;
    spec.size_bytes = 0;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 53, 1, SP_PROVISION_THIN, &tiny), SP_OK);
    CU_ASSERT_EQUAL(tiny.size_bytes, 8 * GIB);
    before = tsim_stats_count(sim, "total");
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &info, &err), SP_E_INVALID); /* 0 bytes */
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before);

    /* get_volume reads what the array says. */
    CU_ASSERT_EQUAL(DRV->get_volume(pool, &(sp_volume_ref){thick.path}, &info, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(info.path, thick.path);
    CU_ASSERT_EQUAL(info.size_bytes, 16 * GIB);
    CU_ASSERT_EQUAL(info.provisioning, SP_PROVISION_THICK);
    CU_ASSERT(info.lineage_id[0] != '\0');
    CU_ASSERT_STRING_EQUAL(info.system_id, thick.system_id);
    remove_vol(thin.path);
    remove_vol(thick.path);
    remove_vol(tiny.path);
    CU_ASSERT_EQUAL(DRV->get_volume(pool, &(sp_volume_ref){thick.path}, &info, &err), SP_E_NOT_FOUND);
}

static void test_resize_grows_only(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    yajl_val root, v;
    sp_error err;
    int before;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 60, 8 * GIB, SP_PROVISION_THIN, &vol), SP_OK);
    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->resize_volume(pool, &(sp_volume_ref){vol.path}, 10 * GIB, &out, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 2); /* setVolumeSize + read back */
    CU_ASSERT_EQUAL(out.size_bytes, 16 * GIB);
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_jint(v, "sizeInKb"), 16 * 1024 * 1024);
    yajl_tree_free(root);
    /* The same size again changes nothing and is no error. */
    CU_ASSERT_EQUAL(DRV->resize_volume(pool, &(sp_volume_ref){vol.path}, 16 * GIB, &out, &err), SP_OK);
    CU_ASSERT_EQUAL(out.size_bytes, 16 * GIB);
    /* Shrinking is refused with the sizes in the message. */
    CU_ASSERT_EQUAL(DRV->resize_volume(pool, &(sp_volume_ref){vol.path}, 8 * GIB, &out, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "only grow"));
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_jint(v, "sizeInKb"), 16 * 1024 * 1024);
    yajl_tree_free(root);
    CU_ASSERT_EQUAL(DRV->resize_volume(pool, &(sp_volume_ref){vol.path}, 0, &out, &err), SP_E_INVALID);
    remove_vol(vol.path);
}

static void test_delete_idempotent_and_unmaps_first(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_host_ref h1 = dt_host(DT_HOST1_IP), h2 = dt_host(DT_HOST2_IP);
    yajl_val root;
    sp_error err;
    int before;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 70, GIB, SP_PROVISION_THIN, &vol), SP_OK);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, NULL, 1, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h2, NULL, 1, &err), SP_OK);
    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 3); /* refused as mapped, unmap all, remove */
    CU_ASSERT_PTR_NULL(sim_vol(vol.id, &root));
    yajl_tree_free(root);
    /* Already gone: still success, one request. */
    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 1);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){"not-an-id:vol-1"}, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){NULL}, &err), SP_E_INVALID);
}

static void expect_limits(const char *vol_id, const char *ip, int64_t iops, int64_t kbps)
{
    yajl_val root, m = dt_mapping(sim_vol(vol_id, &root), ip);

    CU_ASSERT_PTR_NOT_NULL(m);
    CU_ASSERT_EQUAL(dt_jint(m, "iopsLimit"), iops);
    CU_ASSERT_EQUAL(dt_jint(m, "bandwidthLimitInKbps"), kbps);
    if (dt_jint(m, "iopsLimit") != iops || dt_jint(m, "bandwidthLimitInKbps") != kbps)
        fprintf(stderr,
                "limits of %s for %s: iops %" PRId64 " (want %" PRId64 "), %" PRId64 " KB/s (want %" PRId64
                ")\n",
                vol_id, ip, dt_jint(m, "iopsLimit"), iops, dt_jint(m, "bandwidthLimitInKbps"), kbps);
    yajl_tree_free(root);
}

static void test_qos_reaches_the_sdc(void)
{
    static const struct {
        const char *mbps, *iops;
        int64_t want_iops, want_kbps;
    } good[] = {
        {"90", "9000", 9000, 90 * 1024},
        {"70", "7000", 7000, 70 * 1024},
        {NULL, "1", 11, 0}, /* CloudStack would send 10 and be refused */
        {"0", "10", 11, 0},
        {"1", "11", 11, 1024},
        {" 5 ", "0", 0, 5 * 1024},
        {NULL, NULL, 0, 0},
    };
    static const char *bad[] = {"-1", "abc", "1.5", "12abc", "0x10", "99999999999999999999", "4294967296"};
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 81, GIB, SP_PROVISION_THIN);
    sp_error err;
    int before;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 80, GIB, SP_PROVISION_THIN, &vol), SP_OK);
    /* Limits are (re)applied on every grant of the same mapping. */
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        sp_qos q = {good[i].mbps, good[i].iops};
        CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q, 0, &err), SP_OK);
        expect_limits(vol.id, DT_HOST1_IP, good[i].want_iops, good[i].want_kbps);
    }
    /* NULL QoS is unlimited. */
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, NULL, 0, &err), SP_OK);
    expect_limits(vol.id, DT_HOST1_IP, 0, 0);

    /* Bad values are refused before anything is sent, at the grant and at the create. */
    before = tsim_stats_count(sim, "total");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sp_qos q1 = {bad[i], "100"}, q2 = {"10", bad[i]};
        CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q1, 0, &err), SP_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bandwidthLimitInMbps"));
        CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q2, 0, &err), SP_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "iopsLimit"));
        spec.qos = q2;
        CU_ASSERT_EQUAL(DRV->create_volume(pool, &spec, &out, &err), SP_E_INVALID);
    }
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "total"), before);
    expect_limits(vol.id, DT_HOST1_IP, 0, 0);
    remove_vol(vol.path);
}

static void test_grant_revoke_and_multiple_mappings(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_host_ref h1 = dt_host(DT_HOST1_IP), h2 = dt_host(DT_HOST2_IP), none = dt_host("10.9.9.9");
    sp_volume_ref ref;
    yajl_val root, v;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 90, GIB, SP_PROVISION_THIN, &vol), SP_OK);
    ref.path = vol.path;
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &h1, NULL, 0, &err), SP_OK);
    /* Granting the same host again is fine (limits re-applied). */
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &h1, NULL, 0, &err), SP_OK);
    /* A second host only while a VM migrates. */
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &h2, NULL, 0, &err), SP_E_BUSY);
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_mappings(v), 1);
    CU_ASSERT_PTR_NOT_NULL(dt_mapping(v, DT_HOST1_IP));
    yajl_tree_free(root);
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &h2, NULL, 1, &err), SP_OK);
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_mappings(v), 2);
    yajl_tree_free(root);

    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &ref, &h1, &err), SP_OK);
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_mappings(v), 1);
    CU_ASSERT_PTR_NOT_NULL(dt_mapping(v, DT_HOST2_IP));
    yajl_tree_free(root);
    /* Revoking what is not there is success: a mapping that is gone, a host without an SDC. */
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &ref, &h1, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &ref, &none, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &ref, &h2, &err), SP_OK);
    v = sim_vol(vol.id, &root);
    CU_ASSERT_EQUAL(dt_mappings(v), 0);
    yajl_tree_free(root);

    /* Granting a host without an SDC fails and names the host. */
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &none, NULL, 0, &err), SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "10.9.9.9"));
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref,
                                      &(sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "u", .name = "n"}, NULL,
                                      0, &err),
                    SP_E_INVALID);
    remove_vol(vol.path);
    /* A volume that is gone cannot be granted. */
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &ref, &h1, NULL, 0, &err), SP_E_NOT_FOUND);
}

static void test_grant_needs_a_connected_sdc(void)
{
    dt_details d = {0};
    sp_pool *fresh = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL), *other;
    sp_host_ref h2 = dt_host(DT_HOST2_IP);
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    yajl_val root;
    sp_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 95, GIB, SP_PROVISION_THIN, &vol), SP_OK);
    ref.path = vol.path;
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 0));
    /* The host would never see the device: say so now rather than after the disk wait. */
    CU_ASSERT_EQUAL(DRV->grant_access(fresh, &ref, &h2, NULL, 0, &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, DT_HOST2_IP));
    CU_ASSERT_EQUAL(dt_mappings(sim_vol(vol.id, &root)), 0);
    yajl_tree_free(root);
    /* Revoking from a disconnected SDC still works: the array unmaps. */
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 1));
    CU_ASSERT_EQUAL(DRV->grant_access(fresh, &ref, &h2, NULL, 0, &err), SP_OK);
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 0));
    other = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL); /* looks the SDC up again */
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    CU_ASSERT_EQUAL(DRV->revoke_access(other, &ref, &h2, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_mappings(sim_vol(vol.id, &root)), 0);
    yajl_tree_free(root);
    CU_ASSERT_FATAL(dt_sdc_connected(sim, DT_HOST2_IP, 1));
    remove_vol(vol.path);
    LC->close(fresh);
    LC->close(other);
    dt_details_free(&d);
}

static void test_requests_per_operation(void)
{
    sp_pool *fresh = dt_pool(sim, "pool1", DT_POOL_UUID, NULL, NULL); /* no SDC known yet */
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 100, 3 * GIB, SP_PROVISION_THIN);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_qos q = {"90", "9000"};
    sp_volume_info vol = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error err;
    int before;

    CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
    CU_ASSERT_EQUAL(DRV->get_capacity(fresh, &cap, &err), SP_OK); /* logs in */

#define COUNTED(call, n)                                                                                     \
    do {                                                                                                     \
        before = dt_requests(sim);                                                                           \
        CU_ASSERT_EQUAL(call, SP_OK);                                                                        \
        CU_ASSERT_EQUAL(dt_requests(sim) - before, n);                                                       \
        if (dt_requests(sim) - before != (n))                                                                \
            fprintf(stderr, "%s: %d requests, expected %d\n", #call, dt_requests(sim) - before, n);          \
    } while (0)

    COUNTED(DRV->create_volume(fresh, &spec, &vol, &err), 1);
    ref.path = vol.path;
    COUNTED(DRV->grant_access(fresh, &ref, &h1, &q, 0, &err), 4); /* SDC id and state, map, limits */
    COUNTED(DRV->revoke_access(fresh, &ref, &h1, &err), 1);
    COUNTED(DRV->grant_access(fresh, &ref, &h1, &q, 0, &err), 2); /* the SDC is known now */
    COUNTED(DRV->grant_access(fresh, &ref, &h1, &q, 0, &err), 2); /* already mapped: limits again */
    COUNTED(DRV->revoke_access(fresh, &ref, &h1, &err), 1);
    COUNTED(DRV->revoke_access(fresh, &ref, &h1, &err), 1); /* not mapped: still one */
    COUNTED(DRV->create_snapshot(fresh, &ref, 101, &snap, &err), 2);
    COUNTED(DRV->delete_snapshot(fresh, &(sp_volume_ref){snap.path}, &err), 1);
    COUNTED(DRV->delete_volume(fresh, &ref, &err), 1);
#undef COUNTED
    CU_ASSERT_EQUAL(dt_logins(sim) > 0, 1);
    LC->close(fresh);
}

static void test_capacity_against_statistics(void)
{
    sp_volume_info thin = SP_INIT(sp_volume_info), thick = SP_INIT(sp_volume_info);
    sp_capacity drv_cap = SP_INIT(sp_capacity), pool_cap = SP_INIT(sp_capacity);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_volume_stats vst = SP_INIT(sp_volume_stats);
    uint64_t total;
    char dev[SP_PATH_MAX], path[160];
    yajl_val st, vs, root;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 110, 8 * GIB, SP_PROVISION_THIN, &thin), SP_OK);
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 111, 16 * GIB, SP_PROVISION_THICK, &thick), SP_OK);
    CU_ASSERT_EQUAL_FATAL(DRV->grant_access(pool, &(sp_volume_ref){thin.path}, &h1, NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(dt_wait_device(sim, thin.id, DT_HOST1_IP, dev, sizeof(dev)), 0);
    for (int i = 0; i < 256; i++)
        CU_ASSERT_FATAL(dt_write_block(dev, (uint64_t)i * 4096, 0x5a));

    CU_ASSERT_EQUAL(DRV->get_capacity(pool, &drv_cap, &err), SP_OK);
    CU_ASSERT_EQUAL(POOLOPS->get_capacity(pool, &pool_cap, &err), SP_OK);
    CU_ASSERT_EQUAL(memcmp(&drv_cap, &pool_cap, sizeof(drv_cap)), 0);
    st = dt_pool_stats(sim, pool_id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(st);
    total = (uint64_t)(dt_jint(st, "maxCapacityInKb") - dt_jint(st, "spareCapacityInKb")) / 2 * 1024;
    CU_ASSERT_EQUAL(pool_cap.total_bytes, total);
    CU_ASSERT_EQUAL(pool_cap.available_bytes, (uint64_t)dt_jint(st, "netUnusedCapacityInKb") * 1024);
    CU_ASSERT_EQUAL(pool_cap.used_bytes, total - (uint64_t)dt_jint(st, "netUnusedCapacityInKb") * 1024);
    /* The thick volume reserves its size, the thin one what was written: used covers both. */
    CU_ASSERT(pool_cap.used_bytes >= 16 * GIB + 1024 * 1024);
    CU_ASSERT_EQUAL(pool_cap.provisioned_bytes,
                    (uint64_t)(dt_jint(st, "thickCapacityInUseInKb") + dt_jint(st, "snapshotCapacityInKb") +
                               dt_jint(st, "thinCapacityAllocatedInKb")) /
                        2 * 1024);
    CU_ASSERT(pool_cap.provisioned_bytes >= 24 * GIB);
    yajl_tree_free(st);

    /* Per volume: virtual size, and used as the V-Tree's netProvisionedAddressesInKb. */
    CU_ASSERT_EQUAL(POOLOPS->get_volume_stats(pool, &(sp_volume_ref){thin.path}, &vst, &err), SP_OK);
    CU_ASSERT_EQUAL(vst.virtual_bytes, 8 * GIB);
    root = dt_volumes(sim);
    snprintf(path, sizeof(path), "/instances/VTree::%s/relationships/Statistics",
             dt_jstr(dt_vol_by_id(root, thin.id), "vtreeId"));
    yajl_tree_free(root);
    vs = dt_api_get(sim, path);
    CU_ASSERT_EQUAL(vst.used_bytes, (uint64_t)dt_jint(vs, "netProvisionedAddressesInKb") * 1024);
    CU_ASSERT(vst.used_bytes >= 1024 * 1024);
    yajl_tree_free(vs);
    CU_ASSERT_EQUAL(POOLOPS->get_volume_stats(pool, &(sp_volume_ref){"0123456789abcdef:x"}, &vst, &err),
                    SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &(sp_volume_ref){thin.path}, &h1, &err), SP_OK);
    remove_vol(thin.path);
    remove_vol(thick.path);
}

static size_t n_listed;
static int listed_foreign;

/* CloudStack's names: <vol|tmpl|snap|vmsnap>-...-<4 character pool key>-<identifier>, the key
 * being any pool's of this installation. */
static int is_ours(const char *name)
{
    static const char *prefixes[] = {"vol-", "tmpl-", "snap-", "vmsnap-"};
    size_t nl = name != NULL ? strlen(name) : 0, il = strlen("-" DT_IDENT);
    int prefixed = 0;

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (nl > 0 && strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            prefixed = 1;
    if (!prefixed || nl < il + 6 || strcmp(name + nl - il, "-" DT_IDENT) != 0 || name[nl - il - 5] != '-')
        return 0;
    for (size_t i = nl - il - 4; i < nl - il; i++)
        if (name[i] == '-')
            return 0;
    return 1;
}

static void on_volume(void *ctx, const sp_volume_info *v)
{
    char expect[SP_PATH_MAX];

    (void)ctx;
    if (!is_ours(v->name))
        listed_foreign++;
    snprintf(expect, sizeof(expect), "%s:%s", v->id, v->name);
    CU_ASSERT_STRING_EQUAL(v->path, expect);
    n_listed++;
}

static void test_list_volumes_only_ours(void)
{
    static const char *foreign[] = {"vol-7-27cb-zz99", "myvolume",        "vol-9-27cb-ab12x",
                                    "snap-3-27cb-",    "vol-10-27c-ab12", "data-11-27cb-ab12"};
    sp_volume_info a = SP_INIT(sp_volume_info), b = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    char body[256];
    yajl_val root;
    size_t ours = 0;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 120, GIB, SP_PROVISION_THIN, &a), SP_OK);
    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_TEMPLATE, 121, GIB, SP_PROVISION_THIN, &b), SP_OK);
    CU_ASSERT_EQUAL_FATAL(DRV->create_snapshot(pool, &(sp_volume_ref){a.path}, 122, &snap, &err), SP_OK);
    /* Named in another pool of this installation (moved here by a V-Tree migration): ours. */
    snprintf(body, sizeof(body),
             "{\"name\":\"vol-8-91aa-" DT_IDENT "\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"8388608\"}",
             pool_id);
    CU_ASSERT_EQUAL(dt_api_post(sim, "/types/Volume/instances", body), 200);
    for (size_t i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
        snprintf(body, sizeof(body),
                 "{\"name\":\"%s\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"8388608\"}", foreign[i],
                 pool_id);
        CU_ASSERT_EQUAL(dt_api_post(sim, "/types/Volume/instances", body), 200);
    }
    n_listed = 0;
    listed_foreign = 0;
    CU_ASSERT_EQUAL(DRV->list_volumes(pool, on_volume, NULL, &err), SP_OK);
    CU_ASSERT_EQUAL(listed_foreign, 0);
    root = dt_volumes(sim);
    for (size_t i = 0; i < dt_vol_count(root); i++)
        if (is_ours(dt_jstr(root->u.array.values[i], "name")))
            ours++;
    yajl_tree_free(root);
    CU_ASSERT_EQUAL(n_listed, ours);
    CU_ASSERT(n_listed >= 4); /* a, b, snap and vol-8-91aa */
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &(sp_volume_ref){snap.path}, &err), SP_OK);
    remove_vol(a.path);
    remove_vol(b.path);
}

int main(void)
{
    static const dt_test tests[] = {
        {"names: vol-, tmpl-, snap-, vmsnap- with pool key and identifier", test_names},
        {"names: 31 characters at most, identifier required", test_name_limits},
        {"8 GiB rounding, thin and thick", test_rounding_and_provisioning},
        {"resize grows only", test_resize_grows_only},
        {"delete unmaps first and is idempotent", test_delete_idempotent_and_unmaps_first},
        {"QoS becomes the SDC limits; bad values refused before any request", test_qos_reaches_the_sdc},
        {"grant and revoke; multiple mappings only when allowed", test_grant_revoke_and_multiple_mappings},
        {"grant needs a connected SDC; revoke does not", test_grant_needs_a_connected_sdc},
        {"gateway requests per operation", test_requests_per_operation},
        {"capacity and volume statistics against the array's", test_capacity_against_statistics},
        {"list_volumes lists only this installation's volumes", test_list_volumes_only_ours},
        {NULL, NULL},
    };

    return dt_run("driver", setup, teardown, tests);
}
