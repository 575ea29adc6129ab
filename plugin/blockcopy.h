/* blockcopy.h - copying a RAW volume onto another array's RAW volume on one KVM host (both mapped
 * to its SDC), then proving the copy by reading both back. The block part of cross-array migration.
 *
 * Two ways to copy, both sparse-aware:
 *   NATIVE    a read/write loop in this process, a read-ahead thread keeping one read in flight
 *             while the caller's thread writes. Regular-file sources are walked with
 *             SEEK_DATA/SEEK_HOLE; with target_is_zero, holes and all-zero 4 KiB blocks are not
 *             written at all. Devices are opened O_DIRECT (no page-cache copy, nothing left dirty).
 *   QEMU_IMG  "qemu-img convert -f raw -O raw -n [--target-is-zero]", CloudStack's way, with
 *             -t none / -T none and -W for devices: it keeps 8 requests in flight.
 * AUTO takes QEMU_IMG for a block-device target and NATIVE for a file (or when there is no
 * qemu-img). Measured with tests/hostside/bench_blockcopy (1 GiB, half data in 1-16 MiB islands,
 * half holes; 2 vCPUs, ext4 on virtio; medians of 3-5 runs, which vary by about 20%):
 *   files, warm cache:  cp --sparse=always 0.12-0.17 s, NATIVE 0.10-0.14 s, QEMU_IMG 0.13-0.16 s
 *                       (cp_time / NATIVE time 1.2-1.3); with fdatasync: cp 0.35 s, NATIVE 0.34 s
 *   loop devices with direct I/O on those files: cp 0.64-1.17 s, NATIVE 0.53-0.61 s,
 *                       QEMU_IMG 0.49-0.55 s
 * Both write only the 535 MiB of data and skip the 489 MiB of holes.
 *
 * Verification compares the bytes themselves: both sides are read in full over the source's
 * length, in parallel (holes included, devices O_DIRECT so the target is read from the array,
 * not from the page cache), and compared with memcmp, which also names the first differing byte.
 * Same bench: files 0.09 s, devices 0.62-0.91 s; SHA-256 of both sides reads the same bytes and
 * adds the hashing (1.12-1.18 s either way); "qemu-img compare" (files 0.07-0.14 s, devices
 * 0.78-0.98 s) skips what the file system reports as holes, so it does not read every byte.
 *
 * Threads: calls are independent and may run concurrently (on different targets). */
#ifndef PFX_BLOCKCOPY_H
#define PFX_BLOCKCOPY_H

#include "storage_plugin.h"

#include <stdint.h>

typedef enum pfx_blockcopy_method {
    PFX_BLOCKCOPY_AUTO = 0,
    PFX_BLOCKCOPY_NATIVE = 1,
    PFX_BLOCKCOPY_QEMU_IMG = 2
} pfx_blockcopy_method;

typedef struct pfx_blockcopy_opts {
    const char *src; /* a RAW block device or file; read only */
    const char *dst; /* a RAW block device or file at least as large as src */
    /* The target reads as zeros where it was never written (a fresh volume or file): zero areas
     * of the source are then skipped instead of written. The verify step catches a target that
     * was not in fact zero. */
    int target_is_zero;
    /* Create dst as a sparse file of the source's size (it must not exist); implies
     * target_is_zero. For file targets (tests, benchmarks), never for devices. */
    int create;
    /* Leave the target unsynced. By default the copy ends with fdatasync, so that what is verified
     * and then journalled as done is on stable storage. */
    int no_flush;
    pfx_blockcopy_method method;
    const sp_progress *progress; /* phases "copy" and "verify", bytes done / bytes total */
} pfx_blockcopy_opts;

typedef struct pfx_blockcopy_stats {
    uint64_t size;       /* bytes of the source, all of which the target now holds */
    uint64_t written;    /* bytes written to the target (NATIVE; 0 for QEMU_IMG: not known) */
    uint64_t skipped;    /* holes and zero blocks not written (NATIVE) */
    pfx_blockcopy_method method; /* the method used */
    double copy_s;
    double verify_s;
} pfx_blockcopy_stats;

/* Copies src onto dst. SP_E_INVALID when dst is smaller than src; SP_E_CANCELLED when the
 * progress callback said so. On failure an existing target holds a partial copy (the caller
 * discards it); a target made by `create` is deleted. */
sp_status pfx_blockcopy_copy(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err);

/* Compares the first `length` bytes of src and dst. SP_E_IO "... differs from ... at byte N"
 * on the first difference, or when either ends early. */
sp_status pfx_blockcopy_verify(const char *src, const char *dst, uint64_t length, const sp_progress *progress,
                               sp_error *err);

/* Copy, then verify over the source's size (a target made by `create` is deleted when either
 * fails). stats may be NULL. */
sp_status pfx_blockcopy_run(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err);

#endif
