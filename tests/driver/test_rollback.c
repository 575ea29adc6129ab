/* test_rollback.c - what the Driver leaves behind when a step fails half way, with faults the
 * simulator injects at each step: undone when the failed operation made it, kept when it was
 * there before, adopted when the array did the work but the answer was lost. */
#include "config.h"

#include "drvtest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUFFIX "-" DT_POOL_KEY "-" DT_IDENT
#define LIMITS "POST /api/instances/Volume::{id}/action/setMappedSdcLimits"
#define CREATE "POST /api/types/Volume/instances"
#define SNAPSHOT "POST /api/instances/System::{id}/action/snapshotVolumes"
#define READ "GET /api/instances/Volume::{id}"
#define READ_MANY "POST /api/types/Volume/instances/action/queryBySelectedIds"
#define RESIZE "POST /api/instances/Volume::{id}/action/setVolumeSize"

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

static sp_status create(sp_volume_kind kind, uint64_t id, uint64_t size, sp_volume_info *out, sp_error *err)
{
    sp_volume_spec spec = dt_spec(kind, id, size, SP_PROVISION_THIN);

    return DRV->create_volume(pool, &spec, out, err);
}

/* How many volumes on the array have this name, and the id of one of them (may be NULL). */
static int named(const char *name, char *id, size_t len)
{
    yajl_val root = dt_volumes(sim);
    int n = 0;

    for (size_t i = 0; i < dt_vol_count(root); i++) {
        const char *v = dt_jstr(root->u.array.values[i], "name");
        if (v != NULL && strcmp(v, name) == 0) {
            n++;
            if (id != NULL)
                snprintf(id, len, "%s", dt_jstr(root->u.array.values[i], "id"));
        }
    }
    yajl_tree_free(root);
    return n;
}

static int mappings_of(const char *vol_id)
{
    yajl_val root = dt_volumes(sim);
    int n = dt_mappings(dt_vol_by_id(root, vol_id));

    yajl_tree_free(root);
    return n;
}

static void test_limits_failure_on_new_mapping_unmaps(void)
{
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_qos q = {"50", "500"};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 900, GIB, &vol, &err), SP_OK);
    /* Failing every time: a failure in passing is sent again (below). */
    CU_ASSERT_FATAL(dt_fault(sim, LIMITS ":http500"));
    CU_ASSERT_NOT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q, 0, &err), SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "QoS"));
    dt_clear_faults(sim);
    /* An unthrottled mapping the host was told failed must not stay. */
    CU_ASSERT_EQUAL(mappings_of(vol.id), 0);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

/* A 500 once on each of the map and the limits: both are sent again and the grant completes with
 * its limits; an unmap failing once is sent again too. */
static void test_map_steps_retried_in_passing(void)
{
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_qos q = {"50", "500"};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 902, GIB, &vol, &err), SP_OK);
    CU_ASSERT_FATAL(dt_fault(sim, "POST /api/instances/Volume::{id}/action/addMappedSdc:http500:once"));
    CU_ASSERT_FATAL(dt_fault(sim, LIMITS ":http500:once"));
    CU_ASSERT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q, 0, &err), SP_OK);
    dt_clear_faults(sim);
    {
        yajl_val root = dt_volumes(sim);
        yajl_val m = dt_mapping(dt_vol_by_id(root, vol.id), DT_HOST1_IP);
        CU_ASSERT_EQUAL(dt_jint(m, "iopsLimit"), 500);
        yajl_tree_free(root);
    }
    /* The array unmapped, then the answer was lost: the repeat reads "not mapped" as done. */
    CU_ASSERT_FATAL(
        dt_fault(sim, "POST /api/instances/Volume::{id}/action/removeMappedSdc:http500:once:after"));
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &(sp_volume_ref){vol.path}, &h1, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(mappings_of(vol.id), 0);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

