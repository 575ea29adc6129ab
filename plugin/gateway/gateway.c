/* gateway.c - the client: configuration, credentials, the session token, and the one call path
 * every operation takes (token, request, one renewal on 401, error mapping).
 * Token renewal is single flight: a thread that saw 401 with token generation g logs in only if
 * the generation is still g and nobody else is logging in; the others wait and use the result.
 * How to log in (3.x or 4.x) is gateway_login.c's; the release it learns is kept here. */
#include "config.h"

#include "gateway_call.h"

#include "error.h"
#include "gateway_login.h"
#include "gateway_url.h"
#include "hostsvc.h"
#include "secret.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pfx_gw_client {
    pfx_gw_http *http;
    char base_url[320];
    char display[300];

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t login_done;
    char *user;
    pfx_secret *password;
    pfx_secret *token;     /* NULL until the first login and after a credentials change */
    pfx_gw_auth_kind auth; /* how token is sent */
    pfx_gw_api api;        /* the gateway's release as far as known */
    char version[32];      /* its answer to /api/version, "" until asked */
    uint64_t generation;   /* bumped by every new token and every credentials change */
    uint64_t cred_version; /* bumped by every credentials change */
    uint64_t attempts;     /* logins finished, successful or not */
    int logging_in;
    int last_login_failed; /* the most recent finished login failed with login_error */
    sp_error login_error;

    _Atomic uint64_t logins;
};

/* What one call authenticates with: private copies, so that a concurrent credentials change
 * cannot free them under the request. */
typedef struct session {
    char *user;
    pfx_secret *token;
    pfx_gw_auth_kind auth;
    uint64_t generation;
} session;

static void session_clear(session *s)
{
    free(s->user);
    pfx_secret_free(s->token);
    memset(s, 0, sizeof(*s));
}

sp_status pfx_gw_context(sp_error *err, sp_status st, const char *fmt, ...)
{
    char ctx[256];
    va_list ap;

    if (st == SP_OK || err == NULL)
        return st;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof(ctx), fmt, ap);
    va_end(ap);
    pfx_error_prefix(err, "%s", ctx);
    return st;
}

sp_status pfx_gw_check_id(const char *what, const char *id, sp_error *err)
{
    if (pfx_gw_valid_id(id))
        return SP_OK;
    if (id == NULL)
        return pfx_error(err, SP_E_INVALID, "%s id is missing", what);
    return pfx_error(err, SP_E_INVALID, "%s id \"%.40s\" is not a PowerFlex id (hexadecimal digits)", what,
                     id);
}

