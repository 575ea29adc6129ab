/* poolurl.c - the pool URL's syntax: split, parse, mask. Stricter than CloudStack's parser: a ':'
 * in the password works when percent-encoded, and a malformed URL is refused instead of
 * half-understood. The harness masks with the same split the plugin parses with, so what the
 * plugin takes for the password is exactly what the harness hides. */
#include "config.h"

#include "poolurl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEME "powerflex://"

void pfurl_wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

static int is_scheme_char(char c)
{
    return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

int pfurl_split_text(const char *text, size_t len, pfurl_split *out)
{
    size_t i = 0;

    memset(out, 0, sizeof(*out));
    while (i < len && is_scheme_char(text[i]))
        i++;
    if (len - i < 3 || memcmp(text + i, "://", 3) != 0)
        return 0;
    out->auth = i + 3;
    for (size_t p = out->auth; p < len; p++)
        if (text[p] == '@') {
            out->has_userinfo = 1;
            out->userinfo_end = p;
        }
    out->host = out->has_userinfo ? out->userinfo_end + 1 : out->auth;
    if (out->has_userinfo) {
        const char *colon = memchr(text + out->auth, ':', out->userinfo_end - out->auth);
        if (colon != NULL) {
            out->has_colon = 1;
            out->colon = (size_t)(colon - text);
        }
    }
    out->host_end = out->host;
    while (out->host_end < len && text[out->host_end] != '/')
        out->host_end++;
    if (out->host_end < len) {
        out->has_path = 1;
        out->path = out->host_end + 1;
    }
    return 1;
}

int pfurl_secret_span(const char *text, size_t len, size_t *start, size_t *end)
{
    pfurl_split s;

    if (!pfurl_split_text(text, len, &s) || !s.has_userinfo)
        return 0;
    *start = s.has_colon ? s.colon + 1 : s.auth;
    *end = s.userinfo_end;
    return 1;
}

char *pfurl_mask(const char *text, size_t len)
{
    size_t start, end;
    char *out;

    if (!pfurl_secret_span(text, len, &start, &end)) {
        out = malloc(len + 1);
        if (out != NULL) {
            memcpy(out, text, len);
            out[len] = '\0';
        }
        return out;
    }
    out = malloc(start + strlen(PFURL_MASK) + (len - end) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, text, start);
    memcpy(out + start, PFURL_MASK, strlen(PFURL_MASK));
    memcpy(out + start + strlen(PFURL_MASK), text + end, len - end);
    out[start + strlen(PFURL_MASK) + len - end] = '\0';
    return out;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *pfurl_percent_decode(const char *src, size_t len, const char **why)
{
    char *out = malloc(len + 1);
    size_t o = 0;

    if (out == NULL) {
        if (why != NULL)
            *why = "out of memory";
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            int hi, lo;
            if (len - i < 3) {
                if (why != NULL)
                    *why = "has an incomplete %-escape";
                goto bad;
            }
            hi = hexval((unsigned char)src[i + 1]);
            lo = hexval((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0) {
                if (why != NULL)
                    *why = "has a %-escape that is not two hex digits";
                goto bad;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f) {
            if (why != NULL)
                *why = "contains a control character";
            goto bad;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return out;
bad:
    pfurl_wipe(out, len + 1);
    free(out);
    return NULL;
}

static void free_wiped(char *s)
{
    if (s == NULL)
        return;
    pfurl_wipe(s, strlen(s));
    free(s);
}

void pfurl_clear(pfurl *url)
{
    if (url == NULL)
        return;
    free_wiped(url->password);
    free_wiped(url->user);
    free(url->host);
    free(url->gateway);
    free(url->pool);
    memset(url, 0, sizeof(*url));
}

static int fail(char *msg, size_t msglen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *msg, size_t msglen, int code, const char *fmt, ...)
{
    va_list ap;

    if (msg != NULL && msglen > 0) {
        va_start(ap, fmt);
        vsnprintf(msg, msglen, fmt, ap);
        va_end(ap);
    }
    return code;
}

#define NOMEM(msg, msglen) fail(msg, msglen, PFURL_NOMEM, "pool URL: out of memory")

static int has_raw_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            return 1;
    return 0;
}

/* Host characters: a DNS name or IPv4 literal (letters, digits, '-', '.', '_'). */
static int valid_reg_name(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
            return 0;
    return 1;
}

static int valid_ipv6(const char *s, size_t len)
{
    size_t colons = 0;
    if (len < 2)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':')
            colons++;
        else if (!isxdigit((unsigned char)s[i]) && s[i] != '.')
            return 0;
    }
    return colons >= 2;
}

static int parse_port(const char *s, size_t len, int *port, char *msg, size_t msglen)
{
    long v = 0;
    if (len == 0 || len > 5)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL: the gateway's port must be a number from 1 to 65535");
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return fail(msg, msglen, PFURL_INVALID,
                        "pool URL: the gateway's port must be a number from 1 to 65535");
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL: the gateway's port must be a number from 1 to 65535");
    *port = (int)v;
    return PFURL_OK;
}

static int parse_host(const char *s, size_t len, pfurl *out, char *msg, size_t msglen)
{
    const char *port_at = NULL;
    size_t host_len;
    int rc;

    if (len == 0)
        return fail(msg, msglen, PFURL_INVALID, "pool URL: the gateway host is empty");
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return fail(msg, msglen, PFURL_INVALID,
                        "pool URL: the gateway's IPv6 literal lacks its closing ']'");
        host_len = (size_t)(close - s - 1);
        if (!valid_ipv6(s + 1, host_len))
            return fail(msg, msglen, PFURL_INVALID, "pool URL: the gateway's IPv6 literal is malformed");
        if ((size_t)(close - s) + 1 < len) {
            if (close[1] != ':')
                return fail(msg, msglen, PFURL_INVALID,
                            "pool URL: unexpected text after the gateway's IPv6 literal");
            port_at = close + 2;
        }
        out->host = strndup(s + 1, host_len);
    } else {
        const char *colon = memchr(s, ':', len);
        host_len = colon != NULL ? (size_t)(colon - s) : len;
        if (colon != NULL)
            port_at = colon + 1;
        if (host_len == 0)
            return fail(msg, msglen, PFURL_INVALID, "pool URL: the gateway host is empty");
        if (!valid_reg_name(s, host_len))
            return fail(msg, msglen, PFURL_INVALID,
                        "pool URL: the gateway host may hold only letters, digits, '-', '.' and '_' "
                        "(or an IPv6 literal in brackets)");
        out->host = strndup(s, host_len);
    }
    if (out->host == NULL)
        return NOMEM(msg, msglen);
    if (port_at != NULL) {
        rc = parse_port(port_at, (size_t)(s + len - port_at), &out->port, msg, msglen);
        if (rc != PFURL_OK)
            return rc;
    }
    out->gateway = strndup(s, len);
    if (out->gateway == NULL)
        return NOMEM(msg, msglen);
    return PFURL_OK;
}

static int decode_part(const char *s, size_t len, const char *part, char **out, char *msg, size_t msglen)
{
    const char *why = "is malformed";
    *out = pfurl_percent_decode(s, len, &why);
    if (*out == NULL)
        return fail(msg, msglen, strcmp(why, "out of memory") == 0 ? PFURL_NOMEM : PFURL_INVALID,
                    "pool URL: the %s %s", part, why);
    return PFURL_OK;
}

int pfurl_parse(const char *text, pfurl *out, char *msg, size_t msglen)
{
    const char *authority, *auth_end, *at, *colon, *path;
    pfurl_split sp;
    size_t len;
    int rc;

    memset(out, 0, sizeof(*out));
    if (text == NULL || *text == '\0')
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL is empty; expected powerflex://<user>:<password>@<gateway>/<pool>");
    if (has_raw_control(text))
        return fail(msg, msglen, PFURL_INVALID, "pool URL contains a control character");
    len = strlen(text);
    if (strncasecmp(text, SCHEME, strlen(SCHEME)) != 0 || !pfurl_split_text(text, len, &sp))
        return fail(
            msg, msglen, PFURL_INVALID,
            "pool URL must start with powerflex:// (format: powerflex://<user>:<password>@<gateway>/<pool>)");
    authority = text + sp.auth;
    /* The user info is what the split (and so the harness's masking) takes: up to the last '@'.
     * A '/' before it would end the authority for any other URL reader, so it is refused rather
     * than read two ways. */
    if (sp.has_userinfo && memchr(authority, '/', sp.userinfo_end - sp.auth) != NULL)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL: a '/' comes before the last '@' (percent-encode a '/' in the user name or "
                    "password as %%2F, an '@' in the storage pool name as %%40)");
    path = sp.has_path ? text + sp.host_end : NULL;
    auth_end = text + sp.host_end;
    if (memchr(authority, '?', (size_t)(auth_end - authority)) != NULL ||
        memchr(authority, '#', (size_t)(auth_end - authority)) != NULL)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL: '?' and '#' must be percent-encoded in the user info and host");
    if (!sp.has_userinfo)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL lacks the user and password (powerflex://<user>:<password>@<gateway>/<pool>)");
    at = text + sp.userinfo_end;
    colon = sp.has_colon ? text + sp.colon : NULL;
    if (colon == NULL)
        return fail(msg, msglen, PFURL_INVALID,
                    "pool URL lacks the password: the user info must be <user>:<password>");
    if (colon == authority)
        return fail(msg, msglen, PFURL_INVALID, "pool URL: the user name is empty");
    if (colon + 1 == at)
        return fail(msg, msglen, PFURL_INVALID, "pool URL: the password is empty");
    rc = decode_part(authority, (size_t)(colon - authority), "user name", &out->user, msg, msglen);
    if (rc == PFURL_OK)
        rc = decode_part(colon + 1, (size_t)(at - colon - 1), "password", &out->password, msg, msglen);
    if (rc == PFURL_OK && out->user[0] == '\0')
        rc = fail(msg, msglen, PFURL_INVALID, "pool URL: the user name is empty");
    if (rc == PFURL_OK)
        rc = parse_host(at + 1, (size_t)(auth_end - at - 1), out, msg, msglen);
    if (rc != PFURL_OK)
        goto fail;
    if (path == NULL || path[1] == '\0') {
        rc = fail(msg, msglen, PFURL_INVALID,
                  "pool URL lacks the storage pool name after the gateway (.../<pool>)");
        goto fail;
    }
    path++;
    if (strchr(path, '/') != NULL) {
        rc = fail(msg, msglen, PFURL_INVALID,
                  "pool URL has extra path segments: the path must be only the storage pool name "
                  "(encode a '/' in it as %%2F)");
        goto fail;
    }
    if (strchr(path, '?') != NULL || strchr(path, '#') != NULL) {
        rc = fail(msg, msglen, PFURL_INVALID,
                  "pool URL: a query or fragment is not allowed after the pool name");
        goto fail;
    }
    rc = decode_part(path, strlen(path), "storage pool name", &out->pool, msg, msglen);
    if (rc != PFURL_OK)
        goto fail;
    if (out->pool[0] == '\0') {
        rc = fail(msg, msglen, PFURL_INVALID, "pool URL: the storage pool name is empty");
        goto fail;
    }
    return PFURL_OK;
fail:
    pfurl_clear(out);
    return rc;
}
