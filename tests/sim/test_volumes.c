/* Volumes through the gateway: create with every size form and 8 GiB rounding, the Volume object,
 * lists and queries, names, rename, resize, the four remove modes, and request errors. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsim *sim;
static sc *c;
static char *pool, *pool2;

#define GIB8 INT64_C(8388608)

static int64_t size_of(const char *id)
{
    struct sc_resp r;
    int64_t v;
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", id);
    v = jint(r.json, "sizeInKb");
    sc_resp_free(&r);
    return v;
}

static char *create_raw(const char *body, struct sc_resp *r)
{
    sc_call(c, r, "POST", body, "/api/types/Volume/instances");
    return r->status == 200 && jstr(r->json, "id") ? strdup(jstr(r->json, "id")) : NULL;
}

static void remove_vol(const char *id)
{
    struct sc_resp r;
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            id);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
}

static void test_create_sizes(void)
{
    struct {
        const char *size;
        const char *type;
        int64_t want;
    } cases[] = {
        {"\"volumeSizeInKb\":\"8192\"", "ThinProvisioned", GIB8},
        {"\"volumeSizeInKb\":8388608", "ThinProvisioned", GIB8},
        {"\"volumeSizeInKb\":\"8388609\"", "ThickProvisioned", 2 * GIB8},
        {"\"volumeSizeInGb\":\"9\"", "ThinProvisioned", 2 * GIB8},
        {"\"volumeSizeInGb\":24", "ThinProvisioned", 3 * GIB8},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[512];
        struct sc_resp r;
        snprintf(body, sizeof(body), "{\"name\":\"sz%zu\",\"storagePoolId\":\"%s\",%s,\"volumeType\":\"%s\"}",
                 i, pool, cases[i].size, cases[i].type);
        char *id = create_raw(body, &r);
        CU_ASSERT_PTR_NOT_NULL_FATAL(id);
        CU_ASSERT_EQUAL(strlen(id), 16);
        CU_ASSERT_EQUAL(strspn(id, "0123456789abcdef"), 16);
        CU_ASSERT_EQUAL(size_of(id), cases[i].want);
        remove_vol(id);
        free(id);
        sc_resp_free(&r);
    }
}

static void test_volume_object(void)
{
    char *id = sc_volume(c, "objvol", pool, "8388608", "ThinProvisioned");
    struct sc_resp r;
    char href[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", id);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "id"), id);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "objvol");
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "storagePoolId"), pool);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "volumeType"), "ThinProvisioned");
    CU_ASSERT(YAJL_IS_NULL(jget(r.json, "ancestorVolumeId")));
    CU_ASSERT(YAJL_IS_NULL(jget(r.json, "consistencyGroupId")));
    CU_ASSERT(YAJL_IS_NULL(jget(r.json, "mappedSdcInfo")));
    CU_ASSERT(YAJL_IS_FALSE(jget(r.json, "mappingToAllSdcsEnabled")));
    CU_ASSERT(jint(r.json, "creationTime") > 1600000000);
    CU_ASSERT_PTR_NOT_NULL(jstr(r.json, "vtreeId"));
    yajl_val links = jget(r.json, "links");
    CU_ASSERT_FATAL(links && YAJL_IS_ARRAY(links) && links->u.array.len == 4);
    const char *rels[] = {"self", "/api/Volume/relationship/Statistics", "/api/parent/relationship/vtreeId",
                          "/api/parent/relationship/storagePoolId"};
    for (int i = 0; i < 4; i++)
        CU_ASSERT_STRING_EQUAL(jstr(links->u.array.values[i], "rel"), rels[i]);
    snprintf(href, sizeof(href), "/api/instances/Volume::%s", id);
    CU_ASSERT_STRING_EQUAL(jstr(links->u.array.values[0], "href"), href);
    snprintf(href, sizeof(href), "/api/instances/VTree::%s", jstr(r.json, "vtreeId"));
    CU_ASSERT_STRING_EQUAL(jstr(links->u.array.values[2], "href"), href);
    sc_resp_free(&r);

    /* the links lead somewhere */
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s/relationships/Statistics", id);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(jint(r.json, "numOfMappedSdcs"), 0);
    CU_ASSERT(YAJL_IS_ARRAY(jget(r.json, "mappedSdcIds")));
    sc_resp_free(&r);
    remove_vol(id);
    free(id);
}

