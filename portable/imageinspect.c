/* imageinspect.c - disk image headers read in our own code before qemu-img sees the file: the
 * format they say, against the declared one, and each accepted format's safety rules.
 * Offsets and fields: qemu's docs/interop/qcow2.txt and block/vmdk.c, VMware's "Virtual Disk
 * Format 1.1", ECMA-119 (ISO 9660). Nothing here allocates but the file reader. */
#include "config.h"

#include "imageinspect.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define QCOW2_V2_HEADER 72u
#define QCOW2_V3_HEADER 104u
#define QCOW2_MIN_CLUSTER_BITS 9u
#define QCOW2_MAX_CLUSTER_BITS 21u
#define QCOW2_INCOMPAT_DATA_FILE (UINT64_C(1) << 2)
/* dirty (0), corrupt (1), compression type (3): they change nothing qemu-img reads from outside */
#define QCOW2_INCOMPAT_HARMLESS ((UINT64_C(1) << 0) | (UINT64_C(1) << 1) | (UINT64_C(1) << 3))
#define QCOW2_EXT_DATA_FILE 0x44415441u /* "DATA": the external data file's name */

#define VMDK_HEADER_MIN 80u         /* the KDMV header's fields end at byte 79 */
#define VMDK_MAX_DESC_SECTORS 2047u /* an embedded descriptor stays below 1 MiB */
#define SECTOR 512u

#define ISO_SIGNATURE_AT 0x8001u /* "CD001" of the volume descriptor at sector 16 */
#define VDI_SIGNATURE_AT 0x40u
#define VMDK_TEXT_PROBE 4096u /* how far a text descriptor is looked for */
#define NAME_SHOWN 200u       /* characters of a name from the image quoted in a message */

static const char *const kind_names[PFX_IMAGE_KIND_COUNT] = {
    "RAW", "QCOW2", "VMDK", "ISO",   "QCOW (version 1)", "VHD",  "VHDX",
    "VDI", "QED",   "LUKS", "Bochs", "Parallels",        "cloop"};

const char *pfx_image_kind_name(pfx_image_kind kind)
{
    return (unsigned)kind < PFX_IMAGE_KIND_COUNT ? kind_names[kind] : "?";
}

static sp_status fail(sp_error *err, sp_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sp_status fail(sp_error *err, sp_status status, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return status;
    memset(err, 0, sizeof(*err));
    err->status = status;
    err->backend_code = -1;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return status;
}

/* Bytes from the image (a file name) made fit for a message: control characters and quotes
 * become '?', and a long name is cut with "...". */
static void shown(const uint8_t *p, size_t n, char *buf, size_t buf_len)
{
    size_t i, keep = n < buf_len - 1 ? n : buf_len - 1;

    if (keep < n && keep > 3)
        keep -= 3;
    for (i = 0; i < keep && p[i] != '\0'; i++)
        buf[i] = (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '"') ? '?' : (char)p[i];
    if (i == keep && keep < n && keep + 3 < buf_len) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p + 4) << 32 | le32(p);
}

static int has(const uint8_t *h, size_t len, size_t off, const char *magic, size_t n)
{
    return len >= off && len - off >= n && memcmp(h + off, magic, n) == 0;
}

/* --- detection ------------------------------------------------------------------------------ */

/* A VMDK text descriptor as qemu's vmdk_probe takes one: comment lines and blank lines, then
 * "version=1", "2" or "3"; or anything starting with the descriptor's usual first line. */
static int vmdk_text(const uint8_t *h, size_t len)
{
    size_t i = 0;

    if (len > VMDK_TEXT_PROBE)
        len = VMDK_TEXT_PROBE;
    if (has(h, len, 0, "# Disk DescriptorFile", 21))
        return 1;
    while (i < len) {
        if (h[i] == '#') {
            while (i < len && h[i] != '\n')
                i++;
            i++;
            continue;
        }
        if (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n') {
            i++;
            continue;
        }
        return has(h, len, i, "version=", 8) && i + 8 < len && h[i + 8] >= '1' && h[i + 8] <= '3';
    }
    return 0;
}

