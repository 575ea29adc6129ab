/* The simulator's bad-day modes: a removal keeping its V-Tree busy (212), HTML pages, empty bodies,
 * 502/504 and busy answers as faults, user roles (a Monitor's write refused with 168), a session
 * limit (252), querySelectedStatistics with allIds, ProtectionDomain statistics, mapping by GUID,
 * an SDC registered at run time, and every one switched at run time through /sim. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static tsim *sim;
static sc *c;
static char *pool;

static int post(const char *path, const char *body, int *code)
{
    struct sc_resp r;
    int st;
    sc_call(c, &r, "POST", body, "%s", path);
    st = r.status;
    if (code)
        *code = jerr(&r);
    sc_resp_free(&r);
    return st;
}

static int remove_vol(const char *id, int *code)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/instances/Volume::%s/action/removeVolume", id);
    return post(path, "{\"removeMode\":\"ONLY_ME\"}", code);
}

static void test_busy_removal(void)
{
    char *v = sc_volume(c, "bd-busy", pool, "1", "ThinProvisioned");
    char *s1 = sc_snapshot(c, v, "bd-busy-s1", NULL), *s2 = sc_snapshot(c, v, "bd-busy-s2", NULL);
    char *other = sc_volume(c, "bd-other", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    int code = 0;
    CU_ASSERT_FATAL(v && s1 && s2 && other);
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/modes", "{\"removalMs\":600}"), 200);
    CU_ASSERT_EQUAL(remove_vol(s1, NULL), 200);
    /* the V-Tree is busy: the next removal in it is refused, another V-Tree's is not */
    CU_ASSERT_EQUAL(remove_vol(s2, &code), 500);
    CU_ASSERT_EQUAL(code, 212);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    {
        struct sc_resp t;
        sc_call(c, &t, "GET", NULL, "/api/instances/VTree::%s", jstr(r.json, "vtreeId"));
        CU_ASSERT(YAJL_IS_TRUE(jget(t.json, "inDeletion")));
        sc_resp_free(&t);
    }
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(remove_vol(other, NULL), 200);
    usleep(700 * 1000);
    CU_ASSERT_EQUAL(remove_vol(s2, NULL), 200);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/modes", "{\"removalMs\":0}"), 200);
    CU_ASSERT_EQUAL(remove_vol(v, NULL), 200);
    free(v);
    free(s1);
    free(s2);
    free(other);
}

static void test_fault_pages(void)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    char *body = NULL;
    thttp_set_auth(h, "", c->token);
    CU_ASSERT_EQUAL(
        tsim_control(sim, "POST", "/sim/faults",
                     "[{\"kind\":\"http502\",\"path\":\"/api/version\",\"nth\":\"1\"},"
                     "{\"kind\":\"http504\",\"path\":\"/api/version\",\"nth\":\"2\"},"
                     "{\"kind\":\"html\",\"path\":\"/api/version\",\"nth\":\"3\",\"status\":\"503\"},"
                     "{\"kind\":\"empty\",\"path\":\"/api/version\",\"nth\":\"4\"},"
                     "{\"kind\":\"busy\",\"path\":\"/api/version\",\"nth\":\"5\",\"rc\":\"164\"}]"),
        200);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 502);
    CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "<title>502 Bad Gateway</title>"));
    free(body);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 504);
    CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "504 Gateway Timeout"));
    free(body);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 503);
    CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "HTTP Status 503"));
    free(body);
    body = NULL;
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 500);
    CU_ASSERT(body == NULL || body[0] == '\0');
    free(body);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 500);
    CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"errorCode\":164"));
    free(body);
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, &body), 200);
    free(body);
    /* bad values are refused */
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/faults", "{\"spec\":\"*:busy:rc=99\"}"), 400);
    CU_ASSERT_EQUAL(tsim_control(sim, "DELETE", "/sim/faults", NULL), 200);
    thttp_free(h);
}

static char *login(const char *user, const char *pw, int *status)
{
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    char *body = NULL, *tok = NULL;
    thttp_set_auth(h, user, pw);
    *status = thttp_request(h, "GET", "/api/login", NULL, &body);
    if (*status == 200 && body && body[0] == '"')
        tok = strndup(body + 1, strlen(body) - 2);
    free(body);
    thttp_free(h);
    return tok;
}