static void test_limits_failure_on_existing_mapping_keeps_it(void)
{
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_qos q = {"50", "500"}, q2 = {"60", "600"};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 901, GIB, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q, 0, &err), SP_OK);
    CU_ASSERT_FATAL(dt_fault(sim, LIMITS ":http500"));
    CU_ASSERT_NOT_EQUAL(DRV->grant_access(pool, &(sp_volume_ref){vol.path}, &h1, &q2, 0, &err), SP_OK);
    dt_clear_faults(sim);
    /* The mapping belongs to whoever made it (a running VM): it stays, with its old limits. */
    CU_ASSERT_EQUAL(mappings_of(vol.id), 1);
    {
        yajl_val root = dt_volumes(sim);
        yajl_val m = dt_mapping(dt_vol_by_id(root, vol.id), DT_HOST1_IP);
        CU_ASSERT_EQUAL(dt_jint(m, "iopsLimit"), 500);
        yajl_tree_free(root);
    }
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

static void test_from_template_resize_failure_deletes_new_volume(void)
{
    sp_volume_spec rspec = dt_spec(SP_VOLUME_ROOT, 911, 20 * GIB, SP_PROVISION_THIN);
    sp_volume_info tmpl = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_TEMPLATE, 910, GIB, &tmpl, &err), SP_OK);
    CU_ASSERT_FATAL(dt_fault(sim, RESIZE ":http500:once"));
    CU_ASSERT_NOT_EQUAL(
        DRV->create_volume_from_template(pool, &(sp_volume_ref){tmpl.path}, &rspec, &out, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(named("vol-911" SUFFIX, NULL, 0), 0);
    CU_ASSERT_EQUAL(named("tmpl-910" SUFFIX, NULL, 0), 1); /* the template is untouched */
    /* The host retries: it works and makes exactly one volume. */
    CU_ASSERT_EQUAL(DRV->create_volume_from_template(pool, &(sp_volume_ref){tmpl.path}, &rspec, &out, &err),
                    SP_OK);
    CU_ASSERT_EQUAL(out.size_bytes, 24 * GIB);
    CU_ASSERT_EQUAL(named("vol-911" SUFFIX, NULL, 0), 1);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){out.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){tmpl.path}, &err), SP_OK);
}

/* The array made the volume but the answer never came: the create finds it and reports it. */
static void lost_create_answer(const char *fault, uint64_t id)
{
    char name[64], id_on_array[SP_ID_MAX];
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error err;
    sp_status st;

    snprintf(name, sizeof(name), "vol-%" PRIu64 SUFFIX, id);
    CU_ASSERT_FATAL(dt_fault(sim, fault));
    st = create(SP_VOLUME_DATA, id, 3 * GIB, &out, &err);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(st, SP_OK);
    if (st != SP_OK)
        fprintf(stderr, "%s: %s\n", fault, err.message);
    CU_ASSERT_EQUAL(named(name, id_on_array, sizeof(id_on_array)), 1); /* not leaked, not doubled */
    if (st == SP_OK) {
        CU_ASSERT_STRING_EQUAL(out.id, id_on_array);
        CU_ASSERT_STRING_EQUAL(out.name, name);
        CU_ASSERT_EQUAL(out.size_bytes, 8 * GIB);
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){out.path}, &err), SP_OK);
    }
    CU_ASSERT_EQUAL(named(name, NULL, 0), 0);
}

static void test_create_answer_lost_is_adopted(void)
{
    lost_create_answer(CREATE ":http500:once:after", 920);
    lost_create_answer(CREATE ":drop:once:after", 921);
    lost_create_answer(CREATE ":http503:once:after", 922);
}

