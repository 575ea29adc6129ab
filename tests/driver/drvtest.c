/* drvtest.c - the module loaded through the ABI, simulators, pools, and the simulator's view
 * of what the plugin did. The simulator is asked through its own endpoints (/sim/...) or with a
 * login of its own, never through the plugin: two independent readings of the same array. */
#include "config.h"

#include "drvtest.h"

#include "loader.h"
#include "settings.h"
#include "thttp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const sp_lifecycle_ops *LC;
const sp_driver_ops *DRV;
const sp_pool_ops *POOLOPS;

static host_services svc;
static host_plugin *plugin;
static FILE *log_file;
static char *secrets[16];
static size_t n_secrets;

void dt_secret(const char *s)
{
    if (s != NULL && *s != '\0' && n_secrets < sizeof(secrets) / sizeof(secrets[0]))
        secrets[n_secrets++] = strdup(s);
}

host_services *dt_services(void)
{
    return &svc;
}

void dt_load(void)
{
    const char *top = getenv("top_builddir");
    char path[4096], err[1024];

    log_file = tmpfile();
    if (log_file == NULL || host_services_init(&svc) != 0) {
        fprintf(stderr, "cannot set up host services\n");
        exit(99);
    }
    svc.max_level = SP_LOG_DEBUG; /* every line the plugin writes is checked for secrets */
    svc.log_file = log_file;
    host_setting_set(&svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, DT_IDENT);
    host_setting_set(&svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CLIENT_TIMEOUT, "60");
    snprintf(path, sizeof(path), "%s/plugin/powerflex.la", top != NULL ? top : ".");
    plugin = host_plugin_load(path, &svc.table, err, sizeof(err));
    if (plugin == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, err);
        exit(99);
    }
    LC = host_plugin_descriptor(plugin)->lifecycle;
    DRV = host_plugin_descriptor(plugin)->driver;
    POOLOPS = host_plugin_descriptor(plugin)->pool;
}

int dt_unload(void)
{
    char line[4096];
    int leaks = 0;

    host_plugin_unload(plugin);
    plugin = NULL;
    rewind(log_file);
    while (fgets(line, sizeof(line), log_file) != NULL)
        for (size_t i = 0; i < n_secrets; i++)
            if (strstr(line, secrets[i]) != NULL) {
                fprintf(stderr, "secret leaked into the plugin's log: %s", line);
                leaks++;
            }
    fclose(log_file);
    host_services_free(&svc);
    for (size_t i = 0; i < n_secrets; i++)
        free(secrets[i]);
    n_secrets = 0;
    return leaks;
}

tsim *dt_sim(const char *const *extra)
{
    const char *argv[64];
    size_t n = 0;
    tsim *s;

    argv[n++] = "--sdc";
    argv[n++] = DT_HOST1_IP;
    argv[n++] = "--sdc";
    argv[n++] = DT_HOST2_IP;
    for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 63; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    s = tsim_start(argv);
    if (s == NULL) {
        fprintf(stderr, "cannot start powerflex-sim\n");
        exit(99);
    }
    dt_secret(tsim_password(s));
    return s;
}

char *dt_url(tsim *s, const char *pool, const char *password)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *pw = password != NULL ? password : tsim_password(s);
    char enc[512], *url = NULL;
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)pw; *p && o + 4 < sizeof(enc); p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
            *p == '_' || *p == '.' || *p == '~') {
            enc[o++] = (char)*p;
        } else {
            enc[o++] = '%';
            enc[o++] = hex[*p >> 4];
            enc[o++] = hex[*p & 15];
        }
    }
    enc[o] = '\0';
    if (asprintf(&url, "powerflex://%s:%s@%s/%s", tsim_user(s), enc, tsim_hostport(s), pool) < 0)
        return NULL;
    return url;
}

/* --- details --------------------------------------------------------------------------------- */

void dt_details_set(dt_details *d, const char *key, const char *value)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->kv[i].key, key) == 0) {
            free((char *)d->kv[i].value);
            d->kv[i].value = strdup(value);
            return;
        }
    if (d->n < sizeof(d->kv) / sizeof(d->kv[0])) {
        d->kv[d->n].key = strdup(key);
        d->kv[d->n].value = strdup(value);
        d->n++;
    }
}

void dt_sink(void *ctx, const char *key, const char *value)
{
    dt_details_set(ctx, key, value);
}

const char *dt_detail(const dt_details *d, const char *key)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->kv[i].key, key) == 0)
            return d->kv[i].value;
    return NULL;
}

void dt_details_free(dt_details *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->kv[i].key);
        free((char *)d->kv[i].value);
    }
    d->n = 0;
}

void dt_params_init(dt_params *pp, tsim *s, const char *url, const char *uuid)
{
    memset(pp, 0, sizeof(*pp));
    pp->details[0].key = "powerflex.gw.cafile";
    pp->details[0].value = tsim_cafile(s);
    pp->p = (sp_pool_create_params)SP_INIT(sp_pool_create_params);
    pp->p.url = url;
    pp->p.name = "primary-1";
    pp->p.uuid = uuid;
    pp->p.hypervisor = "KVM";
    pp->p.scope = SP_POOL_SCOPE_ZONE;
    pp->p.zone_uuid = DT_ZONE;
    pp->p.details = pp->details;
    pp->p.n_details = 1;
}

