/* Snapshots: snapshotVolumes (both paths, consistency groups, order), the snapshot object, the
 * 126-per-V-Tree limit, group removal, overwriteVolumeContent rules, and a data round trip
 * through the device: write, snapshot, overwrite, revert, read back. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tsim *sim;
static sc *c;
static char *pool, *sdc, *sys_id;

static void expect_err(struct sc_resp *r, int status, int code, const char *msg)
{
    CU_ASSERT_EQUAL(r->status, status);
    CU_ASSERT_EQUAL(jerr(r), code);
    if (msg)
        CU_ASSERT_STRING_EQUAL(jmsg(r), msg);
}

static void test_group(void)
{
    char *a = sc_volume(c, "grp-a", pool, "1", "ThinProvisioned");
    char *b = sc_volume(c, "grp-b", pool, "1", "ThickProvisioned");
    char body[512];
    struct sc_resp r, g;
    CU_ASSERT_FATAL(a && b);
    snprintf(body, sizeof(body),
             "{\"snapshotDefs\":[{\"volumeId\":\"%s\",\"snapshotName\":\"grp-b-s\"},"
             "{\"volumeId\":\"%s\",\"snapshotName\":\"grp-a-s\"}]}",
             b, a);
    sc_call(c, &r, "POST", body, "/api/instances/System::%s/action/snapshotVolumes", sys_id);
    CU_ASSERT_EQUAL_FATAL(r.status, 200);
    const char *group = jstr(r.json, "snapshotGroupId");
    yajl_val list = jget(r.json, "volumeIdList");
    CU_ASSERT_FATAL(group && list && YAJL_IS_ARRAY(list) && list->u.array.len == 2);
    const char *sb = list->u.array.values[0]->u.string, *sa = list->u.array.values[1]->u.string;
    struct {
        const char *snap, *src, *name;
    } want[] = {{sb, b, "grp-b-s"}, {sa, a, "grp-a-s"}};
    for (int i = 0; i < 2; i++) {
        struct sc_resp s, src;
        sc_call(c, &s, "GET", NULL, "/api/instances/Volume::%s", want[i].snap);
        sc_call(c, &src, "GET", NULL, "/api/instances/Volume::%s", want[i].src);
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "name"), want[i].name);
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "volumeType"), "Snapshot");
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "ancestorVolumeId"), want[i].src);
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "consistencyGroupId"), group);
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "vtreeId"), jstr(src.json, "vtreeId"));
        CU_ASSERT_STRING_EQUAL(jstr(s.json, "storagePoolId"), jstr(src.json, "storagePoolId"));
        CU_ASSERT_EQUAL(jint(s.json, "sizeInKb"), jint(src.json, "sizeInKb"));
        sc_resp_free(&s);
        sc_resp_free(&src);
    }
    /* a snapshot of a snapshot points at it */
    char *ss = sc_snapshot(c, sa, "grp-a-s-s", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ss);
    sc_call(c, &g, "GET", NULL, "/api/instances/Volume::%s", ss);
    CU_ASSERT_STRING_EQUAL(jstr(g.json, "ancestorVolumeId"), sa);
    sc_resp_free(&g);

    snprintf(body, sizeof(body), "{\"snapGroupId\":\"%s\"}", group);
    sc_call(c, &g, "POST", body, "/api/instances/System::%s/action/removeConsistencyGroupSnapshots", sys_id);
    CU_ASSERT_EQUAL(g.status, 200);
    CU_ASSERT_EQUAL(jint(g.json, "numberOfVolumes"), 2);
    sc_resp_free(&g);
    sc_call(c, &g, "GET", NULL, "/api/instances/Volume::%s", sa);
    expect_err(&g, 500, 79, NULL);
    sc_resp_free(&g);
    sc_call(c, &g, "POST", body, "/api/instances/System::%s/action/removeConsistencyGroupSnapshots", sys_id);
    expect_err(
        &g, 500, 185,
        "No volumes were found under the given consistency group or the consistency group ID is not valid");
    sc_resp_free(&g);
    /* the snapshot's child survives, re-parented to the source */
    sc_call(c, &g, "GET", NULL, "/api/instances/Volume::%s", ss);
    CU_ASSERT_EQUAL(g.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(g.json, "ancestorVolumeId"), a);
    sc_resp_free(&g);
    sc_resp_free(&r);

    /* errors */
    sc_call(c, &g, "POST", "{\"snapshotDefs\":[{\"volumeId\":\"00000000deadbeef\",\"snapshotName\":\"x\"}]}",
            "/api/instances/System/action/snapshotVolumes");
    expect_err(&g, 500, 79, NULL);
    sc_resp_free(&g);
    sc_call(c, &g, "POST", "{\"snapshotDefs\":[]}", "/api/instances/System/action/snapshotVolumes");
    expect_err(&g, 400, 0, NULL);
    sc_resp_free(&g);
    sc_call(c, &g, "POST", "{\"snapshotDefs\":[]}",
            "/api/instances/System::00000000deadbeef/action/snapshotVolumes");
    expect_err(&g, 500, 202, NULL);
    sc_resp_free(&g);
    sc_call(c, &g, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", a);
    CU_ASSERT_EQUAL(g.status, 200);
    sc_resp_free(&g);
    sc_call(c, &g, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", b);
    CU_ASSERT_EQUAL(g.status, 200);
    sc_resp_free(&g);
    free(a);
    free(b);
    free(ss);
}

static void test_limit_126(void)
{
    char *v = sc_volume(c, "many-snaps", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    char name[32], body[256];
    int made = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    for (int i = 0; i < 126; i++) {
        snprintf(name, sizeof(name), "ms-%d", i);
        char *s = sc_snapshot(c, v, name, NULL);
        made += s != NULL;
        free(s);
    }
    CU_ASSERT_EQUAL(made, 126);
    snprintf(body, sizeof(body), "{\"snapshotDefs\":[{\"volumeId\":\"%s\",\"snapshotName\":\"ms-127\"}]}", v);
    sc_call(c, &r, "POST", body, "/api/instances/System/action/snapshotVolumes");
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_STRING_EQUAL(jmsg(&r), "Error with details");
    yajl_val det = jget(r.json, "details");
    CU_ASSERT_FATAL(det && YAJL_IS_ARRAY(det) && det->u.array.len == 1);
    CU_ASSERT_EQUAL(jint(det->u.array.values[0], "rc"), 182);
    CU_ASSERT_STRING_EQUAL(jstr(det->u.array.values[0], "error"), "TOO_MANY_SNAPS_IN_VTREE");
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    free(v);
}

static void fill(int fd, unsigned char byte, off_t off)
{
    unsigned char buf[65536];
    memset(buf, byte, sizeof(buf));
    CU_ASSERT_EQUAL(pwrite(fd, buf, sizeof(buf), off), (ssize_t)sizeof(buf));
    CU_ASSERT_EQUAL(fsync(fd), 0);
}

static int holds(const char *dev, unsigned char byte, off_t off)
{
    unsigned char buf[65536];
    int fd = open(dev, O_RDONLY), ok = 1;
    if (fd < 0 || pread(fd, buf, sizeof(buf), off) != (ssize_t)sizeof(buf))
        ok = 0;
    for (size_t i = 0; ok && i < sizeof(buf); i++)
        ok = buf[i] == byte;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void test_data_round_trip(void)
{
    char *v = sc_volume(c, "rt-vol", pool, "1", "ThinProvisioned"), *dev, *snap, *other;
    struct sc_resp r;
    char body[256];
    int fd;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(sc_map(c, v, sdc), 200);
    dev = device_path(sim, sdc, sys_id, v);
    fd = open(dev, O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    fill(fd, 0x11, 0);
    fill(fd, 0x22, (off_t)5 << 30);
    snap = sc_snapshot(c, v, "rt-snap", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
    fill(fd, 0x33, 0);
    fill(fd, 0x44, (off_t)1 << 30);
    close(fd);
    CU_ASSERT(holds(dev, 0x33, 0));
    /* revert while mapped */
    snprintf(body, sizeof(body), "{\"srcVolumeId\":\"%s\",\"allowOnExtManagedVol\":\"TRUE\"}", snap);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/overwriteVolumeContent", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT(holds(dev, 0x11, 0));
    CU_ASSERT(holds(dev, 0x22, (off_t)5 << 30));
    CU_ASSERT(holds(dev, 0x00, (off_t)1 << 30)); /* written after the snapshot: gone */

    /* the snapshot itself can be mapped and read */
    CU_ASSERT_EQUAL(sc_map(c, snap, sdc), 200);
    char *sdev = device_path(sim, sdc, sys_id, snap);
    CU_ASSERT(holds(sdev, 0x11, 0));

    sc_call(c, &r, "POST", "{\"srcVolumeId\":\"00000000deadbeef\"}",
            "/api/instances/Volume::%s/action/overwriteVolumeContent", v);
    expect_err(&r, 500, 79, NULL);
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"srcVolumeId\":\"%s\"}", v);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/overwriteVolumeContent", v);
    expect_err(
        &r, 500, 330,
        "You cannot overwrite a volume with itself. Select a different volume in the V-Tree and try again.");
    sc_resp_free(&r);
    other = sc_volume(c, "rt-other", pool, "1", "ThinProvisioned");
    snprintf(body, sizeof(body), "{\"srcVolumeId\":\"%s\"}", other);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/overwriteVolumeContent", v);
    expect_err(
        &r, 500, 198,
        "To overwrite the content of a volume, the source and target volumes must be from the same V-Tree.");
    sc_resp_free(&r);

    sc_call(c, &r, "POST", "{\"allSdcs\":\"\"}", "/api/instances/Volume::%s/action/removeMappedSdc", v);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"allSdcs\":\"\"}", "/api/instances/Volume::%s/action/removeMappedSdc", snap);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"INCLUDING_DESCENDANTS\"}",
            "/api/instances/Volume::%s/action/removeVolume", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            other);
    sc_resp_free(&r);
    free(v);
    free(dev);
    free(sdev);
    free(snap);
    free(other);
}

static void test_vtree_object(void)
{
    char *v = sc_volume(c, "vt-root", pool, "1", "ThinProvisioned");
    char *s = sc_snapshot(c, v, "vt-snap", NULL);
    struct sc_resp r, t;
    CU_ASSERT_FATAL(v && s);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", s);
    sc_call(c, &t, "GET", NULL, "/api/instances/VTree::%s", jstr(r.json, "vtreeId"));
    CU_ASSERT_EQUAL(t.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(t.json, "name"), "vt-root");
    CU_ASSERT_STRING_EQUAL(jstr(t.json, "baseVolumeId"), v);
    CU_ASSERT_STRING_EQUAL(jstr(t.json, "storagePoolId"), pool);
    CU_ASSERT_STRING_EQUAL(jstr(jget(t.json, "vtreeMigrationInfo"), "migrationStatus"), "NotInMigration");
    CU_ASSERT(YAJL_IS_NULL(jget(jget(t.json, "vtreeMigrationInfo"), "migrationPauseReason")));
    sc_resp_free(&t);
    sc_call(c, &t, "GET", NULL, "/api/instances/VTree::%s/relationships/Statistics", jstr(r.json, "vtreeId"));
    CU_ASSERT_EQUAL(jint(t.json, "numOfVolumes"), 2);
    CU_ASSERT(jint(t.json, "netProvisionedAddressesInKb") >= 0);
    sc_resp_free(&t);
    sc_call(c, &t, "GET", NULL, "/api/instances/VTree::%s/relationships/Volume", jstr(r.json, "vtreeId"));
    CU_ASSERT(t.json && YAJL_IS_ARRAY(t.json) && t.json->u.array.len == 2);
    sc_resp_free(&t);
    sc_call(c, &t, "GET", NULL, "/api/types/VTree/instances");
    CU_ASSERT(t.json && YAJL_IS_ARRAY(t.json) && t.json->u.array.len >= 1);
    sc_resp_free(&t);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    free(v);
    free(s);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"consistency group: order, fields, removal, errors", test_group},
        {"126 snapshots per V-Tree, then rc 182 in details", test_limit_126},
        {"data: write, snapshot, overwrite, revert, read back", test_data_round_trip},
        {"VTree object, statistics and volumes", test_vtree_object},
        {NULL, NULL}};
    const char *args[] = {"--sdc", "10.0.0.1", NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    if (c) {
        pool = sc_pool(c, 0);
        sdc = sc_sdc(c, "10.0.0.1");
        sys_id = sc_system_id(c);
        if (pool && sdc && sys_id)
            rc = sc_run_suite("sim snapshots", tests);
    }
    free(pool);
    free(sdc);
    free(sys_id);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