sp_status pfx_gw_check_str(const char *what, const char *s, size_t max, sp_error *err)
{
    if (s == NULL || s[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "%s is missing", what);
    if (strlen(s) > max)
        return pfx_error(err, SP_E_INVALID, "%s \"%.40s...\" is longer than %zu bytes", what, s, max);
    return SP_OK;
}

static sp_status session_from_client(pfx_gw_client *c, session *s, sp_error *err)
{
    s->user = strdup(c->user);
    s->token = pfx_secret_dup(c->token);
    s->auth = c->auth;
    s->generation = c->generation;
    if (s->user == NULL || s->token == NULL) {
        session_clear(s);
        return pfx_error(err, SP_E_NOMEM, "out of memory");
    }
    return SP_OK;
}

/* Hands out the current token, logging in when there is none or when the caller's token (of
 * generation `refused`, when have_refused) was refused. Called with c->lock not held. */
static sp_status obtain_session(pfx_gw_client *c, int have_refused, uint64_t refused, session *s,
                                sp_error *err)
{
    pfx_secret *password = NULL;
    pfx_gw_login_result res;
    char *user = NULL;
    pfx_gw_api api;
    uint64_t cred_version;
    sp_error login_err;
    sp_status st;

    memset(s, 0, sizeof(*s));
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (c->logging_in) {
            uint64_t seen = c->attempts;
            while (c->logging_in)
                pthread_cond_wait(&c->login_done, &c->lock);
            /* The login we waited for failed: its verdict is ours too, so a bad password makes
             * one request, not one per waiting thread. */
            if (c->attempts != seen && c->last_login_failed) {
                if (err != NULL)
                    *err = c->login_error;
                st = c->login_error.status;
                pthread_mutex_unlock(&c->lock);
                return st;
            }
        }
        if (c->token != NULL && !(have_refused && c->generation == refused)) {
            st = session_from_client(c, s, err);
            pthread_mutex_unlock(&c->lock);
            return st;
        }
        /* Our turn to log in. */
        c->logging_in = 1;
        cred_version = c->cred_version;
        api = c->api;
        user = strdup(c->user);
        password = pfx_secret_dup(c->password);
        pthread_mutex_unlock(&c->lock);

        pfx_error_clear(&login_err);
        memset(&res, 0, sizeof(res));
        if (user == NULL || password == NULL)
            st = pfx_error(&login_err, SP_E_NOMEM, "out of memory");
        else
            st = pfx_gw_login(c->http, c->display, api, user, password, &res, &login_err);
        atomic_fetch_add(&c->logins, res.requests);
        free(user);
        pfx_secret_free(password);
        user = NULL;
        password = NULL;

        pthread_mutex_lock(&c->lock);
        c->logging_in = 0;
        c->attempts++;
        if (st == SP_OK || res.api != PFX_GW_API_UNKNOWN) {
            /* What the login learnt of the release holds whatever the credentials. */
            c->api = res.api;
            if (res.version[0] != '\0')
                memcpy(c->version, res.version, sizeof(c->version));
        }
        if (cred_version != c->cred_version) {
            /* The credentials changed while we logged in: whatever we got is for the old ones. */
            pfx_secret_free(res.token);
            res.token = NULL;
            c->last_login_failed = 0;
            pthread_cond_broadcast(&c->login_done);
            have_refused = 0;
            continue;
        }
        if (st != SP_OK) {
            c->last_login_failed = 1;
            c->login_error = login_err;
            pthread_cond_broadcast(&c->login_done);
            pthread_mutex_unlock(&c->lock);
            if (err != NULL)
                *err = login_err;
            return st;
        }
        pfx_secret_free(c->token);
        c->token = res.token;
        c->auth = res.auth;
        res.token = NULL;
        c->generation++;
        c->last_login_failed = 0;
        pthread_cond_broadcast(&c->login_done);
        st = session_from_client(c, s, err);
        pthread_mutex_unlock(&c->lock);
        return st;
    }
}

static sp_status send_with(pfx_gw_client *c, const session *s, const char *method, const char *path,
                           const char *body, pfx_gw_http_sink sink, void *sink_ctx, pfx_gw_http_reply *reply,
                           sp_error *err)
{
    pfx_gw_http_request rq = {.method = method,
                              .path = path,
                              .body = body,
                              .auth = s->auth,
                              .user = s->user,
                              .secret = s->token,
                              .sink = sink,
                              .sink_ctx = sink_ctx};

    return pfx_gw_http_send(c->http, &rq, reply, err);
}

sp_status pfx_gw_call(pfx_gw_client *c, const char *method, const char *path, const char *body, int want_body,
                      pfx_gw_http_reply *reply, sp_error *err)
{
    return pfx_gw_call_to(c, method, path, body, want_body, NULL, NULL, reply, err);
}

