/* test_snap.c - snapshots, VM snapshots, templates and migration through the ABI against
 * powerflex-sim, checked on the data: patterns written through the simulated SDC's devices
 * must come back after a revert, a put-back or a migration. */
#include "config.h"

#include "drvtest.h"

#include "testca.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SUFFIX "-" DT_POOL_KEY "-" DT_IDENT
#define MIB ((uint64_t)1 << 20)

static tsim *sim;
static sp_pool *pool, *pool2;
static char *pool_id, *pool2_id;

static int setup(void)
{
    const char *extra[] = {"--pool",     "pool1:1024",     "--pool", "pool2:1024", "--pool",
                           "pool3:1024", "--migration-ms", "300",    NULL};
    dt_details d = {0};

    dt_load();
    sim = dt_sim(extra);
    pool = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL);
    if (pool == NULL)
        return -1;
    pool_id = strdup(dt_detail(&d, "powerflex.storagepool.id"));
    dt_details_free(&d);
    pool2 = dt_pool(sim, "pool2", DT_POOL_UUID2, &d, NULL);
    if (pool2 == NULL)
        return -1;
    pool2_id = strdup(dt_detail(&d, "powerflex.storagepool.id"));
    dt_details_free(&d);
    return 0;
}

static int teardown(void)
{
    LC->close(pool);
    LC->close(pool2);
    free(pool_id);
    free(pool2_id);
    tsim_stop(sim);
    return dt_unload() == 0 ? 0 : -1;
}

/* A volume of pool, granted to host 1, its device path in dev. */
static int mapped_volume(uint64_t id, uint64_t size, sp_volume_info *vol, char *dev, size_t len)
{
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, id, size, SP_PROVISION_THIN);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_error err = {0};

    if (DRV->create_volume(pool, &spec, vol, &err) != SP_OK) {
        fprintf(stderr, "create %" PRIu64 ": %s\n", id, err.message);
        return -1;
    }
    if (DRV->grant_access(pool, &(sp_volume_ref){vol->path}, &h1, NULL, 0, &err) != SP_OK) {
        fprintf(stderr, "grant %" PRIu64 ": %s\n", id, err.message);
        return -1;
    }
    return dt_wait_device(sim, vol->id, DT_HOST1_IP, dev, len);
}

static int write_pattern(const char *dev, unsigned char byte)
{
    return dt_write_block(dev, 0, byte) && dt_write_block(dev, 5 * MIB, byte);
}

static int has_pattern(const char *dev, unsigned char byte)
{
    return dt_block_is(dev, 0, byte) && dt_block_is(dev, 5 * MIB, byte);
}

/* Volumes on the array whose name starts with prefix. */
static size_t count_prefixed(const char *prefix)
{
    yajl_val root = dt_volumes(sim);
    size_t n = 0;

    for (size_t i = 0; i < dt_vol_count(root); i++) {
        const char *name = dt_jstr(root->u.array.values[i], "name");
        if (name != NULL && strncmp(name, prefix, strlen(prefix)) == 0)
            n++;
    }
    yajl_tree_free(root);
    return n;
}

static void test_snapshot_data_round_trip(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), other = SP_INIT(sp_volume_info);
    sp_volume_info snap = SP_INIT(sp_volume_info);
    char dev[SP_PATH_MAX];
    sp_volume_ref ref, sref;
    yajl_val root, v;
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(mapped_volume(200, 8 * GIB, &vol, dev, sizeof(dev)), 0);
    ref.path = vol.path;
    CU_ASSERT_FATAL(write_pattern(dev, 0xa1));
    CU_ASSERT_EQUAL_FATAL(DRV->create_snapshot(pool, &ref, 201, &snap, &err), SP_OK);
    sref.path = snap.path;
    CU_ASSERT_STRING_EQUAL(snap.name, "snap-201" SUFFIX);
    CU_ASSERT_EQUAL(snap.size_bytes, 8 * GIB);
    root = dt_volumes(sim);
    v = dt_vol_by_id(root, snap.id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "ancestorVolumeId"), vol.id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "volumeType"), "Snapshot");
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "vtreeId"), dt_jstr(dt_vol_by_id(root, vol.id), "vtreeId"));
    yajl_tree_free(root);

    CU_ASSERT_FATAL(write_pattern(dev, 0xb2));
    CU_ASSERT_TRUE(has_pattern(dev, 0xb2));
    CU_ASSERT_EQUAL(DRV->revert_snapshot(pool, &ref, &sref, &err), SP_OK);
    CU_ASSERT_TRUE(has_pattern(dev, 0xa1));

    /* A snapshot of another V-Tree cannot be reverted to. */
    CU_ASSERT_EQUAL_FATAL(
        DRV->create_volume(
            pool,
            &(sp_volume_spec){SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA, .id = 202, .size_bytes = GIB},
            &other, &err),
        SP_OK);
    CU_ASSERT_EQUAL(DRV->revert_snapshot(pool, &(sp_volume_ref){other.path}, &sref, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){other.path}, &err), SP_OK);

    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &sref, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool, &sref, &err), SP_OK); /* gone already */
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &ref, &err), SP_OK);
    CU_ASSERT_EQUAL(count_prefixed("snap-201"), 0);
}

