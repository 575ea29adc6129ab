/* test_gwunits.c - the gateway client's pure parts: request bodies, secrets, gateway addresses,
 * and how refusals map to sp_status and messages. No network. */
#include "config.h"

#include "gateway_error.h"
#include "gateway_login.h"
#include "gateway_url.h"
#include "gwtest.h"
#include "json.h"
#include "secret.h"

#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>

static void test_json_bodies(void)
{
    char *body = NULL;
    sp_error e;
    pfx_json_out *o;

    CU_ASSERT_EQUAL_FATAL(pfx_json_flat(&body, &e, "name", "vol-1", "volumeSizeInKb", "8388608", NULL),
                          SP_OK);
    CU_ASSERT_STRING_EQUAL(body, "{\"name\":\"vol-1\",\"volumeSizeInKb\":\"8388608\"}");
    free(body);
    /* names with quotes, backslashes, '/' and non-ASCII are escaped, not pasted */
    CU_ASSERT_EQUAL_FATAL(pfx_json_flat(&body, &e, "name", "a\"b\\c/d+=\xc3\xa9\n", NULL), SP_OK);
    CU_ASSERT_STRING_EQUAL(body, "{\"name\":\"a\\\"b\\\\c/d+=\xc3\xa9\\n\"}");
    free(body);
    CU_ASSERT_EQUAL_FATAL(pfx_json_flat(&body, &e, "allSdcs", "", NULL), SP_OK);
    CU_ASSERT_STRING_EQUAL(body, "{\"allSdcs\":\"\"}");
    free(body);
    /* invalid UTF-8 is the caller's mistake */
    CU_ASSERT_EQUAL(pfx_json_flat(&body, &e, "name", "bad\xc3\x28", NULL), SP_E_INVALID);
    CU_ASSERT_PTR_NULL(body);
    /* nested */
    o = pfx_json_out_new();
    pfx_json_out_begin_object(o);
    pfx_json_out_string(o, "snapshotDefs");
    pfx_json_out_begin_array(o);
    pfx_json_out_begin_object(o);
    pfx_json_out_kv(o, "volumeId", "1");
    pfx_json_out_end_object(o);
    pfx_json_out_end_array(o);
    pfx_json_out_end_object(o);
    CU_ASSERT_EQUAL_FATAL(pfx_json_out_finish(o, &body, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(body, "{\"snapshotDefs\":[{\"volumeId\":\"1\"}]}");
    free(body);
    /* misuse is reported at the end, not crashed on */
    o = pfx_json_out_new();
    pfx_json_out_end_array(o);
    pfx_json_out_kv(o, "a", "b");
    CU_ASSERT_EQUAL(pfx_json_out_finish(o, &body, &e), SP_E_INTERNAL);
    CU_ASSERT_EQUAL(pfx_json_out_finish(NULL, &body, &e), SP_E_NOMEM);
}

static void test_secret(void)
{
    pfx_secret *a = pfx_secret_from_str("p@ss"), *b = pfx_secret_new("p@ssword", 4), *c = pfx_secret_dup(a);
    pfx_secret *empty = pfx_secret_from_str(NULL);

    CU_ASSERT_STRING_EQUAL(pfx_secret_value(a), "p@ss");
    CU_ASSERT_EQUAL(pfx_secret_len(b), 4);
    CU_ASSERT_TRUE(pfx_secret_equal(a, b));
    CU_ASSERT_TRUE(pfx_secret_equal(a, c));
    CU_ASSERT_FALSE(pfx_secret_equal(a, empty));
    CU_ASSERT_FALSE(pfx_secret_equal(a, NULL));
    CU_ASSERT_STRING_EQUAL(pfx_secret_value(empty), "");
    CU_ASSERT_PTR_NULL(pfx_secret_dup(NULL));
    pfx_secret_free(a);
    pfx_secret_free(b);
    pfx_secret_free(c);
    pfx_secret_free(empty);
    pfx_secret_free(NULL);

    char buf[8] = "token";
    pfx_secret_wipe(buf, 5);
    CU_ASSERT_EQUAL(memcmp(buf, "\0\0\0\0\0", 5), 0);
}

static void test_url(void)
{
    static const struct {
        const char *in, *base, *display;
    } ok[] = {
        {"10.2.3.137", "https://10.2.3.137:443/api", "10.2.3.137:443"},
        {"gw.example.com:8443", "https://gw.example.com:8443/api", "gw.example.com:8443"},
        {"[fd00::12]", "https://[fd00::12]:443/api", "[fd00::12]:443"},
        {"[fd00::12]:8443", "https://[fd00::12]:8443/api", "[fd00::12]:8443"},
        {"fd00::12", "https://[fd00::12]:443/api", "[fd00::12]:443"},
        {"::1", "https://[::1]:443/api", "[::1]:443"},
        {"https://gw:8443/api", "https://gw:8443/api", "gw:8443"},
        {"HTTPS://gw/api/", "https://gw:443/api", "gw:443"},
        {"gw/", "https://gw:443/api", "gw:443"},
        {"[::ffff:10.0.0.1]:1", "https://[::ffff:10.0.0.1]:1/api", "[::ffff:10.0.0.1]:1"},
    };
    static const char *const bad[] = {"",        "http://gw", "ftp://gw", "gw:0",        "gw:65536",
                                      "gw:12ab", "gw:",       "[fd00::1", "[zz::1]:443", "gw/other",
                                      "g w",     "gw:443:1",  "[::1]x",   "https://",    "a..b:1/api/x"};
    char base[256], display[256];
    sp_error e;

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        CU_ASSERT_EQUAL(pfx_gw_url_parse(ok[i].in, base, sizeof(base), display, sizeof(display), &e), SP_OK);
        CU_ASSERT_STRING_EQUAL(base, ok[i].base);
        CU_ASSERT_STRING_EQUAL(display, ok[i].display);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(pfx_gw_url_parse(bad[i], base, sizeof(base), display, sizeof(display), &e),
                        SP_E_INVALID);
        CU_ASSERT_NOT_EQUAL(e.message[0], '\0');
    }
    CU_ASSERT_EQUAL(pfx_gw_url_parse(NULL, base, sizeof(base), display, sizeof(display), &e), SP_E_INVALID);
    /* user info is refused and never echoed */
    CU_ASSERT_EQUAL(
        pfx_gw_url_parse("https://admin:Hunter2!@gw/api", base, sizeof(base), display, sizeof(display), &e),
        SP_E_INVALID);
    CU_ASSERT_PTR_NULL(strstr(e.message, "Hunter2"));
    CU_ASSERT_PTR_NULL(strstr(e.message, "admin"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "***@gw"));
    CU_ASSERT_EQUAL(pfx_gw_url_parse("admin:Hunter2@gw", base, sizeof(base), display, sizeof(display), &e),
                    SP_E_INVALID);
    CU_ASSERT_PTR_NULL(strstr(e.message, "Hunter2"));
}

static void test_redact(void)
{
    char out[128];

    pfx_gw_url_redact("https://user:p@ss@gw:443/api/login", out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "https://***@gw:443/api/login");
    pfx_gw_url_redact("user:pw@gw", out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "***@gw");
    pfx_gw_url_redact("https://gw/api?x=a@b", out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "https://gw/api?x=a@b");
    pfx_gw_url_redact(NULL, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "(none)");
    pfx_gw_url_redact("https://user:secret@gw", out, 12);
    CU_ASSERT_PTR_NULL(strstr(out, "secret"));
}

static void test_ids(void)
{
    CU_ASSERT_TRUE(pfx_gw_valid_id("3df6b86600000000"));
    CU_ASSERT_TRUE(pfx_gw_valid_id("ABCDEF"));
    CU_ASSERT_FALSE(pfx_gw_valid_id(""));
    CU_ASSERT_FALSE(pfx_gw_valid_id(NULL));
    CU_ASSERT_FALSE(pfx_gw_valid_id("../../login"));
    CU_ASSERT_FALSE(pfx_gw_valid_id("3df6b866 0000000"));
    CU_ASSERT_FALSE(pfx_gw_valid_id("0123456789abcdef0123456789abcdef0"));
}

static void test_map_error(void)
{
    static const struct {
        long http;
        int has_code;
        int32_t code;
        const char *msg;
        sp_status want;
    } cases[] = {
        {500, 1, 79, "Could not find the volume", SP_E_NOT_FOUND},
        {500, 1, 3, "Not found", SP_E_NOT_FOUND},
        {500, 1, 80, "Could not find the SDC", SP_E_NOT_FOUND},
        {500, 1, 171, "Could not find Storage Pool", SP_E_NOT_FOUND},
        {500, 1, 185, "No volumes were found", SP_E_NOT_FOUND},
        {500, 1, 99, "Volume name already in use. Please use a different name.", SP_E_EXISTS},
        {500, 1, 81, "The volume is already mapped to this SDC", SP_E_EXISTS},
        {500, 1, 84, "The volume is not mapped to SDC", SP_E_NOT_FOUND},
        {500, 1, 300, "Requested volume size exceeds the volume allocation limit", SP_E_NO_SPACE},
        {500, 1, 104, "Volume is mapped", SP_E_BUSY},
        {500, 1, 297, "This volume is already mapped and may not be mapped to additional SDCs.", SP_E_BUSY},
        {500, 1, 717, "The V-Tree is currently undergoing migration.", SP_E_BUSY},
        {500, 1, 718, "The destination Storage Pool and the source Storage Pool are the same.", SP_E_INVALID},
        {500, 1, 226, "The given name exceeds the allowed length of 31 characters.", SP_E_INVALID},
        {500, 1, 133, "Volume capacity can only be increased", SP_E_INVALID},
        {500, 1, 182, "There are too many snapshots in the VTree", SP_E_NO_SPACE},
        {500, 1, 0, "Internal error", SP_E_BACKEND},
        {500, 1, 4242, "Could not find the thing", SP_E_NOT_FOUND}, /* unknown code, known words */
        {500, 1, 4243, "Not enough capacity", SP_E_NO_SPACE},
        {500, 0, 0, "", SP_E_BACKEND},
        {400, 1, 0, "removeMode should get one of the following values", SP_E_INVALID},
        {400, 1, 0, "Could not find what you meant", SP_E_INVALID}, /* words only count for 5xx */
        {401, 1, 0, "Unauthorized", SP_E_AUTH},
        {403, 0, 0, "", SP_E_AUTH},
        {500, 1, 247, "Permission denied.", SP_E_AUTH},
        {502, 0, 0, "", SP_E_UNAVAILABLE},
        {503, 1, 0, "Service Unavailable", SP_E_UNAVAILABLE},
        {503, 1, 79, "Could not find the volume", SP_E_UNAVAILABLE}, /* the status wins */
        {504, 0, 0, "", SP_E_TIMEOUT},
        {429, 0, 0, "", SP_E_UNAVAILABLE},
        {409, 0, 0, "", SP_E_EXISTS},
        {405, 1, 0, "Method not allowed", SP_E_PROTOCOL},
        {302, 0, 0, "", SP_E_PROTOCOL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sp_status got = pfx_gw_map_error(cases[i].http, cases[i].has_code, cases[i].code, cases[i].msg, 1);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu (%ld/%d): got %d, want %d\n", i, cases[i].http, (int)cases[i].code, got,
                    cases[i].want);
        CU_ASSERT_EQUAL(got, cases[i].want);
    }
    /* 404: a JSON error is a missing object, an HTML page an unknown URL */
    CU_ASSERT_EQUAL(pfx_gw_map_error(404, 1, 0, "The requested resource is not available", 1),
                    SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(pfx_gw_map_error(404, 0, 0, NULL, 0), SP_E_PROTOCOL);
}

static sp_status judge(long status, const char *reason, const char *body, sp_error *e, pfx_gw_http_reply *r)
{
    memset(r, 0, sizeof(*r));
    r->status = status;
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
    r->body = (char *)body;
    r->len = strlen(body);
    r->html = body[0] == '<';
    return pfx_gw_error_from_reply(r, e);
}

static void test_error_from_reply(void)
{
    pfx_gw_http_reply r;
    sp_error e;

    CU_ASSERT_EQUAL(
        judge(500, "Internal Server Error",
              "{\"message\":\"Could not find the volume\",\"httpStatusCode\":500,\"errorCode\":79}", &e, &r),
        SP_E_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 500 (errorCode 79): Could not find the volume");
    CU_ASSERT_EQUAL(e.status, SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(e.http_status, 500);
    CU_ASSERT_EQUAL(e.backend_code, 79);
    CU_ASSERT_EQUAL(r.error_code, 79);

    /* "Error with details": the detail's code and text are the real ones */
    CU_ASSERT_EQUAL(judge(500, "",
                          "{\"message\":\"Error with details\",\"httpStatusCode\":500,\"errorCode\":182,"
                          "\"details\":[{\"rc\":182,\"error\":\"TOO_MANY_SNAPS_IN_VTREE\",\"errorMessage\":"
                          "\"There are too many snapshots in the VTree\"}]}",
                          &e, &r),
                    SP_E_NO_SPACE);
    CU_ASSERT_STRING_EQUAL(e.message,
                           "gateway returned 500 (errorCode 182): There are too many snapshots in the "
                           "VTree [TOO_MANY_SNAPS_IN_VTREE]");
    CU_ASSERT_EQUAL(e.backend_code, 182);
    CU_ASSERT_EQUAL(judge(500, "",
                          "{\"message\":\"Error with details\",\"errorCode\":0,\"details\":[{\"rc\":99,"
                          "\"errorMessage\":\"Volume name already in use.\"}]}",
                          &e, &r),
                    SP_E_EXISTS);
    CU_ASSERT_EQUAL(e.backend_code, 99);

    /* HTML error pages: the status line is the message */
    CU_ASSERT_EQUAL(judge(502, "Bad Gateway", "<html><body><h1>502 Bad Gateway</h1></body></html>", &e, &r),
                    SP_E_UNAVAILABLE);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 502 Bad Gateway: HTML error page from gateway/proxy");
    CU_ASSERT_EQUAL(e.backend_code, -1);
    CU_ASSERT_EQUAL(r.error_code, -1);
    CU_ASSERT_EQUAL(judge(404, "Not Found", "<!doctype html><title>404</title>", &e, &r), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(judge(500, "Internal Server Error", "{\"message\":\"trunc", &e, &r), SP_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 500 Internal Server Error (not a JSON answer)");
    CU_ASSERT_EQUAL(judge(503, "", "", &e, &r), SP_E_UNAVAILABLE);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 503 with an empty body");
    CU_ASSERT_EQUAL(judge(504, "Gateway Time-out",
                          "<html><head><title>504 Gateway Time-out</title></head></html>", &e, &r),
                    SP_E_TIMEOUT);
    CU_ASSERT_STRING_EQUAL(e.message,
                           "gateway returned 504 Gateway Time-out: HTML error page from gateway/proxy");
    CU_ASSERT_EQUAL(judge(500, "Internal Server Error", "", &e, &r), SP_E_BACKEND);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 500 Internal Server Error with an empty body");

    /* The array busy in passing reads as the gateway failing in passing; a role that may not
     * change anything as an authentication failure. */
    CU_ASSERT_EQUAL(judge(500, "",
                          "{\"message\":\"A volume removal operation is currently in progress. \","
                          "\"httpStatusCode\":500,\"errorCode\":212}",
                          &e, &r),
                    SP_E_UNAVAILABLE);
    CU_ASSERT_EQUAL(e.backend_code, 212);
    CU_ASSERT_EQUAL(
        judge(500, "", "{\"message\":\"The system is busy. Retry later\",\"errorCode\":164}", &e, &r),
        SP_E_UNAVAILABLE);
    CU_ASSERT_EQUAL(judge(500, "", "{\"message\":\"You do not have permission\",\"errorCode\":168}", &e, &r),
                    SP_E_AUTH);
    CU_ASSERT_EQUAL(judge(500, "",
                          "{\"message\":\"The V-Tree is not currently being migrated.\",\"errorCode\":790}",
                          &e, &r),
                    SP_E_STATE);
    CU_ASSERT_EQUAL(judge(400, "Bad Request", "{\"message\":\"bad\",\"httpStatusCode\":400}", &e, &r),
                    SP_E_INVALID);
    CU_ASSERT_STRING_EQUAL(e.message, "gateway returned 400 Bad Request: bad");

    /* a NULL err is allowed */
    CU_ASSERT_EQUAL(judge(500, "", "{\"errorCode\":81}", NULL, &r), SP_E_EXISTS);
    CU_ASSERT_EQUAL(r.error_code, 81);
}

static void test_release_and_access_token(void)
{
    static const char good[] = "{\"refresh_token\":\"r1\",\"nested\":{\"access_token\":\"no\"},"
                               "\"access_token\":\"eyJ.abc.def\",\"expires_in\":300,\"x\":[1,true,null]}";
    pfx_secret *t = NULL;
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_api_from_version("3.5"), PFX_GW_API_3);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version("3.6.700"), PFX_GW_API_3);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version("4.5"), PFX_GW_API_4);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version("5.0"), PFX_GW_API_4);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version("10.1"), PFX_GW_API_4); /* not a string compare */
    CU_ASSERT_EQUAL(pfx_gw_api_from_version(""), PFX_GW_API_UNKNOWN);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version(NULL), PFX_GW_API_UNKNOWN);
    CU_ASSERT_EQUAL(pfx_gw_api_from_version("R4_5"), PFX_GW_API_UNKNOWN);

    /* only the top-level access_token counts */
    CU_ASSERT_EQUAL_FATAL(pfx_gw_read_access_token(good, strlen(good), &t, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(pfx_secret_value(t), "eyJ.abc.def");
    pfx_secret_free(t);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("{\"token\":\"x\"}", 13, &t, &e), SP_E_NOT_FOUND);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("\"tok\"", 5, &t, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("{\"access_token\":\"\"}", 19, &t, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("{\"access_token\":\"a b\"}", 22, &t, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("{\"access_token\":\"abc\"", 21, &t, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_read_access_token("<html>", 6, &t, &e), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NULL(t);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway client units", NULL, NULL);
    CU_add_test(s, "JSON request bodies", test_json_bodies);
    CU_add_test(s, "secrets", test_secret);
    CU_add_test(s, "gateway addresses", test_url);
    CU_add_test(s, "URL redaction", test_redact);
    CU_add_test(s, "object ids", test_ids);
    CU_add_test(s, "error mapping", test_map_error);
    CU_add_test(s, "error messages from replies", test_error_from_reply);
    CU_add_test(s, "releases and 4.x access tokens", test_release_and_access_token);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
