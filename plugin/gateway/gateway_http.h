/* gateway_http.h - the client's transport: a bounded pool of libcurl handles over HTTPS that
 * performs one request and hands back the raw answer, mapping transport failures to sp_status. */
#ifndef PFX_GATEWAY_HTTP_H
#define PFX_GATEWAY_HTTP_H

#include "secret.h"
#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>

typedef struct pfx_gw_http pfx_gw_http;

typedef struct pfx_gw_http_config {
    const char *base_url;      /* "https://host:port/api"; copied */
    const char *display;       /* "host:port" for messages; copied */
    unsigned timeout_s;        /* bounds the connect and each whole request; > 0 */
    unsigned max_connections;  /* requests in flight at once (one handle and connection each); > 0 */
    const char *ca_file;       /* NULL: the system's CA store; copied */
    const char *pinned_pubkey; /* "sha256//..." or NULL; copied */
    int insecure;              /* 1: no certificate or host name verification */
    size_t max_body;           /* larger answers are refused; > 0 */
} pfx_gw_http_config;

/* An answer. body is malloc'd, NUL-terminated and owned by the reply (never NULL after a
 * successful perform: an empty answer is ""). */
typedef struct pfx_gw_http_reply {
    long status; /* HTTP status */
    char *body;
    size_t len;
    char reason[64];    /* the status line's reason phrase ("Internal Server Error"), may be "" */
    int html;           /* the answer is an HTML page (proxy or servlet error page) */
    int32_t error_code; /* the gateway's errorCode once the answer is judged an error, else -1 */
    size_t streamed;    /* bytes of a 2xx answer handed to a sink (body is then "") */
} pfx_gw_http_reply;

/* Takes a 2xx answer's body as it arrives, piece by piece; non-zero stops the transfer. */
typedef int (*pfx_gw_http_sink)(void *ctx, const char *data, size_t len);

/* Creates the transport; does no I/O. curl_global_init must have been called. *out is owned by
 * the caller and released with pfx_gw_http_free once no request is running. */
sp_status pfx_gw_http_new(const pfx_gw_http_config *cfg, pfx_gw_http **out, sp_error *err);
void pfx_gw_http_free(pfx_gw_http *h);

/* How a request authenticates: not at all, HTTP basic user:secret (3.x and the legacy login),
 * or "Authorization: Bearer secret" (4.x). */
typedef enum pfx_gw_auth_kind {
    PFX_GW_AUTH_NONE = 0,
    PFX_GW_AUTH_BASIC = 1,
    PFX_GW_AUTH_BEARER = 2
} pfx_gw_auth_kind;

typedef struct pfx_gw_http_request {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* appended to base_url ("/types/Volume/instances") */
    int from_root;      /* 1: path is appended to the gateway's root instead ("/rest/auth/login") */
    const char *body;   /* a JSON body for POST, NULL: none */
    pfx_gw_auth_kind auth;
    const char *user;         /* PFX_GW_AUTH_BASIC only */
    const pfx_secret *secret; /* the password or token */
    pfx_gw_http_sink sink;    /* NULL: the answer is collected in reply->body (max_body at most); else a
                               * 2xx answer's body goes to sink as it arrives (no max_body limit then:
                               * the sink keeps what it needs), other answers are collected; a sink that
                               * stops the transfer makes it SP_E_PROTOCOL, and the sink says why */
    void *sink_ctx;
} pfx_gw_http_request;

/* Performs the request. Waits for a free handle when max_connections requests are in flight.
 * SP_OK when an HTTP answer of any status arrived (the caller judges it); otherwise
 * SP_E_TIMEOUT, SP_E_TLS, SP_E_UNAVAILABLE, SP_E_PROTOCOL (answer too large), SP_E_NOMEM, with a
 * message naming the gateway and never a secret. The reply is zeroed first and released with
 * pfx_gw_http_reply_clear even on failure. Thread-safe. */
sp_status pfx_gw_http_send(pfx_gw_http *h, const pfx_gw_http_request *rq, pfx_gw_http_reply *reply,
                           sp_error *err);

/* pfx_gw_http_send of method on base_url + path with basic auth user:password. */
sp_status pfx_gw_http_perform(pfx_gw_http *h, const char *method, const char *path, const char *body,
                              const char *user, const pfx_secret *password, pfx_gw_http_reply *reply,
                              sp_error *err);

/* Frees the body; with wipe, overwrites it first (answers that carry a token). */
void pfx_gw_http_reply_clear(pfx_gw_http_reply *r, int wipe);

/* Counters for tests and logs. */
typedef struct pfx_gw_http_stats {
    uint64_t requests;    /* performs that reached the network */
    uint64_t connections; /* new TCP connections opened (the rest reused one) */
    uint64_t handles;     /* curl handles created: the most requests ever in flight at once */
} pfx_gw_http_stats;
void pfx_gw_http_get_stats(pfx_gw_http *h, pfx_gw_http_stats *out);

#endif