typedef struct vm {
    sp_volume_info vols[2];
    char devs[2][SP_PATH_MAX];
    sp_volume_ref refs[2];
    uint64_t ids[2];
    sp_snapshot_group_info group;
    sp_volume_info snaps[2];
    sp_volume_ref snap_refs[2];
} vm;

static int vm_make(vm *m, uint64_t base, uint64_t vmsnap_id)
{
    sp_error err = {0};

    m->group = (sp_snapshot_group_info)SP_INIT(sp_snapshot_group_info);
    for (int i = 0; i < 2; i++) {
        m->vols[i] = (sp_volume_info)SP_INIT(sp_volume_info);
        m->snaps[i] = (sp_volume_info)SP_INIT(sp_volume_info);
        m->ids[i] = base + (uint64_t)i;
        if (mapped_volume(m->ids[i], 8 * GIB, &m->vols[i], m->devs[i], sizeof(m->devs[i])) != 0 ||
            !write_pattern(m->devs[i], 0xa0))
            return -1;
        m->refs[i].path = m->vols[i].path;
    }
    if (DRV->create_vm_snapshot(pool, vmsnap_id, m->refs, m->ids, 2, &m->group, m->snaps, &err) != SP_OK) {
        fprintf(stderr, "VM snapshot: %s\n", err.message);
        return -1;
    }
    for (int i = 0; i < 2; i++)
        m->snap_refs[i].path = m->snaps[i].path;
    return 0;
}

static void vm_free(vm *m)
{
    sp_error err = {0};

    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, m->group.group_id, &err), SP_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &m->refs[i], &err), SP_OK);
}

static void test_vm_snapshot_create_revert_delete(void)
{
    vm m;
    yajl_val root;
    sp_error err = {0};
    int before;

    CU_ASSERT_EQUAL_FATAL(vm_make(&m, 210, 300), 0);
    CU_ASSERT_EQUAL(m.group.n_snapshots, 2);
    CU_ASSERT_STRING_EQUAL(m.snaps[0].name, "vmsnap-300-210" SUFFIX);
    CU_ASSERT_STRING_EQUAL(m.snaps[1].name, "vmsnap-300-211" SUFFIX);
    /* One consistency group, each snapshot of its own volume. */
    root = dt_volumes(sim);
    for (int i = 0; i < 2; i++) {
        yajl_val v = dt_vol_by_id(root, m.snaps[i].id);
        CU_ASSERT_STRING_EQUAL(dt_jstr(v, "consistencyGroupId"), m.group.group_id);
        CU_ASSERT_STRING_EQUAL(dt_jstr(v, "ancestorVolumeId"), m.vols[i].id);
    }
    yajl_tree_free(root);

    for (int i = 0; i < 2; i++)
        CU_ASSERT_FATAL(write_pattern(m.devs[i], 0xb0));
    CU_ASSERT_EQUAL(DRV->revert_vm_snapshot(pool, m.refs, m.snap_refs, 2, &err), SP_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_TRUE(has_pattern(m.devs[i], 0xa0));
    CU_ASSERT_EQUAL(count_prefixed("rvt-"), 0); /* the safety group is gone */

    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, m.group.group_id, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 1);
    CU_ASSERT_EQUAL(count_prefixed("vmsnap-300-"), 0);
    vm_free(&m); /* the group again: already gone is success */
}

/* n snapshots are read back in one queryBySelectedIds, whatever n, each filled from its own
 * object (not a copy of the first). */
