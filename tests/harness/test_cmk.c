/* test_cmk.c - the harness's command language: cmk lines (the seed's verbatim, quoting, map
 * parameters, hostile and very long input), variables, API name resolution, assert expressions
 * and the JSON shapes the writer produces. */
#include "config.h"

#include "api.h"
#include "cmk.h"
#include "input.h"
#include "jpath.h"
#include "jsonw.h"
#include "mask.h"
#include "num.h"
#include "secret.h"
#include "vars.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static host_vars *vars;

static int expand(void *ctx, const char *name, size_t len, host_buf *out, char *err, size_t errlen)
{
    const char *v = host_vars_get(ctx, name, len);
    if (v == NULL) {
        snprintf(err, errlen, "variable $%.*s is not set", (int)len, name);
        return -1;
    }
    host_buf_adds(out, v);
    return 0;
}

static int parse(const char *line, host_cmd *c, char *err)
{
    return host_cmk_parse(line, strlen(line), expand, vars, c, err, 512);
}

static void test_seed_pool_line(void)
{
    host_cmd c;
    char err[512];
    const char *line =
        "create storagepool name=mypowerflexpool scope=zone hypervisor=KVM provider= PowerFlex "
        "tags=powerflex url=powerflex://admin:P%40ssword123@10.2.3.137/cspool "
        "zoneid=ceee0b39-3984-4108-bd07-3ccffac961a9";

    CU_ASSERT_EQUAL_FATAL(parse(line, &c, err), 1);
    CU_ASSERT_EQUAL(c.n_words, 2);
    CU_ASSERT_STRING_EQUAL(c.words[0], "create");
    CU_ASSERT_STRING_EQUAL(c.words[1], "storagepool");
    CU_ASSERT_EQUAL(c.n_params, 7);
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "provider"), "PowerFlex");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "url"), "powerflex://admin:P%40ssword123@10.2.3.137/cspool");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "ZONEID"), "ceee0b39-3984-4108-bd07-3ccffac961a9");
    CU_ASSERT_PTR_NOT_NULL(host_api_find(c.words, c.n_words));
    CU_ASSERT_STRING_EQUAL(host_api_find(c.words, c.n_words)->name, "createStoragePool");
    host_cmd_free(&c);
}

static void test_seed_offering_lines(void)
{
    host_cmd c;
    char err[512];
    const sp_kv *kv;
    long n;

    CU_ASSERT_EQUAL_FATAL(
        parse("create serviceoffering name=pflex_instance displaytext=pflex_instance storagetype=shared "
              "provisioningtype=thin cpunumber=1 cpuspeed=1000 memory=1024 tags=powerflex "
              "serviceofferingdetails[0].bandwidthLimitInMbps=90 serviceofferingdetails[0].iopsLimit=9000",
              &c, err),
        1);
    n = host_cmd_map(&c, "serviceofferingdetails", &kv);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(kv[0].key, "bandwidthLimitInMbps");
    CU_ASSERT_STRING_EQUAL(kv[0].value, "90");
    CU_ASSERT_STRING_EQUAL(kv[1].key, "iopsLimit");
    CU_ASSERT_STRING_EQUAL(kv[1].value, "9000");
    CU_ASSERT_EQUAL(host_cmd_map(&c, "details", &kv), 0);
    CU_ASSERT_STRING_EQUAL(host_api_find(c.words, c.n_words)->name, "createServiceOffering");
    host_cmd_free(&c);

    CU_ASSERT_EQUAL_FATAL(
        parse("create diskoffering name=pflex_disk displaytext=pflex_disk storagetype=shared "
              "provisioningtype=thick disksize=3 tags=powerflex details[0].bandwidthLimitInMbps=70 "
              "details[0].iopsLimit=7000",
              &c, err),
        1);
    n = host_cmd_map(&c, "details", &kv);
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_STRING_EQUAL(kv[1].value, "7000");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "provisioningtype"), "thick");
    host_cmd_free(&c);
}

static void test_map_key_value_form_and_order(void)
{
    host_cmd c;
    char err[512];
    const sp_kv *kv;

    CU_ASSERT_EQUAL_FATAL(
        parse("update storagepool id=x details[1].key=b details[1].value=2 details[0].a.b.c=1", &c, err), 1);
    CU_ASSERT_EQUAL_FATAL(host_cmd_map(&c, "details", &kv), 2);
    CU_ASSERT_STRING_EQUAL(kv[0].key, "a.b.c");
    CU_ASSERT_STRING_EQUAL(kv[0].value, "1");
    CU_ASSERT_STRING_EQUAL(kv[1].key, "b");
    CU_ASSERT_STRING_EQUAL(kv[1].value, "2");
    host_cmd_free(&c);
}

