/* test_configdrive.c - config drive ISOs read back with isoinfo (label, Rock Ridge and Joliet
 * contents), built by genisoimage and by xorriso; names and paths that must be refused; the ISO
 * replaced atomically and nothing left behind on failure; the zone settings truth table. */
#include "config.h"

#include "hs_util.h"

#include "configdrive.h"
#include "hostsvc.h"
#include "proc.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *cache;

#define META "{\"uuid\": \"5f1c0a1e-0000-4000-8000-000000000001\", \"name\": \"vm-1\"}"

static const sp_kv files[] = {
    {"openstack/latest/meta_data.json", META},
    {"openstack/latest/user_data", "#cloud-config\nruncmd:\n - echo hi\n"},
    {"cloudstack/userdata/user_data.txt", "#cloud-config\nruncmd:\n - echo hi\n"},
    {"cloudstack/metadata/instance-id.txt", "i-2-34-VM"},
    {"cloudstack/password/vm_password.txt", "s3cr3t"},
};
#define N_FILES (sizeof(files) / sizeof(files[0]))

/* isoinfo's output for args (NULL-terminated after the ISO), or NULL. */
static char *isoinfo(const char *iso, const char *a1, const char *a2, const char *a3)
{
    const char *argv[] = {hs_isoinfo(), "-i", iso, a1, a2, a3, NULL};
    return hs_run(argv);
}

/* Entries of the config dir besides the ISOs: temporary files or staging dirs left behind. */
static int leftovers(void)
{
    DIR *d = opendir(hs_path(cache, "config"));
    struct dirent *de;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 4, ".iso") != 0)
            n++; /* a staging dir or a temporary ISO */
    }
    closedir(d);
    return n;
}

static void check_iso(const char *iso)
{
    char *out;

    out = isoinfo(iso, "-d", NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Volume id: config-2\n"));
    free(out);
    out = isoinfo(iso, "-R", "-x", "/openstack/latest/meta_data.json");
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(out, META);
    free(out);
    out = isoinfo(iso, "-J", "-x", "/openstack/latest/meta_data.json"); /* Joliet names too */
    CU_ASSERT_TRUE(out != NULL && strcmp(out, META) == 0);
    free(out);
    out = isoinfo(iso, "-R", "-x", "/openstack/latest/vendor_data.json"); /* defaulted as CloudStack does */
    CU_ASSERT_TRUE(out != NULL && strcmp(out, "{}") == 0);
    free(out);
    out = isoinfo(iso, "-R", "-x", "/cloudstack/password/vm_password.txt");
    CU_ASSERT_TRUE(out != NULL && strcmp(out, "s3cr3t") == 0);
    free(out);
    out = isoinfo(iso, "-R", "-f", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/openstack/content\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/openstack/latest/network_data.json\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/openstack/latest/user_data\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "/cloudstack/metadata/instance-id.txt\n"));
    free(out);
}

