/* test_imageinspect.c - the image inspector on headers crafted here byte by byte: every format's
 * signature against every declared format, QCOW2's backing file, data file, feature bits,
 * encryption and header extensions, VMDK's descriptor rules, hidden second headers, ISO, and the
 * file reader's refusals (/proc, /dev, FIFOs, directories, symlinks). */
#include "config.h"

#include "hs_util.h"

#include "imageinspect.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

static uint8_t *img; /* a scratch image of up to 2 MiB */
static size_t img_len;
static sp_error err;
static pfx_image_report rep;

static void put_be32(size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        img[off + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_be64(size_t off, uint64_t v)
{
    put_be32(off, (uint32_t)(v >> 32));
    put_be32(off + 4, (uint32_t)v);
}

static void put_le32(size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        img[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(size_t off, uint64_t v)
{
    put_le32(off, (uint32_t)v);
    put_le32(off + 4, (uint32_t)(v >> 32));
}

static void put(size_t off, const char *s, size_t n)
{
    memcpy(img + off, s, n);
}

static void blank(size_t len)
{
    memset(img, 0, 2 * MIB);
    img_len = len;
}

static sp_status inspect(pfx_image_kind declared, unsigned flags)
{
    memset(&err, 0, sizeof(err));
    return pfx_image_inspect_buf(img, img_len, img_len, declared, flags, &rep, &err);
}

/* The status and that the message says `why`. */
static int refused(pfx_image_kind declared, const char *why)
{
    sp_status st = inspect(declared, 0);

    if (st != SP_E_INVALID || err.status != SP_E_INVALID || strstr(err.message, why) == NULL) {
        fprintf(stderr, "\n    wanted a refusal saying \"%s\", got status %d: %s\n", why, (int)st,
                err.message);
        return 0;
    }
    return 1;
}

/* A clean QCOW2 header as qemu-img writes it: 64 KiB clusters, 1 GiB. */
static void qcow2(uint32_t version)
{
    blank(256 * 1024);
    put(0, "QFI\xfb", 4);
    put_be32(4, version);
    put_be32(20, 16);
    put_be64(24, (uint64_t)1 << 30);
    if (version == 3) {
        put_be32(96, 4);
        put_be32(100, 112);
    }
}

static void test_raw(void)
{
    blank(4096);
    memcpy(img, "an MBR, a file system, anything", 31);
    img[510] = 0x55;
    img[511] = 0xaa;
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_RAW, 0), SP_OK);
    CU_ASSERT_EQUAL(rep.kind, PFX_IMAGE_RAW);
    CU_ASSERT_EQUAL(rep.virtual_size, 4096);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "it has no QCOW2 header: it is not a QCOW2 image as declared"));
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "no VMDK header"));
    CU_ASSERT_TRUE(refused(PFX_IMAGE_ISO, "no ISO 9660 signature"));
    blank(0);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_RAW, 0), SP_OK);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "no QCOW2 header"));
}

