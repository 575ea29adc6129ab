/* secret.c - pool secrets at rest and masking of passwords in anything shown to a person.
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
#include <unistd.h>

#define PREFIX "enc:v1:"

void host_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
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
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        n = read(fd, key, 32);
        close(fd);
        if (n != 32) {
            snprintf(err, errlen, "key file %s is damaged (expected 32 bytes)", path);
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT) {
        snprintf(err, errlen, "cannot read key file %s: %s", path, strerror(errno));
        return -1;
    }
    if (RAND_bytes(key, 32) != 1) {
        snprintf(err, errlen, "no randomness for the secrets key");
        return -1;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, key, 32) != 32 || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write key file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
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
    return strcasestr(key, "password") != NULL || strcasestr(key, "secret") != NULL ||
           strcasestr(key, "token") != NULL;
}

char *host_mask_url(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *auth, *at, *colon;
    char *out;

    if (scheme == NULL)
        return strdup(url);
    auth = scheme + 3;
    at = auth + strcspn(auth, "/@");
    if (*at != '@')
        return strdup(url);
    colon = memchr(auth, ':', (size_t)(at - auth));
    if (colon == NULL)
        return strdup(url);
    if (asprintf(&out, "%.*s*****%s", (int)(colon + 1 - url), url, at) < 0)
        return NULL;
    return out;
}

char *host_mask_line(const char *line)
{
    size_t n = strlen(line);
    char *out = malloc(n * 3 + 16), *o; /* each mask adds at most 5 bytes per 2 read */
    const char *p = line;

    if (out == NULL)
        return NULL;
    o = out;
    while (*p) {
        const char *scheme = strstr(p, "://");
        const char *pw = strcasestr(p, "password=");
        const char *next = NULL;
        if (scheme != NULL && (pw == NULL || scheme < pw)) {
            const char *auth = scheme + 3, *at = auth + strcspn(auth, "/@ \t");
            const char *colon = *at == '@' ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
            if (colon != NULL) {
                memcpy(o, p, (size_t)(colon + 1 - p));
                o += colon + 1 - p;
                memcpy(o, "*****", 5);
                o += 5;
                p = at;
                continue;
            }
            next = auth;
        } else if (pw != NULL) {
            const char *v = pw + 9, *end = v + strcspn(v, " \t");
            memcpy(o, p, (size_t)(v - p));
            o += v - p;
            memcpy(o, "*****", 5);
            o += 5;
            p = end;
            continue;
        }
        if (next == NULL) {
            strcpy(o, p);
            return out;
        }
        memcpy(o, p, (size_t)(next - p));
        o += next - p;
        p = next;
    }
    *o = '\0';
    return out;
}
