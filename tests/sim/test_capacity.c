/* Capacity accounting: a pool's Statistics after thick and thin creates, data written through a
 * device, snapshot-only data, CloudStack's and cinder's formulas, allocation-limit refusals,
 * system statistics and querySelectedStatistics. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIB INT64_C(1048576)

static tsim *sim;
static sc *c;
static char *pool, *sdc, *sys_id;

static struct sc_resp stats(void)
{
    struct sc_resp r;
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s/relationships/Statistics", pool);
    CU_ASSERT_EQUAL(r.status, 200);
    return r;
}

static int64_t stat_of(const char *key)
{
    struct sc_resp r = stats();
    int64_t v = jint(r.json, key);
    sc_resp_free(&r);
    return v;
}

static void write_mib(const char *vol, off_t off_mib, int mib)
{
    char *dev = device_path(sim, sdc, sys_id, vol);
    static unsigned char buf[1 << 20];
    int fd = open(dev, O_WRONLY);
    CU_ASSERT_FATAL(fd >= 0);
    memset(buf, 0x5a, sizeof(buf));
    for (int i = 0; i < mib; i++)
        CU_ASSERT_EQUAL(pwrite(fd, buf, sizeof(buf), (off_mib + i) << 20), (ssize_t)sizeof(buf));
    CU_ASSERT_EQUAL(fsync(fd), 0);
    close(fd);
    free(dev);
}

static void test_empty_pool(void)
{
    struct sc_resp r = stats();
    int64_t max = jint(r.json, "maxCapacityInKb"), spare = jint(r.json, "spareCapacityInKb");
    CU_ASSERT_EQUAL(max, 100 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "capacityLimitInKb"), 100 * GIB);
    CU_ASSERT_EQUAL(spare, 10 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "capacityInUseInKb"), 0);
    CU_ASSERT_EQUAL(jint(r.json, "unusedCapacityInKb"), 90 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "netUnusedCapacityInKb"), 45 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "netCapacityInUseInKb"), 0);
    /* CloudStack: total = (max - spare) / 2, used = total - netUnused */
    CU_ASSERT_EQUAL((max - spare) / 2, 45 * GIB);
    /* The limit on volumes is 0.84 x net (a captured pool: 117440512 of 140141056 KB), rounded
     * down to 8 GiB: 37.8 -> 32 GiB, not ten times the net capacity. */
    CU_ASSERT_EQUAL(jint(r.json, "capacityAvailableForVolumeAllocationInKb"), 32 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "volumeAllocationLimitInKb"), 32 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "numOfVolumes"), 0);
    yajl_val ids = jget(r.json, "volumeIds");
    CU_ASSERT(ids && YAJL_IS_ARRAY(ids) && ids->u.array.len == 0);
    sc_resp_free(&r);
}

