/* test_crypt.c - encrypted volumes through the ABI against two simulators: a thin volume made
 * QCOW2+LUKS and a thick one LUKS at CloudStack's usable size, a template written into one, the
 * disk grown after the volume grew, a copy to the other system read back through the key, a volume
 * in use refused, and no key file left in the host cache. The guest's view is read with qemu-img
 * dd through a key file of the test's own. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define PASS "vP3bq9Zs0k2LwX7yR1tN8mC4uH6eJ5aG0dF2iK9oQ3sT7vW1xY4zB6nM8pL0rE2j"

static adfix F;
static char keyfile[1024];

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}

static sp_encryption enc(uint64_t usable)
{
    sp_encryption e = {SP_SIZED(sp_encryption), .passphrase = PASS, .passphrase_len = strlen(PASS),
                       .usable_bytes = usable};
    return e;
}

/* The first len bytes the guest of the volume sees: mapped here, read through the key. */
static char *guest_read(int i, const char *path, sp_image_format format, size_t len)
{
    char obj[1200], ifarg[1400], ofarg[1100], count[32], out[1024];
    const char *argv[] = {hs_qemu_img(), "dd",     "--object", obj,   "--image-opts", "-O",
                          "raw",         "bs=512", count,      ifarg, ofarg,          NULL};
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    char *data = NULL, *o;

    if (adfix_grant(&F, i, path, &F.host) != 0)
        return NULL;
    if (ad()->connect_volume(F.pool[i], &(sp_volume_ref){path}, &F.host, &d, &e) == SP_OK) {
        snprintf(obj, sizeof(obj), "secret,id=sec0,format=raw,file=%s", keyfile);
        snprintf(ifarg, sizeof(ifarg), "if=driver=%s,%s=sec0,file.filename=%s",
                 format == SP_FORMAT_QCOW2 ? "qcow2" : "luks",
                 format == SP_FORMAT_QCOW2 ? "encrypt.key-secret" : "key-secret", d.path);
        snprintf(out, sizeof(out), "%s/guest.out", F.dir);
        unlink(out);
        snprintf(ofarg, sizeof(ofarg), "of=%s", out);
        snprintf(count, sizeof(count), "count=%zu", len / 512);
        o = hs_run(argv);
        free(o);
        data = hs_read(out, NULL);
    }
    adfix_revoke(&F, i, path, &F.host);
    ad()->disconnect_volume(F.pool[i], &(sp_volume_ref){path}, &F.host, &e);
    return data;
}

static int key_dirs_left(void)
{
    DIR *d = opendir(F.cache);
    struct dirent *de;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        n += strncmp(de->d_name, "pfx-key.", 8) == 0;
    closedir(d);
    return n;
}

static int file_starts_with(const char *path, const char *magic, size_t n)
{
    char buf[16] = "";
    FILE *f = fopen(path, "rb");
    size_t got = f != NULL ? fread(buf, 1, n, f) : 0;

    if (f != NULL)
        fclose(f);
    return got == n && memcmp(buf, magic, n) == 0;
}

static void test_format_thin_with_template(void)
{
    char img[1100], data[1024];
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", img, "64M", NULL};
    const char *fill[] = {hs_qemu_io(), "-f", "qcow2", "-c", "write -q -P 0x3c 1M 1M", img, NULL};
    sp_image_source src = {SP_SIZED(sp_image_source), .format = SP_FORMAT_QCOW2, .path = img};
    sp_encryption en = enc(0);
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    int maps = -1;
    char *out, *got;

    snprintf(img, sizeof(img), "%s/tmpl.qcow2", F.dir);
    out = hs_run(create);
    free(out);
    out = hs_run(fill);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    free(out);
    if (adfix_create(&F, 0, SP_VOLUME_ROOT, 401, 8 * ADFIX_GIB, &v) != 0)
        return;
    CU_ASSERT_EQUAL_FATAL(
        ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &en, &src, NULL, &d, &e), SP_OK);
    CU_ASSERT_EQUAL(d.format, SP_FORMAT_QCOW2);
    CU_ASSERT_EQUAL(d.size_bytes, UINT64_C(8454111232)); /* CloudStack's usable size of 8 GiB */
    CU_ASSERT_EQUAL(key_dirs_left(), 0);
    /* unmapped again; on the array the volume holds a QCOW2 header, the data only encrypted */
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, adfix_id(v.path), &maps, data, sizeof(data)));
    CU_ASSERT_EQUAL(maps, 0);
    CU_ASSERT_TRUE(file_starts_with(data, "QFI\xfb", 4));
    got = guest_read(0, v.path, d.format, 2 * MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL((unsigned char)got[MIB], 0x3c);
    CU_ASSERT_EQUAL((unsigned char)got[2 * MIB - 1], 0x3c);
    CU_ASSERT_EQUAL((unsigned char)got[0], 0);
    free(got);

    /* grown with the volume */
    {
        sp_volume_info r = SP_INIT(sp_volume_info);
        CU_ASSERT_EQUAL(
            F.sp->driver->resize_volume(F.pool[0], &(sp_volume_ref){v.path}, 16 * ADFIX_GIB, &r, &e), SP_OK);
        CU_ASSERT_EQUAL(ad()->grow_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &en, &d, &e),
                        SP_OK);
        CU_ASSERT_EQUAL(d.size_bytes, 16 * ADFIX_GIB - 128 * MIB - 16 * UINT64_C(200704));
        got = guest_read(0, v.path, d.format, 2 * MIB);
        CU_ASSERT(got != NULL && (unsigned char)got[MIB] == 0x3c);
        free(got);
    }

    /* copied to the other system: the same passphrase and usable size, what the guest saw */
    {
        sp_volume_spec spec = {
            SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_ROOT, .id = 402,
            .parent_id = 0,           .size_bytes = 0,        .provisioning = SP_PROVISION_THIN};
        sp_volume_info t = SP_INIT(sp_volume_info);
        CU_ASSERT_EQUAL_FATAL(ad()->copy_volume_across_encrypted(F.pool[0], &(sp_volume_ref){v.path},
                                                                 F.pool[1], &spec, &F.host, &en, NULL, &t,
                                                                 &e),
                              SP_OK);
        got = guest_read(1, t.path, SP_FORMAT_QCOW2, 2 * MIB);
        CU_ASSERT_PTR_NOT_NULL_FATAL(got);
        CU_ASSERT_EQUAL((unsigned char)got[MIB], 0x3c);
        free(got);
        CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
        CU_ASSERT_EQUAL(key_dirs_left(), 0);
        adfix_delete(&F, 1, t.path);
    }
    adfix_delete(&F, 0, v.path);
}

