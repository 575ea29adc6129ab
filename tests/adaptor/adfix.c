/* adfix.c - the Adaptor suites' fixture: module, two simulators, SDC homes, host cache, pools. */
#include "config.h"

#include "adfix.h"

#include "../lib/simproc.h"
#include "hs_util.h"
#include "loader.h"
#include "services.h"
#include "settings.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#define GUID "0A0B0C0D-1111-4222-8333-444455556666"

typedef struct priv {
    host_services svc;
    host_plugin *plugin;
    char *kv[2][32][2]; /* stored pool details: key, value */
    size_t n_kv[2];
} priv;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "adfix: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(99);
}

static char *xfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xfmt(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        die("out of memory");
    va_end(ap);
    return s;
}

static const char *top_builddir(void)
{
    const char *t = getenv("top_builddir");
    return t != NULL && t[0] != '\0' ? t : ".";
}

static void mkdir_p(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        die("mkdir %s: %s", path, strerror(errno));
}

/* An SDC home: bin/drv_cfg (a link to the emulated tool, or to nothing) and cfg/sim_sdc.conf
 * listing the first n_systems simulators. */
static char *sdc_home(adfix *f, const char *name, int n_systems, int with_drv_cfg)
{
    char *home = xfmt("%s/%s", f->dir, name), *bin = xfmt("%s/bin", home), *cfg = xfmt("%s/cfg", home);
    char *tool = xfmt("%s/drv_cfg", bin), *target = xfmt("%s/sim/drv_cfg", top_builddir());
    char *conf = xfmt("%s/sim_sdc.conf", cfg);
    char text[4096];
    size_t n;

    mkdir_p(home);
    mkdir_p(bin);
    mkdir_p(cfg);
    if (target[0] != '/') {
        char cwd[1024];
        free(target);
        target = xfmt("%s/%s/sim/drv_cfg", getcwd(cwd, sizeof(cwd)) != NULL ? cwd : ".", top_builddir());
    }
    if (symlink(with_drv_cfg ? target : "/nonexistent/drv_cfg", tool) != 0)
        die("symlink %s: %s", tool, strerror(errno));
    n = (size_t)snprintf(text, sizeof(text), "guid=%s\n", GUID);
    for (int i = 0; i < n_systems; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "url=%s sdc=127.0.0.1 ca=%s\n", tsim_url(f->sim[i]),
                              tsim_cafile(f->sim[i]));
    if (hs_write_str(conf, text) != 0)
        die("cannot write %s", conf);
    free(bin);
    free(cfg);
    free(tool);
    free(target);
    free(conf);
    return home;
}

static void set_host_settings(adfix *f, const sp_host_ref *h, const char *home)
{
    priv *p = f->priv;
    char *cfg = xfmt("%s/cfg/drv_cfg.txt", home);
    if (host_setting_set(&p->svc, SP_SCOPE_HOST, h->uuid, PFX_SETTING_HOST_CACHE, f->cache) != 0 ||
        host_setting_set(&p->svc, SP_SCOPE_HOST, h->uuid, PFX_SETTING_SDC_HOME, home) != 0 ||
        host_setting_set(&p->svc, SP_SCOPE_HOST, h->uuid, PFX_SETTING_DEVICE_DIR, f->devdir) != 0 ||
        host_setting_set(&p->svc, SP_SCOPE_HOST, h->uuid, PFX_SETTING_SDC_CFG_FILE, cfg) != 0)
        die("out of memory");
    free(cfg);
}

static void sink(void *ctx, const char *key, const char *value)
{
    void **c = ctx;
    priv *p = c[0];
    int i = *(int *)c[1];
    size_t n = p->n_kv[i];

    if (n >= 32)
        die("too many pool details");
    p->kv[i][n][0] = strdup(key);
    p->kv[i][n][1] = strdup(value);
    p->n_kv[i]++;
}

