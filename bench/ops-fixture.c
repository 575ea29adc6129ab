/* ops-fixture.c - the module, two simulators, the host's SDC home and device directory, the pools
 * opened and warmed as a host keeps them, and the simulators' request counts. */
#include "config.h"

#include "ops-fixture.h"

#include "fsutil.h"
#include "loader.h"
#include "settings.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#define HOST_IP "127.0.0.1"
#define HOST_GUID "0B5E0B5E-1111-4222-8333-444455556666"
#define HOST2_IP "127.0.0.2"
#define HOST2_GUID "0B5E0B5E-2222-4222-8333-444455556666"

static const char *const system_ids[2] = {"0b5e000000000a01", "0b5e000000000b02"};
static const char *const pool_names[OF_POOLS] = {"pool1", "pool2", "pool1"};
static const int pool_system[OF_POOLS] = {0, 0, 1};

void of_details_set(of_details *d, const char *key, const char *value)
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

void of_details_sink(void *ctx, const char *key, const char *value)
{
    of_details_set(ctx, key, value);
}

void of_details_free(of_details *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->kv[i].key);
        free((char *)d->kv[i].value);
    }
    d->n = 0;
}

/* $top_builddir as an absolute path: the given one, or the build tree this program sits in
 * (bench/ or bench/.libs/). drv_cfg is linked from a directory elsewhere, so relative will not do. */
static int find_builddir(void)
{
    char buf[PATH_MAX], *dir;
    const char *top = getenv("top_builddir");
    ssize_t n;

    if (top != NULL && *top != '\0') {
        if (realpath(top, buf) == NULL)
            return -1;
        return setenv("top_builddir", buf, 1);
    }
    n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    dir = dirname(buf);
    if (strcmp(basename(dir), ".libs") == 0)
        dir = dirname(dir);
    return setenv("top_builddir", dirname(dir), 1);
}

static char *path_join(const char *dir, const char *name)
{
    char *p = NULL;

    if (asprintf(&p, "%s/%s", dir, name) < 0)
        return NULL;
    return p;
}

/* <home>/bin/drv_cfg (the emulated tool) and <home>/cfg/sim_sdc.conf naming the first `systems`
 * systems, as seen by the SDC at ip. */
static int write_sdc_home(of_fixture *f, const char *home, const char *ip, const char *guid, int systems)
{
    char bin[PATH_MAX], cfg[PATH_MAX], tool[PATH_MAX], target[PATH_MAX], conf[PATH_MAX], text[4096];
    int n;

    if (snprintf(bin, sizeof(bin), "%s/bin", home) >= (int)sizeof(bin) ||
        snprintf(cfg, sizeof(cfg), "%s/cfg", home) >= (int)sizeof(cfg) ||
        snprintf(tool, sizeof(tool), "%s/drv_cfg", bin) >= (int)sizeof(tool) ||
        snprintf(conf, sizeof(conf), "%s/sim_sdc.conf", cfg) >= (int)sizeof(conf) ||
        snprintf(target, sizeof(target), "%s/sim/drv_cfg", getenv("top_builddir")) >= (int)sizeof(target))
        return -1;
    if (host_mkdirs(bin) != 0 || host_mkdirs(cfg) != 0 || symlink(target, tool) != 0)
        return -1;
    n = snprintf(text, sizeof(text), "guid=%s\n", guid);
    for (int i = 0; i < systems && n > 0 && (size_t)n < sizeof(text); i++)
        n += snprintf(text + n, sizeof(text) - (size_t)n, "url=%s sdc=%s ca=%s\n", tsim_url(f->sim[i]), ip,
                      tsim_cafile(f->sim[i]));
    if (n <= 0 || (size_t)n >= sizeof(text))
        return -1;
    return host_write_file(conf, text, (size_t)n, 0600);
}

/* 4 MiB: 2 MiB of bytes, then a 2 MiB hole. */
static int write_image(const char *path)
{
    size_t len = (size_t)2 << 20;
    unsigned char *buf = malloc(len);
    FILE *fp;
    int rc = -1;

    if (buf == NULL)
        return -1;
    for (size_t i = 0; i < len; i++)
        buf[i] = (unsigned char)(i * 131u + 7u);
    fp = fopen(path, "wb");
    if (fp != NULL) {
        if (fwrite(buf, 1, len, fp) == len && fseek(fp, (long)((size_t)4 << 20) - 1, SEEK_SET) == 0 &&
            fputc(0, fp) == 0)
            rc = 0;
        if (fclose(fp) != 0)
            rc = -1;
    }
    free(buf);
    return rc;
}

