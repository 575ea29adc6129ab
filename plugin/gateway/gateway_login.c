/* gateway_login.c - the legacy login (GET /api/login, basic auth, a quoted token back), the
 * version question, and the 4.x login (POST /rest/auth/login with JSON credentials, an
 * access_token back, sent as "Authorization: Bearer"). PyPowerFlex does the same sequence:
 * the legacy login and the version first, the 4.x login when the version is 4 or more. */
#include "config.h"

#include "gateway_login.h"

#include "error.h"
#include "gateway_error.h"
#include "gateway_parse.h"
#include "hostsvc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#define MAX_TOKEN_LEN 4096

pfx_gw_api pfx_gw_api_from_version(const char *version)
{
    unsigned long major = 0;
    int digits = 0;

    if (version == NULL)
        return PFX_GW_API_UNKNOWN;
    for (const char *p = version; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        major = major * 10 + (unsigned long)(*p - '0');
    if (digits == 0)
        return PFX_GW_API_UNKNOWN;
    return major >= 4 ? PFX_GW_API_4 : PFX_GW_API_3;
}

static int token_chars_ok(const char *s, const char *e)
{
    for (const char *p = s; p < e; p++)
        if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
            return 0;
    return 1;
}

/* The answer of /api/login is the token as a JSON string. It is read here without yajl, whose
 * tree would hold a copy of the token that nothing wipes; real tokens are base64 and need no
 * escapes. */
static sp_status read_legacy_token(const pfx_gw_http_reply *r, pfx_secret **out, sp_error *err)
{
    const char *s = r->body, *e = r->body + r->len;

    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    if (e - s < 3 || *s != '"' || e[-1] != '"')
        return pfx_error(err, SP_E_PROTOCOL, "login: the gateway's answer is not a token (a JSON string)");
    s++;
    e--;
    if (e - s > MAX_TOKEN_LEN)
        return pfx_error(err, SP_E_PROTOCOL, "login: the token is longer than %d bytes", MAX_TOKEN_LEN);
    if (!token_chars_ok(s, e))
        return pfx_error(err, SP_E_PROTOCOL, "login: the token contains unexpected characters");
    *out = pfx_secret_new(s, (size_t)(e - s));
    if (*out == NULL)
        return pfx_error(err, SP_E_NOMEM, "login: out of memory");
    return SP_OK;
}

/* ---- the 4.x answer: {"access_token":"...","refresh_token":"...",...} ------------------- */

typedef struct token_scan {
    int depth;
    int want; /* the last key at depth 1 was "access_token" */
    int found, bad, top_is_object;
    pfx_secret *token;
} token_scan;

static int scan_value(token_scan *t)
{
    t->want = 0;
    return 1;
}

static int on_null(void *ctx)
{
    return scan_value(ctx);
}

static int on_bool(void *ctx, int v)
{
    (void)v;
    return scan_value(ctx);
}

static int on_number(void *ctx, const char *s, size_t n)
{
    (void)s;
    (void)n;
    return scan_value(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    token_scan *t = ctx;

    if (t->want && t->depth == 1 && !t->found) {
        if (n == 0 || n > MAX_TOKEN_LEN || !token_chars_ok((const char *)s, (const char *)s + n)) {
            t->bad = 1;
            return 0;
        }
        t->token = pfx_secret_new((const char *)s, n);
        if (t->token == NULL) {
            t->bad = 1;
            return 0;
        }
        t->found = 1;
    }
    return scan_value(t);
}

static int on_map_key(void *ctx, const unsigned char *s, size_t n)
{
    token_scan *t = ctx;

    t->want = t->depth == 1 && n == 12 && memcmp(s, "access_token", 12) == 0;
    return 1;
}

static int on_start_map(void *ctx)
{
    token_scan *t = ctx;

    if (t->depth == 0)
        t->top_is_object = 1;
    t->want = 0;
    return ++t->depth <= 64;
}

static int on_end(void *ctx)
{
    token_scan *t = ctx;

    t->depth--;
    t->want = 0;
    return 1;
}

static int on_start_array(void *ctx)
{
    token_scan *t = ctx;

    t->want = 0;
    return ++t->depth <= 64;
}

static const yajl_callbacks token_callbacks = {
    on_null,      on_bool,    NULL,   NULL,           on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end,
};

sp_status pfx_gw_read_access_token(const char *body, size_t len, pfx_secret **out, sp_error *err)
{
    token_scan t = {0};
    yajl_handle y;
    int ok;

    *out = NULL;
    y = yajl_alloc(&token_callbacks, NULL, &t);
    if (y == NULL)
        return pfx_error(err, SP_E_NOMEM, "login: out of memory");
    ok = yajl_parse(y, (const unsigned char *)body, len) == yajl_status_ok &&
         yajl_complete_parse(y) == yajl_status_ok;
    yajl_free(y);
    if (!ok || t.bad || !t.top_is_object) {
        pfx_secret_free(t.token);
        if (t.bad)
            return pfx_error(err, SP_E_PROTOCOL, "login: the access token is empty, too long or malformed");
        return pfx_error(err, SP_E_PROTOCOL, "login: the gateway's answer is not a JSON object");
    }
    if (!t.found)
        return pfx_error(err, SP_E_NOT_FOUND, "login: the gateway's answer holds no access_token");
    *out = t.token;
    return SP_OK;
}

/* A login answered with an error status: the gateway's error, prefixed with what it means for the
 * login (either login form). */
static sp_status login_refused(pfx_gw_http_reply *reply, const char *display, const char *user, sp_error *err)
{
    sp_status st = pfx_gw_error_from_reply(reply, err);

    if (reply->status == 401 || reply->status == 403)
        pfx_error_prefix(err, "authentication failed: gateway %s refused user \"%s\"", display, user);
    else if (reply->error_code == PFX_GW_RC_TOO_MANY_SESSIONS)
        pfx_error_prefix(err, "login as \"%s\": gateway %s has as many sessions open as it allows", user,
                         display);
    else
        pfx_error_prefix(err, "login as \"%s\"", user);
    return st;
}

/* ---- requests ------------------------------------------------------------------------- */

static sp_status legacy_login(pfx_gw_http *http, const char *display, const char *user,
                              const pfx_secret *password, pfx_secret **token, sp_error *err)
{
    pfx_gw_http_request rq = {
        .method = "GET", .path = "/login", .auth = PFX_GW_AUTH_BASIC, .user = user, .secret = password};
    pfx_gw_http_reply reply;
    sp_status st;

    *token = NULL;
    st = pfx_gw_http_send(http, &rq, &reply, err);
    if (st != SP_OK) {
        pfx_error_prefix(err, "login as \"%s\"", user);
        goto out;
    }
    if (reply.status < 200 || reply.status > 299) {
        st = login_refused(&reply, display, user, err);
        goto out;
    }
    st = read_legacy_token(&reply, token, err);
out:
    pfx_gw_http_reply_clear(&reply, 1);
    return st;
}

/* JSON-escapes s into out (which holds at least 6 * strlen(s) + 1 bytes). */
static size_t json_escape(const char *s, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            out[o++] = '\\';
            out[o++] = (char)ch;
        } else if (ch < 0x20) {
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[ch >> 4];
            out[o + 5] = hex[ch & 15];
            o += 6;
        } else {
            out[o++] = (char)ch;
        }
    }
    out[o] = '\0';
    return o;
}

