/* test_faults.c - the client under failure: the simulator's injected latency, drops, 5xx,
 * truncated and malformed answers; and from a scripted server, what the simulator cannot send
 * (10 MB bodies, HTML pages, a token refused right after login, paused migrations). Every
 * failure must be a clear error, never a crash, a hang or a leak. */
#include "config.h"

#include "gateway_system.h"
#include "gateway_volume.h"
#include "gateway_vtree.h"
#include "gwsim.h"
#include "gwtest.h"
#include "testca.h"
#include "tserver.h"

#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static tsim *sim;
static pfx_gw_client *cl;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int has(const sp_error *e, const char *needle)
{
    if (strstr(e->message, needle) != NULL)
        return 1;
    fprintf(stderr, "message \"%s\" lacks \"%s\"\n", e->message, needle);
    return 0;
}

static void recovers(void)
{
    char v[16];
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_OK);
}

/* ---- the simulator's faults --------------------------------------------------------------- */

static int sim_init(void)
{
    sp_error e;

    gwt_log_capture_start();
    sim = gws_start(NULL);
    cl = gws_client(sim, 30, 8);
    return pfx_gw_client_login(cl, &e) != SP_OK;
}

static int sim_clean(void)
{
    pfx_gw_client_free(cl);
    tsim_stop(sim);
    return 0;
}

/* The simulator holds the answer back ten minutes, far beyond a timeout generous enough for a
 * slow machine to log in within it: the client gives up at its timeout, however slow it runs. */
#define SHORT_TIMEOUT_S 10
static void test_timeout(void)
{
    pfx_gw_client *c = gws_client(sim, SHORT_TIMEOUT_S, 2);
    char v[16];
    sp_error e;
    double t0, took;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_client_login(c, &e), SP_OK);
    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/version:latency:ms=600000:once"));
    t0 = now_s();
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_TIMEOUT);
    took = now_s() - t0;
    CU_ASSERT_TRUE(took >= SHORT_TIMEOUT_S - 0.1);
    CU_ASSERT_TRUE(took < 300); /* gave up, rather than waiting for the answer */
    CU_ASSERT_TRUE(has(&e, "did not answer GET /version within 10 s"));
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    CU_ASSERT_TRUE(gws_clear_faults(sim));
    /* the held-back request does not stand in the way of the next one */
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    pfx_gw_client_free(c);
    recovers();
}

static void test_dropped(void)
{
    char v[16];
    sp_error e;

    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/version:drop"));
    CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_E_UNAVAILABLE);
    CU_ASSERT_TRUE(has(&e, "dropped the connection during GET /version"));
    CU_ASSERT_EQUAL(e.http_status, 0);
    CU_ASSERT_TRUE(gws_clear_faults(sim));
    recovers();
}

static void test_5xx(void)
{
    char v[16];
    sp_error e;

    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/version:http500:once"));
    CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_E_BACKEND);
    CU_ASSERT_EQUAL(e.http_status, 500);
    if (tsim_api4(sim)) {
        /* a 4.x gateway's web front answers with a page: only its status line is read */
        CU_ASSERT_EQUAL(e.backend_code, -1);
        CU_ASSERT_TRUE(
            has(&e, "gateway returned 500 Internal Server Error: HTML error page from gateway/proxy"));
    } else {
        CU_ASSERT_EQUAL(e.backend_code, 0);
        CU_ASSERT_TRUE(has(&e, "gateway returned 500 (errorCode 0): Injected internal error"));
    }
    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/version:http503:once"));
    CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_E_UNAVAILABLE);
    CU_ASSERT_EQUAL(e.http_status, 503);
    if (tsim_api4(sim))
        CU_ASSERT_TRUE(
            has(&e, "gateway returned 503 Service Unavailable: HTML error page from gateway/proxy"));
    recovers();
    CU_ASSERT_TRUE(gws_clear_faults(sim));
}