static void test_vm_snapshot_reads_back_in_one_request(void)
{
    enum { N = 3 };
    sp_volume_info vols[N], snaps[N];
    sp_volume_ref refs[N];
    uint64_t ids[N];
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    sp_error err = {0};
    int before, sv, byids, gets;

    for (int i = 0; i < N; i++) {
        sp_volume_spec spec =
            dt_spec(SP_VOLUME_DATA, 230 + (uint64_t)i, (uint64_t)(i + 1) * 8 * GIB, SP_PROVISION_THIN);
        vols[i] = snaps[i] = (sp_volume_info)SP_INIT(sp_volume_info);
        ids[i] = spec.id;
        CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vols[i], &err), SP_OK);
        refs[i].path = vols[i].path;
    }
    before = dt_requests(sim);
    sv = dt_count(sim, "POST /api/instances/System::{id}/action/snapshotVolumes");
    byids = dt_count(sim, "POST /api/types/Volume/instances/action/queryBySelectedIds");
    gets = dt_count(sim, "GET /api/instances/Volume::{id}");
    CU_ASSERT_EQUAL_FATAL(DRV->create_vm_snapshot(pool, 330, refs, ids, N, &group, snaps, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 2);
    CU_ASSERT_EQUAL(dt_count(sim, "POST /api/instances/System::{id}/action/snapshotVolumes") - sv, 1);
    CU_ASSERT_EQUAL(dt_count(sim, "POST /api/types/Volume/instances/action/queryBySelectedIds") - byids, 1);
    CU_ASSERT_EQUAL(dt_count(sim, "GET /api/instances/Volume::{id}") - gets, 0);
    CU_ASSERT_EQUAL(group.n_snapshots, N);
    for (int i = 0; i < N; i++) {
        char name[64], path[SP_PATH_MAX];
        snprintf(name, sizeof(name), "vmsnap-330-%d" SUFFIX, 230 + i);
        snprintf(path, sizeof(path), "%s:%s", snaps[i].id, name);
        CU_ASSERT_STRING_EQUAL(snaps[i].name, name);
        CU_ASSERT_STRING_EQUAL(snaps[i].path, path);
        CU_ASSERT_NOT_EQUAL(strcmp(snaps[i].id, vols[i].id), 0);
        CU_ASSERT_EQUAL(snaps[i].size_bytes, (uint64_t)(i + 1) * 8 * GIB);
        CU_ASSERT_STRING_EQUAL(snaps[i].array_pool_id, pool_id);
    }
    /* Each in the V-Tree of its own volume. */
    {
        yajl_val root = dt_volumes(sim);
        for (int i = 0; i < N; i++)
            CU_ASSERT_STRING_EQUAL(snaps[i].lineage_id, dt_jstr(dt_vol_by_id(root, vols[i].id), "vtreeId"));
        yajl_tree_free(root);
    }
    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, group.group_id, &err), SP_OK);
    for (int i = 0; i < N; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &refs[i], &err), SP_OK);
}

/* A host built against a later minor, whose sp_volume_info is larger: the plugin steps through
 * its array by the host's struct_size, fills only what it knows of each element, says so in
 * struct_size, and leaves the newer members alone (the growth rule of storage_plugin.h). */
typedef struct newer_volume_info {
    sp_volume_info v2_0;
    char added_later[40];
} newer_volume_info;

static void test_vm_snapshot_into_a_newer_hosts_larger_structs(void)
{
    enum { N = 2 };
    sp_volume_info vols[N];
    newer_volume_info snaps[N];
    sp_volume_ref refs[N];
    uint64_t ids[N];
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    sp_error err = {0};

    for (int i = 0; i < N; i++) {
        sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 240 + (uint64_t)i, 8 * GIB, SP_PROVISION_THIN);
        ids[i] = spec.id;
        vols[i] = (sp_volume_info)SP_INIT(sp_volume_info);
        CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vols[i], &err), SP_OK);
        refs[i].path = vols[i].path;
        memset(&snaps[i], 0x5a, sizeof(snaps[i]));
        snaps[i].v2_0.struct_size = sizeof(newer_volume_info);
    }
    CU_ASSERT_EQUAL_FATAL(DRV->create_vm_snapshot(pool, 340, refs, ids, N, &group, &snaps[0].v2_0, &err),
                          SP_OK);
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof(name), "vmsnap-340-%d" SUFFIX, 240 + i);
        CU_ASSERT_STRING_EQUAL(snaps[i].v2_0.name, name);
        CU_ASSERT_EQUAL(snaps[i].v2_0.size_bytes, 8 * GIB);
        CU_ASSERT_EQUAL(snaps[i].v2_0.struct_size, sizeof(sp_volume_info));
        for (size_t k = 0; k < sizeof(snaps[i].added_later); k++)
            CU_ASSERT_EQUAL_FATAL((unsigned char)snaps[i].added_later[k], 0x5a);
    }
    /* An array whose elements disagree on their size is refused before anything is made. */
    snaps[0].v2_0.struct_size = sizeof(newer_volume_info);
    snaps[1].v2_0.struct_size = sizeof(sp_volume_info);
    CU_ASSERT_EQUAL(DRV->create_vm_snapshot(pool, 341, refs, ids, N, &group, &snaps[0].v2_0, &err),
                    SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sp_volume_info"));
    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(pool, group.group_id, &err), SP_OK);
    for (int i = 0; i < N; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(pool, &refs[i], &err), SP_OK);
}

