/* gateway-bench.c - throughput of the gateway client under concurrency, through the plugin's
 * ABI as a host drives it: N threads each run M cycles of create + grant (map with QoS limits) +
 * revoke + delete on one pool, against a simulator (started here) that adds a fixed latency to
 * every request.
 *
 * Each request takes at least the latency, so a thread cannot finish a cycle faster than
 * requests_per_op x latency; with min(N, max connections) requests in flight the best possible
 * rate is ideal = min(N, max connections) / (requests_per_op x latency). ideal_ratio says how
 * close the client, its handle pool, its locks and the simulator come to that.
 *
 *   bench/gateway-bench --threads N --ops M --latency-ms L [--token-ttl S] [--max-connections C]
 * Defaults (make bench-gateway, make bench): 32 threads x 200 cycles, 2 ms, tokens living 1 s,
 * 100 connections. Each thread first runs one untimed cycle (its connection's TLS handshake).
 * Last line:
 *   ops_per_s=X requests_per_op=Y logins=Z ideal_ratio=R
 * (an op is one cycle; requests and logins as the simulator counted them during the run; logins
 * is 1 plus the token lifetimes the run spanned when the client renews tokens as it should). */
#include "config.h"

#include "loader.h"
#include "services.h"
#include "simproc.h"
#include "storage_plugin.h"
#include "settings.h"

#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_UUID "be4c4a11-0b5e-4c1a-9d7e-3a2b1c0d9e8f"
#define HOST_IP "127.0.0.1"

typedef struct options {
    int threads, ops, latency_ms, max_connections;
    double token_ttl_s; /* the simulator's absolute token lifetime */
} options;

typedef struct worker {
    pthread_t thread;
    int index;
    int failures;
    sp_error first;   /* the first failure */
    double *cycle_ms; /* one per cycle */
} worker;

static options opt = {32, 200, 2, 100, 1};
static const sp_driver_ops *drv;
static sp_pool *pool;
static pthread_barrier_t warm, start_line;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gateway-bench [--threads N] [--ops M] [--latency-ms L] [--token-ttl S] "
               "[--max-connections C]\n"
               "  N threads each run M cycles of create + grant (with QoS) + revoke + delete through\n"
               "  the plugin's Driver against powerflex-sim answering each request after L ms;\n"
               "  tokens live S seconds; the client keeps at most C connections.\n"
               "  Defaults: --threads 32 --ops 200 --latency-ms 2 --token-ttl 1 --max-connections 100.\n"
               "  Needs $top_builddir (default: the build tree this program is in).\n");
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

static void fail(worker *w, const char *what, const sp_error *err)
{
    if (w->failures++ == 0) {
        w->first = *err;
        snprintf(w->first.message, sizeof(w->first.message), "%s: %.900s", what, err->message);
    }
}

/* One cycle on volume id; its duration in ms. */
static double cycle(worker *w, uint64_t id)
{
    sp_host_ref host = {SP_SIZED(sp_host_ref), .uuid = "bench-host", .name = "bench", .ip = HOST_IP};
    sp_qos qos = {.bandwidth_limit_mbps = "100", .iops_limit = "1000"};
    sp_volume_spec spec = {SP_SIZED(sp_volume_spec),
        .kind = SP_VOLUME_DATA, .id = id, .size_bytes = (uint64_t)3 << 30, .provisioning = SP_PROVISION_THIN};
    sp_volume_info vol = SP_INIT(sp_volume_info);
    sp_volume_ref ref;
    sp_error err;
    double t0 = now_s();

    if (drv->create_volume(pool, &spec, &vol, &err) != SP_OK) {
        fail(w, "create", &err);
        return (now_s() - t0) * 1e3;
    }
    ref.path = vol.path;
    if (drv->grant_access(pool, &ref, &host, &qos, 0, &err) != SP_OK)
        fail(w, "grant", &err);
    else if (drv->revoke_access(pool, &ref, &host, &err) != SP_OK)
        fail(w, "revoke", &err);
    if (drv->delete_volume(pool, &ref, &err) != SP_OK)
        fail(w, "delete", &err);
    return (now_s() - t0) * 1e3;
}