static void open_pool(adfix *f, int i)
{
    priv *p = f->priv;
    char url[512];
    sp_kv details[] = {{"powerflex.gw.cafile", tsim_cafile(f->sim[i])}};
    sp_kv stored[32];
    sp_pool_create_params params = SP_INIT(sp_pool_create_params);
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error e;
    int idx = i;
    void *ctx[2] = {p, &idx};

    snprintf(f->pool_uuid[i], sizeof(f->pool_uuid[i]), "%s-0000-4000-8000-00000000000%d",
             i == 0 ? "aaaa1111" : "bbbb2222", i);
    snprintf(url, sizeof(url), "powerflex://%s:%s@%s/pool1", tsim_user(f->sim[i]), tsim_password(f->sim[i]),
             tsim_hostport(f->sim[i]));
    params = (sp_pool_create_params)SP_INIT(sp_pool_create_params);
    params.url = url;
    params.name = i == 0 ? "pf-a" : "pf-b";
    params.uuid = f->pool_uuid[i];
    params.hypervisor = "KVM";
    params.scope = SP_POOL_SCOPE_ZONE;
    params.zone_uuid = "zone-1";
    params.details = details;
    params.n_details = 1;
    if (f->sp->lifecycle->initialize(&params, sink, ctx, &cap, &e) != SP_OK)
        die("initialize pool %d: %s", i, e.message);
    for (size_t k = 0; k < p->n_kv[i]; k++) {
        stored[k].key = p->kv[i][k][0];
        stored[k].value = p->kv[i][k][1];
    }
    if (f->sp->lifecycle->open(f->pool_uuid[i], stored, p->n_kv[i], &f->pool[i], &e) != SP_OK)
        die("open pool %d: %s", i, e.message);
}

/* A suite that dies (a sanitizer's abort, a crash) takes its simulators along: tsim stops them
 * only at a normal exit. */
static volatile pid_t sim_pids[2];

