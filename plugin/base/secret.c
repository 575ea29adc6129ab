/* secret.c - owned secrets wiped with OPENSSL_cleanse when freed.
 * OPENSSL_cleanse is used rather than memset because a compiler may drop a memset before free. */
#include "config.h"

#include "secret.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct pfx_secret {
    size_t len;
    char value[]; /* len bytes and a NUL */
};

pfx_secret *pfx_secret_new(const char *s, size_t len)
{
    pfx_secret *sec;

    if (len > ((size_t)-1) - sizeof(*sec) - 1)
        return NULL;
    sec = malloc(sizeof(*sec) + len + 1);
    if (sec == NULL)
        return NULL;
    sec->len = len;
    if (len > 0)
        memcpy(sec->value, s, len);
    sec->value[len] = '\0';
    return sec;
}

pfx_secret *pfx_secret_from_str(const char *s)
{
    return pfx_secret_new(s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

pfx_secret *pfx_secret_dup(const pfx_secret *s)
{
    if (s == NULL)
        return NULL;
    return pfx_secret_new(s->value, s->len);
}

const char *pfx_secret_value(const pfx_secret *s)
{
    return s->value;
}

size_t pfx_secret_len(const pfx_secret *s)
{
    return s->len;
}

int pfx_secret_equal(const pfx_secret *a, const pfx_secret *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->len != b->len)
        return 0;
    return CRYPTO_memcmp(a->value, b->value, a->len) == 0;
}

void pfx_secret_free(pfx_secret *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s->value, s->len + 1);
    s->len = 0;
    free(s);
}

void pfx_secret_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        OPENSSL_cleanse(p, len);
}
