/* Gateway sessions: login, tokens with any user name, 401 bodies, logout, idle and absolute
 * expiry, forced expiry, version, and the login counter. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static tsim *sim;

static char *login(thttp *h, const char *user, const char *pass, int *status)
{
    char *body = NULL, *tok = NULL;
    thttp_set_auth(h, user, pass);
    *status = thttp_request(h, "GET", "/api/login", NULL, &body);
    if (*status == 200 && body && body[0] == '"' && strlen(body) > 2)
        tok = strndup(body + 1, strlen(body) - 2);
    free(body);
    return tok;
}

static void check_401(int status, const char *body)
{
    CU_ASSERT_EQUAL(status, 401);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    CU_ASSERT_STRING_EQUAL(body, "{\"message\":\"Unauthorized\",\"httpStatusCode\":401,\"errorCode\":0}");
}

static void test_login_and_version(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    int st;
    char *tok = login(h, tsim_user(sim), tsim_password(sim), &st), *body = NULL;
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    /* Any user name goes with a token, including an empty one (goscaleio sends ""). */
    const char *users[] = {"", "admin", "somebody-else"};
    for (int i = 0; i < 3; i++) {
        thttp_set_auth(h, users[i], tok);
        st = thttp_request(h, "GET", "/api/version", NULL, &body);
        CU_ASSERT_EQUAL(st, 200);
        CU_ASSERT_STRING_EQUAL(body, "\"3.5\"");
        free(body);
    }
    free(tok);
    thttp_free(h);
}

static void test_bad_credentials(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    char *body = NULL;
    int st;
    CU_ASSERT_PTR_NULL(login(h, tsim_user(sim), "wrong", &st));
    CU_ASSERT_EQUAL(st, 401);
    CU_ASSERT_PTR_NULL(login(h, "nobody", tsim_password(sim), &st));
    CU_ASSERT_EQUAL(st, 401);
    thttp_set_auth(h, tsim_user(sim), tsim_password(sim));
    /* The password is not a token. */
    st = thttp_request(h, "GET", "/api/types/System/instances", NULL, &body);
    check_401(st, body);
    free(body);
    thttp_set_auth(h, NULL, NULL);
    st = thttp_request(h, "GET", "/api/version", NULL, &body);
    check_401(st, body);
    free(body);
    thttp_set_auth(h, "", "bm90LWEtdG9rZW4=");
    st = thttp_request(h, "GET", "/api/types/Volume/instances", NULL, &body);
    check_401(st, body);
    free(body);
    thttp_free(h);
}

static void test_many_tokens_and_logout(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    int st;
    char *a = login(h, tsim_user(sim), tsim_password(sim), &st);
    char *b = login(h, tsim_user(sim), tsim_password(sim), &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
    thttp_set_auth(h, "", a);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
    thttp_set_auth(h, "", b);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/logout", NULL, NULL), 200);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 401);
    thttp_set_auth(h, "", a);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
    free(a);
    free(b);
    thttp_free(h);
}

static void test_forced_expiry_and_counter(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    int st, before = tsim_stats_count(sim, "logins");
    char *a = login(h, tsim_user(sim), tsim_password(sim), &st), *b;
    CU_ASSERT(before >= 0);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "logins"), before + 1);
    thttp_set_auth(h, "", a);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/expire-tokens", NULL), 200);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 401);
    b = login(h, tsim_user(sim), tsim_password(sim), &st);
    CU_ASSERT_PTR_NOT_NULL(b);
    thttp_set_auth(h, "", b);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
    CU_ASSERT_EQUAL(tsim_stats_count(sim, "logins"), before + 2);
    free(a);
    free(b);
    thttp_free(h);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_idle_expiry(void)
{
    const char *args[] = {"--idle-ttl", "3", "--token-ttl", "100", NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    thttp *h = thttp_new(tsim_url(s), tsim_cafile(s));
    int st;
    char *tok = login(h, tsim_user(s), tsim_password(s), &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    thttp_set_auth(h, "", tok);
    /* Calls 300 ms apart keep it alive past the 3 s idle limit (a slow machine has 2.7 s for
     * each call); then a pause longer than the limit ends it. */
    for (int i = 0; i < 12; i++) {
        CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 200);
        usleep(300 * 1000);
    }
    usleep(3400 * 1000);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 401);
    free(tok);
    thttp_free(h);
    tsim_stop(s);
}

