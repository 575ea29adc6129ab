/* secret.c - pool secrets at rest: the key file and sealing of detail values.
 * CloudStack encrypts pool passwords in its database with a key outside it; the harness does
 * the same with AES-256-GCM and a key file beside the database. */
#include "config.h"

#include "secret.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PREFIX "enc:v1:"

void host_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

/* The key seals every stored password: it is taken only from a regular file of this user that
 * nobody else may read or replace (no symbolic link, no group or other permission bits). */
static int check_key_file(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "key file %s is not a regular file (it is a %s); refusing to use it", path,
                 S_ISDIR(st.st_mode)    ? "directory"
                 : S_ISFIFO(st.st_mode) ? "FIFO"
                 : S_ISCHR(st.st_mode)  ? "character device"
                 : S_ISBLK(st.st_mode)  ? "block device"
                 : S_ISSOCK(st.st_mode) ? "socket"
                                        : "special file");
        return -1;
    }
    if (st.st_uid != geteuid()) {
        snprintf(err, errlen,
                 "key file %s belongs to uid %lu, not to this user (uid %lu); refusing to use it", path,
                 (unsigned long)st.st_uid, (unsigned long)geteuid());
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        snprintf(err, errlen,
                 "key file %s has mode %04o: group or others may use it; refusing it (chmod 600 %s, or "
                 "remove the database and its key)",
                 path, (unsigned)(st.st_mode & 07777), path);
        return -1;
    }
    if (st.st_size != 32) {
        snprintf(err, errlen, "key file %s is damaged (%lld bytes, expected 32)", path,
                 (long long)st.st_size);
        return -1;
    }
    return 0;
}

int host_secret_key(const char *path, unsigned char key[32], char *err, size_t errlen)
{
    int fd;
    ssize_t n;

    if (path == NULL) {
        if (RAND_bytes(key, 32) != 1) {
            snprintf(err, errlen, "no randomness for the secrets key");
            return -1;
        }
        return 0;
    }
    /* O_NOFOLLOW: a link is refused, not followed; O_NONBLOCK: a FIFO does not hang the open. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd >= 0) {
        if (check_key_file(fd, path, err, errlen) != 0) {
            close(fd);
            return -1;
        }
        n = read(fd, key, 32);
        close(fd);
        if (n != 32) {
            host_wipe(key, 32);
            snprintf(err, errlen, "key file %s is damaged (expected 32 bytes)", path);
            return -1;
        }
        return 0;
    }
    if (errno == ELOOP) {
        snprintf(err, errlen, "key file %s is a symbolic link; refusing to follow it", path);
        return -1;
    }
    if (errno != ENOENT) {
        snprintf(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
        return -1;
    }
    if (RAND_bytes(key, 32) != 1) {
        snprintf(err, errlen, "no randomness for the secrets key");
        return -1;
    }
    /* O_EXCL with O_NOFOLLOW: never writes through a link or into a file someone slipped in. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, key, 32) != 32 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write key file %s: %s", path, strerror(errno));
        host_wipe(key, 32);
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
        return -1;
    }
    close(fd);
    return 0;
}

char *host_secret_seal(const unsigned char key[32], const char *plain)
{
    size_t n = strlen(plain), raw_len = 12 + 16 + n;
    unsigned char *raw = malloc(raw_len);
    char *out = NULL;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len;

    if (raw == NULL || ctx == NULL || RAND_bytes(raw, 12) != 1)
        goto out;
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
        EVP_EncryptUpdate(ctx, raw + 28, &len, (const unsigned char *)plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(ctx, raw + 28 + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, raw + 12) != 1)
        goto out;
    out = malloc(sizeof(PREFIX) + 4 * ((raw_len + 2) / 3) + 1);
    if (out == NULL)
        goto out;
    memcpy(out, PREFIX, sizeof(PREFIX) - 1);
    EVP_EncodeBlock((unsigned char *)out + sizeof(PREFIX) - 1, raw, (int)raw_len);
out:
    if (raw != NULL) {
        host_wipe(raw, raw_len);
        free(raw);
    }
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

char *host_secret_open(const unsigned char key[32], const char *sealed)
{
    const char *b64;
    size_t blen;
    unsigned char *raw = NULL;
    char *plain = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    int raw_len, len, pad = 0, ok = 0;

    if (strncmp(sealed, PREFIX, sizeof(PREFIX) - 1) != 0)
        return strdup(sealed);
    b64 = sealed + sizeof(PREFIX) - 1;
    blen = strlen(b64);
    if (blen % 4 != 0 || blen < 40)
        return NULL;
    raw = malloc(blen / 4 * 3 + 1);
    if (raw == NULL)
        return NULL;
    raw_len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)blen);
    if (raw_len < 28)
        goto out;
    if (b64[blen - 1] == '=')
        pad++;
    if (b64[blen - 2] == '=')
        pad++;
    raw_len -= pad;
    plain = malloc((size_t)raw_len - 28 + 1);
    ctx = EVP_CIPHER_CTX_new();
    if (plain == NULL || ctx == NULL)
        goto out;
    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
        EVP_DecryptUpdate(ctx, (unsigned char *)plain, &len, raw + 28, raw_len - 28) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, raw + 12) != 1 ||
        EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + len, &len) != 1)
        goto out;
    plain[raw_len - 28] = '\0';
    ok = 1;
out:
    EVP_CIPHER_CTX_free(ctx);
    free(raw);
    if (!ok && plain != NULL) {
        host_wipe(plain, (size_t)(raw_len > 28 ? raw_len - 28 : 0));
        free(plain);
        plain = NULL;
    }
    return plain;
}

int host_secret_key_is_secret(const char *key)
{
    static const char *const words[] = {"password", "passwd", "pwd", "secret", "token"};

    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
        for (const char *p = key; (p = strcasestr(p, words[w])) != NULL; p++)
            if (!isalpha((unsigned char)p[strlen(words[w])]))
                return 1;
    return 0;
}
