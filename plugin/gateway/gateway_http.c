/* gateway_http.c - a bounded pool of libcurl easy handles talking HTTPS to one gateway.
 * Each pooled handle keeps its own connection alive, so reusing handles reuses connections;
 * DNS answers and TLS sessions are shared between handles through a CURLSH. The connection
 * cache itself is not shared: libcurl documents sharing connections between concurrently
 * running threads as unsupported, and one kept-alive connection per handle gives the same reuse. */
#include "config.h"

#include "gateway_http.h"

#include "error.h"
#include "hostsvc.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct pfx_gw_http {
    char *base_url;
    char *display;
    char *ca_file;
    char *pinned_pubkey;
    unsigned timeout_s;
    int insecure;
    size_t max_body;

    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];

    /* The handle pool: at most max handles exist; idle ones wait on a stack (most recently
     * used on top, as its connection is the likeliest to still be open). */
    pthread_mutex_t lock;
    pthread_cond_t freed;
    CURL **idle;
    size_t n_idle;
    size_t created;
    size_t max;

    _Atomic uint64_t requests;
    _Atomic uint64_t connections;
};

/* What one transfer collects. */
typedef struct transfer {
    char *buf;
    size_t len, cap, max;
    int too_big;
    char reason[64];
    CURL *c;
    pfx_gw_http_sink sink; /* NULL: every answer is collected */
    void *sink_ctx;
    int mode;         /* with a sink: 0 not known yet, 1 streaming (2xx), 2 collecting */
    int sink_stopped; /* the sink stopped the transfer */
    size_t streamed;
} transfer;

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userp)
{
    pfx_gw_http *h = userp;

    if ((unsigned)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&h->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userp)
{
    pfx_gw_http *h = userp;

    if ((unsigned)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&h->share_locks[data]);
}

static char *dup_or_null(const char *s, int *failed)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *failed = 1;
    return d;
}

sp_status pfx_gw_http_new(const pfx_gw_http_config *cfg, pfx_gw_http **out, sp_error *err)
{
    pfx_gw_http *h;
    int failed = 0;

    *out = NULL;
    if (cfg->timeout_s == 0 || cfg->max_connections == 0 || cfg->max_body == 0)
        return pfx_error(err, SP_E_INVALID,
                         "gateway transport: timeout, connections and body cap must be > 0");
    h = calloc(1, sizeof(*h));
    if (h == NULL)
        return pfx_error(err, SP_E_NOMEM, "out of memory creating the gateway client");
    h->base_url = dup_or_null(cfg->base_url, &failed);
    h->display = dup_or_null(cfg->display, &failed);
    h->ca_file = dup_or_null(cfg->ca_file, &failed);
    h->pinned_pubkey = dup_or_null(cfg->pinned_pubkey, &failed);
    h->timeout_s = cfg->timeout_s;
    h->insecure = cfg->insecure;
    h->max_body = cfg->max_body;
    h->max = cfg->max_connections;
    h->idle = calloc(h->max, sizeof(*h->idle));
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&h->share_locks[i], NULL);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->freed, NULL);
    h->share = curl_share_init();
    if (failed || h->base_url == NULL || h->display == NULL || h->idle == NULL || h->share == NULL) {
        pfx_gw_http_free(h);
        return pfx_error(err, SP_E_NOMEM, "out of memory creating the gateway client");
    }
    if (curl_share_setopt(h->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_USERDATA, h) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
        curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        pfx_gw_http_free(h);
        return pfx_error(err, SP_E_INTERNAL, "libcurl refused the share settings");
    }
    *out = h;
    return SP_OK;
}