static void test_absolute_expiry(void)
{
    const char *args[] = {"--token-ttl", "1.5", "--idle-ttl", "600", NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    thttp *h = thttp_new(tsim_url(s), tsim_cafile(s));
    int st = 0;
    int64_t t0 = ms_now(), dead_at = 0;
    char *tok = login(h, tsim_user(s), tsim_password(s), &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    thttp_set_auth(h, "", tok);
    /* Busy use does not extend an absolute lifetime. */
    while (ms_now() - t0 < 120000) {
        st = thttp_request(h, "GET", "/api/version", NULL, NULL);
        if (st != 200) {
            dead_at = ms_now();
            break;
        }
        usleep(100 * 1000);
    }
    CU_ASSERT_EQUAL(st, 401);
    CU_ASSERT(dead_at - t0 >= 1400);
    free(tok);
    thttp_free(h);
    tsim_stop(s);
}

/* A string field of a JSON object body (malloc'd), NULL when absent. */
static char *json_field(const char *body, const char *key)
{
    char err[128];
    yajl_val v = body ? yajl_tree_parse(body, err, sizeof(err)) : NULL;
    const char *path[] = {key, NULL};
    yajl_val f = v ? yajl_tree_get(v, path, yajl_t_string) : NULL;
    char *out = f ? strdup(f->u.string) : NULL;
    yajl_tree_free(v);
    return out;
}

static void test_release_4x(void)
{
    const char *args[] = {"--api", "4.x", NULL};
    tsim *s = tsim_start(args);
    thttp *h;
    char *legacy, *body = NULL, *access, *refresh, *creds, *logout;
    int st, bearer0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    h = thttp_new(tsim_url(s), tsim_cafile(s));
    /* the legacy login still works, and says 4.5 */
    legacy = login(h, tsim_user(s), tsim_password(s), &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(legacy);
    thttp_set_auth(h, "", legacy);
    st = thttp_request(h, "GET", "/api/version", NULL, &body);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_STRING_EQUAL(body, "\"4.5\"");
    free(body);
    /* the 4.x login: JSON credentials, access and refresh tokens back */
    thttp_set_auth(h, NULL, NULL);
    creds = NULL;
    CU_ASSERT(asprintf(&creds, "{\"username\":\"%s\",\"password\":\"%s\"}", tsim_user(s), tsim_password(s)) >
              0);
    st = thttp_request(h, "POST", "/rest/auth/login", creds, &body);
    CU_ASSERT_EQUAL(st, 200);
    access = json_field(body, "access_token");
    refresh = json_field(body, "refresh_token");
    free(body);
    CU_ASSERT_PTR_NOT_NULL_FATAL(access);
    CU_ASSERT_PTR_NOT_NULL_FATAL(refresh);
    st = thttp_request(h, "POST", "/rest/auth/login", "{\"username\":\"admin\",\"password\":\"wrong\"}",
                       &body);
    CU_ASSERT_EQUAL(st, 401);
    free(body);
    /* Bearer: the access token, and the legacy one as goscaleio sends it; counted */
    bearer0 = tsim_stats_count(s, "bearer");
    thttp_set_bearer(h, access);
    st = thttp_request(h, "GET", "/api/types/System/instances", NULL, NULL);
    CU_ASSERT_EQUAL(st, 200);
    thttp_set_bearer(h, legacy);
    st = thttp_request(h, "GET", "/api/version", NULL, NULL);
    CU_ASSERT_EQUAL(st, 200);
    CU_ASSERT_EQUAL(tsim_stats_count(s, "bearer") - bearer0, 2);
    /* an access token is no basic-auth password; the refusal is the web front's HTML page */
    thttp_set_bearer(h, NULL);
    thttp_set_auth(h, "", access);
    st = thttp_request(h, "GET", "/api/version", NULL, &body);
    CU_ASSERT_EQUAL(st, 401);
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "<html>"));
    free(body);
    thttp_set_auth(h, NULL, NULL);
    st = thttp_request(h, "GET", "/api/nothing-here", NULL, &body);
    CU_ASSERT_EQUAL(st, 404);
    CU_ASSERT_PTR_NOT_NULL(strstr(body, "404 Not Found"));
    free(body);
    /* logout with the refresh token: 204, and the access token is dead */
    thttp_set_bearer(h, access);
    logout = NULL;
    CU_ASSERT(asprintf(&logout, "{\"refresh_token\":\"%s\"}", refresh) > 0);
    st = thttp_request(h, "POST", "/rest/auth/logout", logout, &body);
    CU_ASSERT_EQUAL(st, 204);
    free(body);
    st = thttp_request(h, "GET", "/api/version", NULL, NULL);
    CU_ASSERT_EQUAL(st, 401);
    free(logout);
    free(creds);
    free(access);
    free(refresh);
    free(legacy);
    thttp_free(h);
    tsim_stop(s);
}

static void test_release_35_has_no_4x_login(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    char *tok, *body = NULL;
    int st;
    st = thttp_request(h, "POST", "/rest/auth/login", "{\"username\":\"admin\",\"password\":\"x\"}", &body);
    CU_ASSERT_EQUAL(st, 404);
    free(body);
    tok = login(h, tsim_user(sim), tsim_password(sim), &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    thttp_set_auth(h, NULL, NULL);
    thttp_set_bearer(h, tok);
    st = thttp_request(h, "GET", "/api/version", NULL, &body);
    check_401(st, body);
    free(body);
    free(tok);
    thttp_free(h);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"4.x: /rest/auth login and logout, Bearer tokens, HTML pages", test_release_4x},
        {"3.5: no /rest/auth login, no Bearer", test_release_35_has_no_4x_login},
        {"login, token with any user, version", test_login_and_version},
        {"bad credentials and tokens answer 401", test_bad_credentials},
        {"several tokens at once, logout", test_many_tokens_and_logout},
        {"forced expiry, login counter", test_forced_expiry_and_counter},
        {"idle expiry, refreshed by every call", test_idle_expiry},
        {"absolute expiry", test_absolute_expiry},
        {NULL, NULL}};
    int rc;
    sim = tsim_start(NULL);
    if (!sim)
        return 1;
    rc = sc_run_suite("sim auth", tests);
    tsim_stop(sim);
    return rc;
}