/* Every format whose signature the bytes carry, into found (at most max). */
static size_t detect(const uint8_t *h, size_t len, pfx_image_kind *found, size_t max)
{
    static const char cloop[] = "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0";
    size_t n = 0;
    pfx_image_kind at0 = PFX_IMAGE_RAW;

    if (has(h, len, 0, "QFI\xfb", 4))
        at0 = len >= 8 && be32(h + 4) == 1 ? PFX_IMAGE_QCOW1 : PFX_IMAGE_QCOW2;
    else if (has(h, len, 0, "QED\0", 4))
        at0 = PFX_IMAGE_QED;
    else if (has(h, len, 0, "KDMV", 4) || has(h, len, 0, "COWD", 4) || vmdk_text(h, len))
        at0 = PFX_IMAGE_VMDK;
    else if (has(h, len, 0, "conectix", 8))
        at0 = PFX_IMAGE_VHD;
    else if (has(h, len, 0, "vhdxfile", 8))
        at0 = PFX_IMAGE_VHDX;
    else if (has(h, len, 0, "LUKS\xba\xbe", 6))
        at0 = PFX_IMAGE_LUKS;
    else if (has(h, len, 0, "Bochs Virtual HD Image", 22))
        at0 = PFX_IMAGE_BOCHS;
    else if (has(h, len, 0, "WithoutFreeSpace", 16) || has(h, len, 0, "WithouFreSpacExt", 16))
        at0 = PFX_IMAGE_PARALLELS;
    else if (has(h, len, 0, cloop, sizeof(cloop) - 1))
        at0 = PFX_IMAGE_CLOOP;
    if (at0 != PFX_IMAGE_RAW && n < max)
        found[n++] = at0;
    if (len >= VDI_SIGNATURE_AT + 4 && le32(h + VDI_SIGNATURE_AT) == 0xBEDA107Fu && n < max)
        found[n++] = PFX_IMAGE_VDI;
    if (has(h, len, ISO_SIGNATURE_AT, "CD001", 5) && n < max)
        found[n++] = PFX_IMAGE_ISO;
    return n;
}

/* --- QCOW2 ---------------------------------------------------------------------------------- */

