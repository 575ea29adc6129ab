/* libmicrohttpd front end (see server.h). */
#include <config.h>
#include "server.h"
#include "crash.h"
#include "route.h"
#include "volops.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (4 << 20)
/* libmicrohttpd's per-connection memory (request line, headers, its read and write buffers),
 * which it clears after every request: its 32 KiB default cost more than parsing a request. A
 * body never stays in it (handler() copies it out as it arrives), so this bounds only the
 * request line and headers, still far beyond any client's. */
#define CONN_MEMORY (16 << 10)

struct sim_server {
    struct MHD_Daemon *d;
    struct sim_control *ctl;
    const struct sim_config *cfg;
    char *cert, *key;
    int fd;
    /* Set when stopping: a request held back by latency answers within a slice (delay_request). */
    atomic_bool stopping;
};

struct conn {
    char *body;
    size_t len, cap;
    bool too_big;
    pid_t kill_after; /* a crash point: killed once this answer has been sent */
};

struct truncated {
    char *body;
    size_t len, sent;
};

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = sim_xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, 4096, f);
        len += n;
        if (n < 4096)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static bool is_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LOOPBACK(a))
            return true;
        return IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127;
    }
    return false;
}

/* Splits "Authorization: Basic b64(user:pass)" (both malloc'd or NULL), or takes the token of
 * "Authorization: Bearer TOKEN" (malloc'd or NULL). */
static void basic_auth(struct MHD_Connection *conn, char **user, char **pass, char **bearer)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    char *dec, *colon;
    *user = *pass = *bearer = NULL;
    if (h && !strncasecmp(h, "Bearer ", 7)) {
        h += 7;
        while (*h == ' ')
            h++;
        if (*h)
            *bearer = sim_xstrdup(h);
        return;
    }
    if (!h || strncasecmp(h, "Basic ", 6))
        return;
    h += 6;
    while (*h == ' ')
        h++;
    dec = sim_b64_decode(h, NULL);
    if (!dec)
        return;
    colon = strchr(dec, ':');
    if (colon) {
        *colon = '\0';
        *user = sim_xstrdup(dec);
        *pass = sim_xstrdup(colon + 1);
    }
    free(dec);
}

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct truncated *t = cls;
    size_t half = t->len / 2;
    (void)pos;
    if (t->sent >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - t->sent < max ? half - t->sent : max;
    memcpy(buf, t->body + t->sent, n);
    t->sent += n;
    return (ssize_t)n;
}

static void truncated_free(void *cls)
{
    struct truncated *t = cls;
    free(t->body);
    free(t);
}

static enum MHD_Result send_body(struct MHD_Connection *conn, int status, char *body, const char *ctype,
                                 bool truncate)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    size_t len = strlen(body);
    if (truncate && len > 1) {
        struct truncated *t = sim_xcalloc(1, sizeof(*t));
        t->body = body;
        t->len = len;
        /* Announces the full length, sends half, then drops the connection. */
        r = MHD_create_response_from_callback(len, 4096, truncated_reader, t, truncated_free);
    } else {
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (ctype)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, char *body, bool truncate)
{
    return send_body(conn, status, body, "application/json;charset=UTF-8", truncate);
}

/* The error pages that reach clients instead of JSON: a reverse proxy's (nginx's wording) for
 * 502 and 504, and for everything on 4.x, whose gateway sits behind that web front (what
 * clients must cope with: goscaleio reads only the status line then); the servlet container's
 * (Tomcat's) for anything else. */
static char *html_page(int status, bool front)
{
    const char *reason = MHD_get_reason_phrase_for((unsigned)status);
    if (front || status == 502 || status == 504)
        return sim_fmt("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n"
                       "<center><h1>%d %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                       "</body>\r\n</html>\r\n",
                       status, reason, status, reason);
    return sim_fmt("<!doctype html><html lang=\"en\"><head><title>HTTP Status %d - %s</title>"
                   "</head><body><h1>HTTP Status %d - %s</h1><hr class=\"line\" /><p><b>Type</b> "
                   "Status Report</p><hr class=\"line\" /><h3>Apache Tomcat</h3></body></html>",
                   status, reason, status, reason);
}

