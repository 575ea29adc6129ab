/* gateway_url.c - the gateway address as the operator typed it, turned into a base URL.
 * Operators paste anything from "10.0.0.5" to "https://gw:8443/api/"; all of it is accepted. */
#include "config.h"

#include "gateway_url.h"

#include "error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void pfx_gw_url_redact(const char *url, char *out, size_t len)
{
    const char *start, *at, *end;

    if (len == 0)
        return;
    if (url == NULL) {
        snprintf(out, len, "(none)");
        return;
    }
    start = strstr(url, "://");
    start = start != NULL ? start + 3 : url;
    end = start + strcspn(start, "/?#");
    at = NULL;
    for (const char *p = start; p < end; p++)
        if (*p == '@')
            at = p; /* the last '@' ends the user info; passwords may contain '@' */
    if (at == NULL) {
        snprintf(out, len, "%s", url);
        return;
    }
    snprintf(out, len, "%.*s***%s", (int)(start - url), url, at);
}

int pfx_gw_valid_id(const char *s)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    for (; s[n] != '\0'; n++)
        if (!isxdigit((unsigned char)s[n]) || n >= 32)
            return 0;
    return n > 0;
}

static int valid_hostname(const char *h, size_t n)
{
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && h[i] != '-' && h[i] != '.' && h[i] != '_')
            return 0;
    return 1;
}

static int valid_ipv6(const char *h, size_t n)
{
    size_t colons = 0;

    if (n < 2 || n > 45)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i] == ':')
            colons++;
        else if (!isxdigit((unsigned char)h[i]) && h[i] != '.')
            return 0;
    }
    return colons >= 2;
}

static size_t count_colons(const char *s, const char *end)
{
    size_t n = 0;

    for (; s < end; s++)
        n += *s == ':';
    return n;
}

static int parse_port(const char *p, size_t n, unsigned *port)
{
    unsigned v = 0;

    if (n == 0 || n > 5)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return 0;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return 0;
    *port = v;
    return 1;
}

sp_status pfx_gw_url_parse(const char *gateway, char *base_url, size_t base_len, char *display,
                           size_t display_len, sp_error *err)
{
    char shown[256];
    const char *s, *end, *host, *rest;
    size_t host_len, rest_len;
    unsigned port = 443;
    int v6 = 0;

    if (gateway == NULL || gateway[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "no gateway address given");
    pfx_gw_url_redact(gateway, shown, sizeof(shown));
    s = gateway;
    if (strncasecmp(s, "https://", 8) == 0)
        s += 8;
    else if (strstr(s, "://") != NULL)
        return pfx_error(err, SP_E_INVALID,
                         "gateway \"%s\": only https is supported (the gateway's API is HTTPS only)", shown);
    end = s + strcspn(s, "/");
    if (memchr(s, '@', (size_t)(end - s)) != NULL)
        return pfx_error(err, SP_E_INVALID,
                         "gateway \"%s\": user info is not allowed in the address; the user name and "
                         "password are separate settings",
                         shown);
    if (*end != '\0' && strcmp(end, "/") != 0 && strcmp(end, "/api") != 0 && strcmp(end, "/api/") != 0)
        return pfx_error(err, SP_E_INVALID, "gateway \"%s\": unexpected path (only \"/api\" is allowed)",
                         shown);

    if (*s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (close == NULL)
            return pfx_error(err, SP_E_INVALID, "gateway \"%s\": missing ']' after the IPv6 address", shown);
        host = s + 1;
        host_len = (size_t)(close - host);
        rest = close + 1;
        v6 = 1;
    } else if (count_colons(s, end) >= 2) {
        /* Two colons and no brackets: a bare IPv6 literal, which cannot carry a port. */
        host = s;
        host_len = (size_t)(end - s);
        rest = end;
        v6 = 1;
    } else {
        host = s;
        host_len = strcspn(s, ":/");
        rest = s + host_len;
    }
    rest_len = (size_t)(end - rest);
    if (v6 ? !valid_ipv6(host, host_len) : !valid_hostname(host, host_len))
        return pfx_error(err, SP_E_INVALID, "gateway \"%s\": \"%.*s\" is not a valid host name or address",
                         shown, (int)(host_len > 64 ? 64 : host_len), host);
    if (rest_len > 0 && (rest[0] != ':' || !parse_port(rest + 1, rest_len - 1, &port)))
        return pfx_error(err, SP_E_INVALID, "gateway \"%s\": the port must be a number from 1 to 65535",
                         shown);

    if (snprintf(base_url, base_len, "https://%s%.*s%s:%u/api", v6 ? "[" : "", (int)host_len, host,
                 v6 ? "]" : "", port) >= (int)base_len ||
        snprintf(display, display_len, "%s%.*s%s:%u", v6 ? "[" : "", (int)host_len, host, v6 ? "]" : "",
                 port) >= (int)display_len)
        return pfx_error(err, SP_E_INVALID, "gateway \"%s\": address too long", shown);
    return SP_OK;
}
