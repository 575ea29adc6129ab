/* test_units.c - the plugin's pure functions: pool URL parsing, naming, 8 GiB rounding and QoS
 * conversion. No gateway involved. */
#include "config.h"

#include "error.h"
#include "gateway.h"
#include "hostsvc.h"
#include "naming.h"
#include "poolhandle.h"
#include "qos.h"
#include "sdc.h"
#include "settings.h"
#include "sizes.h"
#include "url.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- URL -------------------------------------------------------------------------------- */

static void test_url_seed_example(void)
{
    pfx_url u;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("powerflex://admin:P%40ssword123@10.2.3.137/cspool", &u, &err),
                          SP_OK);
    CU_ASSERT_STRING_EQUAL(u.user, "admin");
    CU_ASSERT_STRING_EQUAL(u.password, "P@ssword123");
    CU_ASSERT_STRING_EQUAL(u.host, "10.2.3.137");
    CU_ASSERT_STRING_EQUAL(u.gateway, "10.2.3.137");
    CU_ASSERT_EQUAL(u.port, 0);
    CU_ASSERT_STRING_EQUAL(u.pool, "cspool");
    pfx_url_clear(&u);
    CU_ASSERT_PTR_NULL(u.password);
}

static void test_url_variants(void)
{
    pfx_url u;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("powerflex://admin:pw@gw.example.com:8443/CsPool", &u, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(u.host, "gw.example.com");
    CU_ASSERT_EQUAL(u.port, 8443);
    CU_ASSERT_STRING_EQUAL(u.gateway, "gw.example.com:8443");
    CU_ASSERT_STRING_EQUAL(u.pool, "CsPool"); /* case kept */
    pfx_url_clear(&u);

    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("powerflex://admin:pw@[fd00::12]:443/pool1", &u, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(u.host, "fd00::12");
    CU_ASSERT_STRING_EQUAL(u.gateway, "[fd00::12]:443");
    CU_ASSERT_EQUAL(u.port, 443);
    pfx_url_clear(&u);

    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("powerflex://admin:pw@[::1]/p", &u, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(u.host, "::1");
    CU_ASSERT_EQUAL(u.port, 0);
    pfx_url_clear(&u);

    /* Better than CloudStack: an encoded ':' in the password, and an unencoded '@'. */
    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("powerflex://admin:a%3Ab@c@gw/p%20ool", &u, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(u.password, "a:b@c");
    CU_ASSERT_STRING_EQUAL(u.pool, "p ool");
    pfx_url_clear(&u);

    CU_ASSERT_EQUAL_FATAL(pfx_url_parse("PowerFlex://u%2Fx:pw@gw/p%2Fq", &u, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(u.user, "u/x");
    CU_ASSERT_STRING_EQUAL(u.pool, "p/q");
    pfx_url_clear(&u);
}

static const struct {
    const char *url;
    const char *needle; /* expected in the message */
} bad_urls[] = {
    {"", "empty"},
    {"http://admin:Secret1@gw/pool", "powerflex://"},
    {"scaleio://admin:Secret1@gw/pool", "powerflex://"},
    {"powerflex:/admin:Secret1@gw/pool", "powerflex://"},
    {"powerflex://gw/pool", "user and password"},
    {"powerflex://admin@gw/pool", "lacks the password"},
    {"powerflex://:Secret1@gw/pool", "user name is empty"},
    {"powerflex://admin:@gw/pool", "password is empty"},
    {"powerflex://admin:Secret1@/pool", "host is empty"},
    {"powerflex://admin:Secret1@:443/pool", "host is empty"},
    {"powerflex://admin:Secret1@gw", "storage pool name"},
    {"powerflex://admin:Secret1@gw/", "storage pool name"},
    {"powerflex://admin:Secret1@gw/pool/extra", "extra path segments"},
    {"powerflex://admin:Secret1@gw//pool", "extra path segments"},
    {"powerflex://admin:Secret1@gw/pool/", "extra path segments"},
    {"powerflex://admin:Secr%zzet1@gw/pool", "password has a %-escape"},
    {"powerflex://admin:Secret1%4@gw/pool", "password has an incomplete"},
    {"powerflex://admin:Secret1%@gw/pool", "password has an incomplete"},
    {"powerflex://ad%g0min:Secret1@gw/pool", "user name has a %-escape"},
    {"powerflex://admin:Secret1@gw/po%2", "storage pool name has an incomplete"},
    {"powerflex://admin:Secret1@gw/po%0Aol", "storage pool name contains a control character"},
    {"powerflex://admin:Sec%00ret1@gw/pool", "password contains a control character"},
    {"powerflex://admin:Secret1@gw/po\nol", "control character"},
    {"powerflex://admin:Secret1@g\tw/pool", "control character"},
    {"powerflex://admin:Secret1@gw:0/pool", "port"},
    {"powerflex://admin:Secret1@gw:65536/pool", "port"},
    {"powerflex://admin:Secret1@gw:44a/pool", "port"},
    {"powerflex://admin:Secret1@gw:/pool", "port"},
    {"powerflex://admin:Secret1@[fd00::1/pool", "closing ']'"},
    {"powerflex://admin:Secret1@[zz]/pool", "IPv6 literal is malformed"},
    {"powerflex://admin:Secret1@[::1]x/pool", "after the gateway's IPv6"},
    {"powerflex://admin:Secret1@g w/pool", "gateway host may hold only"},
    {"powerflex://admin:Secret1@gw/pool?x=1", "query or fragment"},
    {"powerflex://admin:Secret1@gw/pool#frag", "query or fragment"},
    {"powerflex://admin:Secret1@gw?x/pool", "'?' and '#'"},
    {"powerflex://admin:Secret1@gw/%", "storage pool name has an incomplete"},
    /* The user info runs to the last '@' (as the harness masks it): a raw '/' before it is
     * refused, not read as the end of the host. */
    {"powerflex://admin:Sec/ret1@gw/pool", "before the last '@'"},
    {"powerflex://admin:p@ss/w rd%@gw/pool", "before the last '@'"},
    {"powerflex://admin:Secret1@gw/po@ol", "before the last '@'"},
};

static void test_url_malformed(void)
{
    size_t n = sizeof(bad_urls) / sizeof(bad_urls[0]);
    CU_ASSERT_TRUE(n >= 25);
    for (size_t i = 0; i < n; i++) {
        pfx_url u;
        sp_error err;
        memset(&err, 0, sizeof(err));
        sp_status st = pfx_url_parse(bad_urls[i].url, &u, &err);
        if (st != SP_E_INVALID || strstr(err.message, bad_urls[i].needle) == NULL)
            fprintf(stderr, "\n  url %zu \"%s\": status %d, message \"%s\"\n", i, bad_urls[i].url, (int)st,
                    err.message);
        CU_ASSERT_EQUAL(st, SP_E_INVALID);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad_urls[i].needle));
        /* The password and the user never come back in the message. */
        CU_ASSERT_PTR_NULL(strstr(err.message, "Secret1"));
        CU_ASSERT_PTR_NULL(strstr(err.message, "Secr"));
        CU_ASSERT_PTR_NULL(strstr(err.message, "admin"));
        CU_ASSERT_PTR_NULL(u.password);
    }
}

/* --- naming ----------------------------------------------------------------------------- */

static void test_pool_key(void)
{
    char key[5];
    sp_error err;

    CU_ASSERT_EQUAL(pfx_pool_key("fd5227cb-5538-4fef-8427-4aa97786ccbc", key, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(key, "27cb");
    CU_ASSERT_EQUAL(pfx_pool_key("fd52-5538", key, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_pool_key(NULL, key, &err), SP_E_INVALID);
}

static void test_object_names(void)
{
    char name[64];
    sp_error err;

    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_DATA, 12, 0, "27cb", "ab12", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "vol-12-27cb-ab12");
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_ROOT, 7, 0, "27cb", "ab12", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "vol-7-27cb-ab12");
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_TEMPLATE, 201, 0, "27cb", "ab12", name, sizeof(name), &err),
                    SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "tmpl-201-27cb-ab12");
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_SNAPSHOT, 5, 0, "27cb", "ab12", name, sizeof(name), &err),
                    SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "snap-5-27cb-ab12");
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_VM_SNAPSHOT, 3, 12, "27cb", "ab12", name, sizeof(name), &err),
                    SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "vmsnap-3-12-27cb-ab12");
    /* 31 characters fit; 32 are refused, never cut into a collision. */
    CU_ASSERT_EQUAL(
        pfx_object_name(SP_VOLUME_DATA, 1234567890123ULL, 0, "27cb", "abcdefgh", name, sizeof(name), &err),
        SP_OK);
    CU_ASSERT_EQUAL(strlen(name), 31);
    CU_ASSERT_EQUAL(
        pfx_object_name(SP_VOLUME_DATA, 12345678901234ULL, 0, "27cb", "abcdefgh", name, sizeof(name), &err),
        SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "at most 31"));
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_DATA, 1, 0, "27cb", "a b", name, sizeof(name), &err),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_object_name(SP_VOLUME_DATA, 1, 0, "27cb", "", name, sizeof(name), &err),
                    SP_E_INVALID);
    CU_ASSERT_TRUE(pfx_name_is_ours("vol-12-27cb-ab12", "27cb", "ab12"));
    CU_ASSERT_TRUE(pfx_name_is_ours("vmsnap-3-12-27cb-ab12", "27cb", "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("vol-12-27cb-zz99", "27cb", "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("other-12-27cb-ab12", "27cb", "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("-27cb-ab12", "27cb", "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("vol-12-91aa-ab12", "27cb", "ab12"));
    CU_ASSERT_TRUE(pfx_name_is_ours("vol-12-91aa-ab12", NULL, "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("vol-12-91aa-ab13", NULL, "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("vol-12-91a-ab12", NULL, "ab12"));
    CU_ASSERT_FALSE(pfx_name_is_ours("vol-ab12", NULL, "ab12"));
    /* After a V-Tree migration: the destination pool's key, the rest kept. */
    CU_ASSERT_EQUAL(pfx_name_rekey("vol-12-27cb-ab12", "ab12", "9d3a", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "vol-12-9d3a-ab12");
    CU_ASSERT_EQUAL(pfx_name_rekey("vmsnap-3-12-27cb-ab12", "ab12", "9d3a", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "vmsnap-3-12-9d3a-ab12");
    CU_ASSERT_EQUAL(pfx_name_rekey("tmpl-7-27cb-old1", "old1", "9d3a", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "tmpl-7-9d3a-old1");
    CU_ASSERT_EQUAL(pfx_name_rekey("other-12-27cb-ab12", "ab12", "9d3a", name, sizeof(name), &err),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_name_rekey("vol-12-27cb-ab12", "ab12", "9d3", name, sizeof(name), &err),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_name_rekey("vol-12-27cb-ab12", "ab12", "9d3a", name, 8, &err), SP_E_INTERNAL);
}

/* Template copies: the canonical name, then variants; safety copies from their VM snapshot's name,
 * both recognised as this installation's. */
static void test_template_and_safety_names(void)
{
    char name[64];
    sp_error err;

    CU_ASSERT_EQUAL(pfx_template_name(201, 0, "27cb", "ab12", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "tmpl-201-27cb-ab12");
    CU_ASSERT_EQUAL(pfx_template_name(201, 3, "27cb", "ab12", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "tmpl-201v3-27cb-ab12");
    CU_ASSERT_TRUE(pfx_name_is_ours(name, "27cb", "ab12"));
    CU_ASSERT_EQUAL(pfx_template_name(123456789012ULL, 7, "27cb", "abcdefgh", name, sizeof(name), &err),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_safety_name("vmsnap-3-12-27cb-ab12", name, sizeof(name), &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(name, "rvt-3-12-27cb-ab12");
    CU_ASSERT_TRUE(pfx_name_is_ours(name, "27cb", "ab12"));
    CU_ASSERT_TRUE(pfx_name_is_ours(name, NULL, "ab12"));
    CU_ASSERT_EQUAL(pfx_safety_name("vol-3-27cb-ab12", name, sizeof(name), &err), SP_E_INVALID);
}

/* --- sizes ------------------------------------------------------------------------------ */

static void test_rounding(void)
{
    uint64_t r;
    sp_error err;

    CU_ASSERT_EQUAL(pfx_round_size(1, "v", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r, PFX_ALLOC_UNIT);
    CU_ASSERT_EQUAL(pfx_round_size(512ULL << 20, "template", &r, &err), SP_OK); /* < 1 GiB: not 0 */
    CU_ASSERT_EQUAL(r, 8ULL << 30);
    CU_ASSERT_EQUAL(pfx_round_size(3ULL << 30, "v", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r, 8ULL << 30);
    CU_ASSERT_EQUAL(pfx_round_size(8ULL << 30, "v", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r, 8ULL << 30);
    CU_ASSERT_EQUAL(pfx_round_size((8ULL << 30) + 1, "v", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r, 16ULL << 30);
    CU_ASSERT_EQUAL(pfx_round_size(0, "vol-1", &r, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "vol-1"));
    CU_ASSERT_EQUAL(pfx_round_size(UINT64_MAX, "v", &r, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_bytes_to_kb(8ULL << 30), 8388608);
    CU_ASSERT_EQUAL(pfx_bytes_to_gb(16ULL << 30), 16);
}

/* --- logging ---------------------------------------------------------------------------- */

static int lines_seen;
static void count_lines(void *ctx, sp_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
    lines_seen++;
}

static int warn_and_above(void *ctx, sp_log_level level)
{
    (void)ctx;
    return level <= SP_LOG_WARN;
}

/* A host that says which levels it keeps gets only those; one that cannot say gets every line. */
static void test_log_levels(void)
{
    sp_host_services svc = {SP_ABI_VERSION, sizeof(svc), NULL, count_lines, NULL, warn_and_above};
    sp_host_services older = svc;

    pfx_hostsvc_set(&svc);
    lines_seen = 0;
    pfx_log(SP_LOG_DEBUG, "debug %d", 1);
    pfx_log(SP_LOG_INFO, "info %d", 2);
    CU_ASSERT_EQUAL(lines_seen, 0);
    pfx_log(SP_LOG_WARN, "warn %d", 3);
    pfx_log(SP_LOG_ERROR, "error %d", 4);
    CU_ASSERT_EQUAL(lines_seen, 2);
    /* A 2.0 host's table ends before log_enabled. */
    older.struct_size = (uint32_t)SP_SIZE_THROUGH(sp_host_services, get_setting);
    pfx_hostsvc_set(&older);
    lines_seen = 0;
    pfx_log(SP_LOG_DEBUG, "debug %d", 1);
    CU_ASSERT_EQUAL(lines_seen, 1);
    pfx_hostsvc_reset();
}

/* --- QoS -------------------------------------------------------------------------------- */

static int warnings;
static void count_log(void *ctx, sp_log_level level, const char *message)
{
    (void)ctx;
    (void)message;
    if (level == SP_LOG_WARN)
        warnings++;
}

static void test_qos(void)
{
    pfx_limits l;
    sp_error err;
    sp_qos q;
    sp_host_services svc = {SP_ABI_VERSION, sizeof(svc), NULL, count_log, NULL, NULL};

    pfx_hostsvc_set(&svc);
    q = (sp_qos){"90", "9000"};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
    CU_ASSERT_EQUAL(l.bandwidth_kbps, 92160);
    CU_ASSERT_EQUAL(l.iops, 9000);
    q = (sp_qos){NULL, NULL};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
    CU_ASSERT_FALSE(pfx_limits_any(&l));
    q = (sp_qos){"0", ""};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
    CU_ASSERT_FALSE(pfx_limits_any(&l));
    /* 1..10 IOPS become 11 (not 10, which the array refuses), with a warning. */
    for (const char *v = "1"; v != NULL; v = strcmp(v, "1") == 0 ? "10" : NULL) {
        warnings = 0;
        q = (sp_qos){NULL, v};
        CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
        CU_ASSERT_EQUAL(l.iops, 11);
        CU_ASSERT_TRUE(l.iops_raised);
        CU_ASSERT_EQUAL(warnings, 1);
    }
    q = (sp_qos){NULL, "11"};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
    CU_ASSERT_EQUAL(l.iops, 11);
    CU_ASSERT_FALSE(l.iops_raised);
    q = (sp_qos){"-5", NULL};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "bandwidthLimitInMbps"));
    q = (sp_qos){NULL, "abc"};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "iopsLimit"));
    q = (sp_qos){"1.5", NULL};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    q = (sp_qos){"99999999999999999999999", NULL};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "too large"));
    q = (sp_qos){"2097152", NULL}; /* x1024 would not fit the gateway's 32-bit field */
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    q = (sp_qos){"2097151", "2147483647"};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_OK);
    q = (sp_qos){NULL, "2147483648"};
    CU_ASSERT_EQUAL(pfx_qos_parse(&q, &l, &err), SP_E_INVALID);
    pfx_hostsvc_reset();
}

/* What describe publishes is what the code uses: every key it reads is in the table, with the
 * default the lower layers fall back to. */
static const char *setting_value;

static int one_setting(void *ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                       size_t len)
{
    (void)ctx;
    (void)scope;
    (void)scope_id;
    (void)key;
    if (setting_value == NULL)
        return 0;
    snprintf(buf, len, "%s", setting_value);
    return 1;
}

static void test_settings_table(void)
{
    static const char *keys[] = {PFX_SETTING_DISK_WAIT,
                                 PFX_SETTING_CLIENT_TIMEOUT,
                                 PFX_SETTING_CLIENT_MAX_CONNECTIONS,
                                 PFX_SETTING_CS_IDENTIFIER,
                                 PFX_SETTING_CS_IDENTIFIER_HISTORY,
                                 PFX_SETTING_HOST_CACHE,
                                 PFX_SETTING_SDC_HOME,
                                 PFX_SETTING_DEVICE_DIR,
                                 PFX_SETTING_CONNECT_ON_DEMAND,
                                 PFX_SETTING_CLIENTS_LIMIT,
                                 PFX_SETTING_MDM_APPLY_WAIT,
                                 PFX_SETTING_SDC_CFG_FILE};
    sp_host_services svc = {SP_ABI_VERSION, sizeof(svc), NULL, NULL, one_setting, NULL};
    const sp_setting_desc *list, *d;
    size_t n;

    CU_ASSERT_EQUAL_FATAL(pfx_describe(&list, &n, NULL), SP_OK);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(list[i].struct_size, sizeof(sp_setting_desc));
        CU_ASSERT_PTR_NOT_NULL(list[i].description);
        CU_ASSERT_TRUE(list[i].kind == SP_SETTING_KIND_POOL_DETAIL || list[i].scopes != 0);
    }
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        d = pfx_setting_desc(keys[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        CU_ASSERT_EQUAL(d->kind, SP_SETTING_KIND_SETTING);
    }
    CU_ASSERT_EQUAL(strtoull(pfx_setting_desc(PFX_SETTING_CLIENT_TIMEOUT)->default_value, NULL, 10),
                    PFX_GW_DEFAULT_TIMEOUT_S);
    CU_ASSERT_EQUAL(strtoull(pfx_setting_desc(PFX_SETTING_CLIENT_MAX_CONNECTIONS)->default_value, NULL, 10),
                    PFX_GW_DEFAULT_MAX_CONNECTIONS);
    CU_ASSERT_STRING_EQUAL(pfx_setting_desc(PFX_SETTING_SDC_HOME)->default_value, PFX_SDC_HOME_DEFAULT);
    CU_ASSERT_STRING_EQUAL(pfx_setting_desc(PFX_SETTING_DEVICE_DIR)->default_value,
                           PFX_SDC_DEVICE_DIR_DEFAULT);
    CU_ASSERT_TRUE(pfx_setting_desc(PFX_DETAIL_GW_PASSWORD)->flags & SP_SETTING_SECRET);
    /* SDCs on demand and the gateway's release: published with the defaults the code falls back to */
    CU_ASSERT_STRING_EQUAL(pfx_setting_desc(PFX_SETTING_CONNECT_ON_DEMAND)->default_value, "true");
    CU_ASSERT_STRING_EQUAL(pfx_setting_desc(PFX_SETTING_SDC_CFG_FILE)->default_value,
                           PFX_SDC_DRV_CFG_FILE_DEFAULT);
    CU_ASSERT_EQUAL(pfx_setting_desc(PFX_DETAIL_MDMS)->kind, SP_SETTING_KIND_POOL_DETAIL);
    CU_ASSERT_TRUE(pfx_setting_desc(PFX_DETAIL_GW_VERSION)->flags & SP_SETTING_OUTPUT);
    /* The readers take default and range from the table. */
    pfx_hostsvc_set(&svc);
    setting_value = NULL;
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_DISK_WAIT), 60);
    setting_value = "86400";
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_DISK_WAIT), 86400);
    setting_value = "86401";
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_DISK_WAIT), 60);
    setting_value = "0";
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_CLIENT_TIMEOUT), 60);
    setting_value = NULL;
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_MDM_APPLY_WAIT), 3000);
    setting_value = "600001";
    CU_ASSERT_EQUAL(pfx_setting_uint(SP_SCOPE_POOL, "p", PFX_SETTING_MDM_APPLY_WAIT), 3000);
    pfx_hostsvc_reset();
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("plugin units", NULL, NULL);
    CU_add_test(s, "logging: only the levels the host keeps are formatted", test_log_levels);
    CU_add_test(s, "URL: the seed's example", test_url_seed_example);
    CU_add_test(s, "URL: ports, IPv6, encodings", test_url_variants);
    CU_add_test(s, "URL: malformed URLs refused without echoing secrets", test_url_malformed);
    CU_add_test(s, "naming: pool key", test_pool_key);
    CU_add_test(s, "naming: object names and the 31-character limit", test_object_names);
    CU_add_test(s, "naming: template copy variants and safety copies", test_template_and_safety_names);
    CU_add_test(s, "sizes: 8 GiB rounding", test_rounding);
    CU_add_test(s, "QoS: conversion and limits", test_qos);
    CU_add_test(s, "settings: the published table is what the code reads", test_settings_table);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
