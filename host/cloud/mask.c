/* mask.c - passwords hidden in everything the harness shows or keeps. URLs are masked with the
 * split the plugin parses them with (portable/poolurl): the user info runs to the last '@', so a
 * raw '@', '/' or blank in a password is hidden whole rather than cut at the first one. */
#include "config.h"

#include "mask.h"

#include "cmk.h"
#include "poolurl.h"
#include "secret.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *host_mask_url(const char *url)
{
    return pfurl_mask(url, strlen(url));
}

static int is_scheme_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

/* The next "scheme://" at or after `from`: its start (the scheme, not reaching back before
 * `from`) and where its "://" is. 0 when there is none. */
static int next_url(const char *t, size_t n, size_t from, size_t *start, size_t *sep)
{
    for (size_t i = from; i + 3 <= n; i++)
        if (t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/') {
            size_t s = i;
            while (s > from && is_scheme_char(t[s - 1]))
                s--;
            *start = s;
            *sep = i;
            return 1;
        }
    return 0;
}

static int is_key_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']';
}

/* The next "key=value" at or after `from` whose key names a secret: the value's [*v, *vend)
 * (a quoted value through its closing quote; otherwise up to a blank). 0 when there is none. */
static int next_secret_value(const char *t, size_t n, size_t from, size_t *v, size_t *vend)
{
    for (size_t q = from; q < n; q++) {
        size_t k = q;
        char key[128];

        if (t[q] != '=')
            continue;
        while (k > 0 && is_key_char(t[k - 1]))
            k--;
        if (k == q || q - k >= sizeof(key))
            continue;
        memcpy(key, t + k, q - k);
        key[q - k] = '\0';
        if (!host_secret_key_is_secret(key))
            continue;
        *v = q + 1;
        if (*v < n && (t[*v] == '"' || t[*v] == '\'')) {
            const char *close = memchr(t + *v + 1, t[*v], n - *v - 1);
            *vend = close != NULL ? (size_t)(close - t) + 1 : n;
        } else {
            *vend = *v;
            while (*vend < n && !isspace((unsigned char)t[*vend]))
                (*vend)++;
        }
        return 1;
    }
    return 0;
}

static void mask_text_into(host_buf *out, const char *t, size_t n)
{
    size_t p = 0;

    while (p < n) {
        size_t us = n, sep = n, v = n, vend = n, end, a, b;
        int url = next_url(t, n, p, &us, &sep);
        int kv = next_secret_value(t, n, p, &v, &vend);

        if (kv && (!url || v <= us)) {
            host_buf_add(out, t + p, v - p);
            host_buf_adds(out, PFURL_MASK);
            p = vend;
            continue;
        }
        if (!url) {
            host_buf_add(out, t + p, n - p);
            return;
        }
        /* The URL reaches the next one (or the end): its password may hold anything. */
        end = n;
        {
            size_t s2, sep2;
            if (next_url(t, n, sep + 3, &s2, &sep2))
                end = s2;
        }
        if (pfurl_secret_span(t + us, end - us, &a, &b)) {
            host_buf_add(out, t + p, us + a - p);
            host_buf_adds(out, PFURL_MASK);
            p = us + b;
        } else {
            host_buf_add(out, t + p, sep + 3 - p);
            p = sep + 3;
        }
    }
}

char *host_mask_text(const char *text)
{
    host_buf out = HOST_BUF_INIT;

    mask_text_into(&out, text, strlen(text));
    return host_buf_take(&out);
}

void host_mask_inplace(char *text, size_t cap)
{
    char *masked;

    if (cap == 0 || (strstr(text, "://") == NULL && strchr(text, '=') == NULL))
        return;
    masked = host_mask_text(text);
    if (masked == NULL) {
        snprintf(text, cap, "(message withheld: out of memory while masking its passwords)");
        return;
    }
    snprintf(text, cap, "%s", masked);
    free(masked);
}

/* Whether parameter i of c holds a secret by its name: password=..., or details[N].value=...
 * whose details[N].key names a secret. */
static int secret_param(const host_cmd *c, size_t i)
{
    const char *key = c->params[i].key;
    size_t n = strlen(key);
    char sibling[256];

    if (host_secret_key_is_secret(key))
        return 1;
    if (n > 6 && n < sizeof(sibling) && strcasecmp(key + n - 6, ".value") == 0) {
        snprintf(sibling, sizeof(sibling), "%.*s.key", (int)(n - 6), key);
        const char *k = host_cmd_get(c, sibling);
        return k != NULL && host_secret_key_is_secret(k);
    }
    return 0;
}

static void add_value(host_buf *b, const char *v)
{
    if (*v != '\0' && strpbrk(v, " \t\r\n\f\v\"'#") == NULL) {
        host_buf_adds(b, v);
        return;
    }
    host_buf_addc(b, '"');
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            host_buf_addc(b, '\\');
        host_buf_addc(b, *v);
    }
    host_buf_addc(b, '"');
}

char *host_mask_cmd_line(const char *line, size_t len)
{
    host_cmd c;
    host_buf out = HOST_BUF_INIT, text = HOST_BUF_INIT;
    char err[256], *copy;
    int changed = 0;

    if (host_cmk_parse(line, len, NULL, NULL, &c, err, sizeof(err)) != 1) {
        /* Unreadable (it will fail anyway) or only a comment: masked as free text. */
        mask_text_into(&out, line, strnlen(line, len));
        return host_buf_take(&out);
    }
    for (size_t i = 0; i < c.n_words; i++) {
        host_buf_reset(&text);
        mask_text_into(&text, c.words[i], strlen(c.words[i]));
        changed |= strcmp(host_buf_str(&text), c.words[i]) != 0;
        out.failed |= text.failed;
        host_buf_printf(&out, "%s%s", i ? " " : "", host_buf_str(&text));
    }
    for (size_t i = 0; i < c.n_params; i++) {
        const char *v = c.params[i].value;
        host_buf_reset(&text);
        if (secret_param(&c, i)) {
            host_buf_adds(&text, PFURL_MASK);
        } else {
            mask_text_into(&text, v, strlen(v));
        }
        changed |= strcmp(host_buf_str(&text), v) != 0;
        out.failed |= text.failed;
        host_buf_printf(&out, " %s=", c.params[i].key);
        add_value(&out, host_buf_str(&text));
    }
    host_cmd_free(&c);
    host_buf_free(&text);
    if (out.failed) {
        host_buf_free(&out);
        return NULL;
    }
    if (changed)
        return host_buf_take(&out);
    host_buf_free(&out);
    if ((copy = malloc(len + 1)) != NULL) {
        memcpy(copy, line, len);
        copy[len] = '\0';
    }
    return copy;
}