void pfx_gw_http_free(pfx_gw_http *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n_idle; i++)
        curl_easy_cleanup(h->idle[i]);
    if (h->share != NULL)
        curl_share_cleanup(h->share);
    pthread_cond_destroy(&h->freed);
    pthread_mutex_destroy(&h->lock);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&h->share_locks[i]);
    free(h->idle);
    free(h->base_url);
    free(h->display);
    free(h->ca_file);
    free(h->pinned_pubkey);
    free(h);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;

    if (t->sink != NULL && t->mode == 0) {
        long code = 0;
        curl_easy_getinfo(t->c, CURLINFO_RESPONSE_CODE, &code);
        t->mode = code >= 200 && code <= 299 ? 1 : 2;
    }
    if (t->mode == 1) {
        if (t->sink(t->sink_ctx, data, n) != 0) {
            t->sink_stopped = 1;
            return 0;
        }
        t->streamed += n;
        return n;
    }
    if (n > t->max - t->len) {
        t->too_big = 1;
        return 0; /* aborts the transfer: an oversized answer is never buffered whole */
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        char *nb;

        while (cap < t->len + n + 1)
            cap *= 2;
        if (cap > t->max + 1)
            cap = t->max + 1;
        nb = realloc(t->buf, cap);
        if (nb == NULL)
            return 0;
        t->buf = nb;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, data, n);
    t->len += n;
    t->buf[t->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    transfer *t = userp;
    size_t n = size * nmemb;

    if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
        /* "HTTP/1.1 500 Internal Server Error\r\n": keep the reason (the last status line wins,
         * after any "100 Continue"). */
        const char *p = memchr(data, ' ', n), *end = data + n;
        t->reason[0] = '\0';
        if (p != NULL && (p = memchr(p + 1, ' ', (size_t)(end - p - 1))) != NULL) {
            size_t r = 0;
            for (p++; p < end && *p != '\r' && *p != '\n' && r + 1 < sizeof(t->reason); p++)
                t->reason[r++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
            t->reason[r] = '\0';
        }
    } else if (t->sink == NULL && n > 15 && strncasecmp(data, "content-length:", 15) == 0) {
        unsigned long long cl = strtoull(data + 15, NULL, 10);
        if (cl > t->max) {
            t->too_big = 1;
            return 0; /* refuse before reading any of it */
        }
    }
    return n;
}

static CURL *acquire(pfx_gw_http *h)
{
    CURL *c = NULL;

    pthread_mutex_lock(&h->lock);
    while (h->n_idle == 0 && h->created >= h->max)
        pthread_cond_wait(&h->freed, &h->lock);
    if (h->n_idle > 0) {
        c = h->idle[--h->n_idle];
        pthread_mutex_unlock(&h->lock);
        return c;
    }
    h->created++;
    pthread_mutex_unlock(&h->lock);

    c = curl_easy_init();
    if (c == NULL) {
        pthread_mutex_lock(&h->lock);
        h->created--;
        pthread_cond_signal(&h->freed);
        pthread_mutex_unlock(&h->lock);
        return NULL;
    }
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_SHARE, h->share);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)h->timeout_s);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    if (h->ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
    if (h->pinned_pubkey != NULL)
        curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, h->pinned_pubkey);
    if (h->insecure || (h->pinned_pubkey != NULL && h->ca_file == NULL)) {
        /* A pin alone trusts exactly that key: self-signed gateways need no CA or name check. */
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    return c;
}

static void release(pfx_gw_http *h, CURL *c)
{
    pthread_mutex_lock(&h->lock);
    h->idle[h->n_idle++] = c;
    pthread_cond_signal(&h->freed);
    pthread_mutex_unlock(&h->lock);
}

/* "Authorization: Basic base64(user:password)" or "Authorization: Bearer token", built here
 * rather than by libcurl so that the only copies of a secret this module makes are ones it
 * wipes. */
static struct curl_slist *auth_header(struct curl_slist *list, const pfx_gw_http_request *rq)
{
    static const char basic[] = "Authorization: Basic ", bearer[] = "Authorization: Bearer ";
    size_t ulen = rq->user != NULL ? strlen(rq->user) : 0, plen = pfx_secret_len(rq->secret);
    size_t rawlen = ulen + 1 + plen, enclen = 4 * ((rawlen + 2) / 3) + 1;
    unsigned char *raw = NULL;
    char *line = NULL;
    size_t line_len = 0;
    struct curl_slist *res = NULL;