static char *fault_body(int status)
{
    sim_jw *w = sim_jw_new();
    sim_jw_obj(w);
    sim_jw_kstr(w, "message", status == 503 ? "Service Unavailable" : "Injected internal error");
    sim_jw_kint(w, "httpStatusCode", status);
    sim_jw_kint(w, "errorCode", 0);
    sim_jw_obj_end(w);
    return sim_jw_finish(w);
}

/* The slice a held-back request sleeps at most before looking whether the server stops. */
#define DELAY_SLICE_NS 20000000L

static void add_ns(struct timespec *t, int64_t ns)
{
    t->tv_sec += (time_t)(ns / 1000000000L);
    t->tv_nsec += (long)(ns % 1000000000L);
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Holds a request back for ms (a latency fault), or until the server stops. Each connection's
 * thread sleeps on its own clock, not on a condition shared by all: with dozens of connections
 * held back at once, the shared lock's hand-offs cost more than the sleeps. A long wait sleeps in
 * slices, so that stopping does not wait it out. */
static void delay_request(struct sim_server *s, int64_t ms)
{
    struct timespec until, now, wake;
    clock_gettime(CLOCK_MONOTONIC, &until);
    add_ns(&until, ms * 1000000L);
    for (;;) {
        if (atomic_load(&s->stopping))
            return;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!before(&now, &until))
            return;
        wake = now;
        add_ns(&wake, DELAY_SLICE_NS);
        if (before(&until, &wake))
            wake = until;
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &wake, NULL);
    }
}

