/* test_stream.c - the streaming volume list parser (gateway_stream.h) against the tree parser it
 * stands in for: the same volumes, or the same refusal, for every body, whether the body comes in
 * one piece, byte by byte or in uneven pieces; volumes handed on one at a time. */
#include "config.h"

#include "error.h"
#include "gateway_parse.h"
#include "gateway_stream.h"
#include "gwtest.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct got {
    size_t n;
    pfx_gw_volume v[8];
    pfx_gw_mapping m[8][4];
    int stop_at; /* the callback refuses volume stop_at (-1: never) */
} got;

static sp_status keep(void *ctx, const pfx_gw_volume *v, sp_error *err)
{
    got *g = ctx;

    if ((int)g->n == g->stop_at)
        return pfx_error(err, SP_E_NOMEM, "the caller stops at volume %zu", g->n);
    if (g->n < 8) {
        g->v[g->n] = *v;
        g->v[g->n].mappings = NULL;
        for (size_t i = 0; i < v->n_mappings && i < 4; i++)
            g->m[g->n][i] = v->mappings[i];
    }
    g->n++;
    return SP_OK;
}

/* Feeds body in pieces of `step` bytes (0: whole). */
static sp_status stream(const char *body, size_t len, size_t step, got *g, sp_error *e)
{
    pfx_gw_volume_stream *s = pfx_gw_volume_stream_new("volume list", keep, g);
    sp_status st = SP_OK;

    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (size_t off = 0; st == SP_OK && off < len; off += step ? step : len)
        st = pfx_gw_volume_stream_feed(s, body + off, step && len - off > step ? step : len - off, e);
    if (st == SP_OK)
        st = pfx_gw_volume_stream_finish(s, NULL, e);
    pfx_gw_volume_stream_free(s);
    return st;
}

/* Both parsers agree on body: status, and every field of every volume. */
static void agree(const char *body)
{
    size_t len = strlen(body);
    static const size_t steps[] = {0, 1, 7, 64};
    pfx_gw_volume_list l;
    sp_error e1, e2;
    sp_status want = pfx_gw_parse_volume_list(body, len, &l, &e1);

    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
        got g = {.stop_at = -1};
        sp_status st = stream(body, len, steps[k], &g, &e2);
        if (st != want)
            fprintf(stderr, "body %s: tree %d (%s), stream %d (%s)\n", body, want, e1.message, st,
                    e2.message);
        CU_ASSERT_EQUAL(st, want);
        if (st != SP_OK || want != SP_OK)
            continue;
        CU_ASSERT_EQUAL_FATAL(g.n, l.n);
        for (size_t i = 0; i < l.n && i < 8; i++) {
            const pfx_gw_volume *a = &l.items[i], *b = &g.v[i];
            CU_ASSERT_STRING_EQUAL(a->id, b->id);
            CU_ASSERT_STRING_EQUAL(a->name, b->name);
            CU_ASSERT_STRING_EQUAL(a->storage_pool_id, b->storage_pool_id);
            CU_ASSERT_STRING_EQUAL(a->vtree_id, b->vtree_id);
            CU_ASSERT_STRING_EQUAL(a->ancestor_id, b->ancestor_id);
            CU_ASSERT_STRING_EQUAL(a->consistency_group_id, b->consistency_group_id);
            CU_ASSERT_STRING_EQUAL(a->type_name, b->type_name);
            CU_ASSERT_EQUAL(a->type, b->type);
            CU_ASSERT_EQUAL(a->size_kb, b->size_kb);
            CU_ASSERT_EQUAL(a->creation_time, b->creation_time);
            CU_ASSERT_EQUAL(a->mapped_to_all, b->mapped_to_all);
            CU_ASSERT_EQUAL_FATAL(a->n_mappings, b->n_mappings);
            for (size_t j = 0; j < a->n_mappings && j < 4; j++) {
                CU_ASSERT_STRING_EQUAL(a->mappings[j].sdc_id, g.m[i][j].sdc_id);
                CU_ASSERT_STRING_EQUAL(a->mappings[j].sdc_ip, g.m[i][j].sdc_ip);
                CU_ASSERT_STRING_EQUAL(a->mappings[j].access_mode, g.m[i][j].access_mode);
                CU_ASSERT_EQUAL(a->mappings[j].limit_iops, g.m[i][j].limit_iops);
                CU_ASSERT_EQUAL(a->mappings[j].limit_bw_mbps, g.m[i][j].limit_bw_mbps);
            }
        }
        pfx_gw_volume_list_clear(&l);
        want = pfx_gw_parse_volume_list(body, len, &l, &e1);
    }
    pfx_gw_volume_list_clear(&l);
}

