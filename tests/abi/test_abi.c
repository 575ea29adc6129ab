/* test_abi.c - ABI negotiation between the harness's loader and plugin modules: the real
 * PowerFlex module and fakes that are newer, foreign, truncated or without an entry symbol. */
#include "config.h"

#include "loader.h"
#include "services.h"
#include "storage_plugin.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static host_services svc;
static char errbuf[1024];

static const char *builddir(void)
{
    const char *d = getenv("top_builddir");
    return d != NULL ? d : ".";
}

static char *module_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", builddir(), rel);
    return path;
}

static void test_real_plugin_loads(void)
{
    host_plugin *p = host_plugin_load(module_path("plugin/powerflex.la"), &svc.table, errbuf, sizeof(errbuf));
    const sp_plugin *d;
    sp_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    d = host_plugin_descriptor(p);
    CU_ASSERT_STRING_EQUAL(d->name, "PowerFlex");
    CU_ASSERT_STRING_EQUAL(d->version, PACKAGE_VERSION);
    CU_ASSERT_EQUAL(d->abi_version, SP_ABI_VERSION);
    CU_ASSERT_EQUAL(d->driver->struct_size, sizeof(sp_driver_ops));
    CU_ASSERT_TRUE(SP_HAS(d->driver, list_volumes));
    CU_ASSERT_TRUE(SP_HAS(d->lifecycle, remove));
    CU_ASSERT_TRUE(SP_HAS(d->adaptor, recover_copies));
    CU_ASSERT_TRUE(SP_HAS(d, hostutil));
    CU_ASSERT_TRUE(SP_HAS(d->hostutil, create_config_drive));
    CU_ASSERT_TRUE(SP_HAS(d, describe));
    CU_ASSERT_TRUE(SP_HAS(d->pool, get_volume_stats));
    /* Every table of the module answers with a status; none is a NULL pointer. */
    memset(&err, 0, sizeof(err));
    CU_ASSERT_NOT_EQUAL(d->lifecycle->maintain(NULL, &err), SP_OK);
    CU_ASSERT_TRUE(err.message[0] != '\0');
    host_plugin_unload(p);
}