static void test_vm_snapshot_revert_all_or_nothing(void)
{
    vm m;
    sp_error err = {0};
    const char *kept;

    CU_ASSERT_EQUAL_FATAL(vm_make(&m, 220, 310), 0);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_FATAL(write_pattern(m.devs[i], 0xc0));

    /* The second volume's revert fails: the first is put back as it was. */
    CU_ASSERT_FATAL(
        dt_fault(sim, "POST /api/instances/Volume::{id}/action/overwriteVolumeContent:http500:nth=2"));
    CU_ASSERT_NOT_EQUAL(DRV->revert_vm_snapshot(pool, m.refs, m.snap_refs, 2, &err), SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, m.vols[1].path));
    dt_clear_faults(sim);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_TRUE(has_pattern(m.devs[i], 0xc0));
    CU_ASSERT_EQUAL(count_prefixed("rvt-"), 0);

    /* When putting back fails too, the safety group is kept: it is the only copy left. */
    CU_ASSERT_FATAL(
        dt_fault(sim, "POST /api/instances/Volume::{id}/action/overwriteVolumeContent:http500:from=2"));
    CU_ASSERT_NOT_EQUAL(DRV->revert_vm_snapshot(pool, m.refs, m.snap_refs, 2, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "could not be put back"));
    CU_ASSERT_EQUAL(count_prefixed("rvt-"), 2);
    CU_ASSERT_TRUE(has_pattern(m.devs[0], 0xa0)); /* reverted, and not put back */
    CU_ASSERT_TRUE(has_pattern(m.devs[1], 0xc0));
    kept = strstr(err.message, "snapshot group ");
    CU_ASSERT_PTR_NOT_NULL(kept);
    /* Named after the VM snapshot's snapshots, with this installation's key: check storagepool
     * sees them. */
    CU_ASSERT_EQUAL(count_prefixed("rvt-310-220" SUFFIX), 1);
    CU_ASSERT_EQUAL(count_prefixed("rvt-310-221" SUFFIX), 1);

    /* With the gateway healthy again the revert (the host's repair) goes through: the copies the
     * failed one left have its names and go first. */
    CU_ASSERT_EQUAL(DRV->revert_vm_snapshot(pool, m.refs, m.snap_refs, 2, &err), SP_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_TRUE(has_pattern(m.devs[i], 0xa0));
    CU_ASSERT_EQUAL(count_prefixed("rvt-"), 0);
    vm_free(&m);
}

/* Replaces every occurrence of `from` (16 characters) by `to` in the file. 0 on success. */
static int replace_in_file(const char *path, const char *from, const char *to)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL, *p;
    long len;
    int rc = -1;

    if (f == NULL)
        return -1;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = calloc(1, (size_t)len + 1)) != NULL && fread(text, 1, (size_t)len, f) == (size_t)len)
        rc = 0;
    fclose(f);
    if (rc != 0) {
        free(text);
        return -1;
    }
    for (p = strstr(text, from); p != NULL; p = strstr(p + 16, from))
        memcpy(p, to, 16);
    f = fopen(path, "wb");
    rc = f != NULL && fwrite(text, 1, strlen(text), f) == strlen(text) ? 0 : -1;
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    free(text);
    return rc;
}

/* Real arrays number volumes with a shared prefix and a sequence number (e65f9c2700000000,
 * e65f9c2700000001); the simulator draws a random prefix per object. Its saved state is edited
 * so that two volumes share their first 8 digits, as two volumes of one VM often do. */
