/* url.c - parsing a pool URL: powerflex://<user>:<url-encoded password>@<gateway>/<pool>.
 * Stricter than CloudStack's parser: a ':' in the password works when percent-encoded, and a
 * malformed URL is refused instead of half-understood. */
#include "config.h"

#include "url.h"

#include "error.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCHEME "powerflex://"

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

char *pfx_percent_decode(const char *src, size_t len, const char **why)
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
    OPENSSL_cleanse(out, len + 1);
    free(out);
    return NULL;
}

void pfx_url_clear(pfx_url *url)
{
    if (url == NULL)
        return;
    if (url->password != NULL) {
        OPENSSL_cleanse(url->password, strlen(url->password));
        free(url->password);
    }
    if (url->user != NULL) {
        OPENSSL_cleanse(url->user, strlen(url->user));
        free(url->user);
    }
    free(url->host);
    free(url->gateway);
    free(url->pool);
    memset(url, 0, sizeof(*url));
}

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

static sp_status parse_port(const char *s, size_t len, int *port, sp_error *err)
{
    long v = 0;
    if (len == 0 || len > 5)
        return pfx_error(err, SP_E_INVALID, "pool URL: the gateway's port must be a number from 1 to 65535");
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return pfx_error(err, SP_E_INVALID, "pool URL: the gateway's port must be a number from 1 to 65535");
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return pfx_error(err, SP_E_INVALID, "pool URL: the gateway's port must be a number from 1 to 65535");
    *port = (int)v;
    return SP_OK;
}

static sp_status parse_host(const char *s, size_t len, pfx_url *out, sp_error *err)
{
    const char *port_at = NULL;
    size_t host_len;
    sp_status st;

    if (len == 0)
        return pfx_error(err, SP_E_INVALID, "pool URL: the gateway host is empty");
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return pfx_error(err, SP_E_INVALID, "pool URL: the gateway's IPv6 literal lacks its closing ']'");
        host_len = (size_t)(close - s - 1);
        if (!valid_ipv6(s + 1, host_len))
            return pfx_error(err, SP_E_INVALID, "pool URL: the gateway's IPv6 literal is malformed");
        if ((size_t)(close - s) + 1 < len) {
            if (close[1] != ':')
                return pfx_error(err, SP_E_INVALID, "pool URL: unexpected text after the gateway's IPv6 literal");
            port_at = close + 2;
        }
        out->host = strndup(s + 1, host_len);
    } else {
        const char *colon = memchr(s, ':', len);
        host_len = colon != NULL ? (size_t)(colon - s) : len;
        if (colon != NULL)
            port_at = colon + 1;
        if (host_len == 0)
            return pfx_error(err, SP_E_INVALID, "pool URL: the gateway host is empty");
        if (!valid_reg_name(s, host_len))
            return pfx_error(err, SP_E_INVALID,
                             "pool URL: the gateway host may hold only letters, digits, '-', '.' and '_' "
                             "(or an IPv6 literal in brackets)");
        out->host = strndup(s, host_len);
    }
    if (out->host == NULL)
        return pfx_error(err, SP_E_NOMEM, "pool URL: out of memory");
    if (port_at != NULL) {
        st = parse_port(port_at, (size_t)(s + len - port_at), &out->port, err);
        if (st != SP_OK)
            return st;
    }
    out->gateway = strndup(s, len);
    if (out->gateway == NULL)
        return pfx_error(err, SP_E_NOMEM, "pool URL: out of memory");
    return SP_OK;
}

static sp_status decode_part(const char *s, size_t len, const char *part, char **out, sp_error *err)
{
    const char *why = "is malformed";
    *out = pfx_percent_decode(s, len, &why);
    if (*out == NULL)
        return pfx_error(err, strcmp(why, "out of memory") == 0 ? SP_E_NOMEM : SP_E_INVALID,
                         "pool URL: the %s %s", part, why);
    return SP_OK;
}

sp_status pfx_url_parse(const char *text, pfx_url *out, sp_error *err)
{
    const char *p, *authority, *auth_end, *at, *colon, *path;
    size_t scheme_len = strlen(SCHEME);
    sp_status st;

    memset(out, 0, sizeof(*out));
    if (text == NULL || *text == '\0')
        return pfx_error(err, SP_E_INVALID, "pool URL is empty; expected powerflex://<user>:<password>@<gateway>/<pool>");
    if (has_raw_control(text))
        return pfx_error(err, SP_E_INVALID, "pool URL contains a control character");
    if (strncasecmp(text, SCHEME, scheme_len) != 0)
        return pfx_error(err, SP_E_INVALID,
                         "pool URL must start with powerflex:// (format: powerflex://<user>:<password>@<gateway>/<pool>)");
    authority = text + scheme_len;
    path = strchr(authority, '/');
    auth_end = path != NULL ? path : authority + strlen(authority);
    if (memchr(authority, '?', (size_t)(auth_end - authority)) != NULL ||
        memchr(authority, '#', (size_t)(auth_end - authority)) != NULL)
        return pfx_error(err, SP_E_INVALID, "pool URL: '?' and '#' must be percent-encoded in the user info and host");
    /* The user info ends at the last '@' of the authority, so an unencoded '@' in a password
     * still parses; a '/' in a password must be encoded. */
    at = NULL;
    for (p = authority; p < auth_end; p++)
        if (*p == '@')
            at = p;
    if (at == NULL)
        return pfx_error(err, SP_E_INVALID, "pool URL lacks the user and password (powerflex://<user>:<password>@<gateway>/<pool>)");
    colon = memchr(authority, ':', (size_t)(at - authority));
    if (colon == NULL)
        return pfx_error(err, SP_E_INVALID, "pool URL lacks the password: the user info must be <user>:<password>");
    if (colon == authority)
        return pfx_error(err, SP_E_INVALID, "pool URL: the user name is empty");
    if (colon + 1 == at)
        return pfx_error(err, SP_E_INVALID, "pool URL: the password is empty");
    st = decode_part(authority, (size_t)(colon - authority), "user name", &out->user, err);
    if (st == SP_OK)
        st = decode_part(colon + 1, (size_t)(at - colon - 1), "password", &out->password, err);
    if (st == SP_OK && out->user[0] == '\0')
        st = pfx_error(err, SP_E_INVALID, "pool URL: the user name is empty");
    if (st == SP_OK)
        st = parse_host(at + 1, (size_t)(auth_end - at - 1), out, err);
    if (st != SP_OK)
        goto fail;
    if (path == NULL || path[1] == '\0') {
        st = pfx_error(err, SP_E_INVALID, "pool URL lacks the storage pool name after the gateway (.../<pool>)");
        goto fail;
    }
    path++;
    if (strchr(path, '/') != NULL) {
        st = pfx_error(err, SP_E_INVALID,
                       "pool URL has extra path segments: the path must be only the storage pool name "
                       "(encode a '/' in it as %%2F)");
        goto fail;
    }
    if (strchr(path, '?') != NULL || strchr(path, '#') != NULL) {
        st = pfx_error(err, SP_E_INVALID, "pool URL: a query or fragment is not allowed after the pool name");
        goto fail;
    }
    st = decode_part(path, strlen(path), "storage pool name", &out->pool, err);
    if (st != SP_OK)
        goto fail;
    if (out->pool[0] == '\0') {
        st = pfx_error(err, SP_E_INVALID, "pool URL: the storage pool name is empty");
        goto fail;
    }
    return SP_OK;
fail:
    pfx_url_clear(out);
    return st;
}