static sp_plugin_init_fn real_entry(lt_dlhandle *out)
{
    sp_plugin_init_fn init;
    CU_ASSERT_EQUAL_FATAL(lt_dlinit(), 0);
    *out = lt_dlopen(module_path("plugin/powerflex.la"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(*out);
    *(void **)&init = lt_dlsym(*out, SP_PLUGIN_ENTRY_SYMBOL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(init);
    return init;
}

static void release_entry(lt_dlhandle h)
{
    lt_dlclose(h);
    lt_dlexit();
}

static void test_plugin_refuses_other_major(void)
{
    lt_dlhandle h;
    sp_plugin_init_fn init = real_entry(&h);
    const sp_plugin *d = (const sp_plugin *)1;
    sp_error err;

    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL(init(SP_ABI_MAKE_VERSION(3, 0), &svc.table, &d, &err), SP_E_VERSION);
    CU_ASSERT_PTR_NULL(d);
    CU_ASSERT_EQUAL(err.status, SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "3.0"));
    /* A host of the previous major: its tables have another layout. */
    CU_ASSERT_EQUAL(init(SP_ABI_MAKE_VERSION(1, 9), &svc.table, &d, &err), SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "1.9"));
    release_entry(h);
}

static void test_plugin_accepts_newer_minor_host(void)
{
    lt_dlhandle h;
    sp_plugin_init_fn init = real_entry(&h);
    const sp_plugin *d = NULL;
    sp_error err;

    /* A host of version 2.7 loads a 2.0 plugin; it then checks sizes before calling 2.7 methods. */
    CU_ASSERT_EQUAL(init(SP_ABI_MAKE_VERSION(SP_ABI_VERSION_MAJOR, 7), &svc.table, &d, &err), SP_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_EQUAL(SP_ABI_MINOR(d->abi_version), SP_ABI_VERSION_MINOR);
    d->shutdown();
    release_entry(h);
}

static void test_plugin_refuses_small_services_table(void)
{
    lt_dlhandle h;
    sp_plugin_init_fn init = real_entry(&h);
    const sp_plugin *d = NULL;
    sp_host_services small = svc.table;
    sp_error err;

    small.struct_size = 8;
    CU_ASSERT_EQUAL(init(SP_ABI_VERSION, &small, &d, &err), SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "host services"));
    release_entry(h);
}

static void test_newer_plugin_with_larger_tables(void)
{
    host_plugin *p =
        host_plugin_load(module_path("tests/abi/fake_newer.la"), &svc.table, errbuf, sizeof(errbuf));
    const sp_plugin *d;
    sp_capacity cap = SP_INIT(sp_capacity);

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    d = host_plugin_descriptor(p);
    CU_ASSERT_EQUAL(SP_ABI_MINOR(d->abi_version), SP_ABI_VERSION_MINOR + 1);
    /* This (older) host reads only what it knows of the larger table, and calls it. */
    CU_ASSERT_TRUE(d->pool->struct_size > sizeof(sp_pool_ops));
    CU_ASSERT_TRUE(SP_HAS(d->pool, get_capacity));
    CU_ASSERT_EQUAL(d->pool->get_capacity(NULL, &cap, NULL), SP_OK);
    CU_ASSERT_EQUAL(cap.total_bytes, 42);
    /* A member the fake did not fill is reported absent, not called. */
    CU_ASSERT_FALSE(SP_HAS(d->pool, get_volume_stats));
    /* Host utilities are optional: a plugin without them loads. */
    CU_ASSERT_FALSE(SP_HAS(d, hostutil));
    host_plugin_unload(p);
}

static void expect_refused(const char *rel, const char *needle)
{
    host_plugin *p;

    errbuf[0] = '\0';
    p = host_plugin_load(module_path(rel), &svc.table, errbuf, sizeof(errbuf));
    CU_ASSERT_PTR_NULL(p);
    if (p != NULL) {
        host_plugin_unload(p);
        return;
    }
    if (strstr(errbuf, needle) == NULL)
        fprintf(stderr, "\n  %s: message \"%s\" lacks \"%s\"\n", rel, errbuf, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, needle));
}

static void test_other_major_plugin_refused(void)
{
    /* A plugin built against the previous major's header. */
    expect_refused("tests/abi/fake_major1.la", "ABI 1.0");
}

static void test_module_without_entry_refused(void)
{
    expect_refused("tests/abi/fake_noentry.la", "no sp_plugin_init symbol");
}

static void test_tables_older_than_2_0_refused(void)
{
    expect_refused("tests/abi/fake_small.la", "ABI 2.0 needs at least");
}

static void test_truncated_module_refused(void)
{
    char src[4096], dst[] = "/tmp/sp-trunc-XXXXXX";
    char buf[65536];
    int in, out;
    ssize_t n;
    host_plugin *p;

    snprintf(src, sizeof(src), "%s/plugin/.libs/powerflex.so", builddir());
    in = open(src, O_RDONLY);
    CU_ASSERT_TRUE_FATAL(in >= 0);
    out = mkstemp(dst);
    CU_ASSERT_TRUE_FATAL(out >= 0);
    n = read(in, buf, sizeof(buf));
    CU_ASSERT_TRUE_FATAL(n > 4096);
    /* Keep the ELF header and program headers, lose the rest. */
    CU_ASSERT_EQUAL(write(out, buf, 4096), 4096);
    close(in);
    close(out);
    p = host_plugin_load(dst, &svc.table, errbuf, sizeof(errbuf));
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "truncated"));
    host_plugin_unload(p);
    unlink(dst);
}

static void test_not_a_module_refused(void)
{
    char dst[] = "/tmp/sp-text-XXXXXX";
    int fd = mkstemp(dst);
    host_plugin *p;

    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "hello, world\n", 13), 13);
    close(fd);
    p = host_plugin_load(dst, &svc.table, errbuf, sizeof(errbuf));
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "neither an ELF shared object"));
    unlink(dst);
    p = host_plugin_load("/nonexistent/dir/plugin.so", &svc.table, errbuf, sizeof(errbuf));
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/dir/plugin.so"));
}

