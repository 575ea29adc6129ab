/* checksum.c - streaming digests of files and devices with OpenSSL EVP, and CloudStack's
 * checksum notations. */
#include "config.h"

#include "checksum.h"

#include "error.h"
#include "proc.h"
#include "sdc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE ((size_t)4 << 20)        /* large reads: few syscalls, sequential I/O */
#define REPORT_EVERY ((uint64_t)64 << 20) /* progress granularity (and cancel latency) */

static const struct {
    const char *name; /* as printed */
    const char *key;  /* as compared: lower case without '-' */
    size_t hex_len;
} algs[] = {
    [PFX_HASH_MD5] = {"md5", "md5", 32},
    [PFX_HASH_SHA1] = {"sha1", "sha1", 40},
    [PFX_HASH_SHA256] = {"sha256", "sha256", 64},
    [PFX_HASH_SHA512] = {"sha512", "sha512", 128},
};
#define N_ALGS (sizeof(algs) / sizeof(algs[0]))

const char *pfx_hash_name(pfx_hash_alg alg)
{
    return (unsigned)alg < N_ALGS ? algs[alg].name : "unknown";
}

static const EVP_MD *evp_md(pfx_hash_alg alg)
{
    switch (alg) {
    case PFX_HASH_MD5: return EVP_md5();
    case PFX_HASH_SHA1: return EVP_sha1();
    case PFX_HASH_SHA256: return EVP_sha256();
    case PFX_HASH_SHA512: return EVP_sha512();
    }
    return NULL;
}

static void to_hex(const unsigned char *d, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = '\0';
}

void pfx_sha256_hex(const void *buf, size_t len, char hex[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_Digest(buf, len, d, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        hex[0] = '\0';
        return;
    }
    to_hex(d, n, hex);
}

/* --- notation ---------------------------------------------------------------------------- */

static int alg_by_name(const char *s, size_t n, pfx_hash_alg *alg)
{
    char key[16];
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            continue;
        if (k + 1 >= sizeof(key))
            return 0;
        key[k++] = (char)tolower((unsigned char)s[i]);
    }
    key[k] = '\0';
    for (size_t i = 0; i < N_ALGS; i++) {
        if (strcmp(key, algs[i].key) == 0) {
            *alg = (pfx_hash_alg)i;
            return 1;
        }
    }
    return 0;
}

sp_status pfx_checksum_parse(const char *text, pfx_checksum_spec *out, sp_error *err)
{
    const char *b, *e, *hex;
    size_t n;
    char q[100];

    if (text == NULL)
        return pfx_error(err, SP_E_INVALID, "no checksum given");
    b = text;
    while (isspace((unsigned char)*b))
        b++;
    e = b + strlen(b);
    while (e > b && isspace((unsigned char)e[-1]))
        e--;
    pfx_printable(b, (size_t)(e - b), q, sizeof(q));
    if (b == e)
        return pfx_error(err, SP_E_INVALID, "the checksum is empty");
    if (*b == '{') {
        const char *close = memchr(b, '}', (size_t)(e - b));
        if (close == NULL || !alg_by_name(b + 1, (size_t)(close - b - 1), &out->alg))
            return pfx_error(err, SP_E_INVALID,
                             "checksum \"%s\" names no known algorithm (MD5, SHA-1, SHA-256, SHA-512)", q);
        hex = close + 1;
    } else if ((hex = memchr(b, ':', (size_t)(e - b))) != NULL) {
        if (!alg_by_name(b, (size_t)(hex - b), &out->alg))
            return pfx_error(err, SP_E_INVALID,
                             "checksum \"%s\" names no known algorithm (md5, sha1, sha256, sha512)", q);
        hex++;
    } else {
        size_t i;
        hex = b;
        for (i = 0; i < N_ALGS && algs[i].hex_len != (size_t)(e - b); i++)
            ;
        if (i == N_ALGS)
            return pfx_error(
                err, SP_E_INVALID,
                "checksum \"%s\" has %zu digits: bare hex must have 32 (md5), 40 (sha1), 64 (sha256) or "
                "128 (sha512)",
                q, (size_t)(e - b));
        out->alg = (pfx_hash_alg)i;
    }
    n = (size_t)(e - hex);
    if (n != algs[out->alg].hex_len)
        return pfx_error(err, SP_E_INVALID, "checksum \"%s\": a %s digest has %zu hex digits, not %zu", q,
                         algs[out->alg].name, algs[out->alg].hex_len, n);
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)hex[i]))
            return pfx_error(err, SP_E_INVALID, "checksum \"%s\" is not hexadecimal", q);
        out->hex[i] = (char)tolower((unsigned char)hex[i]);
    }
    out->hex[n] = '\0';
    return SP_OK;
}