static void test_quotes_comments_blanks(void)
{
    host_cmd c;
    char err[512];

    CU_ASSERT_EQUAL(parse("", &c, err), 0);
    CU_ASSERT_EQUAL(parse("   \t  ", &c, err), 0);
    CU_ASSERT_EQUAL(parse("# a comment", &c, err), 0);
    CU_ASSERT_EQUAL(parse("   # indented comment", &c, err), 0);
    CU_ASSERT_EQUAL_FATAL(
        parse("register template name=\"my template\" displaytext='it''s $x' url=a#b # trailing", &c, err),
        1);
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "name"), "my template");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "displaytext"), "its $x");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "url"), "a#b");
    CU_ASSERT_EQUAL(c.n_params, 3);
    host_cmd_free(&c);
    CU_ASSERT_EQUAL_FATAL(parse("\"list\" zones name=\"a \\\"q\\\" \\\\ \\$v\"", &c, err), 1);
    CU_ASSERT_STRING_EQUAL(c.words[0], "list");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "name"), "a \"q\" \\ $v");
    host_cmd_free(&c);
    /* An empty quoted value is given: the next word is not taken as its value. */
    CU_ASSERT_EQUAL(parse("update zone name=\"\" Up", &c, err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unexpected word"));
    CU_ASSERT_EQUAL_FATAL(parse("update zone name= ", &c, err), 1);
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "name"), "");
    host_cmd_free(&c);
}