static int list_has(const struct sc_resp *r, const char *id)
{
    if (!r->json || !YAJL_IS_ARRAY(r->json))
        return 0;
    for (size_t i = 0; i < r->json->u.array.len; i++)
        if (jstr(r->json->u.array.values[i], "id") && !strcmp(jstr(r->json->u.array.values[i], "id"), id))
            return 1;
    return 0;
}

static void expect_err(struct sc_resp *r, int status, int code, const char *msg)
{
    CU_ASSERT_EQUAL(r->status, status);
    CU_ASSERT_EQUAL(jerr(r), code);
    CU_ASSERT_EQUAL(jint(r->json, "httpStatusCode"), status);
    if (msg)
        CU_ASSERT_STRING_EQUAL(jmsg(r), msg);
}

static void test_lists_and_queries(void)
{
    char *a = sc_volume(c, "list-a", pool, "1", "ThinProvisioned");
    char *b = sc_volume(c, "list-b", pool2, "1", "ThinProvisioned");
    struct sc_resp r;
    char body[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    sc_call(c, &r, "GET", NULL, "/api/types/Volume/instances");
    CU_ASSERT(list_has(&r, a) && list_has(&r, b));
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s/relationships/Volume", pool);
    CU_ASSERT(list_has(&r, a) && !list_has(&r, b));
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"name\":\"list-b\"}", "/api/types/Volume/instances/action/queryIdByKey");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT(r.json && YAJL_IS_STRING(r.json) && !strcmp(r.json->u.string, b));
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"name\":\"no-such\"}", "/api/types/Volume/instances/action/queryIdByKey");
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_EQUAL(jerr(&r), 3);
    CU_ASSERT_STRING_EQUAL(jmsg(&r), "Not found");
    CU_ASSERT_EQUAL(jint(r.json, "httpStatusCode"), 500);
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"ids\":[\"%s\",\"%s\"]}", b, a);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances/action/queryBySelectedIds");
    CU_ASSERT(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 2);
    CU_ASSERT(list_has(&r, a) && list_has(&r, b));
    /* In the order asked, whatever the model's order. */
    CU_ASSERT(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 2 &&
              !strcmp(jstr(r.json->u.array.values[0], "id"), b));
    sc_resp_free(&r);
    /* All or nothing: an unknown id fails the request as its GET would, a malformed one is a
     * bad request, and an empty list is an empty answer. */
    snprintf(body, sizeof(body), "{\"ids\":[\"%s\",\"00000000deadbeef\"]}", a);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances/action/queryBySelectedIds");
    expect_err(&r, 500, 79, "Could not find the volume");
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"ids\":[\"%s\",\"invalidIdentifier\"]}", a);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances/action/queryBySelectedIds");
    expect_err(&r, 400, 0, "id must be a hexadecimal number");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"ids\":[7]}", "/api/types/Volume/instances/action/queryBySelectedIds");
    expect_err(&r, 400, 0, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{}", "/api/types/Volume/instances/action/queryBySelectedIds");
    expect_err(&r, 400, 0, "Request is missing the required parameter ids");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"ids\":[]}", "/api/types/Volume/instances/action/queryBySelectedIds");
    CU_ASSERT(r.status == 200 && r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 0);
    sc_resp_free(&r);
    /* V-Trees the same way. */
    {
        char vt[32] = "";
        sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", a);
        if (jstr(r.json, "vtreeId"))
            snprintf(vt, sizeof(vt), "%s", jstr(r.json, "vtreeId"));
        sc_resp_free(&r);
        snprintf(body, sizeof(body), "{\"ids\":[\"%s\"]}", vt);
        sc_call(c, &r, "POST", body, "/api/types/VTree/instances/action/queryBySelectedIds");
        CU_ASSERT(r.status == 200 && r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 1);
        sc_resp_free(&r);
        snprintf(body, sizeof(body), "{\"ids\":[\"%s\",\"00000000deadbeef\"]}", vt);
        sc_call(c, &r, "POST", body, "/api/types/VTree/instances/action/queryBySelectedIds");
        expect_err(&r, 500, 230, NULL);
        sc_resp_free(&r);
    }
    snprintf(body, sizeof(body), "{\"ids\":[\"%s\"],\"properties\":[\"numOfMappedSdcs\"]}", a);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances/action/querySelectedStatistics");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(jint(jget(r.json, a), "numOfMappedSdcs"), 0);
    sc_resp_free(&r);
    remove_vol(a);
    remove_vol(b);
    free(a);
    free(b);
}

