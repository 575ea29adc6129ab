/* imageinspect.h - what an untrusted disk image is, read from its own header bytes before any
 * qemu tool opens it, and whether it is safe to hand to qemu-img as the format it was declared.
 *
 * Why: qemu-img follows what an image's header names - a QCOW2 backing file or external data
 * file, a VMDK descriptor's extents, a VMDK parent - so a template can make the KVM host copy any
 * of its files onto a volume (OpenStack CVE-2022-47951 and CVE-2024-32498, CloudStack
 * CVE-2024-50386). Passing -f only stops qemu-img from guessing the format; it still follows
 * whatever the declared format's header names. So every template, ISO or user image is read here
 * first, and refused when:
 *   - its header is another format's than the declared one (a "RAW" file starting with a QCOW2,
 *     VMDK, VHD, VHDX, VDI, QED, LUKS, ... header, a "QCOW2" that is an ISO), or it carries the
 *     headers of two formats (a hidden second header);
 *   - it is a format we do not take (VHD, VHDX, VDI, QED, LUKS, QCOW version 1, Bochs,
 *     Parallels, cloop);
 *   - QCOW2: version not 2 or 3, a backing file (backing_file_offset != 0), an external data file
 *     (incompatible feature bit 2, or header extension 0x44415441), an incompatible feature bit
 *     other than dirty (0), corrupt (1) and compression type (3), encryption (crypt_method != 0)
 *     unless PFX_INSPECT_ALLOW_ENCRYPTED, a header that is cut short or breaks qcow2's own rules;
 *   - VMDK: anything but a sparse (KDMV) file with its descriptor embedded at sector 1 whose
 *     createType is monolithicSparse or streamOptimized, with exactly one SPARSE extent whose file
 *     name has no '/', no parent (parentFileNameHint, parentCID other than ffffffff) and a
 *     capacity (a sparse header of capacity 0 makes qemu open its descriptor's extents);
 *     a text descriptor file and the old COWD format are always refused;
 *   - ISO: no ISO 9660 "CD001" at byte 0x8001.
 *
 * This file depends on nothing but libc and the ABI header, so that the plugin (libpfx) and
 * cs-harness (libhost) compile the same source: neither links the other, and both must inspect
 * before their own qemu-img runs. Threads: every function may be called concurrently. */
#ifndef PFX_IMAGEINSPECT_H
#define PFX_IMAGEINSPECT_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pfx_image_kind {
    PFX_IMAGE_RAW = 0, /* no header matched */
    PFX_IMAGE_QCOW2,
    PFX_IMAGE_VMDK, /* sparse (KDMV), COWD or a text descriptor */
    PFX_IMAGE_ISO,
    /* recognised only to be refused */
    PFX_IMAGE_QCOW1,
    PFX_IMAGE_VHD,
    PFX_IMAGE_VHDX,
    PFX_IMAGE_VDI,
    PFX_IMAGE_QED,
    PFX_IMAGE_LUKS,
    PFX_IMAGE_BOCHS,
    PFX_IMAGE_PARALLELS,
    PFX_IMAGE_CLOOP,
    PFX_IMAGE_KIND_COUNT
} pfx_image_kind;

/* A QCOW2 may be encrypted: the caller holds its key and will open it with one. */
#define PFX_INSPECT_ALLOW_ENCRYPTED 1u

/* The bytes read from the start of a file: a QCOW2's header extensions fill at most its first
 * cluster (2 MiB at most); a VMDK's embedded descriptor ends before 1 MiB + 512. */
#define PFX_INSPECT_HEAD_MAX ((size_t)2 << 20)

typedef struct pfx_image_report {
    pfx_image_kind kind;   /* what the bytes say (RAW when no header matched) */
    uint64_t virtual_size; /* QCOW2 and VMDK: from the header; RAW and ISO: the file size */
} pfx_image_report;

/* "RAW", "QCOW2", "VMDK", "ISO", "VHD", ...; "?" for a value out of range. */
const char *pfx_image_kind_name(pfx_image_kind kind);

/* Inspects the first `len` bytes of an image of `file_size` bytes (len == file_size, or len ==
 * PFX_INSPECT_HEAD_MAX for a larger file). SP_OK when it is a `declared` image that passes that
 * format's checks; else SP_E_INVALID with the reason in err (which may be NULL). out (may be
 * NULL) gets what was found either way. */
sp_status pfx_image_inspect_buf(const uint8_t *head, size_t len, uint64_t file_size, pfx_image_kind declared,
                                unsigned flags, pfx_image_report *out, sp_error *err);

/* Inspects the file at `path`: it must resolve (realpath) to a regular file outside /proc, /sys
 * and /dev. Messages start with "image <path>: ". SP_E_NOT_FOUND when it does not exist, SP_E_IO
 * when it cannot be read, SP_E_NOMEM, else as pfx_image_inspect_buf. */
sp_status pfx_image_inspect_file(const char *path, pfx_image_kind declared, unsigned flags,
                                 pfx_image_report *out, sp_error *err);

/* 1 when the absolute, resolved `path` is /proc, /sys or /dev or lies under one of them: kernel
 * and device files are never images, whatever directory was allowed. */
int pfx_image_path_forbidden(const char *path);

#endif
