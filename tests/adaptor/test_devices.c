/* test_devices.c - the Adaptor's device methods through the ABI against two simulators: a device
 * found at once, one made to appear by a rescan, one that never comes (a clear timeout), the
 * fallback when drv_cfg is missing, disconnect waiting for the device to go, and config drives. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"
#include "settings.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static adfix F;

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}
static const sp_hostutil_ops *hu(void)
{
    return F.sp->hostutil;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void expect_path(const char *got, int sys, const char *vol_path)
{
    char want[1024];
    snprintf(want, sizeof(want), "%s/emc-vol-%s-%s", F.devdir, F.system_id[sys], adfix_id(vol_path));
    CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_connect_present(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info), d2 = SP_INIT(sp_disk_info);
    sp_error e;
    sp_status st;

    if (adfix_create(&F, 0, SP_VOLUME_DATA, 101, ADFIX_GIB, &v) != 0 ||
        adfix_grant(&F, 0, v.path, &F.host) != 0)
        return;
    st = ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d, &e);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    expect_path(d.path, 0, v.path);
    CU_ASSERT_EQUAL(d.size_bytes, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(d.format, SP_FORMAT_RAW);
    st = ad()->get_physical_disk(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d2, &e);
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT_STRING_EQUAL(d2.path, d.path);
    CU_ASSERT_EQUAL(d2.size_bytes, d.size_bytes);
    /* The device is the volume: what is written through it is on the array. */
    CU_ASSERT_EQUAL(adfix_write_pattern(d.path, 4096, 65536, 7), 0);
    adfix_revoke(&F, 0, v.path, &F.host);
    st = ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &e);
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT_FALSE(exists(d.path));
    st = ad()->get_physical_disk(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d2, &e);
    CU_ASSERT_EQUAL(st, SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "not connected"));
    adfix_grant(&F, 0, v.path, &F.host);
    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d, &e), SP_OK);
    CU_ASSERT_TRUE(adfix_check_pattern(d.path, 4096, 65536, 7));
    adfix_revoke(&F, 0, v.path, &F.host);
    adfix_delete(&F, 0, v.path);
}

static void test_connect_rescan(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    char dev[1024];
    sp_status st;

    /* On its own the SDC would take 10 minutes, far beyond the wait: only a rescan finds it. */
    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, "120");
    CU_ASSERT_EQUAL(
        adfix_fault(&F, 0, "POST /api/instances/Volume::{id}/action/addMappedSdc:device-delay:ms=600000"),
        200);
    if (adfix_create(&F, 0, SP_VOLUME_DATA, 102, ADFIX_GIB, &v) != 0 ||
        adfix_grant(&F, 0, v.path, &F.host) != 0)
        return;
    snprintf(dev, sizeof(dev), "%s/emc-vol-%s-%s", F.devdir, F.system_id[0], adfix_id(v.path));
    CU_ASSERT_FALSE(exists(dev));
    st = ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d, &e);
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT_STRING_EQUAL(d.path, dev);
    adfix_clear_faults(&F, 0);
    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, NULL);
    adfix_revoke(&F, 0, v.path, &F.host);
    adfix_delete(&F, 0, v.path);
}

static void test_connect_timeout(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    int64_t t0, took;
    sp_status st;

    /* System 1 delays the device by 10 minutes and this host's drv_cfg cannot reach it to
     * rescan: the 1 s wait ends first however slowly the machine runs. */
    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, "1");
    CU_ASSERT_EQUAL(
        adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/addMappedSdc:device-delay:ms=600000"),
        200);
    if (adfix_create(&F, 1, SP_VOLUME_DATA, 103, ADFIX_GIB, &v) != 0 ||
        adfix_grant(&F, 1, v.path, &F.host_one) != 0)
        return;
    t0 = hs_now_ms();
    st = ad()->connect_volume(F.pool[1], &(sp_volume_ref){v.path}, &F.host_one, &d, &e);
    took = hs_now_ms() - t0;
    fprintf(stderr, "timeout after %lld ms: %s\n", (long long)took, e.message);
    CU_ASSERT_EQUAL(st, SP_E_TIMEOUT);
    CU_ASSERT(took >= 1000 && took < 30000);                     /* its own 1 s, not the default 60 s */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, adfix_id(v.path))); /* the volume */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "kvm1-one"));       /* the host */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "SDC "));           /* its SDC */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "1 s"));            /* the wait */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, PFX_SETTING_DISK_WAIT));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "does not list")); /* what the SDC says */
    adfix_clear_faults(&F, 1);
    adfix_revoke(&F, 1, v.path, &F.host_one);
    adfix_delete(&F, 1, v.path);
    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, NULL);
}

static void test_connect_not_granted(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;

    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, "0");
    if (adfix_create(&F, 0, SP_VOLUME_DATA, 104, ADFIX_GIB, &v) != 0)
        return;
    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &d, &e), SP_E_TIMEOUT);
    fprintf(stderr, "not granted: %s\n", e.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "is access granted"));
    adfix_delete(&F, 0, v.path);
    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, NULL);
}