static void test_vm_snapshot_revert_with_ids_sharing_a_prefix(void)
{
    const char *tmp = getenv("TMPDIR");
    char dir[256], state[300], from[400], to[400], id2[SP_ID_MAX];
    const char *extra[] = {"--state-dir", dir, "--pool", "pool1:1024", NULL};
    const char *rm[] = {"rm", "-rf", dir, NULL};
    sp_volume_info vols[2] = {SP_INIT(sp_volume_info), SP_INIT(sp_volume_info)};
    sp_volume_info snaps[2] = {SP_INIT(sp_volume_info), SP_INIT(sp_volume_info)};
    sp_volume_ref refs[2], snap_refs[2];
    char paths[2][SP_PATH_MAX];
    uint64_t ids[2] = {230, 231};
    sp_snapshot_group_info group = SP_INIT(sp_snapshot_group_info);
    tsim *s3;
    sp_pool *p3;
    sp_error err = {0};

    snprintf(dir, sizeof(dir), "%s/drvtest-state.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    s3 = dt_sim(extra);
    p3 = dt_pool(s3, "pool1", DT_POOL_UUID, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL_FATAL(
            DRV->create_volume(p3,
                               &(sp_volume_spec){SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA,
                                                 .id = ids[i], .size_bytes = GIB},
                               &vols[i], &err),
            SP_OK);
    LC->close(p3);
    tsim_stop(s3); /* saves its state */
    /* The second volume takes the first one's prefix and keeps its own sequence number. */
    snprintf(id2, sizeof(id2), "%.8s%.8s", vols[0].id, vols[1].id + 8);
    snprintf(state, sizeof(state), "%s/sim-state.json", dir);
    snprintf(from, sizeof(from), "%s/%s.img", dir, vols[1].id);
    snprintf(to, sizeof(to), "%s/%s.img", dir, id2);
    CU_ASSERT_EQUAL_FATAL(replace_in_file(state, vols[1].id, id2), 0);
    CU_ASSERT_EQUAL_FATAL(rename(from, to), 0);

    s3 = dt_sim(extra);
    p3 = dt_pool(s3, "pool1", DT_POOL_UUID, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p3);
    snprintf(paths[0], sizeof(paths[0]), "%s", vols[0].path);
    snprintf(paths[1], sizeof(paths[1]), "%s:%s", id2, vols[1].name);
    for (int i = 0; i < 2; i++)
        refs[i].path = paths[i];
    CU_ASSERT_EQUAL_FATAL(DRV->create_vm_snapshot(p3, 320, refs, ids, 2, &group, snaps, &err), SP_OK);
    for (int i = 0; i < 2; i++)
        snap_refs[i].path = snaps[i].path;
    CU_ASSERT_EQUAL(DRV->revert_vm_snapshot(p3, refs, snap_refs, 2, &err), SP_OK);
    if (err.status != SP_OK && err.message[0] != '\0')
        fprintf(stderr, "revert: %s\n", err.message);
    CU_ASSERT_EQUAL(DRV->delete_vm_snapshot(p3, group.group_id, &err), SP_OK);
    for (int i = 0; i < 2; i++)
        CU_ASSERT_EQUAL(DRV->delete_volume(p3, &refs[i], &err), SP_OK);
    LC->close(p3);
    tsim_stop(s3);
    tca_run(rm, NULL);
}

static void test_template_and_volume_from_it(void)
{
    sp_volume_spec tspec = dt_spec(SP_VOLUME_TEMPLATE, 600, 2 * GIB, SP_PROVISION_THIN);
    sp_volume_spec rspec = dt_spec(SP_VOLUME_ROOT, 601, 20 * GIB, SP_PROVISION_THIN);
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    sp_volume_info tmpl = SP_INIT(sp_volume_info), found = SP_INIT(sp_volume_info);
    sp_volume_info root_vol = SP_INIT(sp_volume_info), small = SP_INIT(sp_volume_info);
    char dev[SP_PATH_MAX];
    yajl_val root, v;
    sp_error err = {0};
    int before;

    CU_ASSERT_EQUAL(DRV->find_template(pool, 600, &found, &err), SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "tmpl-600" SUFFIX));
    /* Seeding: the host creates the template volume and writes the image onto it. */
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &tspec, &tmpl, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(tmpl.name, "tmpl-600" SUFFIX);
    CU_ASSERT_EQUAL_FATAL(DRV->grant_access(pool, &(sp_volume_ref){tmpl.path}, &h1, NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(dt_wait_device(sim, tmpl.id, DT_HOST1_IP, dev, sizeof(dev)), 0);
    CU_ASSERT_FATAL(write_pattern(dev, 0x7e));
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &(sp_volume_ref){tmpl.path}, &h1, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->find_template(pool, 600, &found, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(found.path, tmpl.path);
    CU_ASSERT_EQUAL(found.size_bytes, 8 * GIB);
    CU_ASSERT_EQUAL(DRV->find_template(pool2, 600, &found, &err), SP_E_NOT_FOUND); /* another pool key */

    /* A ROOT volume is a snapshot of the template grown to the size asked. */
    before = dt_requests(sim);
    CU_ASSERT_EQUAL_FATAL(
        DRV->create_volume_from_template(pool, &(sp_volume_ref){tmpl.path}, &rspec, &root_vol, &err), SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 3); /* snapshot, read, grow */
    CU_ASSERT_STRING_EQUAL(root_vol.name, "vol-601" SUFFIX);
    CU_ASSERT_EQUAL(root_vol.size_bytes, 24 * GIB);
    root = dt_volumes(sim);
    v = dt_vol_by_id(root, root_vol.id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "ancestorVolumeId"), tmpl.id);
    CU_ASSERT_EQUAL(dt_jint(v, "sizeInKb"), 24 * 1024 * 1024);
    CU_ASSERT_STRING_EQUAL(dt_jstr(v, "name"), "vol-601" SUFFIX);
    yajl_tree_free(root);
    CU_ASSERT_EQUAL_FATAL(DRV->grant_access(pool, &(sp_volume_ref){root_vol.path}, &h1, NULL, 0, &err),
                          SP_OK);
    CU_ASSERT_EQUAL_FATAL(dt_wait_device(sim, root_vol.id, DT_HOST1_IP, dev, sizeof(dev)), 0);
    CU_ASSERT_TRUE(has_pattern(dev, 0x7e));

    /* No larger than the template: no resize. */
    rspec.id = 602;
    rspec.size_bytes = GIB;
    before = dt_requests(sim);
    CU_ASSERT_EQUAL(DRV->create_volume_from_template(pool, &(sp_volume_ref){tmpl.path}, &rspec, &small, &err),
                    SP_OK);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 2);
    CU_ASSERT_EQUAL(small.size_bytes, 8 * GIB);

    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){small.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){root_vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){tmpl.path}, &err), SP_OK);
}