/* Every other format's signature in a file declared RAW (or QCOW2) is refused, and named. */
static void test_foreign_headers(void)
{
    static const struct {
        size_t off;
        const char *magic;
        size_t n;
        pfx_image_kind kind;
        const char *name;
    } sigs[] = {
        {0, "QFI\xfb\0\0\0\x02", 8, PFX_IMAGE_QCOW2, "QCOW2"},
        {0, "QFI\xfb\0\0\0\x01", 8, PFX_IMAGE_QCOW1, "QCOW (version 1)"},
        {0, "QED\0", 4, PFX_IMAGE_QED, "QED"},
        {0, "KDMV", 4, PFX_IMAGE_VMDK, "VMDK"},
        {0, "COWD", 4, PFX_IMAGE_VMDK, "VMDK"},
        {0, "# Disk DescriptorFile\n", 22, PFX_IMAGE_VMDK, "VMDK"},
        {0, "# anything\n\nversion=1\n", 22, PFX_IMAGE_VMDK, "VMDK"},
        {0, "conectix", 8, PFX_IMAGE_VHD, "VHD"},
        {0, "vhdxfile", 8, PFX_IMAGE_VHDX, "VHDX"},
        {0, "LUKS\xba\xbe", 6, PFX_IMAGE_LUKS, "LUKS"},
        {0, "Bochs Virtual HD Image", 22, PFX_IMAGE_BOCHS, "Bochs"},
        {0, "WithoutFreeSpace", 16, PFX_IMAGE_PARALLELS, "Parallels"},
        {0, "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0", 46, PFX_IMAGE_CLOOP, "cloop"},
        {0x40, "\x7f\x10\xda\xbe", 4, PFX_IMAGE_VDI, "VDI"},
        {0x8001, "CD001", 5, PFX_IMAGE_ISO, "ISO"},
    };
    char want[128];

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        blank(64 * 1024);
        put(sigs[i].off, sigs[i].magic, sigs[i].n);
        snprintf(want, sizeof(want), " %s image, not RAW as declared", sigs[i].name);
        CU_ASSERT_TRUE(refused(PFX_IMAGE_RAW, want));
        CU_ASSERT_EQUAL(rep.kind, sigs[i].kind);
        if (sigs[i].kind != PFX_IMAGE_QCOW2) {
            snprintf(want, sizeof(want), " %s image, not QCOW2 as declared", sigs[i].name);
            CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, want));
        }
        if (sigs[i].kind != PFX_IMAGE_QCOW2 && sigs[i].kind != PFX_IMAGE_VMDK &&
            sigs[i].kind != PFX_IMAGE_ISO)
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "that format is not taken"));
    }
    /* Declaring a format we never take is refused whatever the bytes. */
    blank(4096);
    put(0, "conectix", 8);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VHD, "VHD images are not taken"));
    CU_ASSERT_EQUAL(pfx_image_inspect_buf(img, 10, 10, (pfx_image_kind)99, 0, NULL, &err), SP_E_INVALID);
}

static void test_qcow2_clean(void)
{
    qcow2(2);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, 0), SP_OK);
    CU_ASSERT_EQUAL(rep.kind, PFX_IMAGE_QCOW2);
    CU_ASSERT_EQUAL(rep.virtual_size, (uint64_t)1 << 30);
    qcow2(3);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, 0), SP_OK);
    /* dirty, corrupt and the compression type change nothing qemu-img reads from outside */
    put_be64(72, 0x0b);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, 0), SP_OK);
    /* harmless extensions (backing format, feature names) are walked past */
    put_be32(112, 0x6803f857);
    put_be32(116, 5);
    put(120, "abcde", 5);
    put_be32(128, 0xe2792aca);
    put_be32(132, 3);
    put(136, "raw", 3);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, 0), SP_OK);
    /* the file may end within the first cluster: what is missing reads as zeros to qemu */
    img_len = 4096;
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, 0), SP_OK);
}

static void test_qcow2_backing(void)
{
    qcow2(2);
    put_be64(8, 512);
    put_be32(16, 11);
    put(512, "/etc/shadow", 11);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "names a backing file (\"/etc/shadow\")"));
    /* a name out of the file's bounds is not quoted, still refused */
    put_be64(8, UINT64_C(1) << 40);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "names a backing file (\"\")"));
    qcow2(3);
    put_be64(8, 1024);
    put_be32(16, 4);
    put(1024, "json", 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "backing file"));
}

static void test_qcow2_data_file(void)
{
    qcow2(3);
    put_be64(72, 0x04);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "external data file (incompatible feature bit 2, data-file)"));
    /* the extension alone, after another one */
    qcow2(3);
    put_be32(112, 0x6803f857);
    put_be32(116, 8);
    put_be32(128, 0x44415441);
    put_be32(132, 16);
    put(136, "/root/.ssh/id_ed", 16);
    CU_ASSERT_TRUE(
        refused(PFX_IMAGE_QCOW2, "names an external data file (\"/root/.ssh/id_ed\", header extension"));
    /* in a version 2 header too (extensions follow byte 72) */
    qcow2(2);
    put_be32(72, 0x44415441);
    put_be32(76, 4);
    put(80, "/etc", 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "external data file"));
    /* control characters from the image do not reach the message */
    put(80, "a\nb\"", 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "(\"a?b?\""));
}