static void *run(void *arg)
{
    worker *w = arg;
    uint64_t base = (uint64_t)1000000 + (uint64_t)w->index * ((uint64_t)opt.ops + 1);

    /* Warm-up, not timed: the thread's first cycle opens its connection (TLS handshake). */
    cycle(w, base + (uint64_t)opt.ops);
    pthread_barrier_wait(&warm);
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < opt.ops; i++)
        w->cycle_ms[i] = cycle(w, base + (uint64_t)i);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
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
    tsim *sim = NULL;
    details d = {0};
    sp_capacity cap = SP_INIT(sp_capacity);
    sp_error err;
    worker *workers = NULL;
    double *all_ms = NULL, t0, elapsed, ops_per_s, req_per_op, ideal, ratio;
    int total0, logins0, run_logins0, total, logins, renewals, failures = 0, rc = 1, in_flight;
    long n_ops;

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
        sp_pool_create_params p = {SP_SIZED(sp_pool_create_params), .url = url,
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

    workers = calloc((size_t)opt.threads, sizeof(*workers));
    all_ms = calloc((size_t)opt.threads * (size_t)opt.ops, sizeof(*all_ms));
    if (workers == NULL || all_ms == NULL)
        goto out_pool;
    pthread_barrier_init(&warm, NULL, (unsigned)opt.threads + 1);
    pthread_barrier_init(&start_line, NULL, (unsigned)opt.threads + 1);
    for (int i = 0; i < opt.threads; i++) {
        workers[i].index = i;
        workers[i].cycle_ms = all_ms + (size_t)i * (size_t)opt.ops;
        if (pthread_create(&workers[i].thread, NULL, run, &workers[i]) != 0) {
            fprintf(stderr, "gateway-bench: cannot start thread %d\n", i);
            exit(1);
        }
    }
    pthread_barrier_wait(&warm);
    total0 = tsim_stats_count(sim, "total");
    run_logins0 = tsim_stats_count(sim, "logins");
    t0 = now_s();
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < opt.threads; i++)
        pthread_join(workers[i].thread, NULL);
    elapsed = now_s() - t0;
    pthread_barrier_destroy(&warm);
    pthread_barrier_destroy(&start_line);
    total = tsim_stats_count(sim, "total") - total0;
    logins = tsim_stats_count(sim, "logins") - logins0;
    renewals = tsim_stats_count(sim, "logins") - run_logins0;

    for (int i = 0; i < opt.threads; i++) {
        if (workers[i].failures > 0 && failures == 0)
            fprintf(stderr, "gateway-bench: thread %d: %s\n", i, workers[i].first.message);
        failures += workers[i].failures;
    }
    n_ops = (long)opt.threads * opt.ops;
    qsort(all_ms, (size_t)n_ops, sizeof(*all_ms), cmp_double);
    in_flight = opt.threads < opt.max_connections ? opt.threads : opt.max_connections;
    ops_per_s = (double)n_ops / elapsed;
    /* Logins made during the run are counted apart: a renewal is not part of an op. */
    req_per_op = (double)(total - renewals) / (double)n_ops;
    ideal = opt.latency_ms > 0 ? (double)in_flight / (req_per_op * (double)opt.latency_ms / 1e3) : 0;
    ratio = ideal > 0 ? ops_per_s / ideal : 0;

    printf("gateway-bench: %d threads x %d cycles (create, grant with QoS, revoke, delete), gateway latency "
           "%d ms, token lifetime %s s, at most %d connections\n",
           opt.threads, opt.ops, opt.latency_ms, ttl, opt.max_connections);
    printf("simulator state in %s; one untimed warm-up cycle per thread first\n", tsim_dir(sim));
    printf("elapsed_s=%.3f ops=%ld failures=%d requests=%d (%d of them token renewals)\n", elapsed, n_ops,
           failures, total, renewals);
    printf("cycle_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f (at least %.0f: requests x latency)\n",
           all_ms[n_ops / 2], all_ms[n_ops * 9 / 10], all_ms[n_ops * 99 / 100], all_ms[n_ops - 1],
           req_per_op * opt.latency_ms);
    printf("ideal_ops_per_s=%.1f = min(%d threads, %d connections) / (%.2f requests x %d ms)\n", ideal,
           opt.threads, opt.max_connections, req_per_op, opt.latency_ms);
    printf("ops_per_s=%.1f requests_per_op=%.2f logins=%d ideal_ratio=%.2f\n", ops_per_s, req_per_op, logins,
           ratio);
    fflush(stdout);
    rc = failures == 0 ? 0 : 1;

out_pool:
    desc->lifecycle->close(pool);
out_plugin:
    host_plugin_unload(plugin);
out_svc:
    host_services_free(&svc);
out:
    free(workers);
    free(all_ms);
    details_free(&d);
    tsim_stop(sim);
    return rc;
}