/* --- digests ----------------------------------------------------------------------------- */

static int report(const sp_progress *p, uint64_t done, uint64_t total)
{
    return p != NULL && p->report != NULL && p->report(p->ctx, "checksum", done, total) != 0;
}

sp_status pfx_checksum_range(const char *path, pfx_hash_alg alg, uint64_t offset, uint64_t length,
                             const sp_progress *progress, char hex[PFX_HASH_HEX_MAX], sp_error *err)
{
    EVP_MD_CTX *ctx = NULL;
    const EVP_MD *md = evp_md(alg);
    unsigned char *buf = NULL, d[EVP_MAX_MD_SIZE];
    unsigned int dn = 0;
    uint64_t done = 0, last_report = 0, total = length;
    int fd = -1;
    sp_status s = SP_OK;

    hex[0] = '\0';
    if (md == NULL)
        return pfx_error(err, SP_E_INVALID, "unknown digest algorithm %d", (int)alg);
    if (length == PFX_CHECKSUM_TO_END) {
        uint64_t size;
        s = pfx_device_size(path, &size, err);
        if (s != SP_OK)
            return s;
        if (offset > size)
            return pfx_error(err, SP_E_IO, "%s has %llu bytes, fewer than the offset %llu", path,
                             (unsigned long long)size, (unsigned long long)offset);
        total = size - offset;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        s = pfx_error(err, errno == ENOENT ? SP_E_NOT_FOUND : SP_E_IO, "cannot open %s: %s", path,
                      strerror(errno));
        goto out;
    }
    posix_fadvise(fd, (off_t)offset, (off_t)total, POSIX_FADV_SEQUENTIAL);
    buf = malloc(BUF_SIZE);
    ctx = EVP_MD_CTX_new();
    if (buf == NULL || ctx == NULL) {
        s = pfx_error(err, SP_E_NOMEM, "no memory to digest %s", path);
        goto out;
    }
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        s = pfx_error(err, SP_E_INTERNAL, "OpenSSL cannot compute %s here", algs[alg].name);
        goto out;
    }
    while (done < total) {
        size_t want = total - done < BUF_SIZE ? (size_t)(total - done) : BUF_SIZE;
        ssize_t n = pread(fd, buf, want, (off_t)(offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            s = pfx_error(err, SP_E_IO, "reading %s at byte %llu: %s", path,
                          (unsigned long long)(offset + done), strerror(errno));
            goto out;
        }
        if (n == 0) {
            s = pfx_error(err, SP_E_IO, "%s ends at byte %llu, before the %llu bytes to digest", path,
                          (unsigned long long)(offset + done), (unsigned long long)total);
            goto out;
        }
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
            s = pfx_error(err, SP_E_INTERNAL, "OpenSSL failed to digest %s", path);
            goto out;
        }
        done += (uint64_t)n;
        if (done - last_report >= REPORT_EVERY && done < total) {
            last_report = done;
            if (report(progress, done, total)) {
                s = pfx_error(err, SP_E_CANCELLED, "checksum of %s cancelled at byte %llu", path,
                              (unsigned long long)done);
                goto out;
            }
        }
    }
    if (EVP_DigestFinal_ex(ctx, d, &dn) != 1) {
        s = pfx_error(err, SP_E_INTERNAL, "OpenSSL failed to finish the digest of %s", path);
        goto out;
    }
    to_hex(d, dn, hex);
    if (report(progress, done, total))
        s = pfx_error(err, SP_E_CANCELLED, "checksum of %s cancelled at its end", path);
out:
    EVP_MD_CTX_free(ctx);
    free(buf);
    if (fd >= 0)
        close(fd);
    if (s != SP_OK)
        hex[0] = '\0';
    return s;
}

sp_status pfx_checksum_file(const char *path, pfx_hash_alg alg, const sp_progress *progress,
                            char hex[PFX_HASH_HEX_MAX], sp_error *err)
{
    return pfx_checksum_range(path, alg, 0, PFX_CHECKSUM_TO_END, progress, hex, err);
}

sp_status pfx_checksum_verify(const char *path, const char *expected, const sp_progress *progress,
                              sp_error *err)
{
    pfx_checksum_spec spec;
    char got[PFX_HASH_HEX_MAX];
    sp_status s = pfx_checksum_parse(expected, &spec, err);

    if (s != SP_OK)
        return s;
    s = pfx_checksum_file(path, spec.alg, progress, got, err);
    if (s != SP_OK)
        return s;
    if (strcmp(got, spec.hex) != 0)
        return pfx_error(err, SP_E_IO, "checksum mismatch for %s: expected %s %s, got %s", path,
                         algs[spec.alg].name, spec.hex, got);
    return SP_OK;
}