sp_status pfx_gw_call_to(pfx_gw_client *c, const char *method, const char *path, const char *body,
                         int want_body, pfx_gw_http_sink sink, void *sink_ctx, pfx_gw_http_reply *reply,
                         sp_error *err)
{
    session s;
    uint64_t refused;
    sp_status st;

    memset(reply, 0, sizeof(*reply));
    reply->error_code = -1;
    st = obtain_session(c, 0, 0, &s, err);
    if (st != SP_OK)
        return st;
    st = send_with(c, &s, method, path, body, sink, sink_ctx, reply, err);
    if (st == SP_OK && reply->status == 401) {
        /* Expired (idle or absolute lifetime) or the gateway restarted: log in once more and
         * repeat the call once. */
        pfx_log(SP_LOG_INFO, "gateway %s: the session token was refused on %s %s; logging in again",
                c->display, method, path);
        refused = s.generation;
        session_clear(&s);
        pfx_gw_http_reply_clear(reply, 0);
        st = obtain_session(c, 1, refused, &s, err);
        if (st != SP_OK)
            return st;
        st = send_with(c, &s, method, path, body, sink, sink_ctx, reply, err);
        if (st == SP_OK && reply->status == 401) {
            session_clear(&s);
            reply->error_code = -1;
            return pfx_error_gateway(err, SP_E_AUTH, 401, -1,
                                     "authentication failed: gateway %s refused a freshly issued token "
                                     "on %s %s",
                                     c->display, method, path);
        }
    }
    if (st == SP_OK && (reply->status < 200 || reply->status > 299)) {
        st = pfx_gw_error_from_reply(reply, err);
        if (reply->error_code == PFX_GW_RC_NO_PERMISSIONS)
            /* Say which permission is missing: the gateway's words name none. */
            pfx_gw_context(err, st,
                           "gateway user \"%s\" may not change volumes, mappings or snapshots (it needs the "
                           "FrontEndConfigure, Configure or Administrator role, not a Monitor one)",
                           s.user);
        session_clear(&s);
        return st;
    }
    session_clear(&s);
    if (st != SP_OK)
        return st;
    if (want_body && reply->len == 0 && reply->streamed == 0) {
        if (reply->status == 204)
            return pfx_error_gateway(err, SP_E_NOT_FOUND, 204, -1, "gateway answered 204 No Content");
        return pfx_error_gateway(err, SP_E_PROTOCOL, (int)reply->status, -1,
                                 "gateway answered %s %s with an empty body", method, path);
    }
    return SP_OK;
}

static int default_unsigned(unsigned v, unsigned def)
{
    return v == 0 ? (int)def : (int)v;
}

sp_status pfx_gw_client_new(const pfx_gw_config *cfg, pfx_gw_client **out, sp_error *err)
{
    pfx_gw_http_config hc;
    pfx_gw_client *c;
    sp_status st;

    *out = NULL;
    if (cfg == NULL)
        return pfx_error(err, SP_E_INVALID, "no gateway configuration given");
    if (cfg->user == NULL || cfg->user[0] == '\0')
        return pfx_error(err, SP_E_INVALID, "no gateway user name given");
    if (cfg->password == NULL)
        return pfx_error(err, SP_E_INVALID, "no gateway password given");
    if (strchr(cfg->user, ':') != NULL)
        return pfx_error(err, SP_E_INVALID,
                         "gateway user name \"%s\" contains ':', which basic "
                         "authentication cannot carry",
                         cfg->user);
    if (cfg->ca_file != NULL && access(cfg->ca_file, R_OK) != 0)
        return pfx_error(err, SP_E_INVALID, "CA file \"%s\" cannot be read", cfg->ca_file);
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return pfx_error(err, SP_E_NOMEM, "out of memory creating the gateway client");
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->login_done, NULL);
    st =
        pfx_gw_url_parse(cfg->gateway, c->base_url, sizeof(c->base_url), c->display, sizeof(c->display), err);
    if (st != SP_OK)
        goto fail;
    c->user = strdup(cfg->user);
    c->password = pfx_secret_from_str(cfg->password);
    c->api = pfx_gw_api_from_version(cfg->api_version);
    if (c->api != PFX_GW_API_UNKNOWN)
        snprintf(c->version, sizeof(c->version), "%s", cfg->api_version);
    if (c->user == NULL || c->password == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "out of memory creating the gateway client");
        goto fail;
    }
    hc = (pfx_gw_http_config){
        .base_url = c->base_url,
        .display = c->display,
        .timeout_s = (unsigned)default_unsigned(cfg->timeout_s, PFX_GW_DEFAULT_TIMEOUT_S),
        .max_connections = (unsigned)default_unsigned(cfg->max_connections, PFX_GW_DEFAULT_MAX_CONNECTIONS),
        .ca_file = cfg->ca_file,
        .pinned_pubkey = cfg->pinned_pubkey,
        .insecure = cfg->insecure,
        .max_body = cfg->max_body_bytes ? cfg->max_body_bytes : PFX_GW_DEFAULT_MAX_BODY,
    };
    st = pfx_gw_http_new(&hc, &c->http, err);
    if (st != SP_OK)
        goto fail;
    if (cfg->insecure)
        pfx_log(SP_LOG_WARN,
                "gateway %s: TLS certificate verification is turned off for this pool; anyone on the "
                "path can read the gateway credentials",
                c->display);
    *out = c;
    return SP_OK;