/* A V-Tree migration carries a template copy (and the ROOT made from it) to another pool; when the
 * array refuses the renames to that pool's key (logged, not failed) they keep the names they were
 * made with: the pool they left no longer finds the copy as its own, and its next copy takes the
 * next free name. find_volume finds what a create made, in its pool only. */
static void test_template_copy_carried_away(void)
{
    sp_volume_spec tspec = dt_spec(SP_VOLUME_TEMPLATE, 700, 2 * GIB, SP_PROVISION_THIN);
    sp_volume_spec rspec = dt_spec(SP_VOLUME_ROOT, 701, 8 * GIB, SP_PROVISION_THIN);
    sp_volume_info tmpl = SP_INIT(sp_volume_info), root_vol = SP_INIT(sp_volume_info),
                   moved = SP_INIT(sp_volume_info), again = SP_INIT(sp_volume_info),
                   found = SP_INIT(sp_volume_info);
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &tspec, &tmpl, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(
        DRV->create_volume_from_template(pool, &(sp_volume_ref){tmpl.path}, &rspec, &root_vol, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->find_volume(pool, &rspec, &found, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(found.path, root_vol.path);
    CU_ASSERT_FATAL(dt_fault(sim, "POST /api/instances/Volume::{id}/action/setVolumeName:http500"));
    CU_ASSERT_EQUAL_FATAL(
        DRV->migrate_volume(pool, &(sp_volume_ref){root_vol.path}, pool2, NULL, &moved, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_STRING_EQUAL(moved.path, root_vol.path);
    CU_ASSERT_EQUAL(DRV->find_template(pool, 700, &found, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(DRV->find_volume(pool, &tspec, &found, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(DRV->find_volume(pool, &rspec, &found, &err), SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, pool2_id));
    /* The pool it left seeds again under the first free name. */
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &tspec, &again, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(again.name, "tmpl-700v1" SUFFIX);
    CU_ASSERT_STRING_EQUAL(again.array_pool_id, pool_id);
    CU_ASSERT_EQUAL(DRV->find_template(pool, 700, &found, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(found.path, again.path);
    CU_ASSERT_EQUAL(DRV->find_volume(pool, &tspec, &found, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(found.path, again.path);
    /* A create asked again (an answer lost) finds that copy, not a third. */
    CU_ASSERT_EQUAL(DRV->create_volume(pool, &tspec, &found, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(found.path, again.path);

    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){again.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool2, &(sp_volume_ref){root_vol.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool2, &(sp_volume_ref){tmpl.path}, &err), SP_OK);
}

typedef struct progress_log {
    int calls;
    uint64_t last_done, last_total;
    int bad_phase;
} progress_log;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    progress_log *p = ctx;

    p->calls++;
    p->last_done = done;
    p->last_total = total;
    if (strcmp(phase, "migrate") != 0)
        p->bad_phase = 1;
    return 0;
}

static char listed[64][SP_ID_MAX];
static size_t listed_n;

static void on_listed(void *ctx, const sp_volume_info *v)
{
    (void)ctx;
    if (listed_n < 64)
        snprintf(listed[listed_n++], SP_ID_MAX, "%s", v->id);
}

static int was_listed(const char *id)
{
    for (size_t i = 0; i < listed_n; i++)
        if (strcmp(listed[i], id) == 0)
            return 1;
    return 0;
}

static void test_vtree_migration_moves_snapshots(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), snap = SP_INIT(sp_volume_info);
    sp_volume_info out = SP_INIT(sp_volume_info), got = SP_INIT(sp_volume_info);
    sp_migration_kind kind;
    progress_log plog = {0};
    sp_progress progress = {on_progress, &plog};
    char dev[SP_PATH_MAX], name[SP_NAME_MAX], path[SP_PATH_MAX];
    sp_host_ref h1 = dt_host(DT_HOST1_IP);
    yajl_val root;
    sp_error err = {0};
    int before, gets, polls, renames;

    CU_ASSERT_EQUAL(DRV->migration_kind(pool, pool2, &kind, &err), SP_OK);
    CU_ASSERT_EQUAL(kind, SP_MIGRATE_NATIVE);
    CU_ASSERT_EQUAL(DRV->migration_kind(pool, pool, &kind, &err), SP_OK);
    CU_ASSERT_EQUAL(kind, SP_MIGRATE_NONE);

    CU_ASSERT_EQUAL_FATAL(mapped_volume(700, 8 * GIB, &vol, dev, sizeof(dev)), 0);
    CU_ASSERT_FATAL(write_pattern(dev, 0x3c));
    CU_ASSERT_EQUAL_FATAL(DRV->create_snapshot(pool, &(sp_volume_ref){vol.path}, 701, &snap, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->revoke_access(pool, &(sp_volume_ref){vol.path}, &h1, &err), SP_OK);

    /* Not into a pool in maintenance. */
    CU_ASSERT_EQUAL(LC->maintain(pool2, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err),
                    SP_E_STATE);
    CU_ASSERT_EQUAL(LC->cancel_maintain(pool2, &err), SP_OK);

    before = dt_requests(sim);
    gets = dt_count(sim, "GET /api/instances/Volume::{id}");
    polls = dt_count(sim, "GET /api/instances/VTree::{id}");
    renames = dt_count(sim, "POST /api/instances/Volume::{id}/action/setVolumeName");
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, &progress, &out, &err),
                    SP_OK);
    /* The volume read once, before (its V-Tree id); the poll that sees the end says the pool;
     * then the V-Tree's volumes listed once and the volume and its snapshot renamed to pool2's
     * key, as CloudStack renames them. */
    polls = dt_count(sim, "GET /api/instances/VTree::{id}") - polls;
    CU_ASSERT_EQUAL(dt_count(sim, "GET /api/instances/Volume::{id}") - gets, 1);
    CU_ASSERT(polls >= 1);
    CU_ASSERT_EQUAL(dt_count(sim, "POST /api/instances/Volume::{id}/action/setVolumeName") - renames, 2);
    CU_ASSERT_EQUAL(dt_requests(sim) - before, 2 + polls + 1 + 2);
    CU_ASSERT_STRING_EQUAL(out.array_pool_id, pool2_id);
    CU_ASSERT_STRING_EQUAL(out.id, vol.id); /* ids do not change */
    snprintf(name, sizeof(name), "vol-700-%.4s-%s", DT_POOL_UUID2 + 4, DT_IDENT);
    CU_ASSERT_STRING_EQUAL(out.name, name);
    snprintf(path, sizeof(path), "%s:%s", vol.id, name);
    CU_ASSERT_STRING_EQUAL(out.path, path);
    CU_ASSERT_STRING_NOT_EQUAL(out.name, vol.name);
    CU_ASSERT_EQUAL(out.size_bytes, 8 * GIB);
    CU_ASSERT_EQUAL(out.provisioning, SP_PROVISION_THIN);
    CU_ASSERT_NOT_EQUAL(out.lineage_id[0], '\0');
    CU_ASSERT(plog.calls >= 1);
    CU_ASSERT_EQUAL(plog.last_done, 1);
    CU_ASSERT_EQUAL(plog.last_total, 1);
    CU_ASSERT_FALSE(plog.bad_phase);
    root = dt_volumes(sim);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(root, vol.id), "storagePoolId"), pool2_id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(root, snap.id), "storagePoolId"), pool2_id);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(root, vol.id), "name"), name);
    snprintf(name, sizeof(name), "snap-701-%.4s-%s", DT_POOL_UUID2 + 4, DT_IDENT);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(root, snap.id), "name"), name);
    yajl_tree_free(root);
    /* The old path still finds it (its id is the path's first part). */
    CU_ASSERT_EQUAL(DRV->get_volume(pool2, &(sp_volume_ref){vol.path}, &got, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(got.path, out.path);
    /* Listed by the pool it is in now. */
    listed_n = 0;
    CU_ASSERT_EQUAL(DRV->list_volumes(pool2, on_listed, NULL, &err), SP_OK);
    CU_ASSERT_TRUE(was_listed(vol.id));
    CU_ASSERT_TRUE(was_listed(snap.id));
    listed_n = 0;
    CU_ASSERT_EQUAL(DRV->list_volumes(pool, on_listed, NULL, &err), SP_OK);
    CU_ASSERT_FALSE(was_listed(vol.id));
    /* Already there: nothing to do. */
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(out.array_pool_id, pool2_id);

    /* The data came along: read it on the destination pool's side. */
    CU_ASSERT_EQUAL(DRV->grant_access(pool2, &(sp_volume_ref){out.path}, &h1, NULL, 0, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(dt_wait_device(sim, vol.id, DT_HOST1_IP, dev, sizeof(dev)), 0);
    CU_ASSERT_TRUE(has_pattern(dev, 0x3c));
    CU_ASSERT_EQUAL(DRV->delete_snapshot(pool2, &(sp_volume_ref){snap.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool2, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

/* The id of the pool named name, from the gateway's list. */
static void pool_id_by_name(const char *name, char *buf, size_t len)
{
    yajl_val list = dt_api_get(sim, "/types/StoragePool/instances");

    buf[0] = '\0';
    for (size_t i = 0; list != NULL && YAJL_IS_ARRAY(list) && i < list->u.array.len; i++)
        if (dt_jstr(list->u.array.values[i], "name") != NULL &&
            strcmp(dt_jstr(list->u.array.values[i], "name"), name) == 0)
            snprintf(buf, len, "%s", dt_jstr(list->u.array.values[i], "id"));
    yajl_tree_free(list);
}

/* Lets the simulator's held migrations go on, at the driver's first report of its wait. */
static int release_migrations(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    int *released = ctx;

    (void)phase;
    (void)done;
    (void)total;
    if (!*released)
        *released = tsim_control(sim, "POST", "/sim/migrations", "{\"held\":false}") == 200;
    return 0;
}

/* A V-Tree already migrating elsewhere (someone else's migrateVTree): the driver waits for it,
 * then the pool its last poll read is not the one asked for, and that is a failure, not a
 * volume reported in the wrong pool. The other migration is held in the simulator until the
 * driver waits for it, so it cannot end before the driver asks, however slowly this runs. */
static void test_vtree_migration_elsewhere_is_reported(void)
{
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 710, 8 * GIB, SP_PROVISION_THIN);
    char pool3_id[SP_ID_MAX], path[128], body[128];
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    int released = 0;
    sp_progress progress = {release_migrations, &released};
    yajl_val root;
    sp_error err = {0};

    pool_id_by_name("pool3", pool3_id, sizeof(pool3_id));
    CU_ASSERT_NOT_EQUAL_FATAL(pool3_id[0], '\0');
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    snprintf(path, sizeof(path), "/instances/Volume::%s/action/migrateVTree", vol.id);
    snprintf(body, sizeof(body), "{\"destSPId\":\"%s\"}", pool3_id);
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":true}"), 200);
    CU_ASSERT_EQUAL_FATAL(dt_api_post(sim, path, body), 200);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, &progress, &out, &err),
                    SP_E_BACKEND);
    CU_ASSERT_TRUE(released);
    if (!released) /* the driver never waited: let the next tests' migrations run */
        tsim_control(sim, "POST", "/sim/migrations", "{\"held\":false}");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, pool3_id));
    root = dt_volumes(sim);
    CU_ASSERT_STRING_EQUAL(dt_jstr(dt_vol_by_id(root, vol.id), "storagePoolId"), pool3_id);
    yajl_tree_free(root);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
}

static void test_migration_across_systems_is_block_copy(void)
{
    const char *extra[] = {"--pool", "pool1:256", NULL};
    tsim *other = dt_sim(extra);
    sp_pool *far = dt_pool(other, "pool1", DT_POOL_UUID2, NULL, NULL);
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, 800, GIB, SP_PROVISION_THIN);
    sp_migration_kind kind = SP_MIGRATE_NONE;
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_error err = {0};

    CU_ASSERT_PTR_NOT_NULL_FATAL(far);
    CU_ASSERT_EQUAL(DRV->migration_kind(pool, far, &kind, &err), SP_OK);
    CU_ASSERT_EQUAL(kind, SP_MIGRATE_BLOCK_COPY);
    CU_ASSERT_EQUAL(DRV->migration_kind(far, pool, &kind, &err), SP_OK);
    CU_ASSERT_EQUAL(kind, SP_MIGRATE_BLOCK_COPY);
    CU_ASSERT_EQUAL_FATAL(DRV->create_volume(pool, &spec, &vol, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, far, NULL, &out, &err),
                    SP_E_UNSUPPORTED);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol.path}, &err), SP_OK);
    LC->close(far);
    tsim_stop(other);
}