static void test_thick_thin_data(void)
{
    struct sc_resp r;
    char *thick = sc_volume(c, "cap-thick", pool, "8388608", "ThickProvisioned");
    char *thin = sc_volume(c, "cap-thin", pool, "16777216", "ThinProvisioned");
    CU_ASSERT_FATAL(thick && thin);
    r = stats();
    CU_ASSERT_EQUAL(jint(r.json, "thickCapacityInUseInKb"), 16 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "thinCapacityAllocatedInKb"), 32 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "thinCapacityInUseInKb"), 0);
    CU_ASSERT_EQUAL(jint(r.json, "capacityInUseInKb"), 16 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "netCapacityInUseInKb"), 8 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "netUnusedCapacityInKb"), 37 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "numOfVolumes"), 2);
    CU_ASSERT_EQUAL(jint(r.json, "numOfThickBaseVolumes"), 1);
    CU_ASSERT_EQUAL(jint(r.json, "numOfThinBaseVolumes"), 1);
    CU_ASSERT_EQUAL(jint(r.json, "numOfVtrees"), 2);
    /* cinder: provisioned = (thick + snapshots + thin allocated) / 2 */
    CU_ASSERT_EQUAL((jint(r.json, "thickCapacityInUseInKb") + jint(r.json, "snapshotCapacityInKb") +
                     jint(r.json, "thinCapacityAllocatedInKb")) /
                        2,
                    24 * GIB);
    sc_resp_free(&r);

    /* thin: only what is written counts, twice (two copies) */
    CU_ASSERT_EQUAL(sc_map(c, thin, sdc), 200);
    write_mib(thin, 0, 4);
    r = stats();
    CU_ASSERT_EQUAL(jint(r.json, "thinCapacityInUseInKb"), 8192);
    CU_ASSERT_EQUAL(jint(r.json, "netUnusedCapacityInKb"), 37 * GIB - 4096);
    CU_ASSERT_EQUAL(jint(r.json, "netProvisionedAddressesInKb"), 4096);
    int64_t total = (jint(r.json, "maxCapacityInKb") - jint(r.json, "spareCapacityInKb")) / 2;
    CU_ASSERT_EQUAL(total - jint(r.json, "netUnusedCapacityInKb"), 8 * GIB + 4096);
    sc_resp_free(&r);
    /* thick: data stays inside the reservation */
    CU_ASSERT_EQUAL(sc_map(c, thick, sdc), 200);
    write_mib(thick, 0, 2);
    CU_ASSERT_EQUAL(stat_of("netUnusedCapacityInKb"), 37 * GIB - 4096);

    /* V-Tree statistics: CloudStack's used size of a volume */
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", thin);
    struct sc_resp t;
    sc_call(c, &t, "GET", NULL, "/api/instances/VTree::%s/relationships/Statistics", jstr(r.json, "vtreeId"));
    CU_ASSERT_EQUAL(jint(t.json, "netProvisionedAddressesInKb"), 4096);
    sc_resp_free(&t);
    sc_resp_free(&r);

    /* a snapshot shares its source's blocks; data only it holds is snapshot capacity */
    char *snap = sc_snapshot(c, thin, "cap-snap", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
    CU_ASSERT_EQUAL(stat_of("snapshotCapacityInKb"), 0);
    CU_ASSERT_EQUAL(stat_of("numOfSnapshots"), 1);
    CU_ASSERT_EQUAL(sc_map(c, snap, sdc), 200);
    write_mib(snap, 20, 1);
    r = stats();
    CU_ASSERT_EQUAL(jint(r.json, "snapshotCapacityInKb"), 2048);
    CU_ASSERT_EQUAL(jint(r.json, "thinCapacityInUseInKb"), 8192);
    CU_ASSERT_EQUAL(jint(r.json, "netUnusedCapacityInKb"), 37 * GIB - 4096 - 1024);
    sc_resp_free(&r);

    const char *vols[] = {thick, thin, snap};
    for (int i = 0; i < 3; i++) {
        sc_call(c, &r, "POST", "{\"allSdcs\":\"\"}", "/api/instances/Volume::%s/action/removeMappedSdc",
                vols[i]);
        sc_resp_free(&r);
    }
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", thin);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            thick);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(stat_of("netUnusedCapacityInKb"), 45 * GIB);
    CU_ASSERT_EQUAL(stat_of("numOfVolumes"), 0);
    free(thick);
    free(thin);
    free(snap);
}