static void test_roles_and_sessions(void)
{
    int st;
    char *tok, *body = NULL, path[256];
    thttp *h;
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/users",
                                 "{\"name\":\"watcher\",\"password\":\"w4tch\",\"role\":\"Monitor\"}"),
                    200);
    CU_ASSERT_EQUAL(
        tsim_control(sim, "POST", "/sim/users", "{\"name\":\"x\",\"password\":\"y\",\"role\":\"Janitor\"}"),
        400);
    tok = login("watcher", "w4tch", &st);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tok);
    h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    thttp_set_auth(h, "", tok);
    /* reads, including the POSTs that only read */
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/types/StoragePool/instances", NULL, NULL), 200);
    snprintf(path, sizeof(path), "{\"ids\":[\"%s\"],\"properties\":[\"numOfVolumes\"]}", pool);
    CU_ASSERT_EQUAL(thttp_request(h, "POST",
                                  "/api/types/StoragePool/instances/action/querySelectedStatistics", path,
                                  NULL),
                    200);
    /* a change: refused, and nothing made */
    snprintf(path, sizeof(path),
             "{\"name\":\"by-monitor\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\"}", pool);
    CU_ASSERT_EQUAL(thttp_request(h, "POST", "/api/types/Volume/instances", path, &body), 500);
    CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"errorCode\":168"));
    free(body);
    CU_ASSERT_EQUAL(thttp_request(h, "POST", "/api/types/Volume/instances/action/queryIdByKey",
                                  "{\"name\":\"by-monitor\"}", NULL),
                    500); /* not found: it was never made */
    thttp_free(h);
    free(tok);

    /* two sessions at most: this suite's and the monitor's are live */
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/modes", "{\"maxSessions\":2}"), 200);
    tok = login(tsim_user(sim), tsim_password(sim), &st);
    CU_ASSERT_PTR_NULL(tok);
    CU_ASSERT_EQUAL(st, 500);
    free(tok);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/modes", "{\"maxSessions\":0}"), 200);
    tok = login(tsim_user(sim), tsim_password(sim), &st);
    CU_ASSERT_PTR_NOT_NULL(tok);
    free(tok);
    /* and at start: --max-sessions 1 lets the second login in line fail with 252 */
    {
        const char *args[] = {"--max-sessions", "1", NULL};
        tsim *s = tsim_start(args);
        sc *one;
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        one = sc_new(s);
        CU_ASSERT_PTR_NOT_NULL(one);
        {
            thttp *h2 = thttp_new(tsim_url(s), tsim_cafile(s));
            thttp_set_auth(h2, tsim_user(s), tsim_password(s));
            body = NULL;
            CU_ASSERT_EQUAL(thttp_request(h2, "GET", "/api/login", NULL, &body), 500);
            CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"errorCode\":252"));
            free(body);
            thttp_free(h2);
        }
        sc_free(one);
        tsim_stop(s);
    }
}

static void test_selected_pd_guid_register(void)
{
    struct sc_resp r;
    char body[256], *v, *pd;
    sc_call(c, &r, "POST", "{\"allIds\":\"\",\"properties\":[\"numOfVolumes\",\"maxCapacityInKb\"]}",
            "/api/types/StoragePool/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT(r.json && YAJL_IS_OBJECT(r.json) && r.json->u.object.len == 2); /* both pools */
    CU_ASSERT_EQUAL(jint(jget(r.json, pool), "maxCapacityInKb"), 512 * INT64_C(1048576));
    sc_resp_free(&r);
    /* a protection domain's figures: its pools' added up */
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s", pool);
    pd = strdup(jstr(r.json, "protectionDomainId"));
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/ProtectionDomain::%s/relationships/Statistics", pd);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(jint(r.json, "numOfStoragePools"), 1);
    CU_ASSERT_EQUAL(jint(r.json, "maxCapacityInKb"), 512 * INT64_C(1048576));
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"allIds\":[],\"properties\":[\"numOfStoragePools\"]}",
            "/api/types/ProtectionDomain/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(jint(jget(r.json, pd), "numOfStoragePools"), 1);
    sc_resp_free(&r);
    free(pd);

    /* a host installed now becomes an SDC; mapping by its GUID reaches it */
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/sdc",
                                 "{\"ip\":\"10.9.0.7\",\"guid\":\"0b5e1c2d-0000-4000-8000-00000000a0a7\"}"),
                    200);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/sdc", "{\"guid\":\"x\"}"), 400);
    v = sc_volume(c, "bd-guid", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    snprintf(body, sizeof(body), "/api/instances/Volume::%s/action/addMappedSdc", v);
    CU_ASSERT_EQUAL(post(body, "{\"guid\":\"0B5E1C2D-0000-4000-8000-00000000A0A7\"}", NULL), 200);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT_STRING_EQUAL(jstr(jget(r.json, "mappedSdcInfo")->u.array.values[0], "sdcIp"), "10.9.0.7");
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(body, "{\"guid\":\"00000000-0000-0000-0000-000000000000\"}", NULL), 500);
    snprintf(body, sizeof(body), "/api/instances/Volume::%s/action/removeMappedSdc", v);
    CU_ASSERT_EQUAL(post(body, "{\"guid\":\"0b5e1c2d-0000-4000-8000-00000000a0a7\"}", NULL), 200);
    CU_ASSERT_EQUAL(remove_vol(v, NULL), 200);
    free(v);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"a removal keeps its V-Tree busy (212)", test_busy_removal},
        {"HTML, 502, 504, empty and busy faults", test_fault_pages},
        {"roles: a Monitor reads, its writes are refused (168); a session limit (252)",
         test_roles_and_sessions},
        {"allIds, ProtectionDomain statistics, GUID mapping, an SDC registered at run time",
         test_selected_pd_guid_register},
        {NULL, NULL}};
    const char *args[] = {"--pool", "bd:512", "--pool", "bd2:512:pd2", NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    pool = c ? sc_pool(c, 0) : NULL;
    if (pool)
        rc = sc_run_suite("sim bad day", tests);
    free(pool);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
