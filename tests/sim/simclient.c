/* Gateway-level test helpers (see simclient.h). */
#include <config.h>
#include "simclient.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

sc *sc_new(tsim *sim)
{
    sc *c = calloc(1, sizeof(*c));
    char *body = NULL;
    int st;
    if (!c)
        return NULL;
    c->sim = sim;
    c->h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    if (!c->h)
        goto fail;
    thttp_set_auth(c->h, tsim_user(sim), tsim_password(sim));
    st = thttp_request(c->h, "GET", "/api/login", NULL, &body);
    if (st != 200 || !body || body[0] != '"')
        goto fail;
    c->token = strndup(body + 1, strlen(body) - 2);
    free(body);
    thttp_set_auth(c->h, "anyone", c->token);
    return c;
fail:
    fprintf(stderr, "sc_new: login failed\n");
    free(body);
    sc_free(c);
    return NULL;
}

void sc_free(sc *c)
{
    if (!c)
        return;
    thttp_free(c->h);
    free(c->token);
    free(c);
}

void sc_resp_free(struct sc_resp *r)
{
    free(r->body);
    if (r->json)
        yajl_tree_free(r->json);
    memset(r, 0, sizeof(*r));
}

int sc_call(sc *c, struct sc_resp *r, const char *method, const char *body, const char *path_fmt, ...)
{
    char path[2048], err[128];
    va_list ap;
    memset(r, 0, sizeof(*r));
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    r->status = thttp_request(c->h, method, path, body, &r->body);
    if (r->body && *r->body)
        r->json = yajl_tree_parse(r->body, err, sizeof(err));
    return r->status;
}

yajl_val jget(yajl_val obj, const char *key)
{
    if (!obj || !YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (!strcmp(obj->u.object.keys[i], key))
            return obj->u.object.values[i];
    return NULL;
}

const char *jstr(yajl_val obj, const char *key)
{
    yajl_val v = jget(obj, key);
    return v && YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int64_t jint(yajl_val obj, const char *key)
{
    yajl_val v = jget(obj, key);
    return v && YAJL_IS_INTEGER(v) ? (int64_t)YAJL_GET_INTEGER(v) : INT64_MIN;
}

int jerr(const struct sc_resp *r)
{
    int64_t v = jint(r->json, "errorCode");
    return v == INT64_MIN ? -1 : (int)v;
}

const char *jmsg(const struct sc_resp *r)
{
    const char *m = jstr(r->json, "message");
    return m ? m : "";
}

char *sc_pool(sc *c, int n)
{
    struct sc_resp r;
    char *id = NULL;
    sc_call(c, &r, "GET", NULL, "/api/types/StoragePool/instances");
    if (r.json && YAJL_IS_ARRAY(r.json) && (size_t)n < r.json->u.array.len) {
        const char *s = jstr(r.json->u.array.values[n], "id");
        id = s ? strdup(s) : NULL;
    }
    sc_resp_free(&r);
    return id;
}

char *sc_volume(sc *c, const char *name, const char *pool, const char *size_kb, const char *type)
{
    char body[512];
    struct sc_resp r;
    char *id = NULL;
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"%s\",\"volumeType\":\"%s\"}",
             name, pool, size_kb, type);
    if (sc_call(c, &r, "POST", body, "/api/types/Volume/instances") == 200 && jstr(r.json, "id"))
        id = strdup(jstr(r.json, "id"));
    sc_resp_free(&r);
    return id;
}

char *sc_sdc(sc *c, const char *ip)
{
    char body[128];
    struct sc_resp r;
    char *id = NULL;
    snprintf(body, sizeof(body), "{\"ip\":\"%s\"}", ip);
    if (sc_call(c, &r, "POST", body, "/api/types/Sdc/instances/action/queryIdByKey") == 200 && r.json &&
        YAJL_IS_STRING(r.json))
        id = strdup(r.json->u.string);
    sc_resp_free(&r);
    return id;
}

int sc_map(sc *c, const char *vol, const char *sdc)
{
    char body[128];
    struct sc_resp r;
    int st;
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"allowMultipleMappings\":\"TRUE\"}", sdc);
    st = sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/addMappedSdc", vol);
    sc_resp_free(&r);
    return st;
}

char *sc_snapshot(sc *c, const char *vol, const char *name, char **group_out)
{
    char body[256];
    struct sc_resp r;
    char *id = NULL;
    yajl_val list;
    snprintf(body, sizeof(body), "{\"snapshotDefs\":[{\"volumeId\":\"%s\",\"snapshotName\":\"%s\"}]}", vol,
             name);
    sc_call(c, &r, "POST", body, "/api/instances/System/action/snapshotVolumes");
    list = jget(r.json, "volumeIdList");
    if (r.status == 200 && list && YAJL_IS_ARRAY(list) && list->u.array.len == 1 &&
        YAJL_IS_STRING(list->u.array.values[0])) {
        id = strdup(list->u.array.values[0]->u.string);
        if (group_out)
            *group_out = jstr(r.json, "snapshotGroupId") ? strdup(jstr(r.json, "snapshotGroupId")) : NULL;
    }
    sc_resp_free(&r);
    return id;
}

char *sc_system_id(sc *c)
{
    struct sc_resp r;
    char *id = NULL;
    sc_call(c, &r, "GET", NULL, "/api/types/System/instances");
    if (r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 1 && jstr(r.json->u.array.values[0], "id"))
        id = strdup(jstr(r.json->u.array.values[0], "id"));
    sc_resp_free(&r);
    return id;
}

char *device_path(tsim *sim, const char *sdc_id, const char *system_id, const char *vol)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s/emc-vol-%s-%s", tsim_device_dir(sim), sdc_id, system_id, vol) < 0)
        return NULL;
    return p;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wait_until(int (*test)(void *arg), void *arg, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int v = test(arg);
        if (v || now_ms() > deadline)
            return v;
        usleep(5000);
    }
}

int path_exists(void *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int path_missing(void *path)
{
    return !path_exists(path);
}

int sc_run_suite(const char *suite, const struct sc_test *tests)
{
    CU_pSuite s;
    unsigned failures;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite(suite, NULL, NULL);
    if (!s)
        return 1;
    for (size_t i = 0; tests[i].name; i++)
        if (!CU_add_test(s, tests[i].name, tests[i].fn))
            return 1;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    failures += CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