static void on_fatal(int sig)
{
    for (int i = 0; i < 2; i++)
        if (sim_pids[i] > 0)
            kill(sim_pids[i], SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

void adfix_start(adfix *f, const char *const *extra0, const char *const *extra1)
{
    const char *const *extra[2] = {extra0, extra1};
    char err[512];
    priv *p;

    if (hs_qemu_img() == NULL || hs_qemu_io() == NULL) {
        fprintf(stderr, "adfix: qemu-img and qemu-io are needed; skipping\n");
        exit(77);
    }
    memset(f, 0, sizeof(*f));
    f->priv = p = calloc(1, sizeof(*p));
    if (p == NULL || host_services_init(&p->svc) != 0)
        die("out of memory");
    p->svc.max_level = getenv("ADFIX_DEBUG") != NULL ? SP_LOG_DEBUG : SP_LOG_ERROR;
    f->dir = hs_mkdtemp("adaptor");
    f->devdir = xfmt("%s/dev", f->dir);
    f->cache = xfmt("%s/cache", f->dir);
    mkdir_p(f->devdir);
    mkdir_p(f->cache);
    for (int i = 0; i < 2; i++) {
        const char *args[32];
        char sdc[1024];
        size_t n = 0;
        snprintf(f->system_id[i], sizeof(f->system_id[i]), "%s",
                 i == 0 ? "5157e00000000a01" : "5157e00000000b02");
        snprintf(sdc, sizeof(sdc), "127.0.0.1:%s:%s", GUID, f->devdir);
        args[n++] = "--sdc";
        args[n++] = sdc;
        args[n++] = "--system-id";
        args[n++] = f->system_id[i];
        for (size_t k = 0; extra[i] != NULL && extra[i][k] != NULL && n < 30; k++)
            args[n++] = extra[i][k];
        args[n] = NULL;
        f->sim[i] = tsim_start(args);
        if (f->sim[i] == NULL)
            die("simulator %d did not start", i);
        sim_pids[i] = tsim_pid(f->sim[i]);
    }
    signal(SIGABRT, on_fatal);
    signal(SIGSEGV, on_fatal);
    signal(SIGBUS, on_fatal);
    host_setting_set(&p->svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, "t3st");
    {
        char *path = xfmt("%s/plugin/powerflex.la", top_builddir());
        p->plugin = host_plugin_load(path, &p->svc.table, err, sizeof(err));
        free(path);
        if (p->plugin == NULL)
            die("loading the plugin: %s", err);
        f->sp = host_plugin_descriptor(p->plugin);
    }
    f->host = (sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "host-kvm1", .name = "kvm1", .ip = "127.0.0.1"};
    f->host_one =
        (sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "host-kvm1-one", .name = "kvm1-one", .ip = "127.0.0.1"};
    f->host_nodrv = (sp_host_ref){SP_SIZED(sp_host_ref), .uuid = "host-kvm1-nodrv", .name = "kvm1-nodrv",
                                  .ip = "127.0.0.1"};
    {
        char *h0 = sdc_home(f, "sdc", 2, 1), *h1 = sdc_home(f, "sdc-one", 1, 1),
             *h2 = sdc_home(f, "sdc-nodrv", 0, 0);
        set_host_settings(f, &f->host, h0);
        set_host_settings(f, &f->host_one, h1);
        set_host_settings(f, &f->host_nodrv, h2);
        free(h0);
        free(h1);
        free(h2);
    }
    open_pool(f, 0);
    open_pool(f, 1);
}

void adfix_stop(adfix *f)
{
    priv *p = f->priv;

    for (int i = 0; i < 2; i++) {
        if (f->pool[i] != NULL)
            f->sp->lifecycle->close(f->pool[i]);
        for (size_t k = 0; k < p->n_kv[i]; k++) {
            free(p->kv[i][k][0]);
            free(p->kv[i][k][1]);
        }
    }
    host_plugin_unload(p->plugin);
    for (int i = 0; i < 2; i++) {
        sim_pids[i] = 0;
        if (f->sim[i] != NULL)
            tsim_stop(f->sim[i]);
    }
    host_services_free(&p->svc);
    if (getenv("ADFIX_KEEP") == NULL)
        hs_rmtree(f->dir);
    free(f->dir);
    free(f->devdir);
    free(f->cache);
    free(p);
    memset(f, 0, sizeof(*f));
}

void adfix_pool_setting(adfix *f, int i, const char *key, const char *value)
{
    priv *p = f->priv;
    if (host_setting_set(&p->svc, SP_SCOPE_POOL, f->pool_uuid[i], key, value) != 0)
        die("out of memory");
}

/* --- Driver calls -------------------------------------------------------------------------- */

static int check(sp_status st, const sp_error *e, const char *what)
{
    if (st != SP_OK)
        fprintf(stderr, "%s: %s\n", what, e->message);
    CU_ASSERT_EQUAL(st, SP_OK);
    return st == SP_OK ? 0 : -1;
}

int adfix_create(adfix *f, int i, sp_volume_kind kind, uint64_t id, uint64_t size, sp_volume_info *out)
{
    sp_volume_spec spec = SP_INIT(sp_volume_spec);
    sp_error e;

    spec = (sp_volume_spec)SP_INIT(sp_volume_spec);
    spec.kind = kind;
    spec.id = id;
    spec.size_bytes = size;
    spec.provisioning = SP_PROVISION_THIN;
    return check(f->sp->driver->create_volume(f->pool[i], &spec, out, &e), &e, "create_volume");
}

int adfix_grant(adfix *f, int i, const char *path, const sp_host_ref *host)
{
    sp_error e;
    return check(f->sp->driver->grant_access(f->pool[i], &(sp_volume_ref){path}, host, NULL, 0, &e), &e,
                 "grant_access");
}

int adfix_revoke(adfix *f, int i, const char *path, const sp_host_ref *host)
{
    sp_error e;
    return check(f->sp->driver->revoke_access(f->pool[i], &(sp_volume_ref){path}, host, &e), &e,
                 "revoke_access");
}

int adfix_delete(adfix *f, int i, const char *path)
{
    sp_error e;
    return check(f->sp->driver->delete_volume(f->pool[i], &(sp_volume_ref){path}, &e), &e, "delete_volume");
}

/* --- the simulator's view ------------------------------------------------------------------ */

static yajl_val sim_volumes(adfix *f, int i)
{
    char *body = NULL, perr[128];
    yajl_val v;

    if (tsim_control_body(f->sim[i], "GET", "/sim/volumes", NULL, &body) != 200 || body == NULL) {
        free(body);
        return NULL;
    }
    v = yajl_tree_parse(body, perr, sizeof(perr));
    free(body);
    return YAJL_IS_ARRAY(v) ? v : (yajl_tree_free(v), NULL);
}

static const char *str_of(yajl_val o, const char *key)
{
    const char *path[] = {key, NULL};
    yajl_val s = yajl_tree_get(o, path, yajl_t_string);
    return s != NULL ? YAJL_GET_STRING(s) : NULL;
}

int adfix_sim_volume_count(adfix *f, int i)
{
    yajl_val v = sim_volumes(f, i);
    int n = v != NULL ? (int)YAJL_GET_ARRAY(v)->len : -1;
    yajl_tree_free(v);
    return n;
}

static yajl_val find_volume(yajl_val list, const char *key, const char *want)
{
    for (size_t k = 0; list != NULL && k < YAJL_GET_ARRAY(list)->len; k++) {
        yajl_val o = YAJL_GET_ARRAY(list)->values[k];
        const char *s = str_of(o, key);
        if (s != NULL && strcmp(s, want) == 0)
            return o;
    }
    return NULL;
}

int adfix_sim_volume(adfix *f, int i, const char *id, int *n_mappings, char *data_path, size_t len)
{
    yajl_val list = sim_volumes(f, i), o = find_volume(list, "id", id);
    const char *mp[] = {"mappings", NULL};
    int found = o != NULL;

    if (o != NULL && n_mappings != NULL) {
        yajl_val m = yajl_tree_get(o, mp, yajl_t_array);
        *n_mappings = m != NULL ? (int)YAJL_GET_ARRAY(m)->len : 0;
    }
    if (o != NULL && data_path != NULL)
        snprintf(data_path, len, "%s", str_of(o, "path") != NULL ? str_of(o, "path") : "");
    yajl_tree_free(list);
    return found;
}

long long adfix_sim_iops_limit(adfix *f, int i, const char *id)
{
    yajl_val list = sim_volumes(f, i), o = find_volume(list, "id", id), m, lim;
    const char *mp[] = {"mappings", NULL}, *lp[] = {"iopsLimit", NULL};
    long long out = -1;

    if (o != NULL && (m = yajl_tree_get(o, mp, yajl_t_array)) != NULL && YAJL_GET_ARRAY(m)->len > 0 &&
        (lim = yajl_tree_get(YAJL_GET_ARRAY(m)->values[0], lp, yajl_t_number)) != NULL &&
        YAJL_IS_INTEGER(lim))
        out = YAJL_GET_INTEGER(lim);
    yajl_tree_free(list);
    return out;
}

int adfix_sim_volume_by_name(adfix *f, int i, const char *name, char *id, size_t len)
{
    yajl_val list = sim_volumes(f, i), o = find_volume(list, "name", name);
    int rc = o != NULL ? 0 : -1;

    if (o != NULL)
        snprintf(id, len, "%s", str_of(o, "id"));
    yajl_tree_free(list);
    return rc;
}

int adfix_fault(adfix *f, int i, const char *spec)
{
    return tsim_fault(f->sim[i], spec);
}

int adfix_clear_faults(adfix *f, int i)
{
    return tsim_clear_faults(f->sim[i]);
}

int adfix_stat(adfix *f, int i, const char *key)
{
    return tsim_stats_count(f->sim[i], key);
}

int adfix_sim_control(adfix *f, int i, const char *method, const char *path, const char *body, char **resp)
{
    return tsim_control_body(f->sim[i], method, path, body, resp);
}

int adfix_journal_count(adfix *f)
{
    char *cmd = xfmt("ls %s/powerflex-copies 2>/dev/null | grep -c '\\.copy$'", f->cache);
    FILE *p = popen(cmd, "r");
    int n = 0;

    free(cmd);
    if (p == NULL || fscanf(p, "%d", &n) != 1)
        n = 0;
    if (p != NULL)
        pclose(p);
    return n;
}

const char *adfix_id(const char *path)
{
    static char bufs[8][64];
    static unsigned next;
    char *b = bufs[next++ % 8];
    size_t n = strcspn(path, ":");

    snprintf(b, sizeof(bufs[0]), "%.*s", (int)(n < 63 ? n : 63), path);
    return b;
}

/* --- data ------------------------------------------------------------------------------------ */

static void pattern(unsigned char *buf, size_t len, uint64_t offset, unsigned seed)
{
    uint64_t x = (offset / 8) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed << 32 | seed);

    for (size_t i = 0; i < len; i++) {
        if (((offset + i) & 7) == 0) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        buf[i] = (unsigned char)(x >> (8 * ((offset + i) & 7)));
    }
}

int adfix_write_pattern(const char *path, uint64_t offset, size_t len, unsigned seed)
{
    unsigned char *buf = malloc(len);
    int fd = open(path, O_WRONLY | O_CLOEXEC), rc = -1;

    if (buf != NULL && fd >= 0) {
        pattern(buf, len, offset, seed);
        rc = pwrite(fd, buf, len, (off_t)offset) == (ssize_t)len && fsync(fd) == 0 ? 0 : -1;
    }
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

int adfix_check_pattern(const char *path, uint64_t offset, size_t len, unsigned seed)
{
    unsigned char *want = malloc(len), *got = malloc(len);
    int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;

    if (want != NULL && got != NULL && fd >= 0 && pread(fd, got, len, (off_t)offset) == (ssize_t)len) {
        pattern(want, len, offset, seed);
        ok = memcmp(want, got, len) == 0;
    }
    if (fd >= 0)
        close(fd);
    free(want);
    free(got);
    return ok;
}

int adfix_sha256(const char *path, uint64_t offset, uint64_t len, char hex[65])
{
    unsigned char buf[1 << 16], md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
    uint64_t done = 0;

    if (ctx == NULL || fd < 0 || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    while (done < len) {
        size_t want = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);
        ssize_t n = pread(fd, buf, want, (off_t)(offset + done));
        if (n <= 0)
            goto out;
        EVP_DigestUpdate(ctx, buf, (size_t)n);
        done += (uint64_t)n;
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    return rc;
}

int adfix_no_data_from(const char *path, uint64_t offset)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), none;
    off_t o;

    if (fd < 0)
        return 0;
    o = lseek(fd, (off_t)offset, SEEK_DATA);
    none = o < 0 && errno == ENXIO;
    close(fd);
    return none;
}

/* The next change of kind (data or hole) of fd after pos, with *data telling the kind at pos. */
static uint64_t run_end(int fd, uint64_t pos, uint64_t end, int *data)
{
    off_t d = lseek(fd, (off_t)pos, SEEK_DATA), h;

    if (d < 0 || (uint64_t)d >= end) {
        *data = 0;
        return end;
    }
    if ((uint64_t)d > pos) {
        *data = 0;
        return (uint64_t)d;
    }
    *data = 1;
    h = lseek(fd, (off_t)pos, SEEK_HOLE);
    return h < 0 || (uint64_t)h > end ? end : (uint64_t)h;
}

int adfix_same_content(const char *a, const char *b, uint64_t length, uint64_t *data_bytes)
{
    int fa = open(a, O_RDONLY | O_CLOEXEC), fb = open(b, O_RDONLY | O_CLOEXEC), same = 1;
    uint64_t pos = 0;

    if (data_bytes != NULL)
        *data_bytes = 0;
    if (fa < 0 || fb < 0)
        same = 0;
    while (same && pos < length) {
        int da, db;
        uint64_t ea = run_end(fa, pos, length, &da), eb = run_end(fb, pos, length, &db);
        uint64_t end = ea < eb ? ea : eb;
        char ha[65], hb[65];
        if (da || db) {
            same = adfix_sha256(a, pos, end - pos, ha) == 0 && adfix_sha256(b, pos, end - pos, hb) == 0 &&
                   strcmp(ha, hb) == 0;
            if (data_bytes != NULL)
                *data_bytes += end - pos;
        }
        pos = end;
    }
    if (fa >= 0)
        close(fa);
    if (fb >= 0)
        close(fb);
    return same;
}