static void test_thick_and_refusals(void)
{
    sp_volume_spec spec = {
        SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA,      .id = 403,
        .parent_id = 0,           .size_bytes = 8 * ADFIX_GIB, .provisioning = SP_PROVISION_THICK};
    sp_encryption en = enc(0), bad = enc(0);
    sp_volume_info v = SP_INIT(sp_volume_info);
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    char data[1024];
    int maps;

    CU_ASSERT_EQUAL_FATAL(F.sp->driver->create_volume(F.pool[0], &spec, &v, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(
        ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &en, NULL, NULL, &d, &e), SP_OK);
    CU_ASSERT_EQUAL(d.format, SP_FORMAT_LUKS);
    CU_ASSERT(d.size_bytes > 8 * ADFIX_GIB - 16 * MIB && d.size_bytes < 8 * ADFIX_GIB);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, adfix_id(v.path), &maps, data, sizeof(data)));
    CU_ASSERT_TRUE(file_starts_with(data, "LUKS\xba\xbe", 6));
    /* in use on the host (mapped for a guest): not formatted over */
    CU_ASSERT_EQUAL(adfix_grant(&F, 0, v.path, &F.host), 0);
    CU_ASSERT_EQUAL(
        ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &en, NULL, NULL, &d, &e),
        SP_E_BUSY);
    adfix_revoke(&F, 0, v.path, &F.host);
    ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &e);
    /* no passphrase */
    bad.passphrase_len = 0;
    CU_ASSERT_EQUAL(
        ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &bad, NULL, NULL, &d, &e),
        SP_E_INVALID);
    /* smaller than sp_encryption was added with: the growth rule's SP_E_VERSION */
    bad = enc(0);
    bad.struct_size = 4;
    CU_ASSERT_EQUAL(
        ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &bad, NULL, NULL, &d, &e),
        SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "sp_encryption"));
    /* a template larger than what the disk holds after its headers (8 GiB less CloudStack's room) */
    {
        char big[1100], *o;
        const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "qcow2", big, "8500000000", NULL};
        sp_image_source src = {SP_SIZED(sp_image_source), .format = SP_FORMAT_QCOW2, .path = big};
        snprintf(big, sizeof(big), "%s/big.qcow2", F.dir);
        o = hs_run(create);
        free(o);
        CU_ASSERT_EQUAL(
            ad()->format_encrypted(F.pool[0], &(sp_volume_ref){v.path}, &F.host, &en, &src, NULL, &d, &e),
            SP_E_NO_SPACE);
        CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "make the volume larger"));
    }
    CU_ASSERT_EQUAL(key_dirs_left(), 0);
    adfix_delete(&F, 0, v.path);
}

int main(void)
{
    static const hs_test tests[] = {
        {"thin: QCOW2+LUKS with a template, grown, copied to another system", test_format_thin_with_template},
        {"thick: LUKS; a volume in use and bad encryption refused", test_thick_and_refusals},
        {NULL, NULL}};
    int rc;
    FILE *f;

    adfix_start(&F, NULL, NULL);
    snprintf(keyfile, sizeof(keyfile), "%s/test.key", F.dir);
    f = fopen(keyfile, "w");
    if (f == NULL)
        return 99;
    fputs(PASS, f);
    fclose(f);
    rc = hs_main("adaptor encrypted volumes", tests);
    adfix_stop(&F);
    return rc;
}