fail:
    pfx_gw_client_free(c);
    return st;
}

void pfx_gw_client_free(pfx_gw_client *c)
{
    if (c == NULL)
        return;
    pfx_gw_http_free(c->http);
    free(c->user);
    pfx_secret_free(c->password);
    pfx_secret_free(c->token);
    pthread_cond_destroy(&c->login_done);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

sp_status pfx_gw_client_set_credentials(pfx_gw_client *c, const char *user, const char *password,
                                        sp_error *err)
{
    pfx_secret *pw;
    char *u;

    if (user == NULL || user[0] == '\0' || password == NULL)
        return pfx_error(err, SP_E_INVALID, "gateway user name and password must be given");
    if (strchr(user, ':') != NULL)
        return pfx_error(err, SP_E_INVALID,
                         "gateway user name \"%s\" contains ':', which basic "
                         "authentication cannot carry",
                         user);
    u = strdup(user);
    pw = pfx_secret_from_str(password);
    if (u == NULL || pw == NULL) {
        free(u);
        pfx_secret_free(pw);
        return pfx_error(err, SP_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&c->lock);
    if (strcmp(c->user, u) == 0 && pfx_secret_equal(c->password, pw)) {
        pthread_mutex_unlock(&c->lock);
        free(u);
        pfx_secret_free(pw);
        return SP_OK;
    }
    free(c->user);
    pfx_secret_free(c->password);
    c->user = u;
    c->password = pw;
    pfx_secret_free(c->token);
    c->token = NULL;
    c->generation++;
    c->cred_version++;
    pthread_mutex_unlock(&c->lock);
    pfx_log(SP_LOG_INFO, "gateway %s: credentials changed; the next call logs in as \"%s\"", c->display,
            user);
    return SP_OK;
}

sp_status pfx_gw_client_login(pfx_gw_client *c, sp_error *err)
{
    session s;
    sp_status st = obtain_session(c, 0, 0, &s, err);

    session_clear(&s);
    return st;
}

int pfx_gw_client_api(pfx_gw_client *c, char *version, size_t len)
{
    int api;

    pthread_mutex_lock(&c->lock);
    api = (int)c->api;
    if (len > 0)
        snprintf(version, len, "%s", c->version);
    pthread_mutex_unlock(&c->lock);
    return api;
}

const char *pfx_gw_client_display(const pfx_gw_client *c)
{
    return c->display;
}

void pfx_gw_client_get_stats(pfx_gw_client *c, pfx_gw_client_stats *out)
{
    pfx_gw_http_stats hs;

    pfx_gw_http_get_stats(c->http, &hs);
    out->requests = hs.requests;
    out->connections = hs.connections;
    out->handles = hs.handles;
    out->logins = atomic_load(&c->logins);
}