static void test_truncated_and_malformed(void)
{
    pfx_gw_pool_list pools;
    pfx_gw_volume v;
    sp_error e;

    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/types/StoragePool/instances:truncate:once"));
    CU_ASSERT_EQUAL(pfx_gw_list_pools(cl, &pools, &e), SP_E_UNAVAILABLE);
    CU_ASSERT_TRUE(has(&e, "dropped the connection"));
    CU_ASSERT_PTR_NULL(pools.items);

    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/types/StoragePool/instances:malformed:once"));
    CU_ASSERT_EQUAL(pfx_gw_list_pools(cl, &pools, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(&e, "not valid JSON"));
    CU_ASSERT_PTR_NULL(pools.items);
    CU_ASSERT_EQUAL(pfx_gw_list_pools(cl, &pools, &e), SP_OK);
    CU_ASSERT_TRUE_FATAL(pools.n > 0);

    /* an error answer that is itself malformed still maps by its status */
    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/instances/Volume::{id}:malformed:once"));
    CU_ASSERT_EQUAL(pfx_gw_volume_get(cl, "0123456789abcdef", &v, &e), SP_E_BACKEND);
    CU_ASSERT_TRUE(has(&e, "not a JSON answer"));
    CU_ASSERT_EQUAL(e.http_status, 500);
    pfx_gw_pool_list_clear(&pools);
    CU_ASSERT_TRUE(gws_clear_faults(sim));
    recovers();
}

/* Sequential calls reuse one connection. */
static void test_connection_reuse(void)
{
    pfx_gw_client_stats a, b;
    char v[16];
    sp_error e;

    recovers();
    pfx_gw_client_get_stats(cl, &a);
    for (int i = 0; i < 50; i++)
        CU_ASSERT_EQUAL(pfx_gw_version(cl, v, sizeof(v), &e), SP_OK);
    pfx_gw_client_get_stats(cl, &b);
    CU_ASSERT_EQUAL(b.requests - a.requests, 50);
    CU_ASSERT_EQUAL(b.connections - a.connections, 0);
}

typedef struct worker {
    pfx_gw_client *c;
    int failures;
} worker;

static void *bounded_worker(void *arg)
{
    worker *w = arg;
    char v[16];
    sp_error e;

    for (int i = 0; i < 5; i++)
        w->failures += pfx_gw_version(w->c, v, sizeof(v), &e) != SP_OK;
    return NULL;
}

/* 8 threads on a client of 2 connections: all succeed, 2 requests at most in flight. */
static void test_max_connections(void)
{
    pfx_gw_client *c = gws_client(sim, 30, 2);
    pfx_gw_client_stats st;
    pthread_t t[8];
    worker w[8];
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_client_login(c, &e), SP_OK);
    CU_ASSERT_TRUE_FATAL(gws_fault(sim, "GET /api/version:latency:ms=20"));
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){c, 0};
        pthread_create(&t[i], NULL, bounded_worker, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        CU_ASSERT_EQUAL(w[i].failures, 0);
    }
    pfx_gw_client_get_stats(c, &st);
    CU_ASSERT_TRUE(st.handles >= 1 && st.handles <= 2);
    CU_ASSERT_TRUE(st.connections <= 2);
    CU_ASSERT_EQUAL(st.requests, 8 * 5 + 1);
    CU_ASSERT_TRUE(gws_clear_faults(sim));
    pfx_gw_client_free(c);
}

static void test_unreachable(void)
{
    pfx_gw_config cfg = {
        .gateway = "127.0.0.1:1", .user = "admin", .password = "Unreachable-Pa55", .timeout_s = 30};
    pfx_gw_client *c = NULL;
    char v[16];
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_client_new(&cfg, &c, &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_UNAVAILABLE);
    CU_ASSERT_TRUE(has(&e, "127.0.0.1:1 is unreachable"));
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    pfx_gw_client_free(c);
}

/* ---- a scripted gateway ------------------------------------------------------------------- */

#define TOKEN "tok-KnownToken-4f1e9a77c0de"
#define PASSWORD "Scripted-Pa55word"

typedef enum mode {
    M_NORMAL,
    M_BIG,       /* 10 MB with Content-Length */
    M_BIG_NOLEN, /* 10 MB ending at connection close */
    M_HTML_502,
    M_HTML_404,
    M_TOKEN_REFUSED, /* every call 401, every login succeeds */
    M_RENEWAL_FAILS, /* every call 401, every later login 401 */
    M_NO_CONTENT,    /* 204 */
    M_EMPTY_200,
    M_BAD_TOKEN, /* the login answer is no token */
    M_VTREE,     /* V-Tree answers from vtree_body, after vtree_503 503s */
} mode;

static struct {
    mode mode;
    int logins;
    int calls;
    const char *vtree_body;
    int vtree_503;
} script;

static tsrv *srv;
static char srv_ca[512];
static char srv_dir[256];