static sp_status check_qcow2(const uint8_t *h, size_t len, uint64_t file_size, unsigned flags,
                             pfx_image_report *out, sp_error *err)
{
    uint32_t version, cluster_bits, crypt, hdr_len = QCOW2_V2_HEADER;
    uint64_t backing, cluster, ext_end, off;
    char name[NAME_SHOWN + 4];

    if (len < QCOW2_V2_HEADER)
        return fail(err, SP_E_INVALID, "its QCOW2 header is cut short (%zu bytes)", len);
    version = be32(h + 4);
    if (version != 2 && version != 3)
        return fail(err, SP_E_INVALID,
                    "it is a QCOW2 image of version %" PRIu32 "; only versions 2 and 3 are taken", version);
    out->virtual_size = be64(h + 24);
    backing = be64(h + 8);
    if (backing != 0) {
        uint32_t n = be32(h + 16);
        name[0] = '\0';
        if (backing < len && n <= len - backing)
            shown(h + backing, n, name, sizeof(name));
        return fail(err, SP_E_INVALID,
                    "it is a QCOW2 image that names a backing file (\"%s\"): qemu-img would read that file; "
                    "templates must be self-contained",
                    name);
    }
    cluster_bits = be32(h + 20);
    if (cluster_bits < QCOW2_MIN_CLUSTER_BITS || cluster_bits > QCOW2_MAX_CLUSTER_BITS)
        return fail(err, SP_E_INVALID, "its QCOW2 cluster size 2^%" PRIu32 " is outside 512 bytes to 2 MiB",
                    cluster_bits);
    crypt = be32(h + 32);
    if (crypt != 0 && !(flags & PFX_INSPECT_ALLOW_ENCRYPTED))
        return fail(err, SP_E_INVALID,
                    "it is an encrypted QCOW2 image (crypt_method %" PRIu32 "%s) and no key was given", crypt,
                    crypt == 1   ? ", AES"
                    : crypt == 2 ? ", LUKS"
                                 : "");
    if (version == 3) {
        uint64_t incompat;
        if (len < QCOW2_V3_HEADER)
            return fail(err, SP_E_INVALID, "its QCOW2 version 3 header is cut short (%zu bytes)", len);
        incompat = be64(h + 72);
        hdr_len = be32(h + 100);
        if (incompat & QCOW2_INCOMPAT_DATA_FILE)
            return fail(
                err, SP_E_INVALID,
                "it is a QCOW2 image with an external data file (incompatible feature bit 2, data-file): "
                "qemu-img would read another file");
        if (incompat & ~QCOW2_INCOMPAT_HARMLESS)
            return fail(err, SP_E_INVALID,
                        "it is a QCOW2 image with incompatible feature bits 0x%" PRIx64
                        " that are not known to be safe",
                        incompat & ~QCOW2_INCOMPAT_HARMLESS);
        if (hdr_len < QCOW2_V3_HEADER)
            return fail(err, SP_E_INVALID, "its QCOW2 header length %" PRIu32 " is below 104", hdr_len);
    }
    cluster = UINT64_C(1) << cluster_bits;
    if (hdr_len > cluster)
        return fail(err, SP_E_INVALID, "its QCOW2 header (%" PRIu32 " bytes) is longer than a cluster",
                    hdr_len);
    /* Header extensions fill the rest of the first cluster; past the end of the file qemu
     * reads zeros, which end them. */
    ext_end = cluster < file_size ? cluster : file_size;
    if (ext_end > len)
        return fail(err, SP_E_INVALID, "the first QCOW2 cluster (%" PRIu64 " bytes) was not read whole",
                    ext_end);
    for (off = hdr_len; off + 8 <= ext_end;) {
        uint32_t type = be32(h + off), n = be32(h + off + 4);
        if (type == 0)
            break;
        if (n > ext_end - off - 8)
            return fail(err, SP_E_INVALID,
                        "its QCOW2 header extension 0x%08" PRIx32 " at byte %" PRIu64
                        " runs past the first cluster",
                        type, off);
        if (type == QCOW2_EXT_DATA_FILE) {
            shown(h + off + 8, n, name, sizeof(name));
            return fail(err, SP_E_INVALID,
                        "it is a QCOW2 image that names an external data file (\"%s\", header extension "
                        "0x44415441): qemu-img would read that file",
                        name);
        }
        off += 8 + (((uint64_t)n + 7) & ~(uint64_t)7);
    }
    return SP_OK;
}

/* --- VMDK ----------------------------------------------------------------------------------- */

typedef struct vmdk_desc {
    int create_types; /* createType lines */
    int type_ok;      /* the last one named monolithicSparse or streamOptimized */
    char type[64];
    int extents;
} vmdk_desc;

static const char *skip_blanks(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static int starts_word(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) > n && strncmp(p, word, n) == 0 && (p[n] == ' ' || p[n] == '\t');
}

/* RW|RDONLY|NOACCESS <sectors> SPARSE "<file>" [<offset>]: the one extent of a monolithic
 * sparse file, which is that file itself. */
static sp_status vmdk_extent(const char *p, const char *end, int line, sp_error *err)
{
    const char *q, *name;
    char buf[NAME_SHOWN + 4];

    p += strcspn(p, " \t");
    p = skip_blanks(p, end);
    q = p;
    while (p < end && isdigit((unsigned char)*p))
        p++;
    if (p == q)
        return fail(err, SP_E_INVALID, "its VMDK descriptor's extent on line %d has no size", line);
    p = skip_blanks(p, end);
    q = p;
    while (p < end && *p != ' ' && *p != '\t')
        p++;
    if (p - q != 6 || strncmp(q, "SPARSE", 6) != 0) {
        shown((const uint8_t *)q, (size_t)(p - q), buf, sizeof(buf));
        return fail(
            err, SP_E_INVALID,
            "its VMDK descriptor's extent on line %d is of type %s; a monolithic image has one SPARSE "
            "extent, itself",
            line, buf);
    }
    p = skip_blanks(p, end);
    if (p >= end || *p != '"')
        return fail(err, SP_E_INVALID, "its VMDK descriptor's extent on line %d names no file", line);
    name = ++p;
    while (p < end && *p != '"')
        p++;
    if (p >= end || p == name)
        return fail(err, SP_E_INVALID, "its VMDK descriptor's extent on line %d has a malformed file name",
                    line);
    if (memchr(name, '/', (size_t)(p - name)) != NULL) {
        shown((const uint8_t *)name, (size_t)(p - name), buf, sizeof(buf));
        return fail(
            err, SP_E_INVALID,
            "its VMDK descriptor's extent on line %d names another file (\"%s\"); only the image itself "
            "may hold its data",
            line, buf);
    }
    return SP_OK;
}