static void test_connect_fallback(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    int64_t t0, took;
    sp_status st;

    /* No drv_cfg: neither rescan nor query_vols; the device is found by its volume id once it
     * appears, 1.5 s after the map (timed from before it). */
    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, "120");
    CU_ASSERT_EQUAL(
        adfix_fault(&F, 0, "POST /api/instances/Volume::{id}/action/addMappedSdc:device-delay:ms=1500"), 200);
    if (adfix_create(&F, 0, SP_VOLUME_DATA, 105, ADFIX_GIB, &v) != 0)
        return;
    t0 = hs_now_ms();
    if (adfix_grant(&F, 0, v.path, &F.host_nodrv) != 0)
        return;
    st = ad()->connect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host_nodrv, &d, &e);
    took = hs_now_ms() - t0;
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT(took >= 1400);
    expect_path(d.path, 0, v.path);
    adfix_clear_faults(&F, 0);
    adfix_revoke(&F, 0, v.path, &F.host_nodrv);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host_nodrv, &e), SP_OK);
    adfix_delete(&F, 0, v.path);
    adfix_pool_setting(&F, 0, PFX_SETTING_DISK_WAIT, NULL);
}

static void test_disconnect_waits(void)
{
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;

    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, "1");
    if (adfix_create(&F, 1, SP_VOLUME_DATA, 106, ADFIX_GIB, &v) != 0 ||
        adfix_grant(&F, 1, v.path, &F.host) != 0)
        return;
    CU_ASSERT_EQUAL_FATAL(ad()->connect_volume(F.pool[1], &(sp_volume_ref){v.path}, &F.host, &d, &e), SP_OK);
    expect_path(d.path, 1, v.path);
    /* Still mapped: the device cannot go. */
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[1], &(sp_volume_ref){v.path}, &F.host, &e), SP_E_TIMEOUT);
    fprintf(stderr, "still mapped: %s\n", e.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "still present"));
    adfix_revoke(&F, 1, v.path, &F.host);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[1], &(sp_volume_ref){v.path}, &F.host, &e), SP_OK);
    CU_ASSERT_FALSE(exists(d.path));
    adfix_delete(&F, 1, v.path);
    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, NULL);
}

static void test_bad_arguments(void)
{
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    sp_host_ref nouuid = {SP_SIZED(sp_host_ref), .uuid = NULL, .name = "x", .ip = "127.0.0.1"};

    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){"not-an-id:x"}, &F.host, &d, &e),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){"0123456789abcdef:x"}, &nouuid, &d, &e),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(ad()->connect_volume(NULL, &(sp_volume_ref){"0123456789abcdef:x"}, &F.host, &d, NULL),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(
        ad()->get_physical_disk(F.pool[0], &(sp_volume_ref){"0123456789abcdef:x"}, &F.host, &d, &e),
        SP_E_NOT_FOUND);
}

static char *iso_file(const char *iso, const char *path)
{
    const char *argv[] = {hs_isoinfo(), "-R", "-i", iso, "-x", path, NULL};
    return hs_run(argv);
}

static void test_config_drive(void)
{
    const char *meta = "{\"uuid\": \"9f3c\", \"name\": \"vm-7\"}";
    sp_kv files[] = {{"openstack/latest/meta_data.json", meta},
                     {"openstack/latest/user_data", "#cloud-config\nhostname: vm-7\n"},
                     {"cloudstack/password/vm_password.txt", "s3cret"}};
    char iso[1024], want[1024], *got;
    struct stat sb;
    sp_error e;

    if (hs_isoinfo() == NULL) {
        fprintf(stderr, "isoinfo is missing: config drive contents not checked\n");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(hu()->create_config_drive(&F.host, "vm-7", files, 3, iso, sizeof(iso), &e), SP_OK);
    snprintf(want, sizeof(want), "%s/config/vm-7.iso", F.cache);
    CU_ASSERT_STRING_EQUAL(iso, want);
    CU_ASSERT_EQUAL(stat(iso, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
    got = iso_file(iso, "/openstack/latest/meta_data.json");
    CU_ASSERT(got != NULL && strcmp(got, meta) == 0);
    free(got);
    got = iso_file(iso, "/openstack/latest/user_data");
    CU_ASSERT(got != NULL && strcmp(got, "#cloud-config\nhostname: vm-7\n") == 0);
    free(got);
    got = iso_file(iso, "/cloudstack/password/vm_password.txt");
    CU_ASSERT(got != NULL && strcmp(got, "s3cret") == 0);
    free(got);
    got = iso_file(iso, "/openstack/latest/vendor_data.json");
    CU_ASSERT(got != NULL && strcmp(got, "{}") == 0);
    free(got);
    {
        const char *argv[] = {hs_isoinfo(), "-d", "-i", iso, NULL};
        got = hs_run(argv);
        CU_ASSERT(got != NULL && strstr(got, "Volume id: config-2") != NULL);
        free(got);
    }
    /* A VM name that would leave the config directory is refused. */
    CU_ASSERT_EQUAL(hu()->create_config_drive(&F.host, "../vm-7", files, 3, iso, sizeof(iso), &e),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(hu()->create_config_drive(&F.host, "vm-8", files + 1, 2, iso, sizeof(iso), &e),
                    SP_E_INVALID);
}

int main(void)
{
    static const hs_test tests[] = {
        {"connect: device present, read back, gone after revoke", test_connect_present},
        {"connect: a late device appears through rescan", test_connect_rescan},
        {"connect: timeout names volume, SDC, host and wait", test_connect_timeout},
        {"connect: an ungranted volume times out", test_connect_not_granted},
        {"connect: without drv_cfg the device is found by id", test_connect_fallback},
        {"disconnect: waits for the device to go", test_disconnect_waits},
        {"bad arguments", test_bad_arguments},
        {"config drive ISO contents", test_config_drive},
        {NULL, NULL}};
    int rc;

    adfix_start(&F, NULL, NULL);
    rc = hs_main("adaptor devices", tests);
    adfix_stop(&F);
    return rc;
}
