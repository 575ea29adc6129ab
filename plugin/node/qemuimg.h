/* qemuimg.h - qemu-img as the KVM host side runs it: facts about an image (info), conversions
 * onto volumes and into templates with progress and cancel (convert), and comparisons.
 *
 * qemu-img is found in /usr/bin, /usr/local/bin, /bin (never through PATH or a shell), or set
 * with pfx_qemuimg_set_program. Formats are always passed with -f/-F, there is no way to ask for
 * a probe: letting qemu-img guess would let a RAW file that looks like QCOW2 (a template, or a
 * disk a guest wrote) name a backing file. -f is not enough for an untrusted image, whose own
 * header names what qemu-img follows: such an image goes through imageinspect.h first.
 * info runs under limits (PFX_QEMUIMG_INFO_CPU_S of CPU, PFX_QEMUIMG_INFO_AS_BYTES of address
 * space), as an image can be crafted to make it spin or allocate.
 * Threads: every function may be called concurrently. */
#ifndef PFX_QEMUIMG_H
#define PFX_QEMUIMG_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

#define PFX_QEMUIMG_INFO_CPU_S 30u                    /* RLIMIT_CPU of qemu-img info */
#define PFX_QEMUIMG_INFO_AS_BYTES ((uint64_t)1 << 30) /* RLIMIT_AS of qemu-img info */

typedef struct pfx_image_facts {
    uint64_t virtual_size;          /* bytes the guest sees */
    uint64_t actual_size;           /* bytes allocated on the host; 0 when qemu-img did not say */
    char format[32];                /* "raw", "qcow2", ... as qemu-img names it */
    char backing_file[SP_PATH_MAX]; /* "" when none; a template with one must not be trusted */
    char data_file[SP_PATH_MAX];    /* QCOW2 external data file ("" when none); never trusted either */
    int encrypted;                  /* qemu-img says "encrypted": true */
} pfx_image_facts;

/* Uses `path` (absolute) as qemu-img from now on; NULL or "" goes back to the system dirs.
 * Meant for tests and for the agent's set-up, not for switching while copies run. */
void pfx_qemuimg_set_program(const char *path);

/* The qemu-img in use, into buf. SP_E_NOT_FOUND when there is none. */
sp_status pfx_qemuimg_program(char *buf, size_t buf_len, sp_error *err);

/* "qemu-img info --output=json -f FORMAT" under the limits; killed past them, it is SP_E_INVALID
 * (the image is refused). */
sp_status pfx_qemuimg_info(const char *path, sp_image_format format, pfx_image_facts *out, sp_error *err);

/* A guest range of an image whose bytes are stored, as they are, at `offset` in the image file
 * (what "qemu-img map" reports for an uncompressed, unencrypted data cluster). */
typedef struct pfx_image_extent {
    uint64_t start, length, offset;
} pfx_image_extent;

/* "qemu-img map --output=json -f FORMAT" under info's limits, read by pfx_qemuimg_parse_map.
 * *out (the data extents, in guest order) is the caller's to free. */
sp_status pfx_qemuimg_map(const char *path, sp_image_format format, uint64_t virtual_size, uint64_t file_size,
                          pfx_image_extent **out, size_t *n, int *copyable, sp_error *err);

/* Reads a map (json NUL-terminated). Every range must follow the one before it from 0 to
 * virtual_size, or the map is refused (SP_E_PROTOCOL). *copyable says whether the data can be
 * copied byte for byte from the image file: no range comes from a backing file (depth 0), and
 * every data range has an offset (compressed clusters have none) inside file_size. Only then are
 * the data extents handed out; otherwise *out is NULL and the image must go through qemu-img
 * convert. */
sp_status pfx_qemuimg_parse_map(const char *json, uint64_t virtual_size, uint64_t file_size,
                                pfx_image_extent **out, size_t *n, int *copyable, sp_error *err);

/* The parser behind pfx_qemuimg_info (json NUL-terminated). SP_E_PROTOCOL when virtual-size
 * or format is missing or of the wrong type. Reads backing-filename, encrypted and
 * format-specific.data.data-file too. */
sp_status pfx_qemuimg_parse_info(const char *json, pfx_image_facts *out, sp_error *err);

/* Reads a "-p" progress line "    (12.34/100%)" into *percent. 1 when it is one, else 0. */
int pfx_qemuimg_parse_progress(const char *line, double *percent);

/* Whether this qemu-img has "convert --target-is-zero" (asked once per program path through
 * "qemu-img --help", then remembered). */
sp_status pfx_qemuimg_has_target_is_zero(int *yes, sp_error *err);

typedef struct pfx_qemuimg_convert_opts {
    const char *src;
    sp_image_format src_format;
    const char *dst;
    sp_image_format dst_format;
    /* -n: write into an existing target (a device) instead of creating a file. */
    int dst_exists;
    /* The existing target reads as zeros (a fresh volume): --target-is-zero, when this qemu-img
     * has it, so that zero areas of the source are skipped instead of written. Needs dst_exists.
     * Without it qemu-img writes zeros over areas that are zero in the source. */
    int target_is_zero;
    /* What 100% is in progress reports, e.g. the source's size in bytes; 0: 10000. */
    uint64_t progress_total;
    const char *phase;           /* progress phase; NULL: "copy" */
    const sp_progress *progress; /* may be NULL */
    unsigned timeout_s;          /* 0: no limit */
} pfx_qemuimg_convert_opts;

/* "qemu-img convert -p". Block devices are opened with cache "none" (-t none / -T none: no
 * copy through the page cache, nothing left dirty in it); a RAW target (device or file) is
 * written with 16 requests in flight, out of order (-m 16 -W). Zero areas are detected at qemu-img's default
 * 4 KiB granularity
 * (-S 4k). Progress lines become reports (done = percent of progress_total); a non-zero answer
 * kills qemu-img and returns SP_E_CANCELLED. Whatever was written stays written: the caller
 * deletes or reuses the target. */
sp_status pfx_qemuimg_convert(const pfx_qemuimg_convert_opts *o, sp_error *err);

/* Runs a qemu-img command line (argv[0] the program) that prints -p progress lines, reporting them
 * to progress (may be NULL) as done = percent of total (0: 10000) in `phase`; a non-zero answer
 * kills it (SP_E_CANCELLED). SP_OK when it exited with a status up to max_ok (compare exits 1
 * for "different"); *exit_code gets the status (-1 when killed). timeout_s 0: no limit. */
sp_status pfx_qemuimg_run(const char *const *argv, const sp_progress *progress, const char *phase,
                          uint64_t total, unsigned timeout_s, int max_ok, int *exit_code, sp_error *err);

/* 1 when path (symlinks followed) is a block device: opened with cache "none". */
int pfx_qemuimg_is_block_device(const char *path);

/* "qemu-img compare": *identical 1 when the images have the same content (with strict, also the
 * same size and allocation), 0 when they differ; qemu-img failing (exit 2 and above) is SP_E_IO.
 * Formats as sp_image_format. progress (phase "compare") may be NULL. */
sp_status pfx_qemuimg_compare(const char *a, sp_image_format a_format, const char *b,
                              sp_image_format b_format, int strict, const sp_progress *progress,
                              int *identical, sp_error *err);

#endif