static int start_sims(of_fixture *f, const char *devdir2)
{
    char sdc[PATH_MAX + 128], sdc2[PATH_MAX + 128];

    if (snprintf(sdc, sizeof(sdc), "%s:%s:%s", HOST_IP, HOST_GUID, f->devdir) >= (int)sizeof(sdc) ||
        snprintf(sdc2, sizeof(sdc2), "%s:%s:%s", HOST2_IP, HOST2_GUID, devdir2) >= (int)sizeof(sdc2))
        return -1;
    for (int i = 0; i < 2; i++) {
        /* A migration the simulator finishes at once: its V-Tree is polled once, so the count says
         * what a migration costs besides waiting (one GET VTree per 200 ms of a real one). */
        const char *a[] = {"--sdc",          sdc,      "--sdc",      sdc2,     "--system-id",
                           system_ids[0],    "--pool", "pool1:1024", "--pool", "pool2:1024",
                           "--migration-ms", "0",      NULL};
        const char *b[] = {"--sdc", sdc, "--system-id", system_ids[1], NULL};
        f->sim[i] = tsim_start(i == 0 ? a : b);
        if (f->sim[i] == NULL) {
            fprintf(stderr, "ops-bench: powerflex-sim %c did not start\n", 'A' + i);
            return -1;
        }
    }
    return 0;
}

void of_create_params(of_fixture *f, int i, char *url_buf, size_t url_len, sp_kv *cafile,
                      sp_pool_create_params *p)
{
    tsim *s = f->sim[pool_system[i]];

    snprintf(url_buf, url_len, "powerflex://%s:%s@%s/%s", tsim_user(s), tsim_password(s), tsim_hostport(s),
             pool_names[i]);
    cafile->key = "powerflex.gw.cafile";
    cafile->value = tsim_cafile(s);
    *p = (sp_pool_create_params)SP_INIT(sp_pool_create_params);
    p->url = url_buf;
    p->name = f->pool_uuid[i];
    p->uuid = f->pool_uuid[i];
    p->hypervisor = "KVM";
    p->scope = SP_POOL_SCOPE_ZONE;
    p->zone_uuid = "bench-zone";
    p->details = cafile;
    p->n_details = 1;
}

sp_status of_open(of_fixture *f, int i, sp_pool **out, sp_error *err)
{
    return f->sp->lifecycle->open(f->pool_uuid[i], f->details[i].kv, f->details[i].n, out, err);
}

/* initialize, open, attach the host, read the capacity once: the token is held, the connection
 * open and the host's SDC id cached, as in a host that has been running for a while. */
static int warm_pool(of_fixture *f, int i)
{
    char url[512];
    sp_kv cafile;
    sp_pool_create_params p = SP_INIT(sp_pool_create_params);
    sp_host_attach_result res[2] = {SP_INIT(sp_host_attach_result), SP_INIT(sp_host_attach_result)};
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error err;

    sp_host_ref hosts[2] = {f->host, f->host2};

    of_create_params(f, i, url, sizeof(url), &cafile, &p);
    /* The second host is an SDC of system A only. */
    if (f->sp->lifecycle->initialize(&p, of_details_sink, &f->details[i], &cap, &err) != SP_OK ||
        of_open(f, i, &f->warm[i], &err) != SP_OK ||
        f->sp->lifecycle->attach(f->warm[i], SP_POOL_SCOPE_ZONE, hosts, pool_system[i] == 0 ? 2 : 1, res,
                                 &err) != SP_OK ||
        f->sp->driver->get_capacity(f->warm[i], &cap, &err) != SP_OK) {
        fprintf(stderr, "ops-bench: pool %s: %s\n", f->pool_uuid[i], err.message);
        return -1;
    }
    return 0;
}