/* A key=value line; keys that matter are compared without case, as a forgiving reader might. */
static sp_status vmdk_pair(const char *p, const char *end, int line, vmdk_desc *d, sp_error *err)
{
    const char *eq = memchr(p, '=', (size_t)(end - p)), *k_end, *v, *v_end;
    char buf[NAME_SHOWN + 4];

    k_end = eq;
    while (k_end > p && (k_end[-1] == ' ' || k_end[-1] == '\t'))
        k_end--;
    for (const char *c = p; c < k_end; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '.')
            return fail(err, SP_E_INVALID, "its VMDK descriptor's line %d is neither a setting nor an extent",
                        line);
    if (k_end == p)
        return fail(err, SP_E_INVALID, "its VMDK descriptor's line %d has no key", line);
    v = skip_blanks(eq + 1, end);
    v_end = end;
    while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
        v_end--;
    if (v_end - v >= 2 && *v == '"' && v_end[-1] == '"')
        v++, v_end--;
    if (k_end - p == 10 && strncasecmp(p, "createType", 10) == 0) {
        d->create_types++;
        shown((const uint8_t *)v, (size_t)(v_end - v), d->type, sizeof(d->type));
        d->type_ok = (v_end - v == 16 && strncasecmp(v, "monolithicSparse", 16) == 0) ||
                     (v_end - v == 15 && strncasecmp(v, "streamOptimized", 15) == 0);
    } else if (k_end - p == 9 && strncasecmp(p, "parentCID", 9) == 0) {
        if (v_end - v != 8 || strncasecmp(v, "ffffffff", 8) != 0) {
            shown((const uint8_t *)v, (size_t)(v_end - v), buf, sizeof(buf));
            return fail(err, SP_E_INVALID, "it is a VMDK image with a parent (parentCID %s)", buf);
        }
    }
    return SP_OK;
}

static const char *find_nocase(const char *hay, size_t hay_len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; i + n <= hay_len; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

static sp_status vmdk_descriptor(const char *text, size_t len, sp_error *err)
{
    vmdk_desc d;
    const char *p = text, *end = text + len;
    int line = 0;
    sp_status st;

    memset(&d, 0, sizeof(d));
    /* qemu finds the parent's name anywhere in the text (strstr), comments included. */
    if (find_nocase(text, len, "parentFileNameHint") != NULL)
        return fail(err, SP_E_INVALID, "it is a VMDK image that names a parent file (parentFileNameHint)");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl != NULL ? nl : end, *s;
        line++;
        while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        s = skip_blanks(p, e);
        if (s == e || *s == '#') {
            /* nothing to read */
        } else if (starts_word(s, e, "RW") || starts_word(s, e, "RDONLY") || starts_word(s, e, "NOACCESS")) {
            d.extents++;
            if ((st = vmdk_extent(s, e, line, err)) != SP_OK)
                return st;
        } else if (memchr(s, '=', (size_t)(e - s)) != NULL) {
            if ((st = vmdk_pair(s, e, line, &d, err)) != SP_OK)
                return st;
        } else {
            return fail(err, SP_E_INVALID, "its VMDK descriptor's line %d is neither a setting nor an extent",
                        line);
        }
        p = nl != NULL ? nl + 1 : end;
    }
    if (d.create_types != 1)
        return fail(err, SP_E_INVALID, "its VMDK descriptor has %d createType lines, not one",
                    d.create_types);
    if (!d.type_ok)
        return fail(
            err, SP_E_INVALID,
            "its VMDK createType is %s; only monolithicSparse and streamOptimized (one self-contained file) "
            "are taken",
            d.type);
    if (d.extents != 1)
        return fail(err, SP_E_INVALID, "its VMDK descriptor has %d extents; a monolithic image has one",
                    d.extents);
    return SP_OK;
}

