/* test_auth.c - logging in and renewing against powerflex-sim: expiry mid-run, a 16-thread storm
 * after an expiry making exactly one login, wrong and changed credentials. */
#include "config.h"

#include "gateway_system.h"
#include "gwsim.h"
#include "gwtest.h"

#include <CUnit/Basic.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static tsim *sim;

static int suite_init(void)
{
    gwt_log_capture_start();
    sim = gws_start(NULL);
    return 0;
}

static int suite_clean(void)
{
    tsim_stop(sim);
    return 0;
}

static void test_expiry_mid_run(void)
{
    pfx_gw_client *c = gws_client(sim, 30, 4);
    char v[16];
    sp_error e;
    gws_mark m;

    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK); /* the first call logs in */
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), 1);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 2);

    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), 1);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 3); /* 401, login, the call again */

    /* expiry between two calls of a run, injected on the third call */
    CU_ASSERT_TRUE(gws_fault(sim, "GET /api/version:expire-tokens:nth=3"));
    m = gws_now(sim);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), 1);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 6 + 2);
    CU_ASSERT_TRUE(gws_clear_faults(sim));
    CU_ASSERT_TRUE(gwt_log_count("token was refused") >= 2);
    pfx_gw_client_free(c);
}

#define THREADS 16
#define CALLS 50

typedef struct storm {
    pfx_gw_client *c;
    pthread_barrier_t *start;
    int failures;
    char first_error[SP_ERROR_MESSAGE_MAX];
} storm;

static void *storm_thread(void *arg)
{
    storm *s = arg;
    char v[16];
    sp_error e;

    pthread_barrier_wait(s->start);
    for (int i = 0; i < CALLS; i++)
        if (pfx_gw_version(s->c, v, sizeof(v), &e) != SP_OK && s->failures++ == 0)
            snprintf(s->first_error, sizeof(s->first_error), "%s", e.message);
    return NULL;
}

static void test_storm_one_login(void)
{
    pfx_gw_client *c = gws_client(sim, 30, 8);
    pthread_t t[THREADS];
    storm s[THREADS];
    pthread_barrier_t start;
    pfx_gw_client_stats st;
    sp_error e;
    gws_mark m;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_client_login(c, &e), SP_OK);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    pthread_barrier_init(&start, NULL, THREADS);
    m = gws_now(sim);
    for (int i = 0; i < THREADS; i++) {
        s[i] = (storm){c, &start, 0, ""};
        pthread_create(&t[i], NULL, storm_thread, &s[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        if (s[i].failures)
            fprintf(stderr, "thread %d: %d failures, first: %s\n", i, s[i].failures, s[i].first_error);
        CU_ASSERT_EQUAL(s[i].failures, 0);
    }
    pthread_barrier_destroy(&start);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), 1);
    /* every call, plus one 401 and repeat per thread that met the old token, plus one login */
    CU_ASSERT_TRUE(gws_requests_since(sim, m) >= THREADS * CALLS + 1);
    CU_ASSERT_TRUE(gws_requests_since(sim, m) <= THREADS * CALLS + THREADS + 1);
    pfx_gw_client_get_stats(c, &st);
    CU_ASSERT_EQUAL(st.logins, 2);
    CU_ASSERT_TRUE(st.handles <= 8); /* never more requests in flight than max_connections */
    pfx_gw_client_free(c);
}

static void test_wrong_password(void)
{
    pfx_gw_config cfg = {.gateway = tsim_hostport(sim),
                         .user = "admin",
                         .password = "Wrong-Pa55word",
                         .ca_file = tsim_cafile(sim),
                         .timeout_s = 30};
    pfx_gw_client *c = NULL;
    char v[16];
    sp_error e;
    gws_mark m;

    gwt_add_secret("Wrong-Pa55word");
    CU_ASSERT_EQUAL_FATAL(pfx_gw_client_new(&cfg, &c, &e), SP_OK);
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_AUTH);
    CU_ASSERT_EQUAL(e.status, SP_E_AUTH);
    CU_ASSERT_EQUAL(e.http_status, 401);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "authentication failed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "refused user \"admin\""));
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    /* one login, no retry loop, and the call itself never sent */
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 1);
    CU_ASSERT_EQUAL(pfx_gw_client_login(c, &e), SP_E_AUTH);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 2);

    /* the right password, given at run time, is picked up without a new client (which learns
     * the release then: a 4.x gateway adds its own login) */
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", tsim_password(sim), &e), SP_OK);
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), tsim_api4(sim) ? 2 : 1);
    pfx_gw_client_free(c);
}