static void test_names(void)
{
    char *a = sc_volume(c, "dup-name", pool, "1", "ThinProvisioned");
    char *b = sc_volume(c, "abc+/=xyz.-_:@", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    char body[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL(b); /* cinder's base64 names need + / = */
    snprintf(body, sizeof(body),
             "{\"name\":\"dup-name\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":"
             "\"ThinProvisioned\"}",
             pool2);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 99, "Volume name already in use. Please use a different name.");
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":"
             "\"ThinProvisioned\"}",
             "a234567890123456789012345678901x", pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 226, "The given name exceeds the allowed length of 31 characters.");
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":"
             "\"ThinProvisioned\"}",
             "a234567890123456789012345678901", pool);
    char *max = create_raw(body, &r);
    CU_ASSERT_PTR_NOT_NULL(max);
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"has "
             "space\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":\"ThinProvisioned\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 227,
               "The given name contains invalid characters. Use alphanumeric and punctuation characters "
               "only. Spaces are not allowed.");
    sc_resp_free(&r);
    /* snapshots share the name space */
    char *snap = sc_snapshot(c, a, "dup-name", NULL);
    CU_ASSERT_PTR_NULL(snap);
    snap = sc_snapshot(c, a, "snap-of-dup", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
    snprintf(body, sizeof(body),
             "{\"name\":\"snap-of-dup\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":"
             "\"ThinProvisioned\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 99, NULL);
    sc_resp_free(&r);
    /* rename */
    sc_call(c, &r, "POST", "{\"newName\":\"snap-of-dup\"}", "/api/instances/Volume::%s/action/setVolumeName",
            a);
    expect_err(&r, 500, 99, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"newName\":\"renamed\"}", "/api/instances/Volume::%s/action/setVolumeName", a);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", a);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "renamed");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", a);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    if (b)
        remove_vol(b);
    if (max)
        remove_vol(max);
    free(a);
    free(b);
    free(max);
    free(snap);
}

static void test_resize(void)
{
    char *id = sc_volume(c, "resize-me", pool, "1", "ThickProvisioned");
    struct sc_resp r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(id);
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"16\"}", "/api/instances/Volume::%s/action/setVolumeSize", id);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(size_of(id), 2 * GIB8);
    sc_call(c, &r, "POST", "{\"sizeInGB\":20}", "/api/instances/Volume::%s/action/setVolumeSize", id);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(size_of(id), 3 * GIB8);
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"24\"}", "/api/instances/Volume::%s/action/setVolumeSize", id);
    expect_err(&r, 500, 133, "Volume capacity can only be increased");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"8\"}", "/api/instances/Volume::%s/action/setVolumeSize", id);
    expect_err(&r, 500, 133, "Volume capacity can only be increased");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"x\"}", "/api/instances/Volume::%s/action/setVolumeSize", id);
    expect_err(&r, 400, 0, NULL);
    sc_resp_free(&r);
    remove_vol(id);
    free(id);
}