static void test_qcow2_features_and_rules(void)
{
    qcow2(3);
    put_be64(72, 0x10); /* extended L2 entries */
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "incompatible feature bits 0x10"));
    put_be64(72, UINT64_C(1) << 63);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "incompatible feature bits 0x8000000000000000"));
    qcow2(3);
    put_be32(32, 1);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "encrypted QCOW2 image (crypt_method 1, AES)"));
    put_be32(32, 2);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "(crypt_method 2, LUKS) and no key was given"));
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_QCOW2, PFX_INSPECT_ALLOW_ENCRYPTED), SP_OK);
    qcow2(4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "version 4; only versions 2 and 3"));
    qcow2(1);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "QCOW (version 1) image, not QCOW2"));
    qcow2(3);
    put_be32(20, 8);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "cluster size 2^8"));
    put_be32(20, 22);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "cluster size 2^22"));
    qcow2(3);
    put_be32(100, 96);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "header length 96"));
    qcow2(3);
    put_be32(20, 9);
    put_be32(100, 1024);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "longer than a cluster"));
    /* an extension whose length runs past the first cluster */
    qcow2(3);
    put_be32(112, 0x12345678);
    put_be32(116, 70000);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "runs past the first cluster"));
    qcow2(3);
    img_len = 80;
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "version 3 header is cut short"));
    img_len = 40;
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "header is cut short"));
    /* a caller that read less than the first cluster of a larger file gets no verdict */
    qcow2(3);
    CU_ASSERT_EQUAL(pfx_image_inspect_buf(img, 4096, 8 * MIB, PFX_IMAGE_QCOW2, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "was not read whole"));
}

/* A monolithicSparse VMDK as qemu-img writes it, with `descriptor` embedded at sector 1. */
static void vmdk(const char *descriptor)
{
    blank(64 * 1024);
    put(0, "KDMV", 4);
    put_le32(4, 1);
    put_le64(12, 2048); /* capacity, sectors */
    put_le64(20, 128);  /* grain */
    put_le64(28, 1);    /* descriptor at sector 1 */
    put_le64(36, 20);   /* 20 sectors of it */
    put(512, descriptor, strlen(descriptor));
}

#define DESC_HEAD "# Disk DescriptorFile\nversion=1\nCID=110542e7\nparentCID=ffffffff\n"
#define DESC_TAIL "# The Disk Data Base\n#DDB\n\nddb.virtualHWVersion = \"4\"\nddb.adapterType = \"ide\"\n"