/* {"username":"...","password":"..."} in a buffer the caller wipes (*cap bytes). */
static char *credentials_body(const char *user, const pfx_secret *password, size_t *cap)
{
    size_t ulen = strlen(user), plen = pfx_secret_len(password), o;
    char *b;

    *cap = 6 * (ulen + plen) + 40;
    b = malloc(*cap);
    if (b == NULL)
        return NULL;
    o = (size_t)snprintf(b, *cap, "{\"username\":\"");
    o += json_escape(user, ulen, b + o);
    memcpy(b + o, "\",\"password\":\"", 14);
    o += 14;
    o += json_escape(pfx_secret_value(password), plen, b + o);
    memcpy(b + o, "\"}", 3);
    return b;
}

/* SP_E_NOT_FOUND (with *token NULL) when the gateway has no 4.x login or its answer carries no
 * access token: the caller then keeps the legacy session. */
static sp_status appliance_login(pfx_gw_http *http, const char *display, const char *user,
                                 const pfx_secret *password, pfx_secret **token, sp_error *err)
{
    pfx_gw_http_request rq = {.method = "POST", .path = "/rest/auth/login", .from_root = 1};
    pfx_gw_http_reply reply;
    size_t cap = 0;
    char *body;
    sp_status st;

    *token = NULL;
    memset(&reply, 0, sizeof(reply));
    body = credentials_body(user, password, &cap);
    if (body == NULL)
        return pfx_error(err, SP_E_NOMEM, "login: out of memory");
    rq.body = body;
    st = pfx_gw_http_send(http, &rq, &reply, err);
    pfx_secret_wipe(body, cap);
    free(body);
    if (st != SP_OK) {
        pfx_error_prefix(err, "login as \"%s\"", user);
        goto out;
    }
    if (reply.status == 404 || reply.status == 405) {
        st = pfx_error_gateway(err, SP_E_NOT_FOUND, (int)reply.status, -1,
                               "gateway %s has no 4.x login (/rest/auth/login answered %ld)", display,
                               reply.status);
        goto out;
    }
    if (reply.status < 200 || reply.status > 299) {
        st = login_refused(&reply, display, user, err);
        goto out;
    }
    st = pfx_gw_read_access_token(reply.body, reply.len, token, err);
out:
    pfx_gw_http_reply_clear(&reply, 1);
    return st;
}