int of_start(of_fixture *f)
{
    const char *tmp = getenv("TMPDIR");
    char path[PATH_MAX], errbuf[1024], *home = NULL, *cache = NULL, *home2 = NULL, *cache2 = NULL,
                                       *devdir2 = NULL;
    int rc = -1;

    memset(f, 0, sizeof(*f));
    f->host = (sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "bench-host", .name = "kvm1", .ip = HOST_IP};
    f->host2 = (sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "bench-host2", .name = "kvm2", .ip = HOST2_IP};
    for (int i = 0; i < OF_POOLS; i++)
        snprintf(f->pool_uuid[i], sizeof(f->pool_uuid[i]), "0b5e%c%03d-4c1a-4d7e-9a2b-1c0d9e8f0000",
                 'a' + pool_system[i], i + 1);
    if (host_services_init(&f->svc) != 0)
        return -1;
    if (find_builddir() != 0) {
        fprintf(stderr, "ops-bench: set top_builddir to the build tree\n");
        return -1;
    }
    snprintf(path, sizeof(path), "%s/ops-bench.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    if (mkdtemp(path) == NULL || (f->dir = strdup(path)) == NULL) {
        fprintf(stderr, "ops-bench: cannot make a scratch directory: %s\n", strerror(errno));
        return -1;
    }
    f->devdir = path_join(f->dir, "dev");
    f->image = path_join(f->dir, "template.raw");
    home = path_join(f->dir, "sdc");
    cache = path_join(f->dir, "cache");
    home2 = path_join(f->dir, "sdc2");
    cache2 = path_join(f->dir, "cache2");
    devdir2 = path_join(f->dir, "dev2");
    if (f->devdir == NULL || f->image == NULL || home == NULL || cache == NULL || home2 == NULL ||
        cache2 == NULL || devdir2 == NULL || host_mkdirs(f->devdir) != 0 || host_mkdirs(devdir2) != 0 ||
        host_mkdirs(cache) != 0 || host_mkdirs(cache2) != 0 || write_image(f->image) != 0) {
        fprintf(stderr, "ops-bench: cannot set up %s\n", f->dir);
        goto out;
    }
    if (start_sims(f, devdir2) != 0)
        goto out;
    if (write_sdc_home(f, home, HOST_IP, HOST_GUID, 2) != 0 ||
        write_sdc_home(f, home2, HOST2_IP, HOST2_GUID, 1) != 0) {
        fprintf(stderr, "ops-bench: cannot write the SDC homes %s, %s\n", home, home2);
        goto out;
    }
    if (host_setting_set(&f->svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, "bnch") != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host.uuid, PFX_SETTING_HOST_CACHE, cache) != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host.uuid, PFX_SETTING_SDC_HOME, home) != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host.uuid, PFX_SETTING_DEVICE_DIR, f->devdir) != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host2.uuid, PFX_SETTING_HOST_CACHE, cache2) != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host2.uuid, PFX_SETTING_SDC_HOME, home2) != 0 ||
        host_setting_set(&f->svc, SP_SCOPE_HOST, f->host2.uuid, PFX_SETTING_DEVICE_DIR, devdir2) != 0)
        goto out;
    snprintf(path, sizeof(path), "%s/plugin/powerflex.la", getenv("top_builddir"));
    f->plugin = host_plugin_load(path, &f->svc.table, errbuf, sizeof(errbuf));
    if (f->plugin == NULL) {
        fprintf(stderr, "ops-bench: cannot load %s: %s\n", path, errbuf);
        goto out;
    }
    f->sp = host_plugin_descriptor(f->plugin);
    for (int i = 0; i < OF_POOLS; i++)
        if (warm_pool(f, i) != 0)
            goto out;
    rc = 0;
out:
    free(home);
    free(cache);
    free(home2);
    free(cache2);
    free(devdir2);
    return rc;
}

void of_stop(of_fixture *f)
{
    for (int i = 0; i < OF_POOLS; i++) {
        if (f->warm[i] != NULL)
            f->sp->lifecycle->close(f->warm[i]);
        of_details_free(&f->details[i]);
    }
    host_plugin_unload(f->plugin);
    for (int i = 0; i < 2; i++)
        tsim_stop(f->sim[i]);
    host_services_free(&f->svc);
    if (f->dir != NULL)
        host_remove_tree(f->dir);
    free(f->dir);
    free(f->devdir);
    free(f->image);
    memset(f, 0, sizeof(*f));
}

int of_stats_reset(of_fixture *f)
{
    for (int i = 0; i < 2; i++)
        if (tsim_control(f->sim[i], "POST", "/sim/stats/reset", NULL) != 200)
            return -1;
    return 0;
}

static int add_system(of_requests *r, const char *body, const char *prefix)
{
    const char *total_path[] = {"total", NULL}, *logins_path[] = {"logins", NULL},
               *req_path[] = {"requests", NULL};
    char perr[128];
    yajl_val root = yajl_tree_parse(body, perr, sizeof(perr)), total, logins, reqs;
    int rc = -1;

    if (root == NULL)
        return -1;
    total = yajl_tree_get(root, total_path, yajl_t_number);
    logins = yajl_tree_get(root, logins_path, yajl_t_number);
    reqs = yajl_tree_get(root, req_path, yajl_t_object);
    if (total == NULL || logins == NULL || reqs == NULL || !YAJL_IS_INTEGER(total) ||
        !YAJL_IS_INTEGER(logins))
        goto out;
    r->total += (int)YAJL_GET_INTEGER(total);
    r->logins += (int)YAJL_GET_INTEGER(logins);
    for (size_t i = 0; i < reqs->u.object.len && r->n < sizeof(r->items) / sizeof(r->items[0]); i++) {
        yajl_val v = reqs->u.object.values[i];
        of_count *c = &r->items[r->n];
        if (!YAJL_IS_INTEGER(v) || asprintf(&c->key, "%s%s", prefix, reqs->u.object.keys[i]) < 0)
            goto out;
        c->n = (int)YAJL_GET_INTEGER(v);
        r->n++;
    }
    rc = 0;
out:
    yajl_tree_free(root);
    return rc;
}

int of_stats_read(of_fixture *f, of_requests *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 2; i++) {
        char *body = NULL;
        int st = tsim_control_body(f->sim[i], "GET", "/sim/stats", NULL, &body), rc;
        rc = st == 200 && body != NULL ? add_system(out, body, i == 0 ? "" : "B: ") : -1;
        free(body);
        if (rc != 0) {
            of_requests_free(out);
            return -1;
        }
    }
    return 0;
}

void of_requests_free(of_requests *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->items[i].key);
    memset(r, 0, sizeof(*r));
}