static void test_credentials_change(void)
{
    pfx_gw_client *c = gws_client(sim, 30, 4);
    char v[16];
    sp_error e;
    gws_mark m;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    /* the same credentials again: the token is kept */
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", tsim_password(sim), &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), 0);
    /* a changed password is used at once: the old token is dropped */
    gwt_add_secret("Changed-Pa55word");
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", "Changed-Pa55word", &e), SP_OK);
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_AUTH);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m),
                    1); /* the refused login (the simulator counts only good ones) */
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", tsim_password(sim), &e), SP_OK);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    /* refused at once */
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "ad:min", "x", &e), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "", "x", &e), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", NULL, &e), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    pfx_gw_client_free(c);
}

static void test_config_refused(void)
{
    pfx_gw_config cfg = {.gateway = tsim_hostport(sim), .user = "admin", .password = "x"};
    pfx_gw_client *c = (pfx_gw_client *)&cfg;
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_client_new(NULL, &c, &e), SP_E_INVALID);
    CU_ASSERT_PTR_NULL(c);
    cfg.user = NULL;
    CU_ASSERT_EQUAL(pfx_gw_client_new(&cfg, &c, &e), SP_E_INVALID);
    cfg.user = "admin";
    cfg.password = NULL;
    CU_ASSERT_EQUAL(pfx_gw_client_new(&cfg, &c, &e), SP_E_INVALID);
    cfg.password = "x";
    cfg.ca_file = "/nonexistent/ca.pem";
    CU_ASSERT_EQUAL(pfx_gw_client_new(&cfg, &c, &e), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "/nonexistent/ca.pem"));
    cfg.ca_file = NULL;
    cfg.gateway = "https://admin:Leaked-Pa55@gw/api";
    gwt_add_secret("Leaked-Pa55");
    CU_ASSERT_EQUAL(pfx_gw_client_new(&cfg, &c, &e), SP_E_INVALID);
    CU_ASSERT_TRUE(gwt_error_clean(&e));
}

static int count(const char *key)
{
    return tsim_stats_count(sim, key);
}

/* A client that was not told the release learns it at its first login, as PyPowerFlex does: the
 * legacy login, the version, and on 4.x the 4.x login whose token then goes as Bearer. */
static void test_release_learnt(void)
{
    pfx_gw_client *c = gws_client_release(sim, 10, 4, NULL);
    int api4 = tsim_api4(sim), legacy0, rest0, version0, bearer0;
    char v[16], rel[32];
    sp_error e;
    gws_mark m;

    CU_ASSERT_EQUAL(pfx_gw_client_api(c, rel, sizeof(rel)), 0);
    CU_ASSERT_STRING_EQUAL(rel, "");
    legacy0 = count("GET /api/login");
    rest0 = count("POST /rest/auth/login");
    version0 = count("GET /api/version");
    bearer0 = count("bearer");
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), api4 ? 4 : 3);
    CU_ASSERT_EQUAL(gws_logins_since(sim, m), api4 ? 2 : 1);
    CU_ASSERT_EQUAL(count("GET /api/login") - legacy0, 1);
    CU_ASSERT_EQUAL(count("POST /rest/auth/login") - rest0, api4 ? 1 : 0);
    CU_ASSERT_EQUAL(count("GET /api/version") - version0, 2); /* the question and the call */
    CU_ASSERT_EQUAL(count("bearer") - bearer0, api4 ? 1 : 0); /* the call went with Bearer */
    CU_ASSERT_EQUAL(pfx_gw_client_api(c, rel, sizeof(rel)), api4 ? 4 : 3);
    CU_ASSERT_STRING_EQUAL(rel, gws_release(sim));

    /* a renewal takes the release's own login and does not ask again */
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    legacy0 = count("GET /api/login");
    rest0 = count("POST /rest/auth/login");
    bearer0 = count("bearer");
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 3); /* 401, login, the call again */
    CU_ASSERT_EQUAL(count("GET /api/login") - legacy0, api4 ? 0 : 1);
    CU_ASSERT_EQUAL(count("POST /rest/auth/login") - rest0, api4 ? 1 : 0);
    CU_ASSERT_EQUAL(count("bearer") - bearer0, api4 ? 1 : 0);
    pfx_gw_client_free(c);
}

