/* test_blockdev.c - the Adaptor on real block devices: both simulated systems make their device
 * entries loop devices (--loop-devices), so what a KVM host has (/dev/disk/by-id/emc-vol-* ->
 * /dev/scini*) is what the plugin, blockdev and qemu-img meet: a device whose stat size is 0 and
 * whose size the kernel tells (BLKGETSIZE64). Connect reports that size, blockdev and qemu-img (as
 * raw) read the device, a QCOW2 template is converted onto one, and a copy across systems (qemu-img
 * convert onto the target device, CloudStack's way) is verified byte for byte. Skips (77) where this process
 * cannot make loop devices (not root, or a container without /dev/loop*). */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

static adfix F;

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}

/* Whether this process can make a loop device, as the simulator will. */
static int loop_devices_usable(char *why, size_t len)
{
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);

    if (ctl < 0) {
        snprintf(why, len, "cannot open /dev/loop-control (%s)", strerror(errno));
        return 0;
    }
    if (ioctl(ctl, 0x4C82 /* LOOP_CTL_GET_FREE */) < 0) {
        snprintf(why, len, "no free loop device (%s)", strerror(errno));
        close(ctl);
        return 0;
    }
    close(ctl);
    return 1;
}

static const char *program(const char *name, char *buf, size_t len)
{
    static const char *const dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL};

    for (size_t i = 0; dirs[i] != NULL; i++) {
        snprintf(buf, len, "%s/%s", dirs[i], name);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return NULL;
}

/* A volume of system i granted to and connected on this host. */
static int connected(int i, uint64_t id, sp_volume_info *vol, sp_disk_info *disk)
{
    sp_error e;

    if (adfix_create(&F, i, SP_VOLUME_DATA, id, 8 * ADFIX_GIB, vol) != 0 ||
        adfix_grant(&F, i, vol->path, &F.host) != 0)
        return -1;
    if (ad()->connect_volume(F.pool[i], &(sp_volume_ref){vol->path}, &F.host, disk, &e) != SP_OK) {
        fprintf(stderr, "connect: %s\n", e.message);
        return -1;
    }
    return 0;
}

static void release(int i, const sp_volume_info *vol)
{
    sp_error e;

    adfix_revoke(&F, i, vol->path, &F.host);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[i], &(sp_volume_ref){vol->path}, &F.host, &e), SP_OK);
    adfix_delete(&F, i, vol->path);
}

static void test_connect_sizes(void)
{
    char tool[256], dev[SP_PATH_MAX];
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_disk_info disk = SP_INIT(sp_disk_info);
    struct stat sb;
    char *out;

    CU_ASSERT_EQUAL_FATAL(connected(0, 600, &vol, &disk), 0);
    /* A block device: stat says 0 bytes, the kernel says 8 GiB, and so does the plugin. */
    CU_ASSERT_EQUAL_FATAL(stat(disk.path, &sb), 0);
    CU_ASSERT_TRUE(S_ISBLK(sb.st_mode));
    CU_ASSERT_EQUAL(sb.st_size, 0);
    CU_ASSERT_EQUAL(disk.size_bytes, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(disk.format, SP_FORMAT_RAW);
    CU_ASSERT_PTR_NOT_NULL(realpath(disk.path, dev));
    CU_ASSERT(strncmp(dev, "/dev/loop", 9) == 0);
    /* What CloudStack's agent runs on it. */
    if (program("blockdev", tool, sizeof(tool)) != NULL) {
        const char *argv[] = {tool, "--getsize64", disk.path, NULL};
        out = hs_run(argv);
        CU_ASSERT_PTR_NOT_NULL(out);
        CU_ASSERT_EQUAL(out != NULL ? strtoull(out, NULL, 10) : 0, 8 * ADFIX_GIB);
        free(out);
    }
    {
        const char *argv[] = {hs_qemu_img(), "info", "-f", "raw", "--output=json", disk.path, NULL};
        out = hs_run(argv);
        CU_ASSERT_PTR_NOT_NULL(out);
        CU_ASSERT_PTR_NOT_NULL(out != NULL ? strstr(out, "\"virtual-size\": 8589934592") : NULL);
        free(out);
    }
    /* Written through the device, read back from the array's data file. */
    CU_ASSERT_EQUAL(adfix_write_pattern(disk.path, 3 * MIB, MIB, 7), 0);
    {
        char file[1024];
        int maps;
        CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 0, vol.id, &maps, file, sizeof(file)));
        CU_ASSERT_TRUE(adfix_check_pattern(file, 3 * MIB, MIB, 7));
    }
    release(0, &vol);
    /* The entry is gone with the mapping, and the loop device with it. */
    CU_ASSERT_NOT_EQUAL(access(disk.path, F_OK), 0);
}