static void test_vmdk(void)
{
    vmdk(DESC_HEAD
         "createType=\"monolithicSparse\"\n\n# Extent description\nRW 2048 SPARSE \"a.vmdk\"\n\n" DESC_TAIL);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_VMDK, 0), SP_OK);
    CU_ASSERT_EQUAL(rep.virtual_size, 2048 * 512);
    vmdk(DESC_HEAD "createType=\"streamOptimized\"\r\nRW 2048 SPARSE \"b.vmdk\"\r\n" DESC_TAIL);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_VMDK, 0), SP_OK);

    vmdk(DESC_HEAD "createType=\"monolithicFlat\"\nRW 2048 FLAT \"a-flat.vmdk\" 0\n" DESC_TAIL);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "extent on line 6 is of type FLAT"));
    vmdk(DESC_HEAD "createType=\"twoGbMaxExtentSparse\"\nRW 2048 SPARSE \"a-s001.vmdk\"\n" DESC_TAIL);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "createType is twoGbMaxExtentSparse"));
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\nRW 2048 SPARSE \"/etc/shadow\"\n" DESC_TAIL);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "names another file (\"/etc/shadow\")"));
    vmdk(DESC_HEAD
         "createType=\"monolithicSparse\"\nRW 2048 SPARSE \"a.vmdk\"\nRDONLY 2048 SPARSE \"b.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "2 extents"));
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\n" DESC_TAIL);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "0 extents"));
    vmdk(DESC_HEAD
         "createType=\"monolithicSparse\"\ncreateType=\"monolithicFlat\"\nRW 1 SPARSE \"a.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "2 createType lines"));
    vmdk("version=1\nRW 1 SPARSE \"a.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "0 createType lines"));
    /* qemu finds a parent's name anywhere in the text, comments included */
    vmdk(DESC_HEAD
         "createType=\"monolithicSparse\"\n# parentFileNameHint=\"/etc/shadow\"\nRW 1 SPARSE \"a.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "names a parent file"));
    vmdk("version=1\nCID=1\nparentCID=12345678\ncreateType=\"monolithicSparse\"\nRW 1 SPARSE \"a.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "with a parent (parentCID 12345678)"));
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\nRW 1 SPARSE \"a.vmdk\"\nrm -rf /\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "line 7 is neither a setting nor an extent"));
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\nRW SPARSE \"a.vmdk\"\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "has no size"));
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\nRW 1 SPARSE a.vmdk\n");
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "names no file"));

    /* the sparse header's own rules */
    vmdk(DESC_HEAD "createType=\"monolithicSparse\"\nRW 2048 SPARSE \"a.vmdk\"\n");
    put_le64(12, 0);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "capacity 0"));
    put_le64(12, 2048);
    put_le64(28, 0);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "not embedded at sector 1 (sector 0"));
    put_le64(28, 1);
    put_le64(36, 4096);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "not embedded at sector 1"));
    put_le64(36, 2000);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "runs past the end of the file"));
    put_le64(36, 20);
    put_le32(4, 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "version 4"));

    /* a descriptor file, or the old COWD format, never */
    blank(1024);
    put(0, DESC_HEAD "createType=\"monolithicSparse\"\nRW 1 SPARSE \"a.vmdk\"\n",
        strlen(DESC_HEAD "createType=\"monolithicSparse\"\nRW 1 SPARSE \"a.vmdk\"\n"));
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "VMDK descriptor file"));
    blank(1024);
    put(0, "COWD", 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_VMDK, "COWD"));
}

static void test_iso_and_hidden_headers(void)
{
    blank(64 * 1024);
    put(0x8000, "\001CD001\001", 7);
    CU_ASSERT_EQUAL(inspect(PFX_IMAGE_ISO, 0), SP_OK);
    CU_ASSERT_EQUAL(rep.kind, PFX_IMAGE_ISO);
    CU_ASSERT_EQUAL(rep.virtual_size, 64 * 1024);
    /* an ISO is taken only as one */
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "it is an ISO image, not QCOW2 as declared"));
    CU_ASSERT_TRUE(refused(PFX_IMAGE_RAW, "it is an ISO image, not RAW as declared"));
    /* another header at the start of an ISO, or a QCOW2 that also looks like an ISO */
    put(0, "QFI\xfb\0\0\0\x03", 8);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_ISO, "carries both a QCOW2 and an ISO header"));
    CU_ASSERT_TRUE(refused(PFX_IMAGE_QCOW2, "carries both a QCOW2 and an ISO header"));
    put(0, "conectix", 8);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_ISO, "carries both a VHD and an ISO header"));
    blank(64 * 1024);
    put(0x8000, "\001CD001\001", 7);
    put(0x40, "\x7f\x10\xda\xbe", 4);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_ISO, "carries both a VDI and an ISO header"));
    /* the signature must be whole */
    blank(0x8004);
    put(0x8001, "CD0", 3);
    CU_ASSERT_TRUE(refused(PFX_IMAGE_ISO, "no ISO 9660 signature"));
}

