/* blockcopy.h - copying a RAW volume onto another array's RAW volume on one KVM host (both mapped
 * to its SDC), then proving the copy by reading both back. The block part of cross-array migration.
 *
 * Two ways to copy, both sparse-aware:
 *   NATIVE    read/write loops in this process: four threads take 16 MiB stripes of the source
 *             in turn (four requests in flight on devices, both cores copying between cached
 *             files). Regular-file sources are walked with SEEK_DATA/SEEK_HOLE; with
 *             target_is_zero, holes and all-zero 4 KiB blocks are not written at all. Devices are
 *             opened O_DIRECT (no page-cache copy, nothing left dirty). A file target's
 *             finished stripes are handed to writeback in order (sync_file_range) by a thread of
 *             their own as the copy goes, so that the flush after it has little left: in
 *             bench/copy-bench the copy, flush and verification of 1 GiB took 0.33-0.34 s against
 *             0.46-0.55 s without (three runs each, alternating). Started by the workers
 *             themselves, it made a copy after another large write 5-8 times slower: a congested
 *             queue made sync_file_range wait, and the copy with it.
 *   QEMU_IMG  "qemu-img convert -f raw -O raw -n [--target-is-zero]", CloudStack's way, with
 *             -t none / -T none for devices and -m 16 -W: 16 requests in flight, in any order.
 * AUTO takes QEMU_IMG for a block-device target and NATIVE for a file (or when there is no
 * qemu-img). Measured, with the loop single-threaded, with tests/hostside/bench_blockcopy --size
 * 1024 --rounds 5 (1 GiB, 535 MiB of data in 1-16 MiB islands, 489 MiB of holes; 2 vCPUs, ext4 on
 * virtio, page cache warm, sync before each run; medians of three runs of the bench):
 *   files:   cp --sparse=always 0.119-0.122 s, NATIVE 0.107-0.109 s (cp_time / copy_time
 *            1.09-1.13), QEMU_IMG 0.131-0.138 s; with fdatasync: cp 0.352-0.356 s, NATIVE
 *            0.343-0.347 s. Both write the 535 MiB and leave the holes. (One thread with one 1 MiB
 *            buffer beat a read-ahead thread, 128 KiB and 256 KiB buffers, and copy_file_range.)
 *   devices: loop devices with direct I/O over those files: NATIVE 0.53-0.80 s, QEMU_IMG
 *            0.49-0.70 s, ahead by 5-15% in every run; cp 0.64-1.6 s.
 *
 * Verification compares the bytes themselves: both sides are read in full over the source's
 * length, by two threads in parallel (holes included; devices O_DIRECT, so the target is read
 * from the array and not from the page cache), and compared with memcmp, which also names the
 * first differing byte. Same bench: files 0.10-0.15 s, devices 0.62-1.10 s. SHA-256 of both
 * sides reads the same bytes and adds the hashing: 1.09-1.37 s either way. "qemu-img compare" is
 * as fast on devices (0.78-1.24 s) and faster on files (0.07-0.10 s) only because it skips what
 * the file system reports as holes, which is not reading every byte.
 *
 * Threads: calls are independent and may run concurrently (on different targets). */
#ifndef PFX_BLOCKCOPY_H
#define PFX_BLOCKCOPY_H

#include "qemuimg.h"
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
    uint64_t size;               /* bytes of the source, all of which the target now holds */
    uint64_t written;            /* bytes written to the target (NATIVE; 0 for QEMU_IMG: not known) */
    uint64_t skipped;            /* holes and zero blocks not written (NATIVE) */
    pfx_blockcopy_method method; /* the method used */
    double copy_s;
    double verify_s;
} pfx_blockcopy_stats;

/* Copies src onto dst. SP_E_INVALID when dst is smaller than src; SP_E_CANCELLED when the
 * progress callback said so. On failure an existing target holds a partial copy (the caller
 * discards it); a target made by `create` is deleted. */
sp_status pfx_blockcopy_copy(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err);

/* Writes the data ranges of an image onto a RAW target that reads as zeros where never written:
 * each range's bytes are read at its offset in the image file `src` and written at its start on
 * `dst` (both checked against the files' sizes), by WORKERS threads over pieces of at most 16 MiB,
 * all-zero 4 KiB blocks skipped. Ranges must be in guest order, not overlapping, and 4 KiB
 * aligned (a device target is O_DIRECT). Progress phase "copy" over progress_total (the image's
 * virtual size, as qemu-img reports; 0: the ranges' bytes). */
sp_status pfx_blockcopy_extents(const char *src, const char *dst, const pfx_image_extent *ext, size_t n,
                                uint64_t progress_total, const sp_progress *progress, sp_error *err);

/* Compares the first `length` bytes of src and dst. SP_E_IO "... differs from ... at byte N"
 * on the first difference, or when either ends early. */
sp_status pfx_blockcopy_verify(const char *src, const char *dst, uint64_t length, const sp_progress *progress,
                               sp_error *err);

/* Copy, then verify over the source's size (a target made by `create` is deleted when either
 * fails). stats may be NULL. */
sp_status pfx_blockcopy_run(const pfx_blockcopy_opts *o, pfx_blockcopy_stats *stats, sp_error *err);

#endif