static enum MHD_Result handle_api(struct sim_server *s, struct MHD_Connection *conn, const char *url,
                                  const char *method, struct conn *cc)
{
    struct sim_control *ctl = s->ctl;
    struct sim_ctx ctx = {ctl->model, ctl->auth, s->cfg->api_version, s->cfg->api4};
    struct sim_req rq;
    struct sim_resp rs = {0, NULL, NULL};
    struct sim_fault_actions fa;
    char *tmpl = sim_route_template(url), *user = NULL, *pass = NULL, *bearer = NULL;
    enum MHD_Result ret;
    enum sim_crash_when crash = SIM_CRASH_NONE;
    pid_t victim = 0;
    bool failing;
    sim_stats_count(ctl->stats, method, tmpl);
    if (sim_route_mutates(method, url))
        crash = sim_crash_count(ctl->crash, &victim);
    if (crash == SIM_CRASH_BEFORE) {
        free(tmpl);
        sim_crash_fire(victim, "before carrying out its request");
        return MHD_NO;
    }
    sim_faults_eval(ctl->faults, method, tmpl, url, &fa);
    free(tmpl);
    if (s->cfg->latency_ms + fa.latency_ms > 0)
        delay_request(s, s->cfg->latency_ms + fa.latency_ms);
    if (fa.expire_tokens)
        sim_auth_expire_all(ctl->auth);
    if (fa.device_delay_ms >= 0) {
        sim_model_lock(ctl->model);
        ctl->model->device_delay_override = fa.device_delay_ms;
        sim_model_unlock(ctl->model);
    }
    failing = fa.response == SIM_FAULT_HTTP500 || fa.response == SIM_FAULT_HTTP503 ||
              fa.response == SIM_FAULT_HTTP502 || fa.response == SIM_FAULT_HTTP504 ||
              fa.response == SIM_FAULT_HTML || fa.response == SIM_FAULT_EMPTY ||
              fa.response == SIM_FAULT_BUSY || fa.response == SIM_FAULT_DROP;
    if (failing && !fa.after)
        goto fail;

    basic_auth(conn, &user, &pass, &bearer);
    memset(&rq, 0, sizeof(rq));
    rq.method = method;
    rq.path = url;
    rq.body = cc->body ? cc->body : "";
    rq.auth_user = user;
    rq.auth_pass = pass;
    rq.bearer = bearer;
    if (!strncmp(url, "/rest/", 6))
        sim_rest_handle(&ctx, &rq, &rs);
    else
        sim_api_handle(&ctx, &rq, &rs);
    if (rq.json)
        yajl_tree_free(rq.json);
    free(user);
    free(pass);
    free(bearer);
    if (fa.readonly && (fa.readonly_volume[0] || rs.volume_id)) {
        sim_model_lock(ctl->model);
        struct sim_volume *v =
            sim_find_volume(ctl->model, fa.readonly_volume[0] ? fa.readonly_volume : rs.volume_id);
        if (v) {
            sim_volume_set_readonly(v, true);
            ctl->model->dirty = true;
        }
        sim_model_unlock(ctl->model);
    }
    free(rs.volume_id);
    if (crash == SIM_CRASH_APPLIED) {
        /* Carried out and saved (api.c saves a change before it answers), never answered. */
        free(rs.body);
        sim_crash_fire(victim, "after carrying out its request, before answering");
        return MHD_NO;
    }
    if (crash == SIM_CRASH_AFTER)
        cc->kill_after = victim;
    if (failing) {
        free(rs.body);
        goto fail;
    }
    if (fa.response == SIM_FAULT_MALFORMED) {
        size_t half = strlen(rs.body) / 2;
        char *bad = sim_fmt("%.*s#!<html>", (int)half, rs.body);
        free(rs.body);
        rs.body = bad;
    }
    if (s->cfg->api4 && (rs.status == 401 || rs.status == 404) && strncmp(url, "/rest/", 6)) {
        free(rs.body);
        return send_body(conn, rs.status, html_page(rs.status, true), "text/html", false);
    }
    return send_json(conn, rs.status, rs.body, fa.response == SIM_FAULT_TRUNCATE);
fail:
    /* A failure injected by a fault does not spare a crash point's client. */
    if (crash == SIM_CRASH_APPLIED) {
        sim_crash_fire(victim, "as its request failed (an injected fault)");
        return MHD_NO;
    }
    if (crash == SIM_CRASH_AFTER)
        cc->kill_after = victim;
    switch (fa.response) {
    case SIM_FAULT_DROP: return MHD_NO; /* closes the connection without an answer */
    case SIM_FAULT_HTTP502: return send_body(conn, 502, html_page(502, false), "text/html", false);
    case SIM_FAULT_HTTP504: return send_body(conn, 504, html_page(504, false), "text/html", false);
    case SIM_FAULT_HTML:
        return send_body(conn, fa.status ? fa.status : 500,
                         html_page(fa.status ? fa.status : 500, s->cfg->api4), "text/html;charset=utf-8",
                         false);
    case SIM_FAULT_EMPTY: return send_body(conn, fa.status ? fa.status : 500, sim_xstrdup(""), NULL, false);
    case SIM_FAULT_BUSY:
        return send_json(conn, 500,
                         sim_error_body(fa.rc == 164 ? SIM_E_SYSTEM_BUSY : SIM_E_REMOVE_IN_PROGRESS, NULL),
                         false);
    default: break;
    }
    if (s->cfg->api4) {
        int st = fa.response == SIM_FAULT_HTTP503 ? 503 : 500;
        return send_body(conn, st, html_page(st, true), "text/html", false);
    }
    ret = send_json(conn, fa.response == SIM_FAULT_HTTP503 ? 503 : 500,
                    fault_body(fa.response == SIM_FAULT_HTTP503 ? 503 : 500), false);
    return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
    struct sim_server *s = cls;
    struct conn *cc = *con_cls;
    (void)version;
    if (!cc) {
        *con_cls = sim_xcalloc(1, sizeof(struct conn));
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (cc->len + n > MAX_BODY) {
            cc->too_big = true;
        } else {
            if (cc->len + n + 1 > cc->cap) {
                cc->cap = (cc->len + n + 1) * 2;
                cc->body = sim_xrealloc(cc->body, cc->cap);
            }
            memcpy(cc->body + cc->len, upload_data, n);
            cc->len += n;
            cc->body[cc->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (cc->too_big)
        return send_json(conn, 413, sim_error_body(SIM_E_BAD_REQUEST, "Request body too large"), false);
    if (!strncmp(url, "/api/", 5) || !strncmp(url, "/rest/", 6))
        return handle_api(s, conn, url, method, cc);
    if (!strncmp(url, "/sim/", 5)) {
        struct sim_resp rs = {0, NULL, NULL};
        if (!is_loopback(conn))
            return send_json(
                conn, 403,
                sim_error_body(SIM_E_BAD_REQUEST, "Control endpoints answer loopback clients only"), false);
        sim_control_handle(s->ctl, method, url, cc->body ? cc->body : "", &rs);
        free(rs.volume_id);
        return send_json(conn, rs.status, rs.body, false);
    }
    if (s->cfg->api4)
        return send_body(conn, 404, html_page(404, true), "text/html", false);
    return send_json(conn, 404, sim_error_body(SIM_E_NO_URL, NULL), false);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct conn *cc = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (cc) {
        if (cc->kill_after > 0)
            sim_crash_fire(cc->kill_after, "after answering its request");
        free(cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

static int bind_socket(const char *host, int port, int *family, int *bound_port, char *err, size_t errsz)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16];
    int fd = -1, one = 1, rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof(portstr), "%d", port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc) {
        snprintf(err, errsz, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (res->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 256) != 0)
        goto fail;
    {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
            goto fail;
        *bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                     : ((struct sockaddr_in *)&ss)->sin_port);
    }
    *family = res->ai_family;
    freeaddrinfo(res);
    return fd;
fail:
    snprintf(err, errsz, "cannot listen on %s:%d: %s", host, port, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    return -1;
}

struct sim_server *sim_server_start(const struct sim_config *cfg, struct sim_control *ctl, char **url,
                                    char *err, size_t errsz)
{
    struct sim_server *s = sim_xcalloc(1, sizeof(*s));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    int family = AF_INET, port = 0;
    atomic_init(&s->stopping, false);
    s->ctl = ctl;
    s->cfg = cfg;
    s->fd = -1;
    /* The connection threads inherit this thread's timer slack. Linux lets a timed wait overrun
     * by up to 50 us by default: 2.5% on top of a 2 ms latency, which every request would pay. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    if (!cfg->plain_http) {
        s->cert = read_file(cfg->tls_cert);
        s->key = read_file(cfg->tls_key);
        if (!s->cert || !s->key) {
            snprintf(err, errsz, "cannot read %s", !s->cert ? cfg->tls_cert : cfg->tls_key);
            goto fail;
        }
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errsz, "this libmicrohttpd has no TLS support");
            goto fail;
        }
        flags |= MHD_USE_TLS;
    }
    s->fd = bind_socket(cfg->listen_host, cfg->listen_port, &family, &port, err, errsz);
    if (s->fd < 0)
        goto fail;
    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->plain_http)
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_LIMIT, 1024,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                                MHD_OPTION_CONNECTION_TIMEOUT, 600, MHD_OPTION_END);
    else
        s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
                                MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_LIMIT, 1024,
                                MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
                                MHD_OPTION_CONNECTION_TIMEOUT, 600, MHD_OPTION_HTTPS_MEM_CERT, s->cert,
                                MHD_OPTION_HTTPS_MEM_KEY, s->key, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errsz, "cannot start the HTTP%s server (bad certificate or key?)",
                 cfg->plain_http ? "" : "S");
        goto fail;
    }
    s->fd = -1; /* the daemon owns and closes the listening socket now */
    {
        /* Brackets for an IPv6 literal only; a name like localhost stays as given. */
        bool v6lit = family == AF_INET6 && strchr(cfg->listen_host, ':');
        *url = sim_fmt("%s://%s%s%s:%d", cfg->plain_http ? "http" : "https", v6lit ? "[" : "",
                       cfg->listen_host, v6lit ? "]" : "", port);
    }
    return s;
fail:
    sim_server_stop(s);
    return NULL;
}

void sim_server_stop(struct sim_server *s)
{
    if (!s)
        return;
    /* Requests held back by latency answer within a slice: the daemon waits for their threads. */
    atomic_store(&s->stopping, true);
    if (s->d)
        MHD_stop_daemon(s->d);
    if (s->fd >= 0)
        close(s->fd);
    free(s->cert);
    free(s->key);
    free(s);
}