sp_pool *dt_pool(tsim *s, const char *pool_name, const char *uuid, dt_details *details_out, sp_capacity *cap)
{
    dt_details local = {0}, *d = details_out != NULL ? details_out : &local;
    char *url = dt_url(s, pool_name, NULL);
    sp_capacity c = SP_INIT(sp_capacity);
    dt_params pp;
    sp_pool *pool = NULL;
    sp_error err;
    sp_status st;

    dt_params_init(&pp, s, url, uuid);
    st = LC->initialize(&pp.p, dt_sink, d, cap != NULL ? cap : &c, &err);
    if (st != SP_OK) {
        fprintf(stderr, "initialize %s: %s\n", pool_name, err.message);
        goto out;
    }
    st = LC->open(uuid, d->kv, d->n, &pool, &err);
    if (st != SP_OK) {
        fprintf(stderr, "open %s: %s\n", pool_name, err.message);
        pool = NULL;
    }
out:
    free(url);
    dt_details_free(&local);
    return pool;
}

sp_volume_spec dt_spec(sp_volume_kind kind, uint64_t id, uint64_t size, sp_provisioning prov)
{
    sp_volume_spec spec = SP_INIT(sp_volume_spec);

    spec.kind = kind;
    spec.id = id;
    spec.size_bytes = size;
    spec.provisioning = prov;
    return spec;
}

sp_host_ref dt_host(const char *ip)
{
    sp_host_ref h = {SP_SIZED(sp_host_ref), .uuid = "host-uuid", .name = "kvm", .ip = ip};

    return h;
}

/* --- the simulator's view ------------------------------------------------------------------- */

int dt_requests(tsim *s)
{
    return tsim_stats_count(s, "total") - tsim_stats_count(s, "logins");
}

int dt_logins(tsim *s)
{
    return tsim_stats_count(s, "logins");
}

int dt_count(tsim *s, const char *key)
{
    return tsim_stats_count(s, key);
}

int dt_fault(tsim *s, const char *spec)
{
    int rc = tsim_fault(s, spec);

    if (rc != 200)
        fprintf(stderr, "simulator refused fault %s (HTTP %d)\n", spec, rc);
    return rc == 200;
}

void dt_clear_faults(tsim *s)
{
    CU_ASSERT_EQUAL(tsim_clear_faults(s), 200);
}

int dt_sdc_connected(tsim *s, const char *ip, int connected)
{
    char path[128];

    snprintf(path, sizeof(path), "/sim/sdc/%s/state", ip);
    return tsim_control(s, "POST", path, connected ? "{\"connected\":true}" : "{\"connected\":false}") == 200;
}

static yajl_val control_json(tsim *s, const char *path)
{
    char *body = NULL, errbuf[128];
    yajl_val v = NULL;

    if (tsim_control_body(s, "GET", path, NULL, &body) == 200 && body != NULL)
        v = yajl_tree_parse(body, errbuf, sizeof(errbuf));
    free(body);
    return v;
}

static char *control_str(tsim *s, const char *path, const char *key)
{
    yajl_val v = control_json(s, path);
    const char *str = dt_jstr(v, key);
    char *out = str != NULL ? strdup(str) : NULL;

    yajl_tree_free(v);
    return out;
}

char *dt_sdc_id(tsim *s, const char *ip)
{
    char path[128];

    snprintf(path, sizeof(path), "/sim/sdc/%s", ip);
    return control_str(s, path, "id");
}

char *dt_system_id(tsim *s)
{
    return control_str(s, "/sim/system", "id");
}

yajl_val dt_volumes(tsim *s)
{
    yajl_val v = control_json(s, "/sim/volumes");

    CU_ASSERT_PTR_NOT_NULL(v);
    return v;
}

const char *dt_jstr(yajl_val obj, const char *key)
{
    const char *p[] = {key, NULL};
    yajl_val v = obj != NULL ? yajl_tree_get(obj, p, yajl_t_string) : NULL;

    return v != NULL ? YAJL_GET_STRING(v) : NULL;
}

int64_t dt_jint(yajl_val obj, const char *key)
{
    const char *p[] = {key, NULL};
    yajl_val v = obj != NULL ? yajl_tree_get(obj, p, yajl_t_number) : NULL;

    return v != NULL && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : INT64_MIN;
}

static yajl_val vol_by(yajl_val list, const char *key, const char *want)
{
    if (list == NULL || !YAJL_IS_ARRAY(list) || want == NULL)
        return NULL;
    for (size_t i = 0; i < list->u.array.len; i++) {
        const char *v = dt_jstr(list->u.array.values[i], key);
        if (v != NULL && strcmp(v, want) == 0)
            return list->u.array.values[i];
    }
    return NULL;
}

yajl_val dt_vol_by_id(yajl_val list, const char *id)
{
    return vol_by(list, "id", id);
}