/* Told the wrong release (a stored one, from before an upgrade or a move): still works. */
static void test_release_told_wrong(void)
{
    int api4 = tsim_api4(sim);
    pfx_gw_client *c = gws_client_release(sim, 10, 4, api4 ? "3.5" : "4.5");
    char v[16], rel[32];
    sp_error e;
    gws_mark m;

    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    if (api4) {
        /* the legacy login, which 4.x keeps answering */
        CU_ASSERT_EQUAL(gws_requests_since(sim, m), 2);
        CU_ASSERT_EQUAL(pfx_gw_client_api(c, rel, sizeof(rel)), 3);
    } else {
        /* no /rest/auth/login on 3.5 (404): the legacy login, then the version is asked */
        CU_ASSERT_EQUAL(gws_requests_since(sim, m), 4);
        CU_ASSERT_EQUAL(pfx_gw_client_api(c, rel, sizeof(rel)), 3);
        CU_ASSERT_STRING_EQUAL(rel, "3.5");
        CU_ASSERT_TRUE(gwt_log_count("has no 4.x login") >= 1);
    }
    pfx_gw_client_free(c);
}

/* A wrong password costs one request whichever login the release takes. */
static void test_release_wrong_password(void)
{
    pfx_gw_client *c = gws_client(sim, 10, 4);
    char v[16];
    sp_error e;
    gws_mark m;

    gwt_add_secret("Wr\"ong-Pa55");
    CU_ASSERT_EQUAL(pfx_gw_client_set_credentials(c, "admin", "Wr\"ong-Pa55", &e), SP_OK);
    m = gws_now(sim);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_E_AUTH);
    CU_ASSERT_EQUAL(e.http_status, 401);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "refused user \"admin\""));
    CU_ASSERT_TRUE(gwt_error_clean(&e));
    CU_ASSERT_EQUAL(gws_requests_since(sim, m), 1);
    pfx_gw_client_free(c);
}

/* Quotes, backslashes and control characters travel escaped in the 4.x login's JSON body. */
static void test_password_escaped(void)
{
    static const char pw[] = "Q\"uo\\te\tPa55";
    const char *args[] = {"--password", pw, NULL};
    tsim *s2 = gws_start(args);
    pfx_gw_client *c = gws_client(s2, 10, 2);
    char v[16];
    sp_error e;

    gwt_add_secret(pw);
    CU_ASSERT_EQUAL(pfx_gw_version(c, v, sizeof(v), &e), SP_OK);
    CU_ASSERT_EQUAL(tsim_stats_count(s2, "logins"), 1);
    pfx_gw_client_free(c);
    tsim_stop(s2);
}

static void test_no_secrets(void)
{
    CU_ASSERT_TRUE(gwt_log_count("logged in") >= 4);
    CU_ASSERT_EQUAL(gwt_log_leaks(), 0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway client authentication", suite_init, suite_clean);
    CU_add_test(s, "token expired mid-run: one login, the call repeated once", test_expiry_mid_run);
    CU_add_test(s, "16 threads x 50 calls after an expiry: exactly one login", test_storm_one_login);
    CU_add_test(s, "wrong password: SP_E_AUTH after one login, no loop", test_wrong_password);
    CU_add_test(s, "credentials changed at run time", test_credentials_change);
    CU_add_test(s, "bad configurations refused", test_config_refused);
    CU_add_test(s, "the release learnt at the first login; renewals use its login", test_release_learnt);
    CU_add_test(s, "told the wrong release: still logs in", test_release_told_wrong);
    CU_add_test(s, "a wrong password: one request with either login", test_release_wrong_password);
    CU_add_test(s, "a password with quotes and backslashes", test_password_escaped);
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