/* GET /api/version with the legacy token; SP_OK with version filled. */
static sp_status ask_version(pfx_gw_http *http, const char *user, const pfx_secret *token, char *version,
                             size_t len, sp_error *err)
{
    pfx_gw_http_request rq = {
        .method = "GET", .path = "/version", .auth = PFX_GW_AUTH_BASIC, .user = user, .secret = token};
    pfx_gw_http_reply reply;
    sp_status st;

    st = pfx_gw_http_send(http, &rq, &reply, err);
    if (st == SP_OK && (reply.status < 200 || reply.status > 299))
        st = pfx_gw_error_from_reply(&reply, err);
    if (st == SP_OK)
        st = pfx_gw_parse_string(reply.body, reply.len, "version", version, len, err);
    if (st == SP_OK && pfx_gw_api_from_version(version) == PFX_GW_API_UNKNOWN)
        st = pfx_error(err, SP_E_PROTOCOL, "version: \"%.32s\" is not a version number", version);
    pfx_gw_http_reply_clear(&reply, 0);
    return st;
}

sp_status pfx_gw_login(pfx_gw_http *http, const char *display, pfx_gw_api api, const char *user,
                       const pfx_secret *password, pfx_gw_login_result *out, sp_error *err)
{
    pfx_secret *access = NULL;
    sp_error verr;
    sp_status st;

    memset(out, 0, sizeof(*out));
    out->api = api;
    if (api == PFX_GW_API_4) {
        out->requests++;
        st = appliance_login(http, display, user, password, &access, err);
        if (st == SP_OK) {
            out->token = access;
            out->auth = PFX_GW_AUTH_BEARER;
            pfx_log(SP_LOG_INFO, "gateway %s: logged in as \"%s\" (4.x login)", display, user);
            return SP_OK;
        }
        if (st != SP_E_NOT_FOUND)
            return st;
        /* Not (or no longer) a 4.x gateway: the legacy login below, and ask the version anew. */
        pfx_log(SP_LOG_WARN, "gateway %s: %s; using the legacy login", display, err ? err->message : "");
        out->api = api = PFX_GW_API_UNKNOWN;
    }
    out->requests++;
    st = legacy_login(http, display, user, password, &out->token, err);
    if (st != SP_OK)
        return st;
    out->auth = PFX_GW_AUTH_BASIC;
    if (api != PFX_GW_API_UNKNOWN) {
        pfx_log(SP_LOG_INFO, "gateway %s: logged in as \"%s\"", display, user);
        return SP_OK;
    }
    pfx_error_clear(&verr);
    if (ask_version(http, user, out->token, out->version, sizeof(out->version), &verr) != SP_OK) {
        /* The legacy session works on every release; the next login asks again. */
        pfx_log(SP_LOG_WARN, "gateway %s: logged in as \"%s\", but could not learn the release: %s", display,
                user, verr.message);
        out->version[0] = '\0';
        return SP_OK;
    }
    out->api = pfx_gw_api_from_version(out->version);
    if (out->api != PFX_GW_API_4) {
        pfx_log(SP_LOG_INFO, "gateway %s: logged in as \"%s\" (release %s)", display, user, out->version);
        return SP_OK;
    }
    out->requests++;
    st = appliance_login(http, display, user, password, &access, &verr);
    if (st == SP_OK) {
        pfx_secret_free(out->token);
        out->token = access;
        out->auth = PFX_GW_AUTH_BEARER;
        pfx_log(SP_LOG_INFO, "gateway %s: logged in as \"%s\" (release %s, 4.x login)", display, user,
                out->version);
        return SP_OK;
    }
    if (st == SP_E_NOT_FOUND) {
        /* goscaleio does the same: no access token, keep the 3.x way. */
        pfx_log(SP_LOG_WARN, "gateway %s: release %s but %s; keeping the legacy session", display,
                out->version, verr.message);
        out->api = PFX_GW_API_3;
        return SP_OK;
    }
    pfx_secret_free(out->token);
    out->token = NULL;
    if (err != NULL)
        *err = verr;
    return st;
}
