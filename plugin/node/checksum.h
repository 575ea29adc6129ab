/* checksum.h - digests of files and device ranges (OpenSSL EVP), and checking a template against
 * the checksum CloudStack stores for it ("md5:...", "sha256:...", "{SHA-256}...", bare hex).
 *
 * Every byte of the range is read, holes included: a digest that skipped what looks empty would
 * not prove what is on the disk. Threads: all functions may be called concurrently. */
#ifndef PFX_CHECKSUM_H
#define PFX_CHECKSUM_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef enum pfx_hash_alg {
    PFX_HASH_MD5 = 0,
    PFX_HASH_SHA1 = 1,
    PFX_HASH_SHA256 = 2,
    PFX_HASH_SHA512 = 3
} pfx_hash_alg;

#define PFX_HASH_HEX_MAX 129           /* SHA-512 in hex, with its NUL */
#define PFX_CHECKSUM_TO_END UINT64_MAX /* length: up to the end of the file or device */

/* An expected checksum: algorithm and lower-case hex digest. */
typedef struct pfx_checksum_spec {
    pfx_hash_alg alg;
    char hex[PFX_HASH_HEX_MAX];
} pfx_checksum_spec;

/* "md5", "sha1", "sha256", "sha512". */
const char *pfx_hash_name(pfx_hash_alg alg);

/* Parses a checksum as CloudStack users give it:
 *   "<alg>:<hex>"  with alg md5, sha1, sha256 (or sha-256), sha512, in any case
 *   "{<ALG>}<hex>" CloudStack's own form: {MD5}, {SHA-1}, {SHA-256}, {SHA-512}
 *   "<hex>"        bare: the length says which (32 md5, 40 sha1, 64 sha256, 128 sha512);
 *                  CloudStack assumes MD5 for bare hex, which a 64-digit sha256 would fail.
 * Surrounding blanks are ignored. SP_E_INVALID for anything else or a wrong hex length. */
sp_status pfx_checksum_parse(const char *text, pfx_checksum_spec *out, sp_error *err);

/* Digests `length` bytes of path from `offset` (PFX_CHECKSUM_TO_END: to its end) into hex.
 * A file or device that ends before offset + length is SP_E_IO. Reports phase "checksum" with
 * bytes done / bytes total (total 0 when reading to an end not known in advance); a non-zero
 * answer stops with SP_E_CANCELLED. progress may be NULL. */
sp_status pfx_checksum_range(const char *path, pfx_hash_alg alg, uint64_t offset, uint64_t length,
                             const sp_progress *progress, char hex[PFX_HASH_HEX_MAX], sp_error *err);

/* Digests a whole file (or device). */
sp_status pfx_checksum_file(const char *path, pfx_hash_alg alg, const sp_progress *progress,
                            char hex[PFX_HASH_HEX_MAX], sp_error *err);

/* Checks path against `expected` (any form pfx_checksum_parse takes). A mismatch is SP_E_IO:
 * "checksum mismatch for <path>: expected md5 <hex>, got <hex>". */
sp_status pfx_checksum_verify(const char *path, const char *expected, const sp_progress *progress,
                              sp_error *err);

/* SHA-256 of a buffer in memory, as hex (65 bytes with the NUL). */
void pfx_sha256_hex(const void *buf, size_t len, char hex[65]);

#endif