yajl_val dt_vol_by_name(yajl_val list, const char *name)
{
    return vol_by(list, "name", name);
}

size_t dt_vol_count(yajl_val list)
{
    return list != NULL && YAJL_IS_ARRAY(list) ? list->u.array.len : 0;
}

int dt_mappings(yajl_val vol)
{
    const char *p[] = {"mappings", NULL};
    yajl_val m = vol != NULL ? yajl_tree_get(vol, p, yajl_t_array) : NULL;

    return vol == NULL ? -1 : m != NULL ? (int)m->u.array.len : 0;
}

yajl_val dt_mapping(yajl_val vol, const char *ip)
{
    const char *p[] = {"mappings", NULL};
    yajl_val m = vol != NULL ? yajl_tree_get(vol, p, yajl_t_array) : NULL;

    return vol_by(m, "sdcIp", ip);
}

/* A client of the sim's /api with a login of its own. */
static thttp *api_client(tsim *s)
{
    thttp *h = thttp_new(tsim_url(s), tsim_cafile(s));
    char *tok = NULL;
    size_t n;

    if (h == NULL)
        return NULL;
    thttp_set_auth(h, tsim_user(s), tsim_password(s));
    if (thttp_request(h, "GET", "/api/login", NULL, &tok) != 200 || tok == NULL || (n = strlen(tok)) < 3) {
        free(tok);
        thttp_free(h);
        return NULL;
    }
    tok[n - 1] = '\0'; /* the token is a JSON string */
    thttp_set_auth(h, tsim_user(s), tok + 1);
    free(tok);
    return h;
}

yajl_val dt_api_get(tsim *s, const char *path)
{
    thttp *h = api_client(s);
    char full[512], *body = NULL, errbuf[128];
    yajl_val v = NULL;

    if (h == NULL)
        return NULL;
    snprintf(full, sizeof(full), "/api%s", path);
    if (thttp_request(h, "GET", full, NULL, &body) == 200 && body != NULL)
        v = yajl_tree_parse(body, errbuf, sizeof(errbuf));
    free(body);
    thttp_free(h);
    return v;
}

int dt_api_post(tsim *s, const char *path, const char *json)
{
    thttp *h = api_client(s);
    char full[512];
    int rc;

    if (h == NULL)
        return -1;
    snprintf(full, sizeof(full), "/api%s", path);
    rc = thttp_request(h, "POST", full, json, NULL);
    thttp_free(h);
    return rc;
}

yajl_val dt_pool_stats(tsim *s, const char *pool_id)
{
    char path[160];

    snprintf(path, sizeof(path), "/instances/StoragePool::%s/relationships/Statistics", pool_id);
    return dt_api_get(s, path);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dt_wait_device(tsim *s, const char *vol_id, const char *ip, char *buf, size_t len)
{
    int64_t deadline = now_ms() + 60000;

    buf[0] = '\0';
    for (;;) {
        yajl_val list = dt_volumes(s);
        yajl_val m = dt_mapping(dt_vol_by_id(list, vol_id), ip);
        const char *p[] = {"present", NULL};
        yajl_val present = m != NULL ? yajl_tree_get(m, p, yajl_t_any) : NULL;
        const char *dev = dt_jstr(m, "device");
        int ok = dev != NULL && present != NULL && YAJL_IS_TRUE(present) && access(dev, R_OK | W_OK) == 0;

        if (ok)
            snprintf(buf, len, "%s", dev);
        yajl_tree_free(list);
        if (ok)
            return 0;
        if (now_ms() > deadline)
            return -1;
        usleep(10000);
    }
}

int dt_write_block(const char *dev, uint64_t offset, unsigned char byte)
{
    unsigned char block[4096];
    int fd = open(dev, O_WRONLY);
    int ok;

    if (fd < 0)
        return 0;
    memset(block, byte, sizeof(block));
    /* No fsync: the simulator reads the same file through the page cache. */
    ok = pwrite(fd, block, sizeof(block), (off_t)offset) == (ssize_t)sizeof(block);
    close(fd);
    return ok;
}

int dt_block_is(const char *dev, uint64_t offset, unsigned char byte)
{
    unsigned char block[4096];
    int fd = open(dev, O_RDONLY);
    int ok;

    if (fd < 0)
        return 0;
    ok = pread(fd, block, sizeof(block), (off_t)offset) == (ssize_t)sizeof(block);
    close(fd);
    for (size_t i = 0; ok && i < sizeof(block); i++)
        if (block[i] != byte)
            ok = 0;
    return ok;
}

void dt_path_id(const char *path, char *buf, size_t len)
{
    size_t n = strcspn(path, ":");

    snprintf(buf, len, "%.*s", (int)n, path);
}

int dt_run(const char *suite_name, int (*setup)(void), int (*teardown)(void), const dt_test *tests)
{
    CU_pSuite suite;
    unsigned failed;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    suite = CU_add_suite(suite_name, setup, teardown);
    if (suite == NULL)
        return 99;
    for (const dt_test *t = tests; t->name != NULL; t++)
        if (CU_add_test(suite, t->name, t->fn) == NULL)
            return 99;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed != 0 ? 1 : 0;
}
