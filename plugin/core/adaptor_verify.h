/* adaptor_verify.h - proving a cross-array copy before the journal calls it verified: the target
 * holds the source's bytes over the source's whole length.
 *
 * Block devices (every real SDC device) go to pfx_blockcopy_verify, which reads both sides in full
 * with O_DIRECT: a device has no holes to trust. When both sides are regular files (devices emulated
 * by files, as the simulator's are, or file-backed copies), the file system itself says where each
 * file has data: a hole in a regular file reads as zeros by definition, so where both files have a
 * hole they are equal without reading, and every range where either file has data is read from
 * both and compared. Every byte is thus established, as with a full read, and a verification costs
 * what the data costs: an 8 GiB volume holding 512 MiB reads 2 x 512 MiB instead of 2 x 8 GiB
 * (measured on this project's test VM: 5.7-14 s for the full read of two cold 8 GiB files, most of
 * it the kernel filling the page cache with zeros, against 0.1-0.2 s). A file system without
 * SEEK_DATA reports everything as data, which degrades to the full read.
 * Threads: calls are independent and may run concurrently. */
#ifndef PFX_ADAPTOR_VERIFY_H
#define PFX_ADAPTOR_VERIFY_H

#include "storage_plugin.h"

#include <stdint.h>

/* Compares the first `length` bytes of src and dst. SP_E_IO "verification failed: <dst> differs
 * from <src> at byte N" on the first difference, or when either is shorter than length;
 * SP_E_CANCELLED when progress (phase "verify", bytes done / length) says stop. */
sp_status pfx_ad_verify(const char *src, const char *dst, uint64_t length, const sp_progress *progress,
                        sp_error *err);

#endif