static int exists(const char *id)
{
    struct sc_resp r;
    int st = sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", id);
    if (st == 500)
        CU_ASSERT_EQUAL(jerr(&r), 79);
    sc_resp_free(&r);
    return st == 200;
}

static void test_remove_modes(void)
{
    struct sc_resp r;
    char *base = sc_volume(c, "rm-base", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    char *s1 = sc_snapshot(c, base, "rm-s1", NULL);
    char *s2 = sc_snapshot(c, s1, "rm-s2", NULL);
    char *s3 = sc_snapshot(c, base, "rm-s3", NULL);
    CU_ASSERT_FATAL(s1 && s2 && s3);

    sc_call(c, &r, "POST", "{\"removeMode\":\"Uknown\"}", "/api/instances/Volume::%s/action/removeVolume",
            base);
    expect_err(&r, 400, 0,
               "removeMode should get one of the following values: ONLY_ME, INCLUDING_DESCENDANTS, "
               "DESCENDANTS_ONLY, WHOLE_VTREE, but its value is Uknown.");
    sc_resp_free(&r);
    /* INCLUDING_DESCENDANTS of s1 takes s2 along, leaves base and s3 */
    sc_call(c, &r, "POST", "{\"removeMode\":\"INCLUDING_DESCENDANTS\"}",
            "/api/instances/Volume::%s/action/removeVolume", s1);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT(!exists(s1) && !exists(s2) && exists(base) && exists(s3));
    /* DESCENDANTS_ONLY keeps base */
    sc_call(c, &r, "POST", "{\"removeMode\":\"DESCENDANTS_ONLY\"}",
            "/api/instances/Volume::%s/action/removeVolume", base);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT(exists(base) && !exists(s3));
    /* ONLY_ME with a snapshot left: the snapshot survives */
    char *s4 = sc_snapshot(c, base, "rm-s4", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s4);
    remove_vol(base);
    CU_ASSERT(!exists(base) && exists(s4));
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", s4);
    CU_ASSERT(YAJL_IS_NULL(jget(r.json, "ancestorVolumeId")));
    sc_resp_free(&r);
    /* removing what is gone: 79 */
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            base);
    expect_err(&r, 500, 79, "Could not find the volume");
    sc_resp_free(&r);
    /* WHOLE_VTREE */
    char *s5 = sc_snapshot(c, s4, "rm-s5", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s5);
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", s5);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    CU_ASSERT(!exists(s4) && !exists(s5));
    free(base);
    free(s1);
    free(s2);
    free(s3);
    free(s4);
    free(s5);
}