    if (rq->auth == PFX_GW_AUTH_BEARER) {
        line_len = sizeof(bearer) + plen;
        if ((line = malloc(line_len)) == NULL)
            goto out;
        memcpy(line, bearer, sizeof(bearer) - 1);
        memcpy(line + sizeof(bearer) - 1, pfx_secret_value(rq->secret), plen + 1);
        res = curl_slist_append(list, line);
        goto out;
    }
    raw = malloc(rawlen);
    line_len = sizeof(basic) + enclen;
    line = malloc(line_len);
    if (raw == NULL || line == NULL)
        goto out;
    memcpy(raw, rq->user, ulen);
    raw[ulen] = ':';
    memcpy(raw + ulen + 1, pfx_secret_value(rq->secret), plen);
    memcpy(line, basic, sizeof(basic) - 1);
    EVP_EncodeBlock((unsigned char *)line + sizeof(basic) - 1, raw, (int)rawlen);
    res = curl_slist_append(list, line);
out:
    if (raw != NULL)
        pfx_secret_wipe(raw, rawlen);
    if (line != NULL)
        pfx_secret_wipe(line, line_len);
    free(raw);
    free(line);
    return res;
}

/* Only the Authorization line holds a secret; the others are constants. */
static void free_headers(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l != NULL; l = l->next)
        if (strncmp(l->data, "Authorization:", 14) == 0)
            pfx_secret_wipe(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

static sp_status transport_error(pfx_gw_http *h, CURLcode rc, const char *detail, const transfer *t,
                                 const char *method, const char *path, sp_error *err)
{
    const char *why = detail[0] != '\0' ? detail : curl_easy_strerror(rc);

    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return pfx_error(err, SP_E_TIMEOUT, "gateway %s did not answer %s %s within %u s (%s)", h->display,
                         method, path, h->timeout_s, why);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return pfx_error(err, SP_E_TLS, "TLS with gateway %s failed: %s", h->display, why);
    case CURLE_WRITE_ERROR:
        if (t->too_big)
            return pfx_error(err, SP_E_PROTOCOL,
                             "gateway %s: the answer to %s %s is larger than %zu bytes; refused", h->display,
                             method, path, h->max_body);
        return pfx_error(err, SP_E_NOMEM, "gateway %s: out of memory reading the answer to %s %s", h->display,
                         method, path);
    case CURLE_OUT_OF_MEMORY:
        return pfx_error(err, SP_E_NOMEM, "gateway %s: out of memory (%s)", h->display, why);
    case CURLE_COULDNT_RESOLVE_HOST:
        return pfx_error(err, SP_E_UNAVAILABLE, "gateway %s: cannot resolve its name (%s)", h->display, why);
    case CURLE_COULDNT_CONNECT:
        return pfx_error(err, SP_E_UNAVAILABLE, "gateway %s is unreachable (%s)", h->display, why);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return pfx_error(err, SP_E_UNAVAILABLE, "gateway %s dropped the connection during %s %s (%s)",
                         h->display, method, path, why);
    default:
        return pfx_error(err, SP_E_UNAVAILABLE, "gateway %s: %s %s failed (%s)", h->display, method, path,
                         why);
    }
}

static int looks_html(CURL *c, const transfer *t)
{
    char *ctype = NULL;
    size_t i = 0;

    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype != NULL &&
        strcasestr(ctype, "html") != NULL)
        return 1;
    while (i < t->len && (t->buf[i] == ' ' || t->buf[i] == '\t' || t->buf[i] == '\r' || t->buf[i] == '\n'))
        i++;
    return i < t->len && t->buf[i] == '<';
}

/* Whole milliseconds, rounded: the log line of every request is formatted whether or not the
 * host keeps it, and a floating-point conversion costs more than the rest of the line. */
static long long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    long long ns;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    ns = (long long)(t1.tv_sec - t0->tv_sec) * 1000000000LL + (t1.tv_nsec - t0->tv_nsec);
    return (ns + 500000) / 1000000;
}

sp_status pfx_gw_http_perform(pfx_gw_http *h, const char *method, const char *path, const char *body,
                              const char *user, const pfx_secret *password, pfx_gw_http_reply *reply,
                              sp_error *err)
{
    pfx_gw_http_request rq = {.method = method,
                              .path = path,
                              .body = body,
                              .auth = PFX_GW_AUTH_BASIC,
                              .user = user,
                              .secret = password};

    return pfx_gw_http_send(h, &rq, reply, err);
}