#define VOL(extra)                                                                                           \
    "{\"id\":\"3df6b86600000000\",\"name\":\"vol-1-27cb-ab12\",\"sizeInKb\":8388608,"                        \
    "\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":\"c075744900000001\","                               \
    "\"volumeType\":\"ThickProvisioned\",\"ancestorVolumeId\":null,\"mappedSdcInfo\":null" extra "}"
#define VOL_MAPPED                                                                                           \
    "{\"id\":\"3df6b86600000001\",\"sizeInKb\":\"16777216\",\"storagePoolId\":\"e65f9c2700000000\","         \
    "\"vtreeId\":\"c075744900000002\",\"volumeType\":\"Snapshot\",\"ancestorVolumeId\":"                     \
    "\"3df6b86600000000\","                                                                                  \
    "\"creationTime\":1746889338,\"mappingToAllSdcsEnabled\":\"TRUE\",\"links\":[{\"rel\":\"self\"}],"       \
    "\"mappedSdcInfo\":[{\"sdcId\":\"01f7117d0000000b\",\"sdcIp\":\"192.168.10.12\",\"limitIops\":9000,"     \
    "\"limitBwInMbps\":\"90\",\"accessMode\":\"ReadWrite\",\"x\":{\"y\":[1,{}]}},{\"sdcId\":\"b\"}]}"

static void test_agree_good(void)
{
    static const char *const bodies[] = {
        "[]",
        " [ ] ",
        "[" VOL("") "]",
        "[" VOL("") "," VOL_MAPPED "," VOL(",\"unknown\":{\"a\":[1,[2,{\"b\":null}]]}") "]",
        "[" VOL(",\"sizeInKb\":true") "]",                     /* a field given twice: the first counts */
        "[" VOL(",\"mappedSdcInfo\":[{\"sdcIp\":\"x\"}]") "]", /* the earlier null mappedSdcInfo counts */
        "[" VOL(",\"name\":\"x\\\"[[{\\u0041/*\"") "]",        /* escapes, brackets and '/' in strings */
        "[{\"id\":\"1\",\"sizeInKb\":18446744073709551615,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
        "\"volumeType\":\"x\",\"mappingToAllSdcsEnabled\":false,\"mappedSdcInfo\":[]}]",
    };
    size_t len;
    char *fixture = gwt_fixture("cinder_sdc_volumes_response.json", &len);

    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        agree(bodies[i]);
    agree(fixture);
    free(fixture);
}

static void test_agree_bad(void)
{
    static const char *const bodies[] = {
        "",
        "  ",
        "{}",
        "\"x\"",
        "7",
        "[7]",
        "[null]",
        "[[]]",
        "[" VOL("") ",{\"id\":\"2\"}]",
        "[{\"id\":5}]",
        "[" VOL(",\"x\":1") ",\"x\"]",
        "[{\"id\":\"1\",\"name\":\"n\",\"sizeInKb\":[1],\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
        "\"volumeType\":\"S\"}]",
        "[{\"id\":\"1\",\"sizeInKb\":-1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\"}]",
        "[{\"id\":\"1\",\"sizeInKb\":1.5,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\"}]",
        "[{\"id\":\"1\",\"sizeInKb\":\"12abc\",\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":"
        "\"x\"}]",
        "[{\"id\":\"1\",\"sizeInKb\":99999999999999999999,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
        "\"volumeType\":\"x\"}]",
        "[{\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}]",
        "[{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\","
        "\"mappedSdcInfo\":[{\"sdcId\":\"a\"},{\"sdcIp\":\"x\"}]}]",
        "[{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\","
        "\"mappedSdcInfo\":[7]}]",
        "[{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\","
        "\"mappedSdcInfo\":{}}]",
        "[{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\","
        "\"mappingToAllSdcsEnabled\":\"maybe\"}]",
        "[" VOL("") "] // trailing",
        "/*\"*/[]",
        "[" VOL("") "][]",
        "[" VOL(""),
        "[" VOL("") ",",
        "[{\"id\":\"1\"",
    };

    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
        agree(bodies[i]);
}