static void test_request_errors(void)
{
    struct sc_resp r;
    char body[256];
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::0123456789abcdef");
    expect_err(&r, 500, 79, "Could not find the volume");
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::not-hex!");
    expect_err(&r, 400, 0, "id must be a hexadecimal number");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"name\": \"x\",", "/api/types/Volume/instances");
    expect_err(&r, 400, 0, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/no/such/path");
    CU_ASSERT_EQUAL(r.status, 404);
    CU_ASSERT_EQUAL(jint(r.json, "httpStatusCode"), 404);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/elsewhere");
    CU_ASSERT_EQUAL(r.status, 404);
    CU_ASSERT_PTR_NOT_NULL(r.json);
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"e1\",\"storagePoolId\":\"00000000deadbeef\",\"volumeSizeInKb\":\"1\","
             "\"volumeType\":\"ThinProvisioned\"}");
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 171, "Could not find Storage Pool");
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"e1\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"1\",\"volumeType\":\"Fat\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 400, 0,
               "volumeType should get one of the following values: ThickProvisioned, ThinProvisioned, but "
               "its value is Fat.");
    sc_resp_free(&r);
    /* pool2 lives in another protection domain */
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s", pool2);
    snprintf(body, sizeof(body),
             "{\"name\":\"e1\",\"storagePoolId\":\"%s\",\"protectionDomainId\":\"%s\",\"volumeSizeInKb\":"
             "\"1\",\"volumeType\":\"ThinProvisioned\"}",
             pool, jstr(r.json, "protectionDomainId"));
    sc_resp_free(&r);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 197, NULL);
    sc_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"name\":\"e1\",\"storagePoolId\":\"%s\",\"protectionDomainId\":\"00000000deadbeef\","
             "\"volumeSizeInKb\":\"1\",\"volumeType\":\"ThinProvisioned\"}",
             pool);
    sc_call(c, &r, "POST", body, "/api/types/Volume/instances");
    expect_err(&r, 500, 142, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::00000000deadbeef");
    expect_err(&r, 500, 171, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::00000000deadbeef");
    expect_err(&r, 500, 80, "Could not find the SDC");
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/ProtectionDomain::00000000deadbeef");
    expect_err(&r, 500, 142, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::00000000deadbeef");
    expect_err(&r, 500, 230, NULL);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{}", "/api/instances/Volume::00000000deadbeef/action/setVolumeName");
    expect_err(&r, 500, 79, NULL);
    sc_resp_free(&r);
}

static void test_domains_and_pools(void)
{
    struct sc_resp r, q;
    sc_call(c, &r, "GET", NULL, "/api/types/ProtectionDomain/instances");
    CU_ASSERT_FATAL(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 2);
    yajl_val pd = r.json->u.array.values[0];
    CU_ASSERT_STRING_EQUAL(jstr(pd, "name"), "domain1");
    CU_ASSERT_STRING_EQUAL(jstr(pd, "protectionDomainState"), "Active");
    sc_call(c, &q, "POST", "{\"name\":\"domain1\"}",
            "/api/types/ProtectionDomain/instances/action/queryIdByKey");
    CU_ASSERT(q.json && YAJL_IS_STRING(q.json) && !strcmp(q.json->u.string, jstr(pd, "id")));
    sc_resp_free(&q);
    sc_call(c, &q, "GET", NULL, "/api/instances/ProtectionDomain::%s", jstr(pd, "id"));
    CU_ASSERT_EQUAL(q.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(q.json, "systemId"), jstr(pd, "systemId"));
    sc_resp_free(&q);
    sc_call(c, &q, "GET", NULL, "/api/types/Domain/instances/getByName::domain1");
    CU_ASSERT(q.json && YAJL_IS_STRING(q.json) && !strcmp(q.json->u.string, jstr(pd, "id")));
    sc_resp_free(&q);
    sc_call(c, &q, "GET", NULL, "/api/types/Pool/instances/getByName::%s,alpha", jstr(pd, "id"));
    CU_ASSERT(q.json && YAJL_IS_STRING(q.json) && !strcmp(q.json->u.string, pool));
    sc_resp_free(&q);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s", pool);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "alpha");
    CU_ASSERT_EQUAL(jint(r.json, "sparePercentage"), 10);
    CU_ASSERT(YAJL_IS_TRUE(jget(r.json, "zeroPaddingEnabled")));
    sc_resp_free(&r);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"create: KB string/number, GB, 8 GiB rounding", test_create_sizes},
        {"the Volume object and its links", test_volume_object},
        {"lists, queryIdByKey, queryBySelectedIds", test_lists_and_queries},
        {"name rules across volumes and snapshots, rename", test_names},
        {"resize grows only, rounds to 8 GiB", test_resize},
        {"remove modes", test_remove_modes},
        {"request errors and not-found codes", test_request_errors},
        {"protection domains and pools", test_domains_and_pools},
        {NULL, NULL}};
    const char *args[] = {"--pool", "alpha:1024", "--pool", "beta:1024:pd2", NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    pool = c ? sc_pool(c, 0) : NULL;
    pool2 = c ? sc_pool(c, 1) : NULL;
    if (pool && pool2)
        rc = sc_run_suite("sim volumes", tests);
    free(pool);
    free(pool2);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