static void test_limits(void)
{
    struct sc_resp r;
    char body[512];
    /* thick beyond the free net capacity (32 GiB available) */
    snprintf(body, sizeof(body),
             "{\"name\":\"too-thick\",\"storagePoolId\":\"%s\",\"volumeSizeInGb\":\"48\",\"volumeType\":"
             "\"ThickProvisioned\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_EQUAL(jerr(&r), 300);
    CU_ASSERT_STRING_EQUAL(jmsg(&r), "Requested volume size exceeds the volume allocation limit");
    sc_resp_free(&r);
    /* thin up to the allocation limit (32 GiB), not beyond: thin volumes do not over-commit the
     * pool past it, whatever CloudStack's overprovisioning factor allows */
    char *big = sc_volume(c, "thin-big", pool, "25165824", "ThinProvisioned"); /* 24 GiB */
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    CU_ASSERT_EQUAL(stat_of("capacityAvailableForVolumeAllocationInKb"), 8 * GIB);
    char *more = sc_volume(c, "thin-more", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(more);
    CU_ASSERT_EQUAL(stat_of("capacityAvailableForVolumeAllocationInKb"), 0);
    snprintf(body, sizeof(body),
             "{\"name\":\"thin-over\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":"
             "\"ThinProvisioned\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    CU_ASSERT_EQUAL(jerr(&r), 300);
    sc_resp_free(&r);
    /* growing counts too */
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"16\"}", "/api/instances/Volume::%s/action/setVolumeSize", more);
    CU_ASSERT_EQUAL(jerr(&r), 300);
    sc_resp_free(&r);
    const char *vols[] = {big, more};
    for (int i = 0; i < 2; i++) {
        sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}",
                "/api/instances/Volume::%s/action/removeVolume", vols[i]);
        CU_ASSERT_EQUAL(r.status, 200);
        sc_resp_free(&r);
    }
    free(big);
    free(more);
}

static void test_system_and_selected(void)
{
    struct sc_resp r;
    char body[256];
    char *v = sc_volume(c, "sys-stat", pool, "1", "ThickProvisioned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    sc_call(c, &r, "GET", NULL, "/api/instances/System::%s/relationships/Statistics", sys_id);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(jint(r.json, "maxCapacityInKb"), 116 * GIB);
    CU_ASSERT_EQUAL(jint(r.json, "numOfStoragePools"), 2);
    CU_ASSERT_EQUAL(jint(r.json, "numOfProtectionDomains"), 2);
    CU_ASSERT_EQUAL(jint(r.json, "numOfSdc"), 1);
    CU_ASSERT_EQUAL(jint(r.json, "numOfVolumes"), 1);
    CU_ASSERT_EQUAL(jint(r.json, "thickCapacityInUseInKb"), 16 * GIB);
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"ids\":[\"%s\"],\"properties\":[\"netUnusedCapacityInKb\",\"thinCapacityAllocatedInKb\","
             "\"volumeIds\"]}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/StoragePool/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(r.status, 200);
    yajl_val one = jget(r.json, pool);
    CU_ASSERT_EQUAL(jint(one, "netUnusedCapacityInKb"), 37 * GIB);
    CU_ASSERT_EQUAL(jint(one, "thinCapacityAllocatedInKb"), 0);
    CU_ASSERT(YAJL_IS_ARRAY(jget(one, "volumeIds")));
    CU_ASSERT_EQUAL(one ? one->u.object.len : 0, 3);
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"ids\":[\"%s\"],\"properties\":[\"noSuchCounter\"]}", pool);
    sc_call(c, &r, "POST", body, "/api/types/StoragePool/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(r.status, 400);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"properties\":[\"numOfVolumes\"]}",
            "/api/types/System/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(jint(r.json, "numOfVolumes"), 1);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            v);
    sc_resp_free(&r);
    free(v);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"an empty pool's figures", test_empty_pool},
        {"thick, thin, written data, snapshots", test_thick_thin_data},
        {"allocation limit refusals", test_limits},
        {"system statistics, querySelectedStatistics", test_system_and_selected},
        {NULL, NULL}};
    const char *args[] = {"--pool", "cap:100",  "--pool", "small:16:pdx", "--spare-percent", "10",
                          "--sdc",  "10.0.0.1", NULL};
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
            rc = sc_run_suite("sim capacity", tests);
    }
    free(pool);
    free(sdc);
    free(sys_id);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