static void handler(void *ctx, const char *method, const char *path, const char *auth, const char *body,
                    tsrv_reply *r)
{
    static const char token_body[] = "\"" TOKEN "\"";

    r->status = 200;
    if (strcmp(path, "/api/login") == 0) {
        script.logins++;
        if (script.mode == M_BAD_TOKEN)
            r->body = "{\"token\":\"x\"}";
        else if (script.mode == M_RENEWAL_FAILS && script.logins > 1) {
            r->status = 401;
            r->body = "{\"message\":\"Unauthorized\",\"httpStatusCode\":401,\"errorCode\":0}";
        } else
            r->body = token_body;
        return;
    }
    script.calls++;
    switch (script.mode) {
    case M_BIG: r->fill_bytes = 10u << 20; break;
    case M_BIG_NOLEN:
        r->fill_bytes = 10u << 20;
        r->no_length = 1;
        break;
    case M_HTML_502:
        r->status = 502;
        r->reason = "Bad Gateway";
        r->content_type = "text/html";
        r->body = "<html><body><h1>502 Bad Gateway</h1><p>" TOKEN "</p></body></html>";
        break;
    case M_HTML_404:
        r->status = 404;
        r->reason = "Not Found";
        r->content_type = "text/html;charset=utf-8";
        r->body = "<!doctype html><html><title>HTTP Status 404</title></html>";
        break;
    case M_TOKEN_REFUSED:
    case M_RENEWAL_FAILS:
        r->status = 401;
        r->reason = "Unauthorized";
        r->body = "{\"message\":\"Unauthorized\",\"httpStatusCode\":401,\"errorCode\":0}";
        break;
    case M_NO_CONTENT: r->status = 204; break;
    case M_EMPTY_200: break;
    case M_VTREE:
        if (script.vtree_503 > 0) {
            script.vtree_503--;
            r->status = 503;
            r->body = "{\"message\":\"Service Unavailable\",\"httpStatusCode\":503,\"errorCode\":0}";
        } else
            r->body = script.vtree_body;
        break;
    default: r->body = "\"3.5\""; break;
    }
}

static int srv_init(void)
{
    char *ca = NULL, *cert = NULL, *key = NULL;
    const char *tmp = getenv("TMPDIR");

    snprintf(srv_dir, sizeof(srv_dir), "%s/gwfaults.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(srv_dir) == NULL || tca_make(srv_dir, "127.0.0.1", "IP:127.0.0.1", &ca, &cert, &key) != 0)
        return 1;
    srv = tsrv_start(cert, key, handler, NULL);
    snprintf(srv_ca, sizeof(srv_ca), "%s", ca);
    free(ca);
    free(cert);
    free(key);
    gwt_add_secret(TOKEN);
    gwt_add_secret(PASSWORD);
    return srv == NULL;
}

static int srv_clean(void)
{
    const char *argv[] = {"rm", "-rf", srv_dir, NULL};

    tsrv_stop(srv);
    tca_run(argv, NULL);
    return 0;
}

static pfx_gw_client *srv_client(mode m)
{
    pfx_gw_config cfg = {.gateway = tsrv_hostport(srv),
                         .user = "admin",
                         .password = PASSWORD,
                         .ca_file = srv_ca,
                         .timeout_s = 30,
                         .api_version = "3.5"}; /* the scripted gateway is a 3.5 one */
    pfx_gw_client *c = NULL;
    sp_error e;

    memset(&script, 0, sizeof(script));
    script.mode = m;
    CU_ASSERT_EQUAL(pfx_gw_client_new(&cfg, &c, &e), SP_OK);
    return c;
}

static void test_huge_bodies(void)
{
    pfx_gw_client *c = srv_client(M_BIG);
    char v[16];
    sp_error e;
    double t0 = now_s();

    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(&e, "larger than 8388608 bytes"));
    script.mode = M_BIG_NOLEN; /* no length announced: the cap stops the read */
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(&e, "larger than 8388608 bytes"));
    CU_ASSERT_TRUE(now_s() - t0 < 30); /* the cap stops the read; the server would go on */
    script.mode = M_NORMAL;
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(v, "3.5");
    pfx_gw_client_free(c);
}

static void test_html_pages(void)
{
    pfx_gw_client *c = srv_client(M_HTML_502);
    pfx_gw_volume vol;
    char v[16];
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_UNAVAILABLE);
    CU_ASSERT_TRUE(has(&e, "gateway returned 502 Bad Gateway: HTML error page from gateway/proxy"));
    CU_ASSERT_TRUE(gwt_error_clean(&e)); /* the page's text is not copied */
    script.mode = M_HTML_404;
    CU_ASSERT_EQUAL(pfx_gw_volume_get(c, "0123456789abcdef", &vol, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(
        &e, "volume 0123456789abcdef: gateway returned 404 Not Found: HTML error page from gateway/proxy"));
    pfx_gw_client_free(c);
}

static void test_token_refused(void)
{
    pfx_gw_client *c = srv_client(M_TOKEN_REFUSED);
    char v[16];
    sp_error e;

    /* login, call (401), login, call (401): then give up */
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_AUTH);
    CU_ASSERT_TRUE(has(&e, "authentication failed"));
    CU_ASSERT_EQUAL(e.http_status, 401);
    CU_ASSERT_EQUAL(script.logins, 2);
    CU_ASSERT_EQUAL(script.calls, 2);
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    pfx_gw_client_free(c);

    /* a renewal that fails: no loop */
    c = srv_client(M_RENEWAL_FAILS);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_AUTH);
    CU_ASSERT_TRUE(has(&e, "authentication failed"));
    CU_ASSERT_EQUAL(script.logins, 2);
    CU_ASSERT_EQUAL(script.calls, 1);
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    pfx_gw_client_free(c);
}

