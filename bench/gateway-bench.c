/* gateway-bench.c - throughput of the gateway client under concurrency, through the plugin's
 * ABI as a host drives it, side by side with a bare libcurl client in the same run: N threads each
 * run M cycles of create + grant (map with QoS limits) + revoke + delete on one pool, against a
 * simulator (started here) that adds a fixed latency to every request.
 *
 * The bare client sends the same five requests per cycle with one easy handle per thread (the
 * same TLS verification, HTTP/1.1, keep-alive, headers), one shared token renewed on 401, and no
 * other logic: no retry policy, no typed parsing (the new volume's id is cut out of the answer),
 * no error mapping. It is what the plugin's client costs over the least a client can do.
 *
 * Each request takes at least the latency, so a thread cannot finish a cycle faster than
 * requests_per_op x latency; with min(N, max connections) requests in flight the best possible
 * rate is ideal = min(N, max connections) / (requests_per_op x latency).
 *
 *   bench/gateway-bench [--threads N] [--ops M] [--latency-ms L] [--token-ttl S]
 *                       [--max-connections C] [--rounds R] [--scaling FILE]
 * Defaults (make bench-gateway, make bench): 32 threads x 200 cycles, 2 ms, tokens living 1 s,
 * 100 connections, 3 rounds (each runs the plugin and the bare client, in alternating order;
 * the figures are the medians). Each thread first runs one untimed cycle (its connection's TLS
 * handshake). CPU time is this process's (getrusage) over the requests the simulator counted; the
 * simulator's own CPU time (/proc) is printed beside it. With --scaling, the same at 1, 2, 4, ...,
 * 64 threads (medians of the rounds, fewer cycles per thread as threads grow), written to FILE as
 * "threads ideal plugin bare" lines for gnuplot (bench/scaling.gp).
 * Last line:
 *   ops_per_s=X requests_per_op=Y logins=Z ideal_ratio=R bare_ops_per_s=B bare_ratio=P
 *   cpu_us_per_request=U bare_cpu_us_per_request=V cpu_ratio=W
 * (an op is one cycle; requests as the simulator counted them, token renewals left out;
 * bare_ratio = X / B; cpu_ratio = U / V). */
#include "config.h"

#include "loader.h"
#include "services.h"
#include "settings.h"
#include "simproc.h"
#include "storage_plugin.h"

#include <curl/curl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#define POOL_UUID "be4c4a11-0b5e-4c1a-9d7e-3a2b1c0d9e8f"
#define HOST_IP "127.0.0.1"
#define MAX_ROUNDS 15

typedef struct options {
    int threads, ops, latency_ms, max_connections, rounds;
    double token_ttl_s; /* the simulator's absolute token lifetime */
    const char *scaling;
} options;

typedef enum client_kind { PLUGIN, BARE } client_kind;

typedef struct worker {
    pthread_t thread;
    client_kind kind;
    int ops;
    uint64_t base; /* volume ids base .. base + ops */
    int failures;
    char first[1024]; /* the first failure */
    double *cycle_ms; /* one per cycle */
    CURL *curl;       /* BARE: the thread's handle */
} worker;

/* What one phase measured. */
typedef struct phase {
    double ops_per_s, req_per_op, ideal, cpu_us_per_req, sim_cpu_us_per_req, p50, p99;
    int requests, renewals, failures;
} phase;

static options opt = {32, 200, 2, 100, 3, 1, NULL};
static const sp_driver_ops *drv;
static sp_pool *pool;
static tsim *sim;
static pthread_barrier_t warm, start_line;
static uint64_t next_id = 1000000;

/* The bare client's shared state: where, as whom, the ids it needs, the current token. */
static struct {
    char base[256];
    char userpwd[256];
    char pool_id[32];
    char sdc_id[32];
    pthread_mutex_t lock;
    char token[512];
    uint64_t generation;
} bare = {.lock = PTHREAD_MUTEX_INITIALIZER};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gateway-bench [--threads N] [--ops M] [--latency-ms L] [--token-ttl S] "
               "[--max-connections C] [--rounds R] [--scaling FILE]\n"
               "  N threads each run M cycles of create + grant (with QoS) + revoke + delete through\n"
               "  the plugin's Driver, and the same requests through a bare libcurl client, against\n"
               "  powerflex-sim answering each request after L ms; tokens live S seconds; at most C\n"
               "  connections; R rounds, medians. FILE: the scaling curve (1 to 64 threads).\n"
               "  Defaults: --threads 32 --ops 200 --latency-ms 2 --token-ttl 1 --max-connections 100\n"
               "  --rounds 3. Needs $top_builddir (default: the build tree this program is in).\n");
}