static void test_names_and_paths(void)
{
    CU_ASSERT_STRING_EQUAL(pfx_image_kind_name(PFX_IMAGE_QCOW2), "QCOW2");
    CU_ASSERT_STRING_EQUAL(pfx_image_kind_name(PFX_IMAGE_CLOOP), "cloop");
    CU_ASSERT_STRING_EQUAL(pfx_image_kind_name((pfx_image_kind)77), "?");
    CU_ASSERT_TRUE(pfx_image_path_forbidden("/proc"));
    CU_ASSERT_TRUE(pfx_image_path_forbidden("/proc/self/environ"));
    CU_ASSERT_TRUE(pfx_image_path_forbidden("/sys/kernel/x"));
    CU_ASSERT_TRUE(pfx_image_path_forbidden("/dev/shm/img.raw"));
    CU_ASSERT_FALSE(pfx_image_path_forbidden("/devices/img.raw"));
    CU_ASSERT_FALSE(pfx_image_path_forbidden("/procx"));
    CU_ASSERT_FALSE(pfx_image_path_forbidden("/var/lib/images/proc/a.raw"));
    CU_ASSERT_FALSE(pfx_image_path_forbidden("/"));
}

static void test_files(void)
{
    char *dir = hs_mkdtemp("inspect");
    const char *q = strdup(hs_path(dir, "a.qcow2")), *big = strdup(hs_path(dir, "big.raw"));
    const char *fifo = strdup(hs_path(dir, "fifo")), *link = strdup(hs_path(dir, "link.raw"));
    const char *dlink = strdup(hs_path(dir, "dev.raw"));

    qcow2(3);
    CU_ASSERT_FATAL(hs_write(q, (const char *)img, img_len) == 0);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(q, PFX_IMAGE_QCOW2, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(rep.virtual_size, (uint64_t)1 << 30);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(q, PFX_IMAGE_RAW, 0, &rep, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "QCOW2 image, not RAW"));
    /* larger than what is read: the head suffices, the size is the file's */
    CU_ASSERT_FATAL(hs_sparse(big, 5 * MIB + 7) == 0);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(big, PFX_IMAGE_RAW, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(rep.virtual_size, 5 * MIB + 7);
    /* a symlink is followed to what it names, which must pass on its own */
    CU_ASSERT_FATAL(symlink(q, link) == 0 && symlink("/dev/zero", dlink) == 0);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(link, PFX_IMAGE_QCOW2, 0, NULL, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(dlink, PFX_IMAGE_RAW, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "under /proc, /sys or /dev"));
    CU_ASSERT_EQUAL(pfx_image_inspect_file("/proc/self/environ", PFX_IMAGE_RAW, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "under /proc, /sys or /dev"));
    /* not regular files: a FIFO does not hang the open, a directory */
    CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(fifo, PFX_IMAGE_RAW, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not a regular file"));
    CU_ASSERT_EQUAL(pfx_image_inspect_file(dir, PFX_IMAGE_RAW, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(hs_path(dir, "missing"), PFX_IMAGE_RAW, 0, NULL, &err),
                    SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(pfx_image_inspect_file("relative.raw", PFX_IMAGE_RAW, 0, NULL, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(NULL, PFX_IMAGE_RAW, 0, NULL, NULL), SP_E_INVALID);
    hs_rmtree(dir);
    free(dir);
    free((char *)q);
    free((char *)big);
    free((char *)fifo);
    free((char *)link);
    free((char *)dlink);
}

static int make(const char *const *argv)
{
    char *out = hs_run(argv);
    int ok = out != NULL;

    free(out);
    return ok;
}

/* What qemu-img itself writes reads as the inspector expects (crafted bytes above aside). */
static void test_qemu_img_made(void)
{
    const char *qi = hs_qemu_img();
    char *dir;
    char v2[600], v3[600], sp[600], so[600], fl[600], df[600], data[600], bk[600];

    if (qi == NULL) {
        fprintf(stderr, "(qemu-img not found: skipped) ");
        return;
    }
    dir = hs_mkdtemp("inspect-real");
    snprintf(v2, sizeof(v2), "%s/v2.qcow2", dir);
    snprintf(v3, sizeof(v3), "%s/v3.qcow2", dir);
    snprintf(sp, sizeof(sp), "%s/sparse.vmdk", dir);
    snprintf(so, sizeof(so), "%s/stream.vmdk", dir);
    snprintf(fl, sizeof(fl), "%s/flat.vmdk", dir);
    snprintf(df, sizeof(df), "%s/df.qcow2", dir);
    snprintf(data, sizeof(data), "%s/data.raw", dir);
    snprintf(bk, sizeof(bk), "%s/backed.qcow2", dir);
    {
        char dfo[700];
        const char *c1[] = {qi, "create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2, "64M", NULL};
        const char *c2[] = {qi, "create", "-q", "-f", "qcow2", "-o", "cluster_size=2M", v3, "64M", NULL};
        const char *c3[] = {qi, "create", "-q", "-f", "vmdk", sp, "64M", NULL};
        const char *c4[] = {qi, "create", "-q", "-f", "vmdk", "-o", "subformat=streamOptimized",
                            so, "64M",    NULL};
        const char *c5[] = {qi, "create", "-q", "-f", "vmdk", "-o", "subformat=monolithicFlat",
                            fl, "1M",     NULL};
        const char *c6[] = {qi, "create", "-q", "-f", "qcow2", "-o", dfo, df, "1M", NULL};
        const char *c7[] = {qi, "create", "-q", "-f", "qcow2", "-b", v3, "-F", "qcow2", bk, NULL};
        snprintf(dfo, sizeof(dfo), "data_file=%s", data);
        CU_ASSERT_FATAL(make(c1) && make(c2) && make(c3) && make(c4) && make(c5) && make(c6) && make(c7));
    }
    CU_ASSERT_EQUAL(pfx_image_inspect_file(v2, PFX_IMAGE_QCOW2, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(rep.virtual_size, 64 * MIB);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(v3, PFX_IMAGE_QCOW2, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(sp, PFX_IMAGE_VMDK, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(rep.virtual_size, 64 * MIB);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(so, PFX_IMAGE_VMDK, 0, &rep, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_image_inspect_file(fl, PFX_IMAGE_VMDK, 0, &rep, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "VMDK descriptor file"));
    CU_ASSERT_EQUAL(pfx_image_inspect_file(df, PFX_IMAGE_QCOW2, 0, &rep, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "external data file"));
    CU_ASSERT_EQUAL(pfx_image_inspect_file(bk, PFX_IMAGE_QCOW2, 0, &rep, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, v3));
    hs_rmtree(dir);
    free(dir);
}

int main(void)
{
    static const hs_test tests[] = {
        {"RAW: anything without a known header", test_raw},
        {"other formats' headers are refused and named", test_foreign_headers},
        {"QCOW2: clean v2 and v3, harmless bits and extensions", test_qcow2_clean},
        {"QCOW2: backing file", test_qcow2_backing},
        {"QCOW2: external data file (bit and extension)", test_qcow2_data_file},
        {"QCOW2: feature bits, encryption, header rules", test_qcow2_features_and_rules},
        {"VMDK: monolithic sparse only, one extent of its own", test_vmdk},
        {"ISO only as ISO; hidden second headers", test_iso_and_hidden_headers},
        {"kind names; /proc, /sys, /dev", test_names_and_paths},
        {"files: symlinks, FIFOs, /proc, sizes", test_files},
        {"images made by qemu-img", test_qemu_img_made},
        {NULL, NULL},
    };
    int rc;

    img = calloc(1, 2 * MIB);
    if (img == NULL)
        return 99;
    rc = hs_main("image inspector", tests);
    free(img);
    return rc;
}