static void test_build_genisoimage(void)
{
    char iso[512], want[512];
    struct stat sb;
    sp_error err;

    pfx_configdrive_set_iso_tool(NULL);
    CU_ASSERT_EQUAL_FATAL(pfx_configdrive_build(cache, "i-2-34-VM", files, N_FILES, iso, sizeof(iso), &err),
                          SP_OK);
    snprintf(want, sizeof(want), "%s/config/i-2-34-VM.iso", cache);
    CU_ASSERT_STRING_EQUAL(iso, want);
    check_iso(iso);
    CU_ASSERT_EQUAL(stat(hs_path(cache, "config"), &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
    CU_ASSERT_EQUAL(stat(iso, &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
    CU_ASSERT_EQUAL(leftovers(), 0);
}

static void test_rebuild_replaces(void)
{
    const sp_kv v2[] = {{"openstack/latest/meta_data.json", "{\"v\": 2}"}};
    char iso[512], *out;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_configdrive_build(cache, "vm-r", files, N_FILES, iso, sizeof(iso), &err),
                          SP_OK);
    CU_ASSERT_EQUAL_FATAL(pfx_configdrive_build(cache, "vm-r", v2, 1, iso, sizeof(iso), &err), SP_OK);
    out = isoinfo(iso, "-R", "-x", "/openstack/latest/meta_data.json");
    CU_ASSERT_TRUE(out != NULL && strcmp(out, "{\"v\": 2}") == 0);
    free(out);
    out = isoinfo(iso, "-R", "-f", NULL);
    CU_ASSERT_TRUE(out != NULL && strstr(out, "vm_password") == NULL);
    free(out);
    CU_ASSERT_EQUAL(pfx_configdrive_remove(cache, "vm-r", &err), SP_OK);
    CU_ASSERT_EQUAL(access(iso, F_OK), -1);
    CU_ASSERT_EQUAL(pfx_configdrive_remove(cache, "vm-r", &err), SP_OK); /* already gone */
}

static void test_build_xorriso(void)
{
    char tool[256], iso[512];
    sp_error err;

    if (pfx_proc_find_program("xorriso", tool, sizeof(tool), NULL) != SP_OK) {
        fprintf(stderr, "xorriso not installed: its part skipped\n");
        return;
    }
    pfx_configdrive_set_iso_tool(tool);
    if (pfx_configdrive_build(cache, "vm-xorriso", files, N_FILES, iso, sizeof(iso), &err) != SP_OK) {
        CU_FAIL(err.message);
        return;
    }
    check_iso(iso);
    pfx_configdrive_set_iso_tool(NULL);
    CU_ASSERT_EQUAL(leftovers(), 0);
}

static void test_names_and_paths(void)
{
    static const char *const bad_vm[] = {"", ".", "..", "a/b", "x..y", "a\nb", ".hidden", "tab\there", NULL};
    static const char *const bad_path[] = {
        "/openstack/latest/x",
        "../openstack/x",
        "openstack/../../etc/passwd",
        "openstack/latest/..",
        "openstack//x",
        "openstack/./x",
        "other/x",
        "openstack",
        "openstack/latest/",
        "openstack/a\nb",
        "openstack/a\\b",
        ("openstack/"
         "0123456789012345678901234567890123456789012345678901234567890123456789"),
        ""};
    char long_name[300], iso[512];
    sp_error err;

    for (size_t i = 0; bad_vm[i] != NULL; i++) {
        CU_ASSERT_FALSE(pfx_configdrive_vm_name_ok(bad_vm[i]));
        CU_ASSERT_EQUAL(pfx_configdrive_build(cache, bad_vm[i], files, N_FILES, iso, sizeof(iso), &err),
                        SP_E_INVALID);
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
    }
    memset(long_name, 'a', 201);
    long_name[201] = '\0';
    CU_ASSERT_FALSE(pfx_configdrive_vm_name_ok(long_name));
    long_name[200] = '\0';
    CU_ASSERT_TRUE(pfx_configdrive_vm_name_ok(long_name));
    CU_ASSERT_TRUE(pfx_configdrive_vm_name_ok("i-2-34-VM"));
    CU_ASSERT_TRUE(pfx_configdrive_vm_name_ok("web server (1)"));

    for (size_t i = 0; i < sizeof(bad_path) / sizeof(bad_path[0]); i++) {
        sp_kv f[] = {{"openstack/latest/meta_data.json", "{}"}, {bad_path[i], "x"}};
        CU_ASSERT_FALSE(pfx_configdrive_path_ok(bad_path[i]));
        CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-bad", f, 2, iso, sizeof(iso), &err), SP_E_INVALID);
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
    }
    CU_ASSERT_TRUE(pfx_configdrive_path_ok("openstack/content/0000"));
    CU_ASSERT_TRUE(pfx_configdrive_path_ok("cloudstack/metadata/public-keys.txt"));
    CU_ASSERT_EQUAL(access(hs_path(cache, "config/vm-bad.iso"), F_OK), -1);

    CU_ASSERT_EQUAL(pfx_configdrive_build("relative/cache", "vm", files, N_FILES, iso, sizeof(iso), &err),
                    SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_configdrive_iso_path(cache, "vm", iso, 10, &err), SP_E_INVALID);
}

static void test_conflicts(void)
{
    const sp_kv dup[] = {{"openstack/latest/meta_data.json", "{}"},
                         {"openstack/latest/meta_data.json", "{}"}};
    const sp_kv file_and_dir[] = {{"openstack/latest/meta_data.json", "{}"},
                                  {"openstack/latest/x", "1"},
                                  {"openstack/latest/x/y", "2"}};
    const sp_kv no_meta[] = {{"openstack/latest/user_data", "x"}};
    char iso[512];
    sp_error err;

    CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-c", dup, 2, iso, sizeof(iso), &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "given twice"));
    CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-c", file_and_dir, 3, iso, sizeof(iso), &err),
                    SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "openstack/latest/x"));
    CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-c", no_meta, 1, iso, sizeof(iso), &err), SP_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "meta_data.json"));
    CU_ASSERT_EQUAL(leftovers(), 0);
}

static void test_tool_failure(void)
{
    char *dir = hs_mkdtemp("cd-tool"), iso[512], *out;
    const char *fake = strdup(hs_path(dir, "genisoimage"));
    sp_error err;

    /* an ISO from before stays in place when a rebuild fails */
    pfx_configdrive_set_iso_tool(NULL);
    CU_ASSERT_EQUAL_FATAL(pfx_configdrive_build(cache, "vm-f", files, N_FILES, iso, sizeof(iso), &err),
                          SP_OK);
    CU_ASSERT_FATAL(
        hs_write_str(fake, "#!/bin/sh\necho 'genisoimage: No space left on device' >&2\nexit 1\n") == 0 &&
        chmod(fake, 0755) == 0);
    pfx_configdrive_set_iso_tool(fake);
    CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-f", files, N_FILES, iso, sizeof(iso), &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "config drive of VM vm-f: genisoimage exited with status 1: "
                                               "genisoimage: No space left on device"));
    CU_ASSERT_EQUAL(leftovers(), 0);
    out = isoinfo(hs_path(cache, "config/vm-f.iso"), "-R", "-x", "/openstack/latest/meta_data.json");
    CU_ASSERT_TRUE(out != NULL && strcmp(out, META) == 0);
    free(out);

    pfx_configdrive_set_iso_tool("/nonexistent/genisoimage");
    CU_ASSERT_EQUAL(pfx_configdrive_build(cache, "vm-f", files, N_FILES, iso, sizeof(iso), &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot run /nonexistent/genisoimage"));
    pfx_configdrive_set_iso_tool(NULL);
    CU_ASSERT_EQUAL(leftovers(), 0);
    hs_rmtree(dir);
    free(dir);
    free((char *)fake);
}

static void test_truth_table(void)
{
    /* {force, primary, use_cache, supported pool, unsupported pool}, as configdrive.h lists it */
    static const struct {
        int force, primary, use_cache;
        pfx_configdrive_location supported, unsupported;
    } rows[] = {
        {1, 1, 1, PFX_CONFIGDRIVE_HOST_CACHE, PFX_CONFIGDRIVE_HOST_CACHE},
        {1, 1, 0, PFX_CONFIGDRIVE_HOST_CACHE, PFX_CONFIGDRIVE_HOST_CACHE},
        {1, 0, 1, PFX_CONFIGDRIVE_HOST_CACHE, PFX_CONFIGDRIVE_HOST_CACHE},
        {1, 0, 0, PFX_CONFIGDRIVE_HOST_CACHE, PFX_CONFIGDRIVE_HOST_CACHE},
        {0, 1, 1, PFX_CONFIGDRIVE_PRIMARY_POOL, PFX_CONFIGDRIVE_HOST_CACHE},
        {0, 1, 0, PFX_CONFIGDRIVE_PRIMARY_POOL, PFX_CONFIGDRIVE_SECONDARY},
        {0, 0, 1, PFX_CONFIGDRIVE_SECONDARY, PFX_CONFIGDRIVE_SECONDARY},
        {0, 0, 0, PFX_CONFIGDRIVE_SECONDARY, PFX_CONFIGDRIVE_SECONDARY},
    };
    const pfx_configdrive_settings def = PFX_CONFIGDRIVE_SETTINGS_DEFAULT;

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        pfx_configdrive_settings s = {.primary_pool_enabled = rows[i].primary,
                                      .use_host_cache_on_unsupported_pool = rows[i].use_cache,
                                      .force_host_cache_use = rows[i].force};
        CU_ASSERT_EQUAL(pfx_configdrive_location_for(&s, 1), rows[i].supported);
        CU_ASSERT_EQUAL(pfx_configdrive_location_for(&s, 0), rows[i].unsupported);
    }
    CU_ASSERT_EQUAL(def.primary_pool_enabled, 0);
    CU_ASSERT_EQUAL(def.use_host_cache_on_unsupported_pool, 1);
    CU_ASSERT_EQUAL(def.force_host_cache_use, 0);
    CU_ASSERT_EQUAL(pfx_configdrive_location_for(&def, 0), PFX_CONFIGDRIVE_SECONDARY);
    CU_ASSERT_STRING_EQUAL(pfx_configdrive_location_name(PFX_CONFIGDRIVE_HOST_CACHE), "host cache");
}