int main(void)
{
    static const dt_test tests[] = {
        {"snapshot: write, snapshot, overwrite, revert, read back", test_snapshot_data_round_trip},
        {"VM snapshot: one group, revert, delete", test_vm_snapshot_create_revert_delete},
        {"VM snapshot: n snapshots read back in one request", test_vm_snapshot_reads_back_in_one_request},
        {"VM snapshot into a newer host's larger structs",
         test_vm_snapshot_into_a_newer_hosts_larger_structs},
        {"VM snapshot revert is all or nothing", test_vm_snapshot_revert_all_or_nothing},
        {"VM snapshot revert with volume ids sharing a prefix",
         test_vm_snapshot_revert_with_ids_sharing_a_prefix},
        {"templates: find, seed, volume from template", test_template_and_volume_from_it},
        {"templates: a copy a V-Tree migration carried away is not the pool's",
         test_template_copy_carried_away},
        {"V-Tree migration between pools of one system moves snapshots",
         test_vtree_migration_moves_snapshots},
        {"V-Tree already migrating to another pool: waited for, then reported",
         test_vtree_migration_elsewhere_is_reported},
        {"migration across systems is a block copy", test_migration_across_systems_is_block_copy},
        {NULL, NULL},
    };

    return dt_run("snapshots", setup, teardown, tests);
}