/* CloudStack's other qemu-img use: a QCOW2 template converted onto the volume's device. */
static void test_image_onto_device(void)
{
    char *dir = hs_mkdtemp("blockdev"), qcow[600], file[1024];
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", qcow, "64M", NULL};
    const char *fill[] = {
        hs_qemu_io(), "-f", "qcow2", "-c", "write -q -P 0xab 0 1M", "-c", "write -q -P 0x5c 40M 2M",
        qcow,         NULL};
    sp_image_source src = {SP_SIZED(sp_image_source), .path = qcow, .format = SP_FORMAT_QCOW2};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_error e;
    sp_status st;
    char *out;
    int maps;

    snprintf(qcow, sizeof(qcow), "%s/t.qcow2", dir);
    out = hs_run(create);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    free(out);
    out = hs_run(fill);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    free(out);
    CU_ASSERT_EQUAL_FATAL(adfix_create(&F, 0, SP_VOLUME_TEMPLATE, 620, 64 * MIB, &vol), 0);
    st = ad()->copy_image_to_volume(F.pool[0], &src, &(sp_volume_ref){vol.path}, &F.host, NULL, &e);
    if (st != SP_OK)
        fprintf(stderr, "copy_image_to_volume: %s\n", e.message);
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 0, vol.id, &maps, file, sizeof(file)));
    CU_ASSERT_EQUAL(maps, 0);
    {
        const char *cmp[] = {hs_qemu_img(), "compare", "-q", "-f", "qcow2", "-F", "raw", qcow, file, NULL};
        unsigned char buf[4096];
        int fd = open(file, O_RDONLY);
        out = hs_run(cmp);           /* the data file's first 64 MiB hold the image; past them, zeros */
        CU_ASSERT_PTR_NOT_NULL(out); /* exit 0: the same content */
        CU_ASSERT(fd >= 0 && pread(fd, buf, sizeof(buf), 40 * MIB) == (ssize_t)sizeof(buf) &&
                  buf[0] == 0x5c && buf[4095] == 0x5c);
        if (fd >= 0)
            close(fd);
        free(out);
    }
    adfix_delete(&F, 0, vol.path);
    hs_rmtree(dir);
    free(dir);
}

static void test_copy_across_devices(void)
{
    sp_volume_info src = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    char sfile[1024], tfile[1024];
    sp_error e;
    int maps;
    sp_status st;

    CU_ASSERT_EQUAL_FATAL(connected(0, 610, &src, &d), 0);
    CU_ASSERT_EQUAL(adfix_write_pattern(d.path, 0, 2 * MIB, 11), 0);
    CU_ASSERT_EQUAL(adfix_write_pattern(d.path, 5 * ADFIX_GIB, MIB, 12), 0);
    adfix_revoke(&F, 0, src.path, &F.host);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){src.path}, &F.host, &e), SP_OK);

    spec.kind = SP_VOLUME_DATA;
    spec.id = 611;
    spec.size_bytes = 8 * ADFIX_GIB;
    spec.provisioning = SP_PROVISION_THIN;
    /* Both sides are block devices: qemu-img convert -n writes the target, then both are read. */
    st = ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[1], &spec, &F.host, NULL,
                                  &out, &e);
    if (st != SP_OK)
        fprintf(stderr, "copy: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 0, src.id, &maps, sfile, sizeof(sfile)));
    CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 1, out.id, &maps, tfile, sizeof(tfile)));
    CU_ASSERT_EQUAL(maps, 0);
    CU_ASSERT_TRUE(adfix_check_pattern(tfile, 0, 2 * MIB, 11));
    CU_ASSERT_TRUE(adfix_check_pattern(tfile, 5 * ADFIX_GIB, MIB, 12));
    CU_ASSERT_TRUE(adfix_same_content(sfile, tfile, 8 * ADFIX_GIB, NULL));
    adfix_delete(&F, 1, out.path);
    adfix_delete(&F, 0, src.path);
}

int main(void)
{
    static const hs_test tests[] = {
        {"connect: a block device's size from the kernel; blockdev, qemu-img agree", test_connect_sizes},
        {"copy across systems onto a block device, verified", test_copy_across_devices},
        {"a QCOW2 template converted onto a block device", test_image_onto_device},
        {NULL, NULL}};
    const char *extra[] = {"--loop-devices", NULL};
    char why[256];
    int rc;

    if (geteuid() != 0)
        snprintf(why, sizeof(why), "not root");
    if (geteuid() != 0 || !loop_devices_usable(why, sizeof(why))) {
        fprintf(stderr, "test_blockdev: loop devices cannot be made here (%s); skipping\n", why);
        return 77;
    }
    adfix_start(&F, extra, extra);
    rc = hs_main("adaptor block devices", tests);
    adfix_stop(&F);
    return rc;
}
