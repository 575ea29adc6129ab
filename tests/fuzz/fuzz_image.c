/* fuzz_image.c - libFuzzer target for the image inspector. The first byte picks the declared
 * format (low 4 bits, modulo the kinds) and PFX_INSPECT_ALLOW_ENCRYPTED (bit 7); the rest is the
 * head of an image whose size is its length. Checks, for any bytes: a status of SP_OK or
 * SP_E_INVALID with a terminated, non-empty message; the same answer twice; and that what is
 * accepted has, read independently here, nothing qemu-img would follow out of the file. */
#include "config.h"

#include "imageinspect.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what)                                                                                    \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_image: property violated: %s (%s)\n", what, #cond);                        \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int at(const uint8_t *p, size_t n, size_t off, const char *s, size_t len)
{
    return n >= off + len && memcmp(p + off, s, len) == 0;
}

static int contains(const uint8_t *p, size_t n, const char *s)
{
    size_t len = strlen(s);

    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(p + i, s, len) == 0)
            return 1;
    return 0;
}

/* No signature of a format that names other files, or hides one, at the places qemu looks. */
static int no_foreign_header(const uint8_t *p, size_t n)
{
    return !at(p, n, 0, "QFI\xfb", 4) && !at(p, n, 0, "KDMV", 4) && !at(p, n, 0, "COWD", 4) &&
           !at(p, n, 0, "QED\0", 4) && !at(p, n, 0, "conectix", 8) && !at(p, n, 0, "vhdxfile", 8) &&
           !at(p, n, 0, "LUKS\xba\xbe", 6) && !at(p, n, 0, "# Disk DescriptorFile", 21);
}

/* Independent of the inspector's own walk: the QCOW2 extension area holds no "DATA" extension. */
static int qcow2_no_data_ext(const uint8_t *p, size_t n)
{
    uint32_t version = be32(p + 4), bits = be32(p + 20);
    size_t off = version == 3 ? be32(p + 100) : 72, end = (size_t)1 << bits;

    if (end > n)
        end = n;
    while (off + 8 <= end) {
        uint32_t type = be32(p + off), len = be32(p + off + 4);
        if (type == 0)
            return 1;
        if (type == 0x44415441)
            return 0;
        off += 8 + (((size_t)len + 7) & ~(size_t)7);
    }
    return 1;
}

static void check_accepted(pfx_image_kind declared, unsigned flags, const uint8_t *p, size_t n,
                           const pfx_image_report *rep)
{
    CHECK(rep->kind == declared, "an accepted image is what was declared");
    switch (declared) {
    case PFX_IMAGE_RAW:
        CHECK(no_foreign_header(p, n), "a RAW image carries no other format's header");
        CHECK(!at(p, n, 0x8001, "CD001", 5), "a RAW image is no ISO");
        CHECK(rep->virtual_size == n, "a RAW image's size is the file's");
        break;
    case PFX_IMAGE_ISO:
        CHECK(at(p, n, 0x8001, "CD001", 5), "an ISO has its signature");
        CHECK(no_foreign_header(p, n), "an ISO carries no other format's header");
        break;
    case PFX_IMAGE_QCOW2:
        CHECK(n >= 72 && at(p, n, 0, "QFI\xfb", 4), "a QCOW2 has its magic");
        CHECK(be32(p + 4) == 2 || be32(p + 4) == 3, "a QCOW2 is of version 2 or 3");
        CHECK(be32(p + 8) == 0 && be32(p + 12) == 0, "a QCOW2 names no backing file");
        CHECK(be32(p + 32) == 0 || (flags & PFX_INSPECT_ALLOW_ENCRYPTED), "a QCOW2 is not encrypted");
        CHECK(be32(p + 4) == 2 || (n >= 104 && (p[79] & ~0x0b) == 0 && be32(p + 72) == 0 && p[76] == 0 &&
                                   p[77] == 0 && p[78] == 0),
              "a QCOW2 v3 has no data-file or unknown incompatible bit");
        CHECK(qcow2_no_data_ext(p, n), "a QCOW2 has no data-file header extension");
        CHECK(!at(p, n, 0x8001, "CD001", 5), "a QCOW2 is no ISO");
        break;
    case PFX_IMAGE_VMDK:
        CHECK(at(p, n, 0, "KDMV", 4), "a VMDK is a sparse file");
        /* where qemu looks for a parent: the sector after the header, up to a NUL */
        CHECK(n > 512 && !contains(p + 512, strnlen((const char *)p + 512, n < 1024 ? n - 512 : 512),
                                   "parentFileNameHint"),
              "a VMDK names no parent");
        CHECK(contains(p + 512, n - 512, "SPARSE"), "a VMDK's extent is SPARSE");
        break;
    default: CHECK(0, "formats that are never taken are never accepted");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pfx_image_report rep, rep2;
    pfx_image_kind declared;
    unsigned flags;
    sp_error e, e2;
    sp_status st, st2;
    uint8_t *img;
    size_t n;

    if (size == 0)
        return 0;
    declared = (pfx_image_kind)((data[0] & 0x0f) % PFX_IMAGE_KIND_COUNT);
    flags = data[0] & 0x80 ? PFX_INSPECT_ALLOW_ENCRYPTED : 0;
    n = size - 1;
    /* An exactly sized copy: a read past the image's end is a finding. */
    img = malloc(n > 0 ? n : 1);
    if (img == NULL)
        return 0;
    memcpy(img, data + 1, n);

    memset(&e, 0x5a, sizeof(e));
    st = pfx_image_inspect_buf(img, n, n, declared, flags, &rep, &e);
    CHECK(st == SP_OK || st == SP_E_INVALID, "SP_OK or SP_E_INVALID");
    CHECK((unsigned)rep.kind < PFX_IMAGE_KIND_COUNT, "the kind found is a kind");
    if (st == SP_OK) {
        check_accepted(declared, flags, img, n, &rep);
    } else {
        CHECK(e.status == st, "the error carries the status");
        CHECK(memchr(e.message, '\0', sizeof(e.message)) != NULL && e.message[0] != '\0',
              "the message is non-empty and terminated");
        for (const char *c = e.message; *c; c++)
            CHECK((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f, "the message is printable");
    }
    memset(&e2, 0, sizeof(e2));
    st2 = pfx_image_inspect_buf(img, n, n, declared, flags, &rep2, &e2);
    CHECK(st2 == st && rep2.kind == rep.kind && rep2.virtual_size == rep.virtual_size,
          "the same bytes get the same answer");
    CHECK(st != SP_OK || strcmp(e2.message, "") == 0, "an accepted image leaves no message");
    CHECK(pfx_image_inspect_buf(img, n, n, declared, flags, NULL, NULL) == st,
          "the same without report or error");
    free(img);
    return 0;
}