static void test_variables(void)
{
    host_cmd c;
    char err[512];

    CU_ASSERT_EQUAL(host_vars_set(vars, "pf1.gateway", "127.0.0.1:4443"), 0);
    CU_ASSERT_EQUAL(host_vars_set(vars, "zone", "z-1"), 0);
    CU_ASSERT_EQUAL(host_vars_set(vars, "1bad", "x"), -1);
    CU_ASSERT_EQUAL(host_vars_set(vars, "bad-name", "x"), -1);
    CU_ASSERT_EQUAL(host_vars_set(vars, "trailing.", "x"), -1);
    CU_ASSERT_EQUAL_FATAL(
        parse("create storagepool url=powerflex://admin:P%40ss@$pf1.gateway/cspool zoneid=${zone} "
              "name=\"$zone.\" text='$zone' cost=$5",
              &c, err),
        1);
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "url"), "powerflex://admin:P%40ss@127.0.0.1:4443/cspool");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "zoneid"), "z-1");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "name"), "z-1.");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "text"), "$zone");
    CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "cost"), "$5");
    host_cmd_free(&c);
    CU_ASSERT_EQUAL(parse("list zones id=$nosuch", &c, err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nosuch"));
    CU_ASSERT_EQUAL(parse("list zones id=${unterminated", &c, err), -1);
    CU_ASSERT_EQUAL(host_vars_set(vars, "zone", "z-2"), 0);
    CU_ASSERT_STRING_EQUAL(host_vars_get(vars, "zone", 4), "z-2");
}

static void test_hostile_input(void)
{
    host_cmd c;
    char err[512];
    const char nul[] = "list zones id=a\0b";

    CU_ASSERT_EQUAL(host_cmk_parse(nul, sizeof(nul) - 1, expand, vars, &c, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "NUL"));
    CU_ASSERT_EQUAL(parse("list zones name=\"open", &c, err), -1);
    CU_ASSERT_EQUAL(parse("list zones name='open", &c, err), -1);
    CU_ASSERT_EQUAL(parse("name=x", &c, err), -1);
    CU_ASSERT_EQUAL(parse("list zones =x", &c, err), -1);
    CU_ASSERT_EQUAL(parse("list zones a=1 a=2", &c, err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "twice"));
    CU_ASSERT_EQUAL(parse("list zones a=1 stray", &c, err), -1);
    CU_ASSERT_EQUAL_FATAL(parse("list zones details[x].a=1 details[0]=2 details[0].=3", &c, err), 1);
    {
        const sp_kv *kv;
        CU_ASSERT_EQUAL(host_cmd_map(&c, "details", &kv), 0);
    }
    host_cmd_free(&c);
}

static void test_very_long_line(void)
{
    size_t n = 4u << 20;
    char *line = malloc(n + 64), err[512];
    host_cmd c;

    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    strcpy(line, "create zone name=");
    memset(line + 17, 'x', n);
    line[17 + n] = '\0';
    CU_ASSERT_EQUAL_FATAL(host_cmk_parse(line, strlen(line), expand, vars, &c, err, sizeof(err)), 1);
    CU_ASSERT_EQUAL(strlen(host_cmd_get(&c, "name")), n);
    host_cmd_free(&c);
    /* Many parameters. */
    {
        size_t len = 0;
        len += (size_t)sprintf(line, "list zones");
        for (int i = 0; i < 20000; i++)
            len += (size_t)sprintf(line + len, " k%d=v", i);
        CU_ASSERT_EQUAL_FATAL(host_cmk_parse(line, len, expand, vars, &c, err, sizeof(err)), 1);
        CU_ASSERT_EQUAL(c.n_params, 20000);
        CU_ASSERT_STRING_EQUAL(host_cmd_get(&c, "k19999"), "v");
        host_cmd_free(&c);
    }
    free(line);
}

/* --- numbers and input -------------------------------------------------------------------- */

static void test_numbers(void)
{
    static const char *const refused[] = {"",    "-1",  "+1",   " 1",       "1 ",  "0x10",
                                          "1e3", "1.0", "12GB", "\xd9\xa1", "--1", "18446744073709551616"};
    char why[128];
    uint64_t v = 7;
    int64_t bytes = 0;

    CU_ASSERT_EQUAL(host_num_parse("0", 0, 10, &v, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(v, 0);
    CU_ASSERT_EQUAL(host_num_parse("0010", 0, 10, &v, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(v, 10);
    CU_ASSERT_EQUAL(host_num_parse("11", 0, 10, &v, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "at most 10"));
    CU_ASSERT_EQUAL(host_num_parse("4", 5, 10, &v, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "at least 5"));
    CU_ASSERT_EQUAL(host_num_parse("18446744073709551615", 0, UINT64_MAX, &v, why, sizeof(why)), 0);
    CU_ASSERT_EQUAL(v, UINT64_MAX);
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        v = 7;
        CU_ASSERT_EQUAL(host_num_parse(refused[i], 0, UINT64_MAX, &v, why, sizeof(why)), -1);
        CU_ASSERT_EQUAL(v, 7);
    }
    /* Too many digits, then junk: the junk is what is wrong. */
    CU_ASSERT_EQUAL(host_num_parse("99999999999999999999x", 0, UINT64_MAX, &v, why, sizeof(why)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a whole number"));
    /* GB to bytes: the largest size that fits, and one more. */
    CU_ASSERT_EQUAL(host_num_gb_to_bytes(HOST_GB_MAX, &bytes), 0);
    CU_ASSERT_EQUAL((uint64_t)bytes, HOST_GB_MAX << 30);
    CU_ASSERT_EQUAL(host_num_gb_to_bytes(HOST_GB_MAX + 1, &bytes), -1);
    CU_ASSERT_EQUAL(host_num_gb_to_bytes(UINT64_MAX, &bytes), -1);
}

/* A stream that yields `data` and then fails with `err` (0: ends normally). */
typedef struct failing {
    const char *data;
    size_t off;
    int err;
} failing;

static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
    failing *f = cookie;
    size_t n = strlen(f->data) - f->off;

    if (n == 0) {
        if (f->err == 0)
            return 0;
        errno = f->err;
        return -1;
    }
    if (n > size)
        n = size;
    memcpy(buf, f->data + f->off, n);
    f->off += n;
    return (ssize_t)n;
}

static void test_input_lines(void)
{
    static const int errs[] = {EIO, ENOMEM};
    host_buf b = HOST_BUF_INIT;
    char err[256];

    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        failing f = {"list zones\nlist pods", 0, errs[i]};
        FILE *in = fopencookie(&f, "r", (cookie_io_functions_t){.read = failing_read});
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_EQUAL(host_input_line(in, &b, 100, err, sizeof(err)), 1);
        CU_ASSERT_STRING_EQUAL(host_buf_str(&b), "list zones\n");
        /* A read error is an error, not the end of the input (which a script would pass). */
        CU_ASSERT_EQUAL(host_input_line(in, &b, 100, err, sizeof(err)), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, strerror(errs[i])));
        fclose(in);
    }
    {
        failing f = {"12345\n123456\n1234", 0, 0};
        FILE *in = fopencookie(&f, "r", (cookie_io_functions_t){.read = failing_read});
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_EQUAL(host_input_line(in, &b, 5, err, sizeof(err)), 1);
        CU_ASSERT_STRING_EQUAL(host_buf_str(&b), "12345\n");
        CU_ASSERT_EQUAL(host_input_line(in, &b, 5, err, sizeof(err)), -1);
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than 5 bytes"));
        CU_ASSERT(b.len <= 5);
        fclose(in);
    }
    {
        failing f = {"last line without newline", 0, 0};
        FILE *in = fopencookie(&f, "r", (cookie_io_functions_t){.read = failing_read});
        CU_ASSERT_PTR_NOT_NULL_FATAL(in);
        CU_ASSERT_EQUAL(host_input_line(in, &b, 100, err, sizeof(err)), 1);
        CU_ASSERT_STRING_EQUAL(host_buf_str(&b), "last line without newline");
        CU_ASSERT_EQUAL(host_input_line(in, &b, 100, err, sizeof(err)), 0);
        fclose(in);
    }
    host_buf_free(&b);
}

static void test_api_names(void)
{
    char *w1[] = {"list", "storagepools"}, *w2[] = {"findStoragePoolsForMigration"},
         *w3[] = {"deploy", "virtualmachine"};
    char *w4[] = {"migrate", "volume"}, *w5[] = {"list", "nosuchthings"},
         *w6[] = {"enable", "storagemaintenance"};
    char *w7[] = {"create", "vmsnapshot"}, *w8[] = {"revert", "tovmsnapshot"},
         *w9[] = {"get", "routerhealthcheckresults"};

    CU_ASSERT_STRING_EQUAL(host_api_find(w1, 2)->name, "listStoragePools");
    CU_ASSERT_STRING_EQUAL(host_api_find(w2, 1)->name, "findStoragePoolsForMigration");
    CU_ASSERT_STRING_EQUAL(host_api_find(w3, 2)->name, "deployVirtualMachine");
    CU_ASSERT_STRING_EQUAL(host_api_find(w4, 2)->name, "migrateVolume");
    CU_ASSERT_PTR_NULL(host_api_find(w5, 2));
    CU_ASSERT_STRING_EQUAL(host_api_find(w6, 2)->name, "enableStorageMaintenance");
    CU_ASSERT_STRING_EQUAL(host_api_find(w7, 2)->name, "createVMSnapshot");
    CU_ASSERT_STRING_EQUAL(host_api_find(w8, 2)->name, "revertToVMSnapshot");
    CU_ASSERT_STRING_EQUAL(host_api_find(w9, 2)->name, "getRouterHealthCheckResults");
}

static int check(const char *expr, const char *json)
{
    host_assert a;
    char msg[1024];
    int rc;

    if (host_assert_parse(expr, strlen(expr), expand, vars, &a, msg, sizeof(msg)) != 0)
        return -2;
    rc = host_assert_check(&a, json, msg, sizeof(msg));
    host_assert_free(&a);
    return rc;
}

static void test_assert_expressions(void)
{
    const char *doc = "{\"count\": 2, \"storagepool\": [{\"state\": \"Up\", \"suitableformigration\": true, "
                      "\"disksizetotal\": 1000, \"tags\": \"powerflex,ssd\"}, {\"state\": \"Maintenance\", "
                      "\"suitableformigration\": false, \"name\": \"a b\"}], \"x\": {\"y\": null}}";

    host_vars_set(vars, "st", "Up");
    CU_ASSERT_EQUAL(check("count=2", doc), 0);
    CU_ASSERT_EQUAL(check("count = 2.0", doc), 0);
    CU_ASSERT_EQUAL(check("count=3", doc), 1);
    CU_ASSERT_EQUAL(check("count>1", doc), 0);
    CU_ASSERT_EQUAL(check("count<2", doc), 1);
    CU_ASSERT_EQUAL(check("count>=2", doc), 0);
    CU_ASSERT_EQUAL(check("count<=1", doc), 1);
    CU_ASSERT_EQUAL(check("storagepool[0].state=$st", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[1].state!=Up", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[0].suitableformigration=true", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[1].suitableformigration=true", doc), 1);
    CU_ASSERT_EQUAL(check("storagepool[0].tags~ssd", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[0].tags~=nvme", doc), 1);
    CU_ASSERT_EQUAL(check("storagepool[1].name=\"a b\"", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool.length=2", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[0].state.length=2", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[0].tags!~nvme", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[0].tags!~ssd", doc), 1);
    CU_ASSERT_EQUAL(check("nosuch!~x", doc), 1);
    CU_ASSERT_EQUAL(check("storagepool~Maintenance", doc), 0);
    CU_ASSERT_EQUAL(check("x.y=null", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[2].state=Up", doc), 1);
    CU_ASSERT_EQUAL(check("nosuch.field=1", doc), 1);
    CU_ASSERT_EQUAL(check("nosuch.field!=1", doc), 1);
    CU_ASSERT_EQUAL(check("nosuch.field absent", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[1].name absent", doc), 1);
    CU_ASSERT_EQUAL(check("storagepool[0].name absent", doc), 0);
    /* Both sides expanded: a variable on the left is a value, compared as such. */
    host_vars_set(vars, "a", "7");
    host_vars_set(vars, "b", "7");
    host_vars_set(vars, "i", "1");
    CU_ASSERT_EQUAL(check("$a!=$b", doc), 1);
    CU_ASSERT_EQUAL(check("$a=$b", doc), 0);
    CU_ASSERT_EQUAL(check("$a=$b", NULL), 0);
    CU_ASSERT_EQUAL(check("$a>6", doc), 0);
    CU_ASSERT_EQUAL(check("$st~U", doc), 0);
    CU_ASSERT_EQUAL(check("storagepool[${i}].state=Maintenance", doc), 0);
    CU_ASSERT_EQUAL(check("$unset!=1", doc), -2);
    CU_ASSERT_EQUAL(check("count!=$unset", doc), -2);
    CU_ASSERT_EQUAL(check("$a absent", doc), -2);
    /* CloudStack's empty list answer: {} without a count. */
    CU_ASSERT_EQUAL(check("count=0", "{}"), 0);
    CU_ASSERT_EQUAL(check("count=1", "{}"), 1);
    CU_ASSERT_EQUAL(check("volume.length=0", "{}"), 1);
    CU_ASSERT_EQUAL(check("count=0", "{\"x\": 1}"), 1);
    CU_ASSERT_EQUAL(check("storagepool[0].state>1", doc), -1);
    CU_ASSERT_EQUAL(check("storagepool[x].state=Up", doc), 1);
    CU_ASSERT_EQUAL(check("count", doc), -2);
    CU_ASSERT_EQUAL(check("=2", doc), -2);
    CU_ASSERT_EQUAL(check("count!2", doc), -2);
    CU_ASSERT_EQUAL(check("count=2", "not json"), -1);
}

static void test_json_shapes(void)
{
    host_jsonw w;
    host_buf out = HOST_BUF_INIT;
    char err[256];

    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_uint(&w, "count", 1);
    host_jsonw_array_begin(&w, "storagepool");
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_string(&w, "name", "quote\" back\\slash\nnewline\x01");
    host_jsonw_bool(&w, "suitableformigration", 1);
    host_jsonw_object_end(&w);
    host_jsonw_array_end(&w);
    host_jsonw_object_end(&w);
    CU_ASSERT_FALSE(w.failed);
    CU_ASSERT_EQUAL(host_jsonw_text(&w)[0], '{');
    CU_ASSERT_EQUAL(host_jpath_lookup(host_jsonw_text(&w), "storagepool[0].name", 19, &out, err, sizeof(err)),
                    0);
    CU_ASSERT_STRING_EQUAL(host_buf_str(&out), "quote\" back\\slash\nnewline\x01");
    host_buf_reset(&out);
    CU_ASSERT_EQUAL(host_jpath_lookup(host_jsonw_text(&w), "count", 5, &out, err, sizeof(err)), 0);
    CU_ASSERT_STRING_EQUAL(host_buf_str(&out), "1");
    host_buf_free(&out);
    host_jsonw_free(&w);
}

static void test_masking(void)
{
    char *m = host_mask_url("powerflex://admin:P%40ssword123@10.2.3.137/cspool");
    CU_ASSERT_STRING_EQUAL(m, "powerflex://admin:*****@10.2.3.137/cspool");
    free(m);
    m = host_mask_url("https://10.0.0.1/api");
    CU_ASSERT_STRING_EQUAL(m, "https://10.0.0.1/api");
    free(m);
    /* The user info runs to the last '@', as the plugin parses it: a raw '@' or '/' in the
     * password is hidden whole. */
    m = host_mask_url("powerflex://admin:p@ss/w rd%@gw:8443/pool");
    CU_ASSERT_STRING_EQUAL(m, "powerflex://admin:*****@gw:8443/pool");
    free(m);
    m = host_mask_url("powerflex://adminsecret@gw/pool"); /* no ':': all of it may be the secret */
    CU_ASSERT_STRING_EQUAL(m, "powerflex://*****@gw/pool");
    free(m);
    m = host_mask_text("add host url=http://1.2.3.4 username=root password=s3cret x=powerflex://u:pw@h/p");
    CU_ASSERT_PTR_NULL(strstr(m, "s3cret"));
    CU_ASSERT_PTR_NULL(strstr(m, ":pw@"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "password=*****"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "powerflex://u:*****@h/p"));
    free(m);
    m = host_mask_text(
        "failed: pool powerflex://a:x@y z@gw/p and https://gw/api; details[0].password='a b' tokenttl=3");
    CU_ASSERT_STRING_EQUAL(
        m, "failed: pool powerflex://a:*****@gw/p and https://gw/api; details[0].password=***** "
           "tokenttl=3");
    free(m);
}

static void test_masking_echo(void)
{
    static const struct {
        const char *line, *want;
    } cases[] = {
        /* nothing secret: shown as written */
        {"create zone   name=z1 networktype=Advanced", "create zone   name=z1 networktype=Advanced"},
        {"create storagepool name=p url=\"powerflex://admin:p@ss/w rd%@gw/pool\" zoneid=$zone",
         "create storagepool name=p url=powerflex://admin:*****@gw/pool zoneid=$zone"},
        {"update storagepool id=$p details[0].key=powerflex.gw.password details[0].value='x y'",
         "update storagepool id=$p details[0].key=powerflex.gw.password details[0].value=*****"},
        {"update storagepool id=$p details[0].powerflex.gw.password=Sec",
         "update storagepool id=$p details[0].powerflex.gw.password=*****"},
        {"sim start name=pf1 password=\"$pw\" tokenttl=0.5",
         "sim start name=pf1 password=***** tokenttl=0.5"},
        /* unreadable (the quote never closes): masked as text, to the end */
        {"create storagepool url=\"powerflex://admin:p@ss w@gw/pool",
         "create storagepool url=\"powerflex://admin:*****@gw/pool"},
        /* an unquoted password with a blank: the line fails, its echo hides both halves */
        {"create storagepool url=powerflex://admin:p@ss w@gw/pool zoneid=1",
         "create storagepool url=powerflex://admin:*****@gw/pool zoneid=1"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *m = host_mask_cmd_line(cases[i].line, strlen(cases[i].line));
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        if (strcmp(m, cases[i].want) != 0)
            fprintf(stderr, "echo of <%s>:\n  got  <%s>\n  want <%s>\n", cases[i].line, m, cases[i].want);
        CU_ASSERT_STRING_EQUAL(m, cases[i].want);
        free(m);
    }
}

static void test_secret_seal(void)
{
    unsigned char key[32], other[32];
    char err[128], *sealed, *plain;

    CU_ASSERT_EQUAL_FATAL(host_secret_key(NULL, key, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL_FATAL(host_secret_key(NULL, other, err, sizeof(err)), 0);
    sealed = host_secret_seal(key, "P@ssword123");
    CU_ASSERT_PTR_NOT_NULL_FATAL(sealed);
    CU_ASSERT_PTR_NULL(strstr(sealed, "ssword"));
    plain = host_secret_open(key, sealed);
    CU_ASSERT_STRING_EQUAL(plain, "P@ssword123");
    free(plain);
    CU_ASSERT_PTR_NULL(host_secret_open(other, sealed));
    sealed[strlen(sealed) - 3] ^= 1;
    CU_ASSERT_PTR_NULL(host_secret_open(key, sealed));
    free(sealed);
    CU_ASSERT_TRUE(host_secret_key_is_secret("powerflex.gw.password"));
    CU_ASSERT_FALSE(host_secret_key_is_secret("powerflex.gw.url"));
}

/* The writer escapes string values itself: every byte, and strings long enough to leave its
 * stack buffer, must come out as yajl_gen_string writes them. */
static void test_json_strings_as_yajl(void)
{
    char value[700];
    int mismatches = 0;

    for (int c = 1; c < 256 + 3; c++) {
        host_jsonw w;
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *ref;
        size_t reflen;
        if (c < 256) {
            value[0] = 'a';
            value[1] = (char)c;
            value[2] = 'z';
            value[3] = '\0';
        } else {
            /* Long values: past the stack buffer, with escapes spread over them. */
            size_t n = c == 256 ? 170 : c == 257 ? 171 : sizeof(value) - 1;
            for (size_t i = 0; i < n; i++)
                value[i] = "ab\"\\\n\x01/\x7f\xc3\xa9"[i % 10];
            value[n] = '\0';
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        yajl_gen_config(g, yajl_gen_beautify, 1);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
        yajl_gen_map_open(g);
        yajl_gen_string(g, (const unsigned char *)"k", 1);
        yajl_gen_string(g, (const unsigned char *)value, strlen(value));
        yajl_gen_string(g, (const unsigned char *)"list", 4);
        yajl_gen_array_open(g);
        yajl_gen_string(g, (const unsigned char *)value, strlen(value));
        yajl_gen_array_close(g);
        yajl_gen_map_close(g);
        yajl_gen_get_buf(g, &ref, &reflen);
        host_jsonw_init(&w, 1);
        host_jsonw_object_begin(&w, NULL);
        host_jsonw_string(&w, "k", value);
        host_jsonw_array_begin(&w, "list");
        host_jsonw_string(&w, NULL, value);
        host_jsonw_array_end(&w);
        host_jsonw_object_end(&w);
        /* host_jsonw_text drops the final newline yajl writes. */
        while (reflen > 0 && ref[reflen - 1] == '\n')
            reflen--;
        if (strlen(host_jsonw_text(&w)) != reflen || memcmp(host_jsonw_text(&w), ref, reflen) != 0) {
            if (mismatches++ < 3)
                fprintf(stderr, "byte %d: %s\nyajl: %.*s\n", c, host_jsonw_text(&w), (int)reflen, ref);
        }
        host_jsonw_free(&w);
        yajl_gen_free(g);
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* Random documents (no empty containers: the writer prints those as {} and []) written by both
 * the writer and yajl_gen, in lockstep: the same bytes, pretty or not. */
static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void random_value(host_jsonw *w, yajl_gen g, unsigned *seed, int depth, const char *key)
{
    static const char *words[] = {"",        "a",           "storagepool",       "line\nbreak", "tab\there",
                                  "q\"uote", "back\\slash", "\xc3\xa9t\xc3\xa9", "ctl\x1f\x01", "/path/to"};
    unsigned kind = depth >= 6 ? rnd(seed) % 6 : rnd(seed) % 8;
    char num[32];

    if (key != NULL)
        yajl_gen_string(g, (const unsigned char *)key, strlen(key));
    switch (kind) {
    case 0: {
        const char *v = words[rnd(seed) % 10];
        host_jsonw_string(w, key, v);
        yajl_gen_string(g, (const unsigned char *)v, strlen(v));
        break;
    }
    case 1: {
        int64_t v = (int64_t)rnd(seed) * 100003 - 1600000000;
        host_jsonw_int(w, key, v);
        yajl_gen_integer(g, (long long)v);
        break;
    }
    case 2: {
        uint64_t v = (uint64_t)rnd(seed) << 40;
        host_jsonw_uint(w, key, v);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
        yajl_gen_number(g, num, strlen(num));
        break;
    }
    case 3:
        host_jsonw_bool(w, key, rnd(seed) & 1);
        yajl_gen_bool(g, (*seed >> 16) & 1);
        break;
    case 4:
        host_jsonw_null(w, key);
        yajl_gen_null(g);
        break;
    case 5:
        host_jsonw_string(w, key, NULL);
        yajl_gen_null(g);
        break;
    case 6: {
        int n = 1 + (int)(rnd(seed) % 4);
        host_jsonw_object_begin(w, key);
        yajl_gen_map_open(g);
        for (int i = 0; i < n; i++) {
            char k[16];
            snprintf(k, sizeof(k), "k%d", i);
            random_value(w, g, seed, depth + 1, k);
        }
        host_jsonw_object_end(w);
        yajl_gen_map_close(g);
        break;
    }
    default: {
        int n = 1 + (int)(rnd(seed) % 4);
        host_jsonw_array_begin(w, key);
        yajl_gen_array_open(g);
        for (int i = 0; i < n; i++)
            random_value(w, g, seed, depth + 1, NULL);
        host_jsonw_array_end(w);
        yajl_gen_array_close(g);
        break;
    }
    }
}

static void test_json_documents_as_yajl(void)
{
    int mismatches = 0;

    for (unsigned doc = 0; doc < 400; doc++) {
        unsigned seed = doc + 1;
        int pretty = doc % 4 != 3;
        host_jsonw w;
        yajl_gen g = yajl_gen_alloc(NULL);
        const unsigned char *ref;
        size_t reflen;

        CU_ASSERT_PTR_NOT_NULL_FATAL(g);
        yajl_gen_config(g, yajl_gen_beautify, pretty);
        yajl_gen_config(g, yajl_gen_indent_string, "  ");
        host_jsonw_init(&w, pretty);
        /* Mostly an object at the top, as every answer is. */
        if (doc % 5 != 4) {
            host_jsonw_object_begin(&w, NULL);
            yajl_gen_map_open(g);
            for (int i = 0; i < 3; i++) {
                char k[16];
                snprintf(k, sizeof(k), "top%d", i);
                random_value(&w, g, &seed, 1, k);
            }
            host_jsonw_object_end(&w);
            yajl_gen_map_close(g);
        } else {
            random_value(&w, g, &seed, 0, NULL);
        }
        yajl_gen_get_buf(g, &ref, &reflen);
        while (reflen > 0 && ref[reflen - 1] == '\n')
            reflen--;
        if (strlen(host_jsonw_text(&w)) != reflen || memcmp(host_jsonw_text(&w), ref, reflen) != 0) {
            if (mismatches++ < 2)
                fprintf(stderr, "document %u:\n%s\nyajl:\n%.*s\n", doc, host_jsonw_text(&w), (int)reflen,
                        ref);
        }
        host_jsonw_free(&w);
        yajl_gen_free(g);
    }
    CU_ASSERT_EQUAL(mismatches, 0);
}

/* Empty objects and arrays as CloudStack writes them, at every depth, inserted JSON included. */
static void test_json_empty_containers(void)
{
    host_jsonw w;

    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_begin(&w, "a");
    host_jsonw_object_end(&w);
    host_jsonw_array_begin(&w, "b");
    host_jsonw_array_end(&w);
    host_jsonw_array_begin(&w, "c");
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_end(&w);
    host_jsonw_array_begin(&w, NULL);
    host_jsonw_array_end(&w);
    host_jsonw_array_end(&w);
    host_jsonw_raw(&w, "d", "{\"e\": [], \"f\": {}}");
    host_jsonw_object_end(&w);
    CU_ASSERT_STRING_EQUAL(host_jsonw_text(&w), "{\n"
                                                "  \"a\": {},\n"
                                                "  \"b\": [],\n"
                                                "  \"c\": [\n"
                                                "    {},\n"
                                                "    []\n"
                                                "  ],\n"
                                                "  \"d\": {\n"
                                                "    \"e\": [],\n"
                                                "    \"f\": {}\n"
                                                "  }\n"
                                                "}");
    host_jsonw_free(&w);
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_end(&w);
    CU_ASSERT_STRING_EQUAL(host_jsonw_text(&w), "{}");
    host_jsonw_free(&w);
    host_jsonw_init(&w, 0);
    host_jsonw_array_begin(&w, NULL);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_end(&w);
    host_jsonw_array_end(&w);
    CU_ASSERT_STRING_EQUAL(host_jsonw_text(&w), "[{}]");
    host_jsonw_free(&w);
}

/* What the writer refuses: a value where a key belongs, a second document, too deep a nesting. */
static void test_json_misuse_fails(void)
{
    host_jsonw w;

    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_int(&w, NULL, 1);
    CU_ASSERT_TRUE(w.failed);
    CU_ASSERT_STRING_EQUAL(host_jsonw_text(&w), "");
    host_jsonw_free(&w);

    host_jsonw_init(&w, 0);
    host_jsonw_object_begin(&w, NULL);
    host_jsonw_object_end(&w);
    CU_ASSERT_STRING_EQUAL(host_jsonw_text(&w), "{}");
    host_jsonw_bool(&w, NULL, 1);
    CU_ASSERT_TRUE(w.failed);
    host_jsonw_free(&w);

    host_jsonw_init(&w, 0);
    for (int i = 0; i < HOST_JSONW_MAX_DEPTH + 2; i++)
        host_jsonw_array_begin(&w, NULL);
    CU_ASSERT_TRUE(w.failed);
    host_jsonw_free(&w);

    host_jsonw_init(&w, 1);
    host_jsonw_array_end(&w);
    CU_ASSERT_TRUE(w.failed);
    host_jsonw_free(&w);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    vars = host_vars_new();
    if (vars == NULL || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("cmk", NULL, NULL);
    CU_add_test(s, "the seed's createStoragePool line as written", test_seed_pool_line);
    CU_add_test(s, "the seed's offering lines with map parameters", test_seed_offering_lines);
    CU_add_test(s, "map parameters: key/value form and index order", test_map_key_value_form_and_order);
    CU_add_test(s, "quotes, comments, blank lines", test_quotes_comments_blanks);
    CU_add_test(s, "variables", test_variables);
    CU_add_test(s, "hostile input", test_hostile_input);
    CU_add_test(s, "very long lines", test_very_long_line);
    CU_add_test(s, "whole numbers: one parser, range-checked", test_numbers);
    CU_add_test(s, "input lines: a cap, read errors", test_input_lines);
    CU_add_test(s, "JSON strings written byte for byte as yajl writes them", test_json_strings_as_yajl);
    CU_add_test(s, "JSON documents written byte for byte as yajl writes them", test_json_documents_as_yajl);
    CU_add_test(s, "JSON writer misuse fails the writer", test_json_misuse_fails);
    CU_add_test(s, "JSON empty objects and arrays written {} and []", test_json_empty_containers);
    CU_add_test(s, "verb and noun to API names", test_api_names);
    CU_add_test(s, "assert expressions", test_assert_expressions);
    CU_add_test(s, "JSON shapes", test_json_shapes);
    CU_add_test(s, "passwords masked", test_masking);
    CU_add_test(s, "passwords masked in echoed command lines", test_masking_echo);
    CU_add_test(s, "secrets sealed at rest", test_secret_seal);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    host_vars_free(vars);
    return failures == 0 ? 0 : 1;
}