static sp_status check_vmdk(const uint8_t *h, size_t len, uint64_t file_size, pfx_image_report *out,
                            sp_error *err)
{
    uint64_t capacity, desc_off, desc_sectors;
    uint32_t version;
    size_t text_len;

    if (!has(h, len, 0, "KDMV", 4)) {
        if (has(h, len, 0, "COWD", 4))
            return fail(err, SP_E_INVALID, "it is a VMDK image in the old COWD format, which is not taken");
        return fail(err, SP_E_INVALID,
                    "it is a VMDK descriptor file: its data would be read from the files its extents name");
    }
    if (len < VMDK_HEADER_MIN)
        return fail(err, SP_E_INVALID, "its VMDK header is cut short (%zu bytes)", len);
    version = le32(h + 4);
    if (version < 1 || version > 3)
        return fail(err, SP_E_INVALID, "it is a VMDK image of version %" PRIu32 "; versions 1 to 3 are taken",
                    version);
    capacity = le64(h + 12);
    /* With no capacity qemu opens the embedded descriptor as a descriptor file, extents and all. */
    if (capacity == 0)
        return fail(err, SP_E_INVALID,
                    "it is a VMDK image of capacity 0 whose descriptor would name its extents");
    if (capacity > UINT64_MAX / SECTOR)
        return fail(err, SP_E_INVALID, "its VMDK capacity %" PRIu64 " sectors is out of range", capacity);
    out->virtual_size = capacity * SECTOR;
    desc_off = le64(h + 28);
    desc_sectors = le64(h + 36);
    if (desc_off != 1 || desc_sectors == 0 || desc_sectors > VMDK_MAX_DESC_SECTORS)
        return fail(err, SP_E_INVALID,
                    "its VMDK descriptor is not embedded at sector 1 (sector %" PRIu64 ", %" PRIu64
                    " sectors)",
                    desc_off, desc_sectors);
    if (SECTOR + desc_sectors * SECTOR > file_size || SECTOR + desc_sectors * SECTOR > len)
        return fail(err, SP_E_INVALID,
                    "its VMDK descriptor (%" PRIu64 " sectors) runs past the end of the file", desc_sectors);
    text_len = strnlen((const char *)h + SECTOR, (size_t)(desc_sectors * SECTOR));
    return vmdk_descriptor((const char *)h + SECTOR, text_len, err);
}

/* --- the verdict ---------------------------------------------------------------------------- */

static int supported(pfx_image_kind k)
{
    return k == PFX_IMAGE_RAW || k == PFX_IMAGE_QCOW2 || k == PFX_IMAGE_VMDK || k == PFX_IMAGE_ISO;
}