static int parse_int(const char *s, int min, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static int parse_args(int argc, char **argv)
{
    static const struct option longs[] = {
        {"threads", required_argument, NULL, 't'},
        {"ops", required_argument, NULL, 'o'},
        {"latency-ms", required_argument, NULL, 'l'},
        {"token-ttl", required_argument, NULL, 'k'},
        {"max-connections", required_argument, NULL, 'c'},
        {"rounds", required_argument, NULL, 'r'},
        {"scaling", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, li = 0;
    char *end;

    while ((c = getopt_long(argc, argv, "", longs, &li)) != -1) {
        int bad = 0;
        switch (c) {
        case 't': bad = parse_int(optarg, 1, 1024, &opt.threads); break;
        case 'o': bad = parse_int(optarg, 1, 1000000, &opt.ops); break;
        case 'l': bad = parse_int(optarg, 0, 10000, &opt.latency_ms); break;
        case 'c': bad = parse_int(optarg, 1, 10000, &opt.max_connections); break;
        case 'r': bad = parse_int(optarg, 1, MAX_ROUNDS, &opt.rounds); break;
        case 's': opt.scaling = optarg; break;
        case 'k':
            opt.token_ttl_s = strtod(optarg, &end);
            bad = *optarg == '\0' || *end != '\0' || opt.token_ttl_s <= 0;
            break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
        if (bad) {
            fprintf(stderr, "gateway-bench: bad value \"%s\" for --%s\n", optarg, longs[li].name);
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* $top_builddir, or the build tree this program sits in (bench/ or bench/.libs/). */
static int find_builddir(void)
{
    char exe[PATH_MAX], *dir;
    ssize_t n;

    if (getenv("top_builddir") != NULL)
        return 0;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    dir = dirname(exe);
    if (strcmp(basename(dir), ".libs") == 0)
        dir = dirname(dir);
    dir = dirname(dir);
    return setenv("top_builddir", dir, 1);
}

static void fail(worker *w, const char *what, const char *message)
{
    if (w->failures++ == 0)
        snprintf(w->first, sizeof(w->first), "%s: %.900s", what, message);
}

/* --- the plugin ------------------------------------------------------------------------- */

/* One cycle on volume id through the Driver. */
static void plugin_cycle(worker *w, uint64_t id)
{
    sp_host_ref host = {SP_SIZED(sp_host_ref), .uuid = "bench-host", .name = "bench", .ip = HOST_IP};
    sp_qos qos = {.bandwidth_limit_mbps = "100", .iops_limit = "1000"};
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec), .kind = SP_VOLUME_DATA, .id = id,
                           .size_bytes = (uint64_t)3 << 30, .provisioning = SP_PROVISION_THIN};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    sp_error err;

    if (drv->create_volume(pool, &spec, &vol, &err) != SP_OK) {
        fail(w, "create", err.message);
        return;
    }
    ref.path = vol.path;
    if (drv->grant_access(pool, &ref, &host, &qos, 0, &err) != SP_OK)
        fail(w, "grant", err.message);
    else if (drv->revoke_access(pool, &ref, &host, &err) != SP_OK)
        fail(w, "revoke", err.message);
    if (drv->delete_volume(pool, &ref, &err) != SP_OK)
        fail(w, "delete", err.message);
}

/* --- the bare client -------------------------------------------------------------------- */

typedef struct answer {
    char buf[4096];
    size_t len;
} answer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    answer *a = userp;
    size_t n = size * nmemb, room = sizeof(a->buf) - 1 - a->len;

    memcpy(a->buf + a->len, data, n < room ? n : room);
    a->len += n < room ? n : room;
    a->buf[a->len] = '\0';
    return n;
}

static CURL *bare_handle(void)
{
    CURL *c = curl_easy_init();

    if (c == NULL)
        return NULL;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_CAINFO, tsim_cafile(sim));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    return c;
}

/* One request; the HTTP status (0 on a transport failure). */
static long bare_request(CURL *c, const char *method, const char *path, const char *body, const char *userpwd,
                         answer *a)
{
    static const char *const hdr_post[] = {"Accept: application/json",
                                           "Expect:", "Content-Type: application/json"};
    struct curl_slist *h = NULL;
    char url[512];
    long status = 0;

    for (size_t i = 0; i < (body != NULL ? 3u : 2u); i++)
        h = curl_slist_append(h, hdr_post[i]);
    snprintf(url, sizeof(url), "%s%s", bare.base, path);
    a->len = 0;
    a->buf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    (void)method; /* a body means POST, none GET */
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    return status;
}

/* Logs in unless another thread did since generation gen; 0 on success. */
static int bare_login(CURL *c, uint64_t gen)
{
    answer a;
    int rc = 0;

    pthread_mutex_lock(&bare.lock);
    if (bare.generation == gen) {
        if (bare_request(c, "GET", "/login", NULL, bare.userpwd, &a) != 200 || a.len < 3 || a.buf[0] != '"')
            rc = -1;
        else {
            snprintf(bare.token, sizeof(bare.token), ":%.*s", (int)(a.len - 2), a.buf + 1);
            bare.generation++;
        }
    }
    pthread_mutex_unlock(&bare.lock);
    return rc;
}

/* A request with the shared token, once more after a login when it answers 401. */
static long bare_call(CURL *c, const char *method, const char *path, const char *body, answer *a)
{
    char token[sizeof(bare.token)];
    uint64_t gen;
    long status;

    for (int attempt = 0;; attempt++) {
        pthread_mutex_lock(&bare.lock);
        memcpy(token, bare.token, sizeof(token));
        gen = bare.generation;
        pthread_mutex_unlock(&bare.lock);
        status = bare_request(c, method, path, body, token, a);
        if (status != 401 || attempt == 1 || bare_login(c, gen) != 0)
            return status;
    }
}

static int bare_action(worker *w, const char *id, const char *action, const char *body)
{
    char path[256];
    answer a;
    long st;

    snprintf(path, sizeof(path), "/instances/Volume::%s/action/%s", id, action);
    if ((st = bare_call(w->curl, "POST", path, body, &a)) != 200) {
        char msg[128];
        snprintf(msg, sizeof(msg), "HTTP %ld", st);
        fail(w, action, msg);
        return -1;
    }
    return 0;
}

static void bare_cycle(worker *w, uint64_t id)
{
    char body[512], vid[32];
    const char *p;
    answer a;
    long st;

    snprintf(body, sizeof(body),
             "{\"name\":\"bare-%" PRIu64 "\",\"storagePoolId\":\"%s\",\"volumeSizeInKb\":\"3145728\","
             "\"volumeType\":\"ThinProvisioned\"}",
             id, bare.pool_id);
    st = bare_call(w->curl, "POST", "/types/Volume/instances", body, &a);
    if (st != 200 || (p = strstr(a.buf, "\"id\":\"")) == NULL || sscanf(p + 6, "%31[0-9a-fA-F]", vid) != 1) {
        char msg[128];
        snprintf(msg, sizeof(msg), "HTTP %ld", st);
        fail(w, "create", msg);
        return;
    }
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"allowMultipleMappings\":\"FALSE\"}", bare.sdc_id);
    if (bare_action(w, vid, "addMappedSdc", body) == 0) {
        snprintf(body, sizeof(body),
                 "{\"sdcId\":\"%s\",\"bandwidthLimitInKbps\":\"102400\",\"iopsLimit\":\"1000\"}",
                 bare.sdc_id);
        bare_action(w, vid, "setMappedSdcLimits", body);
        snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"skipApplianceValidation\":\"TRUE\"}", bare.sdc_id);
        bare_action(w, vid, "removeMappedSdc", body);
    }
    bare_action(w, vid, "removeVolume", "{\"removeMode\":\"ONLY_ME\"}");
}

/* The "id" of the object of a JSON array whose string member key is value; 0 when found. For the
 * two look-ups before the run (pools and SDCs). */
static int find_id(const char *json, const char *key, const char *value, char *id, size_t len)
{
    yajl_val root = yajl_tree_parse(json, NULL, 0);
    int rc = -1;

    for (size_t i = 0; root != NULL && YAJL_IS_ARRAY(root) && i < root->u.array.len && rc != 0; i++) {
        const char *k[] = {key, NULL}, *idp[] = {"id", NULL};
        yajl_val o = root->u.array.values[i], v = yajl_tree_get(o, k, yajl_t_string),
                 x = yajl_tree_get(o, idp, yajl_t_string);
        if (v != NULL && x != NULL && strcmp(v->u.string, value) == 0) {
            snprintf(id, len, "%s", x->u.string);
            rc = 0;
        }
    }
    yajl_tree_free(root);
    return rc;
}

static int bare_setup(void)
{
    CURL *c = bare_handle();
    answer a;
    int rc = -1;

    snprintf(bare.base, sizeof(bare.base), "%s/api", tsim_url(sim));
    snprintf(bare.userpwd, sizeof(bare.userpwd), "%s:%s", tsim_user(sim), tsim_password(sim));
    if (c == NULL || bare_login(c, bare.generation) != 0)
        goto out;
    if (bare_call(c, "GET", "/types/StoragePool/instances", NULL, &a) != 200 ||
        find_id(a.buf, "name", "pool1", bare.pool_id, sizeof(bare.pool_id)) != 0)
        goto out;
    if (bare_call(c, "GET", "/types/Sdc/instances", NULL, &a) != 200 ||
        find_id(a.buf, "sdcIp", HOST_IP, bare.sdc_id, sizeof(bare.sdc_id)) != 0)
        goto out;
    rc = 0;
out:
    if (c != NULL)
        curl_easy_cleanup(c);
    return rc;
}

/* --- phases ----------------------------------------------------------------------------- */

static void cycle(worker *w, uint64_t id)
{
    if (w->kind == PLUGIN)
        plugin_cycle(w, id);
    else
        bare_cycle(w, id);
}

static void *run(void *arg)
{
    worker *w = arg;

    if (w->kind == BARE && (w->curl = bare_handle()) == NULL)
        fail(w, "curl", "no handle");
    /* Warm-up, not timed: the thread's first cycle opens its connection (TLS handshake). */
    if (w->failures == 0)
        cycle(w, w->base + (uint64_t)w->ops);
    pthread_barrier_wait(&warm);
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < w->ops && w->failures == 0; i++) {
        double t0 = now_s();
        cycle(w, w->base + (uint64_t)i);
        w->cycle_ms[i] = (now_s() - t0) * 1e3;
    }
    if (w->curl != NULL)
        curl_easy_cleanup(w->curl);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

/* The simulator's CPU time so far (utime + stime of /proc/PID/stat), in seconds. */
static double sim_cpu_s(void)
{
    char path[64], buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/stat", tsim_pid(sim));
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    p = fgets(buf, sizeof(buf), f);
    fclose(f);
    if (p == NULL || (p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Runs threads x ops cycles of one client; 0 when it ran without failures. */
static int run_phase(client_kind kind, int threads, int ops, phase *out)
{
    worker *workers = calloc((size_t)threads, sizeof(*workers));
    double *all_ms = calloc((size_t)threads * (size_t)ops, sizeof(*all_ms));
    double t0, elapsed, c0, s0;
    int total0, logins0, in_flight, failures = 0;
    long n_ops = (long)threads * ops;

    memset(out, 0, sizeof(*out));
    if (workers == NULL || all_ms == NULL) {
        free(workers);
        free(all_ms);
        return -1;
    }
    pthread_barrier_init(&warm, NULL, (unsigned)threads + 1);
    pthread_barrier_init(&start_line, NULL, (unsigned)threads + 1);
    for (int i = 0; i < threads; i++) {
        workers[i].kind = kind;
        workers[i].ops = ops;
        workers[i].base = next_id;
        next_id += (uint64_t)ops + 1;
        workers[i].cycle_ms = all_ms + (size_t)i * (size_t)ops;
        if (pthread_create(&workers[i].thread, NULL, run, &workers[i]) != 0) {
            fprintf(stderr, "gateway-bench: cannot start thread %d\n", i);
            exit(1);
        }
    }
    pthread_barrier_wait(&warm);
    total0 = tsim_stats_count(sim, "total");
    logins0 = tsim_stats_count(sim, "logins");
    c0 = cpu_s();
    s0 = sim_cpu_s();
    t0 = now_s();
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < threads; i++)
        pthread_join(workers[i].thread, NULL);
    elapsed = now_s() - t0;
    out->cpu_us_per_req = cpu_s() - c0;
    out->sim_cpu_us_per_req = sim_cpu_s() - s0;
    pthread_barrier_destroy(&warm);
    pthread_barrier_destroy(&start_line);
    out->requests = tsim_stats_count(sim, "total") - total0;
    out->renewals = tsim_stats_count(sim, "logins") - logins0;
    for (int i = 0; i < threads; i++) {
        if (workers[i].failures > 0 && failures == 0)
            fprintf(stderr, "gateway-bench: %s thread %d: %s\n", kind == PLUGIN ? "plugin" : "bare", i,
                    workers[i].first);
        failures += workers[i].failures;
    }
    out->failures = failures;
    qsort(all_ms, (size_t)n_ops, sizeof(*all_ms), cmp_double);
    in_flight = threads < opt.max_connections ? threads : opt.max_connections;
    out->ops_per_s = (double)n_ops / elapsed;
    /* Logins made during the run are counted apart: a renewal is not part of an op. */
    out->req_per_op = (double)(out->requests - out->renewals) / (double)n_ops;
    out->ideal =
        opt.latency_ms > 0 ? (double)in_flight / (out->req_per_op * (double)opt.latency_ms / 1e3) : 0;
    out->cpu_us_per_req = out->requests > 0 ? out->cpu_us_per_req * 1e6 / out->requests : 0;
    out->sim_cpu_us_per_req = out->requests > 0 ? out->sim_cpu_us_per_req * 1e6 / out->requests : 0;
    out->p50 = all_ms[n_ops / 2];
    out->p99 = all_ms[n_ops * 99 / 100];
    free(workers);
    free(all_ms);
    return failures == 0 ? 0 : -1;
}

static void print_phase(const char *what, int threads, const phase *p)
{
    printf("  %-6s %2d threads: %8.1f ops/s (ideal %.1f, ratio %.2f), %.2f requests/op, %d renewals, cycle "
           "p50 %.1f ms p99 %.1f ms, CPU %.0f us/request here, %.0f in the simulator\n",
           what, threads, p->ops_per_s, p->ideal, p->ideal > 0 ? p->ops_per_s / p->ideal : 0, p->req_per_op,
           p->renewals, p->p50, p->p99, p->cpu_us_per_req, p->sim_cpu_us_per_req);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The curve: 1, 2, 4, ..., 64 threads, each client --rounds times (in turn, alternating which goes
 * first), medians. */
static int scaling(const char *file)
{
    FILE *f = fopen(file, "w");
    int rc = 0;

    if (f == NULL) {
        fprintf(stderr, "gateway-bench: cannot write %s\n", file);
        return -1;
    }
    fprintf(
        f,
        "# threads ideal_ops_per_s plugin_ops_per_s bare_ops_per_s (latency %d ms, %d connections, medians "
        "of %d)\n",
        opt.latency_ms, opt.max_connections, opt.rounds);
    printf("scaling (medians of %d rounds per point):\n", opt.rounds);
    for (int n = 1; n <= 64 && rc == 0; n *= 2) {
        int ops = 1600 / n < 25 ? 25 : 1600 / n > opt.ops ? opt.ops : 1600 / n;
        double pv[MAX_ROUNDS], bv[MAX_ROUNDS], ideal = 0, pm, bm;
        for (int r = 0; r < opt.rounds && rc == 0; r++) {
            phase p = {0}, b = {0};
            if (r % 2 == 0)
                rc |= run_phase(PLUGIN, n, ops, &p);
            rc |= run_phase(BARE, n, ops, &b);
            if (r % 2 == 1)
                rc |= run_phase(PLUGIN, n, ops, &p);
            pv[r] = p.ops_per_s;
            bv[r] = b.ops_per_s;
            ideal = p.ideal;
        }
        if (rc != 0)
            break;
        pm = median(pv, opt.rounds);
        bm = median(bv, opt.rounds);
        fprintf(f, "%d %.1f %.1f %.1f\n", n, ideal, pm, bm);
        printf("scale threads=%d ideal=%.1f plugin=%.1f bare=%.1f\n", n, ideal, pm, bm);
    }
    fclose(f);
    return rc;
}

typedef struct details {
    size_t n;
    sp_kv kv[32];
} details;

static void sink(void *ctx, const char *key, const char *value)
{
    details *d = ctx;

    if (d->n < sizeof(d->kv) / sizeof(d->kv[0])) {
        d->kv[d->n].key = strdup(key);
        d->kv[d->n].value = strdup(value);
        d->n++;
    }
}

static void details_free(details *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free((char *)d->kv[i].key);
        free((char *)d->kv[i].value);
    }
    d->n = 0;
}

int main(int argc, char **argv)
{
    char latency[16], ttl[32], conns[16], url[512], plugin_path[PATH_MAX], errbuf[1024];
    const char *sim_args[16], *sim_tmp = NULL;
    char *saved_tmp = NULL;
    size_t na = 0;
    host_services svc;
    host_plugin *plugin = NULL;
    const sp_plugin *desc;
    details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error err;
    phase pr[MAX_ROUNDS], br[MAX_ROUNDS];
    double v[MAX_ROUNDS], ops_s, bare_s, ideal, req, cpu, bcpu;
    int logins0, failures = 0, rc = 1;

    if (parse_args(argc, argv) != 0)
        return 2;
    if (find_builddir() != 0) {
        fprintf(stderr, "gateway-bench: set top_builddir to the build tree\n");
        return 2;
    }
    snprintf(latency, sizeof(latency), "%d", opt.latency_ms);
    sim_args[na++] = "--latency-ms";
    sim_args[na++] = latency;
    sim_args[na++] = "--sdc";
    sim_args[na++] = HOST_IP;
    snprintf(ttl, sizeof(ttl), "%g", opt.token_ttl_s);
    sim_args[na++] = "--token-ttl";
    sim_args[na++] = ttl;
    /* The scaling curve's 64 threads hold 64 volumes at once, each counted at the array's 8 GiB
     * granularity: more than the default pool's allocation limit (0.84 x net). Capacity is not what
     * is measured here. */
    sim_args[na++] = "--overprovision";
    sim_args[na++] = "10";
    /* Never restarted: the simulator need not write and sync its whole state file per change,
     * which under its global lock capped both clients (146 us of simulator CPU per request). */
    sim_args[na++] = "--volatile";
    sim_args[na] = NULL;
    /* The simulator keeps a data file and a device link per volume. On ext4, creating and
     * deleting them thousands of times a second costs more than the gateway work measured here
     * (new inodes scan for recently deleted ones), so its state goes to tmpfs when there is one. */
    if (getenv("GATEWAY_BENCH_TMPDIR") != NULL)
        sim_tmp = getenv("GATEWAY_BENCH_TMPDIR");
    else if (access("/dev/shm", W_OK | X_OK) == 0)
        sim_tmp = "/dev/shm";
    if (sim_tmp != NULL) {
        saved_tmp = getenv("TMPDIR") != NULL ? strdup(getenv("TMPDIR")) : NULL;
        setenv("TMPDIR", sim_tmp, 1);
    }
    sim = tsim_start(sim_args);
    if (sim_tmp != NULL) {
        if (saved_tmp != NULL)
            setenv("TMPDIR", saved_tmp, 1);
        else
            unsetenv("TMPDIR");
        free(saved_tmp);
    }
    if (sim == NULL) {
        fprintf(stderr, "gateway-bench: cannot start powerflex-sim\n");
        return 1;
    }

    if (host_services_init(&svc) != 0)
        goto out;
    snprintf(conns, sizeof(conns), "%d", opt.max_connections);
    host_setting_set(&svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CS_IDENTIFIER, "bnch");
    host_setting_set(&svc, SP_SCOPE_GLOBAL, NULL, PFX_SETTING_CLIENT_MAX_CONNECTIONS, conns);
    snprintf(plugin_path, sizeof(plugin_path), "%s/plugin/powerflex.la", getenv("top_builddir"));
    plugin = host_plugin_load(plugin_path, &svc.table, errbuf, sizeof(errbuf));
    if (plugin == NULL) {
        fprintf(stderr, "gateway-bench: cannot load %s: %s\n", plugin_path, errbuf);
        goto out_svc;
    }
    desc = host_plugin_descriptor(plugin);
    drv = desc->driver;

    /* The pool as CloudStack adds it: initialize (its own short-lived client), open, attach. */
    {
        sp_kv cafile = {"powerflex.gw.cafile", tsim_cafile(sim)};
        sp_pool_create_params p = {SP_SIZED(sp_pool_create_params),
                                   .url = url,
                                   .name = "bench",
                                   .uuid = POOL_UUID,
                                   .hypervisor = "KVM",
                                   .scope = SP_POOL_SCOPE_ZONE,
                                   .zone_uuid = "zone",
                                   .details = &cafile,
                                   .n_details = 1};
        sp_host_ref host = {SP_SIZED(sp_host_ref), .uuid = "bench-host", .name = "bench", .ip = HOST_IP};
        sp_host_attach_result res = SP_INIT(sp_host_attach_result);

        snprintf(url, sizeof(url), "powerflex://%s:%s@%s/pool1", tsim_user(sim), tsim_password(sim),
                 tsim_hostport(sim));
        if (desc->lifecycle->initialize(&p, sink, &d, &cap, &err) != SP_OK) {
            fprintf(stderr, "gateway-bench: initialize: %s\n", err.message);
            goto out_plugin;
        }
        logins0 = tsim_stats_count(sim, "logins");
        if (desc->lifecycle->open(POOL_UUID, d.kv, d.n, &pool, &err) != SP_OK ||
            desc->lifecycle->attach(pool, SP_POOL_SCOPE_ZONE, &host, 1, &res, &err) != SP_OK) {
            fprintf(stderr, "gateway-bench: open or attach: %s\n", err.message);
            goto out_plugin;
        }
    }
    if (bare_setup() != 0) {
        fprintf(stderr, "gateway-bench: the bare client cannot log in or find pool1 and the SDC\n");
        goto out_pool;
    }

    printf("gateway-bench: %d threads x %d cycles (create, grant with QoS, revoke, delete), gateway latency "
           "%d ms, token lifetime %s s, at most %d connections, %d round(s)\n",
           opt.threads, opt.ops, opt.latency_ms, ttl, opt.max_connections, opt.rounds);
    printf("simulator state in %s; one untimed warm-up cycle per thread first\n", tsim_dir(sim));
    for (int r = 0; r < opt.rounds; r++) {
        int bad = 0;
        printf("round %d:\n", r + 1);
        if (r % 2 == 0)
            bad |= run_phase(PLUGIN, opt.threads, opt.ops, &pr[r]);
        bad |= run_phase(BARE, opt.threads, opt.ops, &br[r]);
        if (r % 2 == 1)
            bad |= run_phase(PLUGIN, opt.threads, opt.ops, &pr[r]);
        print_phase("plugin", opt.threads, &pr[r]);
        print_phase("bare", opt.threads, &br[r]);
        failures += pr[r].failures + br[r].failures;
        if (bad)
            break;
    }
    if (failures == 0 && opt.scaling != NULL && scaling(opt.scaling) != 0)
        failures++;
    for (int r = 0; r < opt.rounds; r++)
        v[r] = pr[r].ops_per_s;
    ops_s = median(v, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        v[r] = br[r].ops_per_s;
    bare_s = median(v, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        v[r] = pr[r].req_per_op;
    req = median(v, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        v[r] = pr[r].ideal;
    ideal = median(v, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        v[r] = pr[r].cpu_us_per_req;
    cpu = median(v, opt.rounds);
    for (int r = 0; r < opt.rounds; r++)
        v[r] = br[r].cpu_us_per_req;
    bcpu = median(v, opt.rounds);
    printf("medians of %d rounds: plugin %.1f ops/s, bare client %.1f ops/s, ideal %.1f = min(%d threads, %d "
           "connections) / (%.2f requests x %d ms)\n",
           opt.rounds, ops_s, bare_s, ideal, opt.threads, opt.max_connections, req, opt.latency_ms);
    printf("ops_per_s=%.1f requests_per_op=%.2f logins=%d ideal_ops_per_s=%.1f ideal_ratio=%.2f "
           "bare_ops_per_s=%.1f bare_ratio=%.2f bare_ideal_ratio=%.2f cpu_us_per_request=%.1f "
           "bare_cpu_us_per_request=%.1f cpu_ratio=%.2f\n",
           ops_s, req, tsim_stats_count(sim, "logins") - logins0, ideal, ideal > 0 ? ops_s / ideal : 0,
           bare_s, bare_s > 0 ? ops_s / bare_s : 0, ideal > 0 ? bare_s / ideal : 0, cpu, bcpu,
           bcpu > 0 ? cpu / bcpu : 0);
    fflush(stdout);
    rc = failures == 0 ? 0 : 1;

out_pool:
    desc->lifecycle->close(pool);
out_plugin:
    host_plugin_unload(plugin);
out_svc:
    host_services_free(&svc);
out:
    details_free(&d);
    tsim_stop(sim);
    return rc;
}