/* Messages name the item and the field, as the tree parser's do. */
static void test_messages(void)
{
    got g = {.stop_at = -1};
    sp_error e;
    const char *b =
        "[" VOL("") ",{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
                    "\"volumeType\":\"x\",\"mappedSdcInfo\":[{\"sdcId\":\"a\"},{\"sdcIp\":\"x\"}]}]";

    CU_ASSERT_EQUAL(stream(b, strlen(b), 3, &g, &e), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "item 1 mappedSdcInfo[1]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "sdcId"));
    CU_ASSERT_EQUAL(g.n, 1); /* the first volume was handed on before the error */
}

/* The caller's refusal stops the parse with the caller's status and message. */
static void test_callback_stops(void)
{
    got g = {.stop_at = 1};
    sp_error e;
    const char *b = "[" VOL("") "," VOL("") "," VOL("") "]";

    CU_ASSERT_EQUAL(stream(b, strlen(b), 5, &g, &e), SP_E_NOMEM);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "the caller stops at volume 1"));
    CU_ASSERT_EQUAL(g.n, 1);
}

/* A million '[' in a field nobody reads are refused at depth 65, without the parser growing a
 * million levels. */
static void test_deep(void)
{
    size_t depth = 1000000;
    char *buf = malloc(depth * 2 + 16);
    got g = {.stop_at = -1};
    sp_error e;

    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    memcpy(buf, "[{\"x\":", 6);
    memset(buf + 6, '[', depth);
    memset(buf + 6 + depth, ']', depth);
    memcpy(buf + 6 + 2 * depth, "}]", 2);
    CU_ASSERT_EQUAL(stream(buf, depth * 2 + 8, 4096, &g, &e), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "deeper"));
    free(buf);
}

/* 70 000 volumes in 64 KiB pieces: each handed on, none kept (the callback sees them in order). */
typedef struct counter {
    size_t n;
    int in_order;
} counter;

static sp_status count(void *ctx, const pfx_gw_volume *v, sp_error *err)
{
    counter *c = ctx;
    char want[32];

    (void)err;
    snprintf(want, sizeof(want), "%016zx", c->n);
    c->in_order &= strcmp(v->id, want) == 0 && v->n_mappings == 1;
    c->n++;
    return SP_OK;
}

static void test_many(void)
{
    size_t n = 70000, cap = n * 320 + 16, len = 0, total = 0;
    char *buf = malloc(cap);
    counter c = {0, 1};
    pfx_gw_volume_stream *s = pfx_gw_volume_stream_new("volumes of storage pool p", count, &c);
    sp_error e;
    sp_status st = SP_OK;

    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    buf[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len +=
            (size_t)snprintf(buf + len, cap - len,
                             "%s{\"id\":\"%016zx\",\"name\":\"vol-%zu-27cb-ab12\",\"sizeInKb\":8388608,"
                             "\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":\"%016zx\",\"volumeType\":"
                             "\"ThinProvisioned\",\"mappedSdcInfo\":[{\"sdcId\":\"01f7117d0000000b\"}],"
                             "\"links\":[]}",
                             i ? "," : "", i, i, i + 1);
    buf[len++] = ']';
    for (size_t off = 0; st == SP_OK && off < len; off += 65536)
        st = pfx_gw_volume_stream_feed(s, buf + off, len - off < 65536 ? len - off : 65536, &e);
    CU_ASSERT_EQUAL(st, SP_OK);
    CU_ASSERT_EQUAL(pfx_gw_volume_stream_finish(s, &total, &e), SP_OK);
    CU_ASSERT_EQUAL(total, n);
    CU_ASSERT_EQUAL(c.n, n);
    CU_ASSERT_TRUE(c.in_order);
    pfx_gw_volume_stream_free(s);
    free(buf);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway streaming volume list", NULL, NULL);
    CU_add_test(s, "the same volumes as the tree parser, in any pieces", test_agree_good);
    CU_add_test(s, "the same refusals as the tree parser", test_agree_bad);
    CU_add_test(s, "messages name the item and the field", test_messages);
    CU_add_test(s, "the callback's refusal stops the parse", test_callback_stops);
    CU_add_test(s, "deep nesting is refused", test_deep);
    CU_add_test(s, "70000 volumes, handed on one by one", test_many);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