sp_status pfx_image_inspect_buf(const uint8_t *head, size_t len, uint64_t file_size, pfx_image_kind declared,
                                unsigned flags, pfx_image_report *out, sp_error *err)
{
    pfx_image_report local;
    pfx_image_kind found[3];
    size_t n;

    if (out == NULL)
        out = &local;
    memset(out, 0, sizeof(*out));
    if ((unsigned)declared >= PFX_IMAGE_KIND_COUNT)
        return fail(err, SP_E_INVALID, "image format %d is not known", (int)declared);
    if (head == NULL && len != 0)
        return fail(err, SP_E_INVALID, "no image bytes given");
    if (len > file_size)
        return fail(err, SP_E_INVALID, "%zu bytes read from an image of %" PRIu64, len, file_size);
    n = detect(head, len, found, sizeof(found) / sizeof(found[0]));
    if (n > 1)
        return fail(err, SP_E_INVALID, "it carries both a %s and a%s %s header: one of them is hidden",
                    kind_names[found[0]], found[1] == PFX_IMAGE_ISO ? "n" : "", kind_names[found[1]]);
    out->kind = n == 1 ? found[0] : PFX_IMAGE_RAW;
    out->virtual_size = file_size;
    if (!supported(declared))
        return fail(err, SP_E_INVALID, "%s images are not taken", kind_names[declared]);
    if (out->kind != declared) {
        if (out->kind == PFX_IMAGE_RAW && declared == PFX_IMAGE_ISO)
            return fail(
                err, SP_E_INVALID,
                "it has no ISO 9660 signature (CD001 at byte 0x8001): it is not an ISO image as declared");
        if (out->kind == PFX_IMAGE_RAW)
            return fail(err, SP_E_INVALID, "it has no %s header: it is not a %s image as declared",
                        kind_names[declared], kind_names[declared]);
        return fail(err, SP_E_INVALID, "its header says it is a%s %s image, not %s as declared%s",
                    out->kind == PFX_IMAGE_ISO ? "n" : "", kind_names[out->kind], kind_names[declared],
                    supported(out->kind) ? "" : " (and that format is not taken)");
    }
    switch (declared) {
    case PFX_IMAGE_QCOW2: return check_qcow2(head, len, file_size, flags, out, err);
    case PFX_IMAGE_VMDK: return check_vmdk(head, len, file_size, out, err);
    default: return SP_OK; /* RAW: nothing it says is followed; ISO: nothing else is in it */
    }
}

/* --- files ---------------------------------------------------------------------------------- */

int pfx_image_path_forbidden(const char *path)
{
    static const char *const dirs[] = {"/proc", "/sys", "/dev"};

    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        size_t n = strlen(dirs[i]);
        if (strncmp(path, dirs[i], n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return 1;
    }
    return 0;
}

sp_status pfx_image_inspect_file(const char *path, pfx_image_kind declared, unsigned flags,
                                 pfx_image_report *out, sp_error *err)
{
    char *real = NULL, name[NAME_SHOWN + 4];
    uint8_t *head = NULL;
    struct stat sb;
    size_t want, got = 0;
    int fd = -1;
    sp_status st;

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    if (path == NULL || path[0] != '/')
        return fail(err, SP_E_INVALID, "image %s is not an absolute path", path != NULL ? path : "(none)");
    shown((const uint8_t *)path, strlen(path), name, sizeof(name));
    real = realpath(path, NULL);
    if (real == NULL)
        return fail(err, errno == ENOENT || errno == ENOTDIR ? SP_E_NOT_FOUND : SP_E_IO, "image %s: %s", name,
                    strerror(errno));
    if (pfx_image_path_forbidden(real)) {
        st = fail(err, SP_E_INVALID, "image %s is under /proc, /sys or /dev, which never hold images", name);
        goto out;
    }
    /* O_NONBLOCK: a FIFO put in the file's place cannot hang the open. */
    fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        st = fail(err, SP_E_IO, "image %s cannot be read: %s", name, strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = fail(err, SP_E_INVALID, "image %s is not a regular file", name);
        goto out;
    }
    want = (uint64_t)sb.st_size < PFX_INSPECT_HEAD_MAX ? (size_t)sb.st_size : PFX_INSPECT_HEAD_MAX;
    head = malloc(want > 0 ? want : 1);
    if (head == NULL) {
        st = fail(err, SP_E_NOMEM, "no memory to read the header of image %s", name);
        goto out;
    }
    while (got < want) {
        ssize_t r = pread(fd, head + got, want - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = fail(err, SP_E_IO, "image %s cannot be read: %s", name, strerror(errno));
            goto out;
        }
        if (r == 0) {
            st = fail(err, SP_E_IO, "image %s shrank while it was read", name);
            goto out;
        }
        got += (size_t)r;
    }
    st = pfx_image_inspect_buf(head, got, (uint64_t)sb.st_size, declared, flags, out, err);
out:
    if (fd >= 0)
        close(fd);
    free(head);
    free(real);
    return st;
}
