/* crypt.c - passphrases and the guest's view of encrypted volumes (crypt.h). */
#include "config.h"

#include "crypt.h"

#include "runprog.h"
#include "secret.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PASS_BYTES 48 /* 384 random bits, 64 characters of base64 */

int host_offering_encrypts(host_cs *cs, int64_t offering_id, host_err *e)
{
    char err[256];
    int64_t n = 0;

    if (offering_id == 0)
        return 0;
    /* A ROOT volume takes its service offering's encryptroot, a DATA volume its disk offering's
     * encrypt: both are this offering's row. */
    if (host_sql_int(cs->db, &n, err, sizeof(err),
                     "SELECT count(*) FROM offering_encrypt WHERE offering_id = ?", "i", offering_id) < 0)
        return host_fail_db(e, err);
    return n > 0;
}

int host_vol_encryption_new(host_cs *cs, int64_t vol_id, host_err *e)
{
    unsigned char raw[PASS_BYTES];
    char pass[4 * PASS_BYTES / 3 + 4], err[256], *sealed = NULL;
    int64_t have = 0;
    int rc = -1;

    if (host_sql_int(cs->db, &have, err, sizeof(err),
                     "SELECT count(*) FROM volume_encryption WHERE volume_id = ?", "i", vol_id) < 0)
        return host_fail_db(e, err);
    if (have > 0)
        return 0;
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return host_fail(e, HOST_E_INTERNAL, "no randomness for a passphrase");
    EVP_EncodeBlock((unsigned char *)pass, raw, sizeof(raw));
    sealed = host_secret_seal(cs->key, pass);
    if (sealed == NULL) {
        host_fail(e, HOST_E_INTERNAL, "out of memory");
        goto out;
    }
    if (host_sql_run(cs->db, err, sizeof(err), "INSERT INTO passphrase(passphrase, created) VALUES (?, ?)",
                     "ti", sealed, host_now()) < 0 ||
        host_sql_run(cs->db, err, sizeof(err),
                     "INSERT INTO volume_encryption(volume_id, passphrase_id) VALUES (?, ?)", "ii", vol_id,
                     (int64_t)sqlite3_last_insert_rowid(cs->db)) < 0) {
        host_fail_db(e, err);
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(raw, sizeof(raw));
    OPENSSL_cleanse(pass, sizeof(pass));
    free(sealed);
    return rc;
}

int host_crypt_open(host_cs *cs, int64_t vol_id, host_crypt *c, host_err *e)
{
    char err[256], *sealed = NULL;
    int64_t usable = 0;
    size_t cap = 1024;
    int n;

    memset(c, 0, sizeof(*c));
    sealed = malloc(cap);
    if (sealed == NULL)
        return host_fail(e, HOST_E_INTERNAL, "out of memory");
    n = host_sql_text(
        cs->db, sealed, cap, err, sizeof(err),
        "SELECT p.passphrase FROM volume_encryption x JOIN passphrase p ON p.id = x.passphrase_id "
        "WHERE x.volume_id = ?",
        "i", vol_id);
    if (n <= 0) {
        free(sealed);
        return n < 0 ? host_fail_db(e, err) : 0;
    }
    if (host_sql_text(cs->db, c->format, sizeof(c->format), err, sizeof(err),
                      "SELECT format FROM volume_encryption WHERE volume_id = ?", "i", vol_id) < 0 ||
        host_sql_int(cs->db, &usable, err, sizeof(err),
                     "SELECT usable FROM volume_encryption WHERE volume_id = ?", "i", vol_id) < 0) {
        free(sealed);
        return host_fail_db(e, err);
    }
    c->pass = host_secret_open(cs->key, sealed);
    free(sealed);
    if (c->pass == NULL)
        return host_fail(e, HOST_E_INTERNAL, "the passphrase of volume %lld cannot be opened (another key?)",
                         (long long)vol_id);
    c->usable = (uint64_t)usable;
    c->enc.struct_size = sizeof(c->enc);
    c->enc.passphrase = c->pass;
    c->enc.passphrase_len = strlen(c->pass);
    c->enc.usable_bytes = c->usable;
    return 1;
}

void host_crypt_close(host_crypt *c)
{
    if (c->pass != NULL) {
        OPENSSL_cleanse(c->pass, strlen(c->pass));
        free(c->pass);
    }
    memset(c, 0, sizeof(*c));
}

int host_crypt_record(host_cs *cs, int64_t vol_id, const sp_disk_info *d, host_err *e)
{
    char err[256];

    if (host_sql_run(cs->db, err, sizeof(err),
                     "UPDATE volume_encryption SET format = ?, usable = ? WHERE volume_id = ?", "tui",
                     d->format == SP_FORMAT_QCOW2 ? "QCOW2" : "LUKS", d->size_bytes, vol_id) < 0)
        return host_fail_db(e, err);
    return 0;
}

/* ---- the guest's view ---------------------------------------------------------------------- */

typedef struct keydir {
    char dir[1024], key[1100], data[1100];
} keydir;

static void keydir_close(keydir *k, size_t passlen)
{
    int fd;

    if (k->dir[0] == '\0')
        return;
    /* The key file is overwritten before it goes, like the plugin's. */
    if ((fd = open(k->key, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
        char zeros[256] = {0};
        for (size_t left = passlen; left > 0;) {
            ssize_t n = write(fd, zeros, left < sizeof(zeros) ? left : sizeof(zeros));
            if (n <= 0)
                break;
            left -= (size_t)n;
        }
        close(fd);
    }
    unlink(k->key);
    unlink(k->data);
    rmdir(k->dir);
    k->dir[0] = '\0';
}

static int keydir_open(host_cs *cs, const host_crypt *c, keydir *k, char *why, size_t whylen)
{
    int fd;
    size_t len = strlen(c->pass), off = 0;

    memset(k, 0, sizeof(*k));
    snprintf(k->dir, sizeof(k->dir), "%s/guestkey.XXXXXX", cs->workdir);
    if (mkdtemp(k->dir) == NULL) {
        snprintf(why, whylen, "cannot make a private directory in %s: %s", cs->workdir, strerror(errno));
        k->dir[0] = '\0';
        return -1;
    }
    snprintf(k->key, sizeof(k->key), "%s/key", k->dir);
    snprintf(k->data, sizeof(k->data), "%s/data", k->dir);
    fd = open(k->key, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    while (fd >= 0 && off < len) {
        ssize_t n = write(fd, c->pass + off, len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    if (fd < 0 || off != len) {
        snprintf(why, whylen, "cannot write key file %s", k->key);
        keydir_close(k, len);
        return -1;
    }
    return 0;
}

static int hash_file(const char *path, uint64_t len, int fill, char hex[65], char *why, size_t whylen)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = open(path, (fill ? O_WRONLY | O_CREAT | O_TRUNC : O_RDONLY) | O_CLOEXEC, 0600), rc = -1;

    if (fd < 0 || ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
        snprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    for (uint64_t off = 0; off < len;) {
        size_t n = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
        ssize_t got;
        if (fill && RAND_bytes(buf, (int)n) != 1)
            goto out;
        got = fill ? write(fd, buf, n) : read(fd, buf, n);
        if (got <= 0) {
            snprintf(why, whylen, "%s %s: %s", fill ? "writing" : "reading", path,
                     got < 0 ? strerror(errno) : "too short");
            goto out;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)got);
        off += (uint64_t)got;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (unsigned i = 0; i < mdlen && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* Option strings: commas in paths doubled, as qemu's syntax wants. */
static void opt_path(char *buf, size_t len, const char *prefix, const char *path)
{
    size_t o = (size_t)snprintf(buf, len, "%s", prefix);

    for (; *path != '\0' && o + 2 < len; path++) {
        buf[o++] = *path;
        if (*path == ',')
            buf[o++] = ',';
    }
    buf[o < len ? o : len - 1] = '\0';
}

int host_crypt_guest_io(host_cs *cs, const host_crypt *c, const char *dev, uint64_t len, int write,
                        char hex[65], char *why, size_t whylen)
{
    const char *img = getenv("QEMU_IMG"), *io = getenv("QEMU_IO");
    char obj[1200], opts[1300], arg[1400], cmd[1300], count[32], err[256];
    int qcow2 = strcmp(c->format, "QCOW2") == 0, rc = -1, st;
    keydir k;

    if (c->format[0] == '\0') {
        snprintf(why, whylen, "the volume was never made an encrypted disk");
        return -1;
    }
    if (keydir_open(cs, c, &k, why, whylen) != 0)
        return -1;
    opt_path(obj, sizeof(obj), "secret,id=sec0,format=raw,file=", k.key);
    opt_path(opts, sizeof(opts),
             qcow2 ? "driver=qcow2,encrypt.key-secret=sec0,file.filename="
                   : "driver=luks,key-secret=sec0,file.filename=",
             dev);
    if (write) {
        /* The guest writes random bytes: the same bytes go to a file first, then through qemu-io. */
        char *const argv[] = {(char *)(io != NULL && *io ? io : "qemu-io"),
                              "--object",
                              obj,
                              "--image-opts",
                              "-c",
                              cmd,
                              opts,
                              NULL};
        if (hash_file(k.data, len, 1, hex, why, whylen) != 0)
            goto out;
        snprintf(cmd, sizeof(cmd), "write -q -s %s 0 %llu", k.data, (unsigned long long)len);
        st = host_run(argv, NULL, NULL, err, sizeof(err));
        if (st != 0) {
            snprintf(why, whylen, "qemu-io could not write through the encryption of %s (%s)", dev,
                     st < 0 ? err : "it failed");
            goto out;
        }
    } else {
        char *const argv[] = {(char *)(img != NULL && *img ? img : "qemu-img"),
                              "dd",
                              "--object",
                              obj,
                              "--image-opts",
                              "-O",
                              "raw",
                              "bs=512",
                              count,
                              arg,
                              cmd,
                              NULL};
        snprintf(count, sizeof(count), "count=%llu", (unsigned long long)(len / 512));
        snprintf(arg, sizeof(arg), "if=%s", opts);
        snprintf(cmd, sizeof(cmd), "of=%s", k.data);
        st = host_run(argv, NULL, NULL, err, sizeof(err));
        if (st != 0) {
            snprintf(why, whylen, "qemu-img could not read through the encryption of %s (%s)", dev,
                     st < 0 ? err : "it failed");
            goto out;
        }
        if (hash_file(k.data, len, 0, hex, why, whylen) != 0)
            goto out;
    }
    rc = 0;
out:
    keydir_close(&k, strlen(c->pass));
    return rc;
}