sp_status pfx_gw_http_send(pfx_gw_http *h, const pfx_gw_http_request *rq, pfx_gw_http_reply *reply,
                           sp_error *err)
{
    const char *method = rq->method, *path = rq->path, *body = rq->body;
    size_t base_len = strlen(h->base_url);
    transfer t = {.max = h->max_body, .sink = rq->sink, .sink_ctx = rq->sink_ctx};
    struct curl_slist *headers = NULL, *next;
    char detail[CURL_ERROR_SIZE];
    char *url = NULL;
    size_t url_len;
    long connects = 0;
    struct timespec t0;
    CURLcode rc;
    CURL *c = NULL;
    sp_status st = SP_OK;
    int post = strcmp(method, "POST") == 0;

    memset(reply, 0, sizeof(*reply));
    reply->error_code = -1;
    /* The base URL ends in "/api" (pfx_gw_url_parse); the root is what precedes it. */
    if (rq->from_root && base_len >= 4 && strcmp(h->base_url + base_len - 4, "/api") == 0)
        base_len -= 4;
    url_len = base_len + strlen(path) + 1;
    url = malloc(url_len);
    if (url == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "out of memory building a gateway request");
        goto out;
    }
    memcpy(url, h->base_url, base_len);
    memcpy(url + base_len, path, strlen(path) + 1);

    headers = curl_slist_append(NULL, "Accept: application/json");
    /* An empty Expect stops libcurl from waiting for "100 Continue" on larger bodies. */
    if (headers != NULL && (next = curl_slist_append(headers, "Expect:")) != NULL)
        headers = next;
    else
        goto nomem;
    if (post) {
        if ((next = curl_slist_append(headers, "Content-Type: application/json")) == NULL)
            goto nomem;
        headers = next;
    }
    if (rq->auth != PFX_GW_AUTH_NONE) {
        if ((next = auth_header(headers, rq)) == NULL)
            goto nomem;
        headers = next;
    }

    c = acquire(h);
    if (c == NULL)
        goto nomem;
    detail[0] = '\0';
    t.c = c;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    if (post) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body != NULL ? strlen(body) : 0));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = curl_easy_perform(c);
    atomic_fetch_add(&h->requests, 1);
    if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0)
        atomic_fetch_add(&h->connections, (uint64_t)connects);
    if (rc != CURLE_OK && t.sink_stopped) {
        st = pfx_error(err, SP_E_PROTOCOL, "gateway %s: the answer to %s %s was refused while it was read",
                       h->display, method, path);
    } else if (rc != CURLE_OK) {
        pfx_log(SP_LOG_DEBUG, "gateway %s: %s %s failed after %lld ms: %s", h->display, method, path,
                elapsed_ms(&t0), curl_easy_strerror(rc));
        st = transport_error(h, rc, detail, &t, method, path, err);
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
        if (t.buf == NULL && (t.buf = calloc(1, 1)) == NULL) {
            st = pfx_error(err, SP_E_NOMEM, "out of memory reading a gateway answer");
        } else {
            reply->html = looks_html(c, &t);
            reply->body = t.buf;
            reply->len = t.len;
            reply->streamed = t.streamed;
            memcpy(reply->reason, t.reason, sizeof(reply->reason));
            t.buf = NULL;
            pfx_log(SP_LOG_DEBUG, "gateway %s: %s %s -> %ld (%zu bytes, %lld ms)", h->display, method, path,
                    reply->status, reply->len, elapsed_ms(&t0));
        }
    }
    /* Nothing of this request may outlive it inside the pooled handle. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
    release(h, c);
    goto out;
nomem:
    st = pfx_error(err, SP_E_NOMEM, "out of memory building a gateway request");
out:
    if (t.buf != NULL)
        pfx_secret_wipe(t.buf, t.len);
    free(t.buf);
    free_headers(headers);
    free(url);
    return st;
}

void pfx_gw_http_reply_clear(pfx_gw_http_reply *r, int wipe)
{
    if (r == NULL)
        return;
    if (wipe && r->body != NULL)
        pfx_secret_wipe(r->body, r->len);
    free(r->body);
    memset(r, 0, sizeof(*r));
    r->error_code = -1;
}

void pfx_gw_http_get_stats(pfx_gw_http *h, pfx_gw_http_stats *out)
{
    out->requests = atomic_load(&h->requests);
    out->connections = atomic_load(&h->connections);
    pthread_mutex_lock(&h->lock);
    out->handles = h->created;
    pthread_mutex_unlock(&h->lock);
}