/* A host whose zone settings come from a table. */
static const char *const *zone_values;
static int warnings;

static int get_setting(void *ctx, sp_scope scope, const char *scope_id, const char *key, char *buf,
                       size_t len)
{
    (void)ctx;
    CU_ASSERT_EQUAL(scope, SP_SCOPE_ZONE);
    CU_ASSERT_STRING_EQUAL(scope_id, "zone-1");
    for (size_t i = 0; zone_values[i] != NULL; i += 2) {
        if (strcmp(zone_values[i], key) == 0) {
            snprintf(buf, len, "%s", zone_values[i + 1]);
            return 1;
        }
    }
    return 0;
}

static void on_log(void *ctx, sp_log_level level, const char *msg)
{
    (void)ctx;
    (void)msg;
    if (level == SP_LOG_WARN)
        warnings++;
}

static void test_settings_load(void)
{
    static const char *const set1[] = {"vm.configdrive.primarypool.enabled", "TRUE",
                                       "vm.configdrive.use.host.cache.on.unsupported.pool", "False", NULL};
    static const char *const set2[] = {"vm.configdrive.force.host.cache.use", "yes", NULL};
    sp_host_services hs = {SP_ABI_VERSION, sizeof(hs), NULL, on_log, get_setting, NULL};
    pfx_configdrive_settings s;

    pfx_hostsvc_set(&hs);
    zone_values = set1;
    pfx_configdrive_settings_load("zone-1", &s);
    CU_ASSERT_EQUAL(s.primary_pool_enabled, 1);
    CU_ASSERT_EQUAL(s.use_host_cache_on_unsupported_pool, 0);
    CU_ASSERT_EQUAL(s.force_host_cache_use, 0);
    CU_ASSERT_EQUAL(pfx_configdrive_location_for(&s, 0), PFX_CONFIGDRIVE_SECONDARY);
    zone_values = set2;
    warnings = 0;
    pfx_configdrive_settings_load("zone-1", &s);
    CU_ASSERT_EQUAL(s.force_host_cache_use, 0); /* "yes" is not a boolean: the default, with a warning */
    CU_ASSERT_EQUAL(s.use_host_cache_on_unsupported_pool, 1);
    CU_ASSERT_EQUAL(warnings, 1);
    pfx_hostsvc_reset();
}

int main(void)
{
    static const hs_test tests[] = {
        {"ISO built with genisoimage, read back", test_build_genisoimage},
        {"a rebuild replaces the ISO; remove", test_rebuild_replaces},
        {"ISO built with xorriso", test_build_xorriso},
        {"VM names and ISO paths refused", test_names_and_paths},
        {"duplicates, file/dir conflicts, no meta_data.json", test_conflicts},
        {"tool failure leaves the old ISO and no litter", test_tool_failure},
        {"zone settings truth table", test_truth_table},
        {"zone settings from the host", test_settings_load},
        {NULL, NULL},
    };
    char tool[256];
    int rc;

    if (hs_isoinfo() == NULL || pfx_proc_find_program("genisoimage", tool, sizeof(tool), NULL) != SP_OK) {
        fprintf(stderr, "isoinfo or genisoimage not found (Debian package genisoimage): skipped\n");
        return 77;
    }
    cache = hs_mkdtemp("configdrive");
    rc = hs_main("configdrive", tests);
    hs_rmtree(cache);
    free(cache);
    return rc;
}
