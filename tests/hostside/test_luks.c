/* test_luks.c - encrypted disks made by qemu-img on sparse files standing for PowerFlex devices:
 * CloudStack's usable size, the key file (private, gone afterwards, never on a command line),
 * QCOW2+LUKS and LUKS formats read back through the key, an image written in, a grown disk, a
 * copy between two disks compared, and a wrong passphrase refused. */
#include "config.h"

#include "hs_util.h"

#include "luks.h"
#include "qemuimg.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define PASS "0JtYl5cT7qkq1Tq3p4uV2xW8zA9bC0dE1fG2hI3jK4lM5nO6pQ7rS8tU9vW0xY1z"

static char *root;
static char wrapper[1024], argv_log[1024];

static pfx_secret *passphrase(const char *s)
{
    pfx_secret *p = pfx_secret_from_str(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    return p;
}

static uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* What a guest reads: len bytes at 0 through the key (qemu-img dd), into a file; its content. */
static char *guest_read(const char *dev, pfx_luks_kind kind, const pfx_luks_key *k, size_t len)
{
    char obj[1200], opts[1200], ifarg[1300], ofarg[1100], count[32], out[1024];
    const char *argv[] = {hs_qemu_img(), "dd",     "--object", obj,   "--image-opts", "-O",
                          "raw",         "bs=512", count,      ifarg, ofarg,          NULL};
    char *got, *data;
    sp_error e;

    snprintf(obj, sizeof(obj), "secret,id=sec0,format=raw,file=%s", k->file);
    CU_ASSERT_EQUAL_FATAL(pfx_luks_image_opts(dev, kind, opts, sizeof(opts), &e), SP_OK);
    snprintf(ifarg, sizeof(ifarg), "if=%s", opts);
    snprintf(out, sizeof(out), "%s/read.out", root);
    unlink(out);
    snprintf(ofarg, sizeof(ofarg), "of=%s", out);
    snprintf(count, sizeof(count), "count=%zu", len / 512);
    got = hs_run(argv);
    free(got);
    data = hs_read(out, NULL);
    return data;
}

static void test_usable(void)
{
    CU_ASSERT_EQUAL(pfx_luks_usable(8 * GIB), UINT64_C(8454111232));
    CU_ASSERT_EQUAL(pfx_luks_usable(16 * GIB), 16 * GIB - 128 * MIB - 16 * UINT64_C(200704));
    CU_ASSERT_EQUAL(pfx_luks_usable(64 * MIB), 0);
}

static void test_key_file(void)
{
    pfx_secret *p = passphrase(PASS);
    pfx_luks_key k;
    struct stat sb;
    char *text;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_OK);
    CU_ASSERT_EQUAL(stat(k.dir, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 0777, 0700);
    CU_ASSERT_EQUAL(stat(k.file, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
    text = hs_read(k.file, NULL);
    CU_ASSERT_STRING_EQUAL(text, PASS);
    free(text);
    pfx_luks_key_close(&k);
    CU_ASSERT_NOT_EQUAL(access(hs_path(root, "cache"), F_OK), -1);
    CU_ASSERT_EQUAL(stat(k.dir[0] ? k.dir : hs_path(root, "cache/none"), &sb), -1);
    pfx_secret_free(p);
    p = passphrase("");
    CU_ASSERT_EQUAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_E_INVALID);
    pfx_secret_free(p);
}

static void test_qcow2(void)
{
    pfx_secret *p = passphrase(PASS);
    char *dev = strdup(hs_path(root, "qdev")), *img = strdup(hs_path(root, "img.raw")), *data, *got, *args;
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "raw", img, "64M", NULL};
    pfx_luks_kind kind;
    pfx_luks_key k;
    uint64_t size;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(hs_sparse(dev, 8 * GIB), 0);
    CU_ASSERT_EQUAL_FATAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(pfx_luks_format(dev, PFX_LUKS_QCOW2, pfx_luks_usable(8 * GIB), &k, &e), SP_OK);
    CU_ASSERT_EQUAL(file_size(dev), 8 * GIB); /* a file standing for a device keeps its length */
    CU_ASSERT_EQUAL(pfx_luks_probe(dev, &kind, &e), SP_OK);
    CU_ASSERT_EQUAL(kind, PFX_LUKS_QCOW2);
    CU_ASSERT_EQUAL(pfx_luks_size(dev, kind, &k, &size, &e), SP_OK);
    CU_ASSERT_EQUAL(size, UINT64_C(8454111232));
    /* an image written in reads back through the key, not on the raw device */
    data = hs_run(create);
    free(data);
    CU_ASSERT_EQUAL(hs_fill(img, 0, MIB, 0x5a), 0);
    CU_ASSERT_EQUAL(pfx_luks_convert(img, SP_FORMAT_RAW, PFX_LUKS_NONE, dev, PFX_LUKS_QCOW2, &k, 0, NULL, &e),
                    SP_OK);
    got = guest_read(dev, kind, &k, MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL((unsigned char)got[0], 0x5a);
    CU_ASSERT_EQUAL((unsigned char)got[MIB - 1], 0x5a);
    free(got);
    /* grown after the array grew the volume */
    CU_ASSERT_EQUAL(truncate(dev, (off_t)(16 * GIB)), 0);
    CU_ASSERT_EQUAL(pfx_luks_grow(dev, kind, pfx_luks_usable(16 * GIB), &k, &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_size(dev, kind, &k, &size, &e), SP_OK);
    CU_ASSERT_EQUAL(size, pfx_luks_usable(16 * GIB));
    /* the passphrase never was an argument: only the key file was named */
    args = hs_read(argv_log, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(args);
    CU_ASSERT_PTR_NULL(strstr(args, PASS));
    CU_ASSERT_PTR_NOT_NULL(strstr(args, "secret,id=sec0,format=raw,file="));
    free(args);
    pfx_luks_key_close(&k);
    pfx_secret_free(p);
    /* the wrong passphrase opens nothing, and is not in the message either */
    p = passphrase("not-the-passphrase-4711");
    CU_ASSERT_EQUAL_FATAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_convert(img, SP_FORMAT_RAW, PFX_LUKS_NONE, dev, PFX_LUKS_QCOW2, &k, 0, NULL, &e),
                    SP_E_IO);
    CU_ASSERT_PTR_NULL(strstr(e.message, "not-the-passphrase-4711"));
    pfx_luks_key_close(&k);
    pfx_secret_free(p);
    free(dev);
    free(img);
}

/* qemu-img fails to time its key derivation now and then, and then deletes what it was creating:
 * the device (here a link to a data file, as the simulator's) is never handed to it. */
static void test_retry_keeps_device(void)
{
    pfx_secret *p = passphrase(PASS);
    char *data = strdup(hs_path(root, "volume.img")), *dev = strdup(hs_path(root, "emc-vol-link"));
    char target[1024];
    pfx_luks_kind kind;
    pfx_luks_key k;
    uint64_t size;
    ssize_t n;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(hs_sparse(data, 8 * GIB), 0);
    CU_ASSERT_EQUAL_FATAL(symlink(data, dev), 0);
    CU_ASSERT_EQUAL(hs_write_str(hs_path(root, "fail-once"), ""), 0);
    CU_ASSERT_EQUAL_FATAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_format(dev, PFX_LUKS_QCOW2, pfx_luks_usable(8 * GIB), &k, &e), SP_OK);
    CU_ASSERT_NOT_EQUAL(access(hs_path(root, "fail-once"), F_OK), 0); /* it did fail once */
    n = readlink(dev, target, sizeof(target) - 1);
    CU_ASSERT_FATAL(n > 0);
    target[n] = '\0';
    CU_ASSERT_STRING_EQUAL(target, data);
    CU_ASSERT_EQUAL(file_size(data), 8 * GIB);
    CU_ASSERT_EQUAL(pfx_luks_probe(data, &kind, &e), SP_OK);
    CU_ASSERT_EQUAL(kind, PFX_LUKS_QCOW2);
    CU_ASSERT_EQUAL(pfx_luks_size(dev, kind, &k, &size, &e), SP_OK);
    CU_ASSERT_EQUAL(size, pfx_luks_usable(8 * GIB));
    pfx_luks_key_close(&k);
    pfx_secret_free(p);
    free(data);
    free(dev);
}

static void test_raw_and_copy(void)
{
    pfx_secret *p = passphrase(PASS);
    char *a = strdup(hs_path(root, "ldev")), *q1 = strdup(hs_path(root, "q1")),
         *q2 = strdup(hs_path(root, "q2"));
    char *img = strdup(hs_path(root, "img2.raw")), *got, *out;
    const char *create[] = {hs_qemu_img(), "create", "-q", "-f", "raw", img, "16M", NULL};
    pfx_luks_kind kind;
    pfx_luks_key k;
    uint64_t size;
    int same = 0;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_luks_key_open(hs_path(root, "cache"), p, &k, &e), SP_OK);
    /* LUKS (thick): the guest sees the device less the header */
    CU_ASSERT_EQUAL_FATAL(hs_sparse(a, GIB), 0);
    CU_ASSERT_EQUAL_FATAL(pfx_luks_format(a, PFX_LUKS_RAW, pfx_luks_usable(GIB), &k, &e), SP_OK);
    CU_ASSERT_EQUAL(file_size(a), GIB);
    CU_ASSERT_EQUAL(pfx_luks_probe(a, &kind, &e), SP_OK);
    CU_ASSERT_EQUAL(kind, PFX_LUKS_RAW);
    CU_ASSERT_EQUAL(pfx_luks_size(a, kind, &k, &size, &e), SP_OK);
    CU_ASSERT(size > GIB - 16 * MIB && size < GIB);
    /* a copy between two QCOW2 disks of one size, compared through the key */
    CU_ASSERT_EQUAL_FATAL(hs_sparse(q1, 8 * GIB), 0);
    CU_ASSERT_EQUAL_FATAL(hs_sparse(q2, 8 * GIB), 0);
    CU_ASSERT_EQUAL(pfx_luks_format(q1, PFX_LUKS_QCOW2, pfx_luks_usable(8 * GIB), &k, &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_format(q2, PFX_LUKS_QCOW2, pfx_luks_usable(8 * GIB), &k, &e), SP_OK);
    out = hs_run(create);
    free(out);
    CU_ASSERT_EQUAL(hs_fill(img, 4 * MIB, MIB, 0x77), 0);
    CU_ASSERT_EQUAL(pfx_luks_convert(img, SP_FORMAT_RAW, PFX_LUKS_NONE, q1, PFX_LUKS_QCOW2, &k, 0, NULL, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_compare(q1, PFX_LUKS_QCOW2, q2, PFX_LUKS_QCOW2, &k, NULL, &same, &e), SP_OK);
    CU_ASSERT_FALSE(same);
    CU_ASSERT_EQUAL(pfx_luks_convert(q1, SP_FORMAT_RAW, PFX_LUKS_QCOW2, q2, PFX_LUKS_QCOW2, &k, 0, NULL, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(pfx_luks_compare(q1, PFX_LUKS_QCOW2, q2, PFX_LUKS_QCOW2, &k, NULL, &same, &e), SP_OK);
    CU_ASSERT_TRUE(same);
    got = guest_read(q2, PFX_LUKS_QCOW2, &k, 8 * MIB);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_EQUAL((unsigned char)got[4 * MIB], 0x77);
    CU_ASSERT_EQUAL((unsigned char)got[0], 0); /* never written: zeros, not decrypted noise */
    free(got);
    /* the copy stayed sparse: only what the guest wrote (and metadata) takes room */
    {
        struct stat sb;
        CU_ASSERT_EQUAL(stat(q2, &sb), 0);
        CU_ASSERT((uint64_t)sb.st_blocks * 512 < 64 * MIB);
    }
    /* not encrypted: neither kind */
    CU_ASSERT_EQUAL(pfx_luks_probe(img, &kind, &e), SP_OK);
    CU_ASSERT_EQUAL(kind, PFX_LUKS_NONE);
    pfx_luks_key_close(&k);
    pfx_secret_free(p);
    free(a);
    free(q1);
    free(q2);
    free(img);
}

int main(void)
{
    static const hs_test tests[] = {
        {"CloudStack's usable size", test_usable},
        {"the key file: private, removed", test_key_file},
        {"QCOW2+LUKS: format, probe, size, image in, grow, argv, wrong passphrase", test_qcow2},
        {"LUKS, and a copy between encrypted disks compared", test_raw_and_copy},
        {"a failing qemu-img create never touches the device", test_retry_keeps_device},
        {NULL, NULL},
    };
    int rc;
    FILE *f;

    if (hs_qemu_img() == NULL)
        return 77;
    root = hs_mkdtemp("luks");
    /* qemu-img through a wrapper that records its arguments */
    snprintf(wrapper, sizeof(wrapper), "%s/qemu-img", root);
    snprintf(argv_log, sizeof(argv_log), "%s/argv.log", root);
    f = fopen(wrapper, "w");
    if (f == NULL)
        return 99;
    /* With <root>/fail-once present, the next create fails as qemu-img does when it cannot time its
     * key derivation: it deletes the file it was making (the argument before the size). */
    fprintf(f,
            "#!/bin/sh\nprintf '%%s\\n' \"$*\" >> '%s'\n"
            "if [ \"$1\" = create ] && [ -f '%s/fail-once' ]; then\n"
            "  rm -f '%s/fail-once'\n"
            "  for a in \"$@\"; do prev=$last; last=$a; done\n"
            "  rm -f \"$prev\"\n"
            "  echo \"qemu-img: $prev: Unable to get accurate CPU usage\" >&2\n"
            "  exit 1\n"
            "fi\n"
            "exec '%s' \"$@\"\n",
            argv_log, root, root, hs_qemu_img());
    fclose(f);
    chmod(wrapper, 0755);
    pfx_qemuimg_set_program(wrapper);
    rc = hs_main("encrypted disks", tests);
    hs_rmtree(root);
    free(root);
    return rc;
}