static void test_odd_answers(void)
{
    pfx_gw_client *c = srv_client(M_NO_CONTENT);
    pfx_gw_volume vol;
    char v[16];
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_volume_get(c, "0123456789abcdef", &vol, &e), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(e.http_status, 204);
    CU_ASSERT_EQUAL(pfx_gw_volume_unmap(c, "0123456789abcdef", NULL, &e), SP_OK); /* actions need no body */
    script.mode = M_EMPTY_200;
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(&e, "empty body"));
    pfx_gw_client_free(c);

    c = srv_client(M_BAD_TOKEN);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(has(&e, "not a token"));
    CU_ASSERT_EQUAL(script.calls, 0);
    pfx_gw_client_free(c);
}

static void test_migration_endings(void)
{
    pfx_gw_client *c = srv_client(M_VTREE);
    pfx_gw_wait w = {10, 10, NULL, NULL, 0};
    pfx_gw_migration m;
    sp_error e;

    script.vtree_body =
        "{\"id\":\"c075744900000001\",\"storagePoolId\":\"e65f9c2700000000\",\"vtreeMigrationInfo\":"
        "{\"migrationStatus\":\"MigrationNormal\",\"migrationPauseReason\":\"MigrationError\"}}";
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(c, "c075744900000001", &w, &m, &e), SP_E_BACKEND);
    CU_ASSERT_TRUE(has(&e, "MigrationError"));
    CU_ASSERT_STRING_EQUAL(m.pause_reason, "MigrationError");

    script.vtree_body =
        "{\"id\":\"c075744900000001\",\"storagePoolId\":\"e65f9c2700000000\",\"vtreeMigrationInfo\":"
        "{\"migrationStatus\":\"Paused\",\"migrationPauseReason\":null}}";
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(c, "c075744900000001", &w, &m, &e), SP_E_STATE);
    CU_ASSERT_TRUE(has(&e, "paused"));

    script.vtree_body = "{\"id\":\"c075744900000001\",\"storagePoolId\":\"e65f9c2700000000\"}";
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(c, "c075744900000001", &w, &m, &e), SP_E_UNSUPPORTED);

    /* a lost poll is retried */
    script.vtree_body =
        "{\"id\":\"c075744900000001\",\"storagePoolId\":\"e65f9c2700000000\",\"vtreeMigrationInfo\":"
        "{\"migrationStatus\":\"NotInMigration\",\"migrationPauseReason\":null}}";
    script.vtree_503 = 2;
    script.calls = 0;
    CU_ASSERT_EQUAL(pfx_gw_vtree_migration_wait(c, "c075744900000001", &w, &m, &e), SP_OK);
    CU_ASSERT_EQUAL(script.calls, 3);
    CU_ASSERT_TRUE(gwt_log_count("polling again") >= 2);
    pfx_gw_client_free(c);
}

static void test_no_secrets(void)
{
    CU_ASSERT_TRUE(gwt_log_count(NULL) > 0);
    CU_ASSERT_EQUAL(gwt_log_leaks(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("faults injected by powerflex-sim", sim_init, sim_clean);
    CU_add_test(s, "latency beyond the timeout: SP_E_TIMEOUT in time", test_timeout);
    CU_add_test(s, "dropped connections", test_dropped);
    CU_add_test(s, "500 and 503", test_5xx);
    CU_add_test(s, "truncated and malformed answers", test_truncated_and_malformed);
    CU_add_test(s, "sequential calls reuse one connection", test_connection_reuse);
    CU_add_test(s, "max_connections bounds requests in flight", test_max_connections);
    CU_add_test(s, "unreachable gateway", test_unreachable);
    s = CU_add_suite("a scripted gateway", srv_init, srv_clean);
    CU_add_test(s, "10 MB answers refused", test_huge_bodies);
    CU_add_test(s, "HTML error pages", test_html_pages);
    CU_add_test(s, "a token refused right after login; a failing renewal", test_token_refused);
    CU_add_test(s, "204, empty answers, a login without a token", test_odd_answers);
    CU_add_test(s, "migrations that pause, fail, or cannot be watched", test_migration_endings);
    CU_add_test(s, "no password or token in any log line", test_no_secrets);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures =
        CU_get_number_of_failures() + CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    gwt_log_capture_stop();
    curl_global_cleanup();
    return failures == 0 ? 0 : 1;
}