static void test_create_refused_or_conflicting_is_not_adopted(void)
{
    char body[256];
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error err;

    /* Refused without doing it: an error, and nothing on the array. */
    CU_ASSERT_FATAL(dt_fault(sim, CREATE ":http500:once"));
    CU_ASSERT_NOT_EQUAL(create(SP_VOLUME_DATA, 930, GIB, &out, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(named("vol-930" SUFFIX, NULL, 0), 0);

    /* A volume of that name but another size is not ours to take. */
    snprintf(body, sizeof(body),
             "{\"name\":\"vol-931" SUFFIX "\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"%d\"}", pool_id,
             32 * 1024 * 1024);
    CU_ASSERT_EQUAL_FATAL(dt_api_post(sim, "/types/Volume/instances", body), 200);
    CU_ASSERT_EQUAL(create(SP_VOLUME_DATA, 931, GIB, &out, &err), SP_E_EXISTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "vol-931" SUFFIX));
    CU_ASSERT_EQUAL(named("vol-931" SUFFIX, NULL, 0), 1);
}

static void test_snapshot_read_back_failure_removes_it(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    sp_volume_info snaps[2] = {SP_INIT(sp_volume_info), SP_INIT(sp_volume_info)};
    sp_volume_info vols[2] = {SP_INIT(sp_volume_info), SP_INIT(sp_volume_info)};
    sp_volume_ref refs[2];
    uint64_t ids[2] = {941, 942};
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    char snap_id[SP_ID_MAX];
    sp_error err;
    sp_status st;

    CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, 940, GIB, &vol, &err), SP_OK);
    /* snapshotVolumes works, reading the new snapshot fails. */
    CU_ASSERT_FATAL(dt_fault(sim, READ ":http500:once"));
    CU_ASSERT_NOT_EQUAL(DRV->create_snapshot(pool, &(sp_volume_ref){vol.path}, 943, &snap, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(named("snap-943" SUFFIX, NULL, 0), 0);

    /* Its answer lost: the snapshot the array made is the one returned, once. */
    CU_ASSERT_FATAL(dt_fault(sim, SNAPSHOT ":http500:once:after"));
    CU_ASSERT_EQUAL(DRV->create_snapshot(pool, &(sp_volume_ref){vol.path}, 944, &snap, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(named("snap-944" SUFFIX, NULL, 0), 1);
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &(sp_volume_ref){snap.path}, &err), SP_OK);

    /* A VM snapshot whose answer is lost: the group the array made is the one returned, once. */
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, ids[i], GIB, &vols[i], &err), SP_OK);
        refs[i].path = vols[i].path;
    }
    CU_ASSERT_FATAL(dt_fault(sim, SNAPSHOT ":http500:once:after"));
    st = DRV->create_vm_snapshot(pool, 946, refs, ids, 2, &group, snaps, &err);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(st, SP_OK);
    if (st != SP_OK)
        fprintf(stderr, "VM snapshot, answer lost: %s\n", err.message);
    CU_ASSERT_EQUAL(named("vmsnap-946-941" SUFFIX, snap_id, sizeof(snap_id)), 1);
    CU_ASSERT_EQUAL(named("vmsnap-946-942" SUFFIX, NULL, 0), 1);
    if (st == SP_OK) {
        CU_ASSERT_EQUAL(group.n_snapshots, 2);
        CU_ASSERT_STRING_EQUAL(snaps[0].id, snap_id);
        CU_ASSERT_STRING_EQUAL(snaps[0].name, "vmsnap-946-941" SUFFIX);
        CU_ASSERT_STRING_EQUAL(snaps[1].name, "vmsnap-946-942" SUFFIX);
        CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, group.group_id, &err), SP_OK);
        CU_ASSERT_EQUAL(named("vmsnap-946-941" SUFFIX, NULL, 0), 0);
    }
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &refs[i], &err), SP_OK);

    /* A VM snapshot whose snapshots cannot be read back: the whole group goes. */
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL_FATAL(create(SP_VOLUME_DATA, ids[i], GIB, &vols[i], &err), SP_OK);
        refs[i].path = vols[i].path;
    }
    CU_ASSERT_FATAL(dt_fault(sim, READ_MANY ":http500:once"));
    CU_ASSERT_NOT_EQUAL(DRV->create_vm_snapshot(pool, 945, refs, ids, 2, &group, snaps, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(named("vmsnap-945-941" SUFFIX, NULL, 0), 0);
    CU_ASSERT_EQUAL(named("vmsnap-945-942" SUFFIX, NULL, 0), 0);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &refs[i], &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

int main(void)
{
    static const dt_test tests[] = {
        {"limits failure after a new map removes the mapping", test_limits_failure_on_new_mapping_unmaps},
        {"limits failure on an existing mapping keeps it", test_limits_failure_on_existing_mapping_keeps_it},
        {"map, limits and unmap failing in passing are sent again", test_map_steps_retried_in_passing},
        {"volume from template: resize failure deletes it",
         test_from_template_resize_failure_deletes_new_volume},
        {"create whose answer is lost is adopted", test_create_answer_lost_is_adopted},
        {"create refused, or a conflicting name, is not adopted",
         test_create_refused_or_conflicting_is_not_adopted},
        {"snapshot read-back failure removes it; lost answer adopted",
         test_snapshot_read_back_failure_removes_it},
        {NULL, NULL},
    };

    return dt_run("rollback", setup, teardown, tests);
}
