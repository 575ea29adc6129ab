/* strbuf.c - a growing NUL-terminated byte buffer for text built from outside data.
 * Callers append freely and check `failed` once at the end, like stdio's ferror. */
#include "config.h"

#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(host_buf *b, size_t extra)
{
    size_t need, cap;
    char *ns;

    if (b->failed)
        return -1;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    ns = realloc(b->s, cap);
    if (ns == NULL) {
        b->failed = 1;
        return -1;
    }
    b->s = ns;
    b->cap = cap;
    return 0;
}

void host_buf_add(host_buf *b, const char *s, size_t n)
{
    if (grow(b, n) != 0)
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void host_buf_adds(host_buf *b, const char *s)
{
    host_buf_add(b, s, strlen(s));
}

void host_buf_addc(host_buf *b, char c)
{
    host_buf_add(b, &c, 1);
}

void host_buf_printf(host_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (grow(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void host_buf_reset(host_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->s != NULL)
        b->s[0] = '\0';
}

const char *host_buf_str(const host_buf *b)
{
    return b->s != NULL ? b->s : "";
}

char *host_buf_take(host_buf *b)
{
    char *s = NULL;

    if (!b->failed)
        s = b->s != NULL ? b->s : strdup("");
    else
        free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return s;
}

void host_buf_free(host_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}