static void test_has_macro_respects_size(void)
{
    sp_driver_ops t;
    memset(&t, 0, sizeof(t));
    t.abi_version = SP_ABI_VERSION;
    t.struct_size = (uint32_t)SP_SIZE_THROUGH(sp_driver_ops, delete_volume);
    t.create_volume = (void *)1;
    t.delete_volume = (void *)1;
    t.resize_volume = (void *)1; /* set, but beyond the declared size */
    CU_ASSERT_TRUE(SP_HAS(&t, create_volume));
    CU_ASSERT_TRUE(SP_HAS(&t, delete_volume));
    CU_ASSERT_FALSE(SP_HAS(&t, resize_volume));
    t.struct_size = sizeof(t);
    CU_ASSERT_TRUE(SP_HAS(&t, resize_volume));
    CU_ASSERT_FALSE(SP_HAS(&t, get_volume)); /* NULL member */
}

/* Two hosts in one process: each answers every setting with a relative path naming itself, which
 * the plugin quotes when it refuses it, so a message tells whose services the plugin used. */
static unsigned asked[2];

static int named_setting(void *ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                         size_t len)
{
    const char *who = ctx;
    (void)scope;
    (void)scope_id;
    (void)key;
    asked[who[0] == 'B']++;
    snprintf(buf, len, "relative-%s", who);
    return 1;
}

static const char *whose_settings(const sp_plugin *d)
{
    static char msg[SP_ERROR_MESSAGE_MAX];
    sp_host_ref host = {SP_SIZED(sp_host_ref), .uuid = "h", .name = "h", .ip = "127.0.0.1"};
    sp_kv file = {"openstack/latest/meta_data.json", "{}"};
    char iso[256];
    sp_error err;

    memset(&err, 0, sizeof(err));
    CU_ASSERT_EQUAL(d->hostutil->create_config_drive(&host, "vm", &file, 1, iso, sizeof(iso), &err),
                    SP_E_INVALID);
    snprintf(msg, sizeof(msg), "%s", err.message);
    return strstr(msg, "relative-A") != NULL ? "A" : strstr(msg, "relative-B") != NULL ? "B" : msg;
}

static void test_second_init_cannot_take_the_services(void)
{
    lt_dlhandle h;
    sp_plugin_init_fn init = real_entry(&h);
    sp_host_services a = {SP_ABI_VERSION, sizeof(a), (void *)"A", NULL, named_setting, NULL};
    sp_host_services b = {SP_ABI_VERSION, sizeof(b), (void *)"B", NULL, named_setting, NULL};
    const sp_plugin *d = NULL, *d2 = (const sp_plugin *)1;
    sp_error err;

    asked[0] = asked[1] = 0;
    CU_ASSERT_EQUAL_FATAL(init(SP_ABI_VERSION, &a, &d, &err), SP_OK);
    CU_ASSERT_EQUAL(init(SP_ABI_VERSION, &b, &d2, &err), SP_E_BUSY);
    CU_ASSERT_PTR_NULL(d2);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "already started"));
    CU_ASSERT_STRING_EQUAL(whose_settings(d), "A");
    CU_ASSERT_EQUAL(asked[1], 0);
    /* The same host may start it again; each start ends with its own shutdown. */
    CU_ASSERT_EQUAL(init(SP_ABI_VERSION, &a, &d2, &err), SP_OK);
    d->shutdown();
    CU_ASSERT_STRING_EQUAL(whose_settings(d), "A");
    CU_ASSERT_EQUAL(init(SP_ABI_VERSION, &b, &d2, &err), SP_E_BUSY);
    d->shutdown();
    /* Shut down: another host may take it. */
    CU_ASSERT_EQUAL_FATAL(init(SP_ABI_VERSION, &b, &d2, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(whose_settings(d2), "B");
    d2->shutdown();
    release_entry(h);
}

static void ignore_kv(void *ctx, const char *key, const char *value)
{
    (void)ctx;
    (void)key;
    (void)value;
}

/* A sized struct below its 2.0 size is refused by name before the plugin reads or fills it; at
 * its size the same call gets past that check (and fails later, on the bad URL). */
static void test_plugin_refuses_small_value_structs(void)
{
    host_plugin *p = host_plugin_load(module_path("plugin/powerflex.la"), &svc.table, errbuf, sizeof(errbuf));
    const sp_plugin *d;
    sp_pool_create_params params = {SP_SIZED(sp_pool_create_params), .url = "not a url", .uuid = "u"};
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error err;

    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    d = host_plugin_descriptor(p);
    params.struct_size = 8;
    CU_ASSERT_EQUAL(d->lifecycle->initialize(&params, ignore_kv, NULL, &cap, &err), SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sp_pool_create_params"));
    params.struct_size = sizeof(params);
    cap.struct_size = SP_CAPACITY_SIZE_2_0 - 1;
    CU_ASSERT_EQUAL(d->lifecycle->initialize(&params, ignore_kv, NULL, &cap, &err), SP_E_VERSION);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sp_capacity"));
    cap.struct_size = sizeof(cap);
    CU_ASSERT_EQUAL(d->lifecycle->initialize(&params, ignore_kv, NULL, &cap, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(err.reserved[0], 0);
    host_plugin_unload(p);
}

static void test_value_struct_macros(void)
{
    typedef struct newer {
        sp_disk_info v2_0;
        uint64_t added;
    } newer;
    newer arr[3];
    sp_disk_info small = SP_INIT(sp_disk_info);

    CU_ASSERT_EQUAL(small.struct_size, sizeof(sp_disk_info));
    CU_ASSERT_EQUAL(small.size_bytes, 0);
    CU_ASSERT_TRUE(SP_FITS(&small, size_bytes));
    small.struct_size = (uint32_t)SP_SIZE_THROUGH(sp_disk_info, path);
    CU_ASSERT_TRUE(SP_FITS(&small, path));
    CU_ASSERT_FALSE(SP_FITS(&small, size_bytes));
    for (int i = 0; i < 3; i++)
        arr[i].v2_0.struct_size = sizeof(newer);
    /* A callee that knows only sp_disk_info finds element i at the caller's stride. */
    CU_ASSERT_PTR_EQUAL(SP_AT(sp_disk_info, &arr[0].v2_0, 2), &arr[2].v2_0);
    CU_ASSERT_PTR_EQUAL(SP_AT(const sp_disk_info, (const sp_disk_info *)&arr[0].v2_0, 1), &arr[1].v2_0);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (host_services_init(&svc) != 0 || CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    svc.log_file = NULL;
    s = CU_add_suite("abi", NULL, NULL);
    CU_add_test(s, "real plugin loads", test_real_plugin_loads);
    CU_add_test(s, "plugin refuses another major", test_plugin_refuses_other_major);
    CU_add_test(s, "plugin accepts a newer-minor host", test_plugin_accepts_newer_minor_host);
    CU_add_test(s, "plugin refuses a too-small services table", test_plugin_refuses_small_services_table);
    CU_add_test(s, "older host reads a newer plugin's larger tables", test_newer_plugin_with_larger_tables);
    CU_add_test(s, "plugin of another major refused", test_other_major_plugin_refused);
    CU_add_test(s, "module without entry symbol refused", test_module_without_entry_refused);
    CU_add_test(s, "tables smaller than 2.0 refused", test_tables_older_than_2_0_refused);
    CU_add_test(s, "truncated module refused", test_truncated_module_refused);
    CU_add_test(s, "non-module refused", test_not_a_module_refused);
    CU_add_test(s, "SP_HAS respects struct_size", test_has_macro_respects_size);
    CU_add_test(s, "plugin refuses value structs below their 2.0 size",
                test_plugin_refuses_small_value_structs);
    CU_add_test(s, "a second init cannot take the first host's services",
                test_second_init_cannot_take_the_services);
    CU_add_test(s, "SP_INIT, SP_FITS and SP_AT", test_value_struct_macros);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    host_services_free(&svc);
    return failures == 0 ? 0 : 1;
}
