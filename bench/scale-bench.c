/* scale-bench.c - a pool of tens of thousands of volumes and snapshots: Driver.list_volumes and the
 * harness's "check storagepool" timed, with their peak memory, as the pool grows.
 *
 * Runs the harness in this process: a zone with one KVM host, a simulated PowerFlex system and a
 * zone-wide pool on it, then "sim bulk" (POST /sim/bulk, and the same objects recorded in the
 * harness's database) to bring the pool to 5,000, 10,000 and 20,000 volumes with 2.5 snapshots
 * each (12,500, 25,000 and 50,000). At each size, medians of --rounds:
 *   list    Driver.list_volumes through the ABI, counting what it hands over (the gateway's answer
 *           is tens of MB: the plugin streams it through yajl's callback parser);
 *   check   "check storagepool id=POOL" (the listing, every harness row matched, every volume's
 *           device asked of the host, sizes, capacity, allocation aggregates).
 * Peak memory is this process's resident high-water mark (VmHWM, reset through
 * /proc/self/clear_refs before each run) over its resident size just before.
 *   bench/scale-bench [--sizes 5000,10000,20000] [--snapshots-per-volume 2.5] [--rounds 3]
 * Then findStoragePoolsForMigration as a whole command for one of those volumes, with the zone
 * grown to --pools pools (default 10,000: the pool cloned in the database).
 * Lines "scale volumes=V snapshots=S list_s=.. list_peak_mb=.. check_s=.. check_peak_mb=..", one
 * line with the largest size's figures, per-object costs and how they grew from the smallest size
 * (1.0: linear), and last "findpools pools=P cold_ms=.. find_pools_ms=.. find_pools_all_ms=.." (the
 * first page, as CloudStack answers, and every pool with pagesize=-1). */
#include "config.h"

#include "cs.h"
#include "harness.h"
#include "poolh.h"
#include "session.h"

#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZES 8
#define MAX_ROUNDS 9

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A /proc/self/status figure in kB ("VmRSS", "VmHWM"); -1 when unknown. */
static long status_kb(const char *key)
{
    char line[256];
    size_t kl = strlen(key);
    long v = -1;
    FILE *f = fopen("/proc/self/status", "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            v = strtol(line + kl + 1, NULL, 10);
    fclose(f);
    return v;
}

/* Gives free heap memory back (so that what a run allocates shows as growth, not as reuse of
 * pages the set-up left resident), resets the resident high-water mark to the current size, and
 * returns that size in kB. */
static long reset_peak(void)
{
    FILE *f;

    malloc_trim(0);
    f = fopen("/proc/self/clear_refs", "w");

    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
    return status_kb("VmRSS");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int line(host_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int line(host_session *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return host_session_line(s, buf, strlen(buf));
}

static int exec_sql(host_cs *cs, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(cs->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "scale-bench: %s\n", msg != NULL ? msg : sqlite3_errmsg(cs->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* findStoragePoolsForMigration, the whole command, for a volume of a zone of `pools` pools: the
 * benchmark's pool cloned in the database (same array, details, tags and hosts) until the zone
 * has that many. The first call opens every pool's handle (cold); then medians of `rounds`. */
static int find_pools(host_cs *cs, host_session *s, int64_t pool_id, long pools, int rounds)
{
    char sql[2048], uuid[40] = "";
    double t[MAX_ROUNDS], all[MAX_ROUNDS], cold, t0;
    sqlite3_stmt *st = NULL;

    snprintf(
        sql, sizeof(sql),
        "BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld) "
        "INSERT INTO pool(uuid, name, zone_id, pod_id, cluster_id, scope, state, provider, hypervisor, url, "
        "path, capacity_total, capacity_used, allocated, n_objects, overprov, thin, created) "
        "SELECT printf('%%08x-0000-4000-8000-%%012x', i, i), 'clone-' || i, zone_id, pod_id, cluster_id, "
        "scope, state, provider, hypervisor, url, path, capacity_total, capacity_used, 0, 0, overprov, thin, "
        "created FROM pool, n WHERE pool.id = %lld;"
        "INSERT INTO pool_detail(pool_id, key, value) SELECT p.id, d.key, d.value FROM pool p, pool_detail d "
        "WHERE p.name LIKE 'clone-%%' AND d.pool_id = %lld;"
        "INSERT INTO pool_tag(pool_id, tag) SELECT p.id, t.tag FROM pool p, pool_tag t "
        "WHERE p.name LIKE 'clone-%%' AND t.pool_id = %lld;"
        "INSERT INTO pool_host(pool_id, host_id, client_id, status) SELECT p.id, h.host_id, h.client_id, "
        "h.status FROM pool p, pool_host h WHERE p.name LIKE 'clone-%%' AND h.pool_id = %lld;"
        "COMMIT;",
        pools - 1, (long long)pool_id, (long long)pool_id, (long long)pool_id, (long long)pool_id);
    if (exec_sql(cs, sql) != 0)
        return -1;
    if (sqlite3_prepare_v2(cs->db, "SELECT uuid FROM volume WHERE pool_id = ? LIMIT 1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, pool_id);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(uuid, sizeof(uuid), "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (uuid[0] == '\0')
        return -1;
    t0 = now_s();
    if (line(s, "find storagepoolsformigration id=%s", uuid) != 0)
        return -1;
    cold = now_s() - t0;
    for (int r = 0; r < rounds; r++) {
        t0 = now_s();
        if (line(s, "find storagepoolsformigration id=%s", uuid) != 0)
            return -1;
        t[r] = now_s() - t0;
    }
    /* The same verdicts with every pool in the answer (pagesize=-1) instead of CloudStack's first
     * page of default.page.size (500). */
    for (int r = 0; r < rounds; r++) {
        t0 = now_s();
        if (line(s, "find storagepoolsformigration id=%s pagesize=-1", uuid) != 0)
            return -1;
        all[r] = now_s() - t0;
    }
    printf("findpools pools=%ld cold_ms=%.1f find_pools_ms=%.1f find_pools_all_ms=%.1f\n", pools, cold * 1e3,
           median(t, rounds) * 1e3, median(all, rounds) * 1e3);
    return 0;
}

static void count(void *ctx, const sp_volume_info *vol)
{
    (void)vol;
    (*(size_t *)ctx)++;
}

/* $top_builddir, or the build tree this program sits in (bench/ or bench/.libs/). */
static const char *builddir(void)
{
    static char dir[PATH_MAX];
    char exe[PATH_MAX], *d;
    ssize_t n;

    if (getenv("top_builddir") != NULL)
        return getenv("top_builddir");
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return ".";
    exe[n] = '\0';
    d = dirname(exe);
    if (strcmp(basename(d), ".libs") == 0)
        d = dirname(d);
    snprintf(dir, sizeof(dir), "%s", dirname(d));
    return dir;
}

int main(int argc, char **argv)
{
    long sizes[MAX_SIZES] = {5000, 10000, 20000};
    int nsizes = 3, rounds = 3, rc = 1;
    double per_vol = 2.5, first_list = 0, first_check = 0;
    long have_v = 0, have_s = 0, first_n = 0, pools = 10000;
    char plugin[PATH_MAX], exe[PATH_MAX];
    host_cs cs;
    host_session s;
    host_err e;
    sp_pool *pool = NULL;
    int64_t pool_id = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
            char *p = argv[++i];
            nsizes = 0;
            while (*p != '\0' && nsizes < MAX_SIZES) {
                sizes[nsizes++] = strtol(p, &p, 10);
                if (*p == ',')
                    p++;
            }
        } else if (strcmp(argv[i], "--snapshots-per-volume") == 0 && i + 1 < argc) {
            per_vol = strtod(argv[++i], NULL);
        } else if (strcmp(argv[i], "--pools") == 0 && i + 1 < argc) {
            pools = atol(argv[++i]);
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else {
            fprintf(stderr,
                    "usage: %s [--sizes N,N,...] [--snapshots-per-volume X] [--pools N] [--rounds N]\n",
                    argv[0]);
            return 2;
        }
    }
    if (nsizes < 1 || rounds < 1 || rounds > MAX_ROUNDS || per_vol < 0 || per_vol > 100 || pools < 1)
        return 2;
    for (int i = 0; i < nsizes; i++)
        if (sizes[i] <= 0 || (i > 0 && sizes[i] <= sizes[i - 1]))
            return 2;
    memset(&e, 0, sizeof(e));
    if (host_cs_open(&cs, NULL, NULL, &e) != 0) {
        fprintf(stderr, "scale-bench: %s\n", e.text);
        return 1;
    }
    snprintf(exe, sizeof(exe), "%s/host/cs-harness", builddir());
    cs.self_exe = strdup(exe);
    snprintf(plugin, sizeof(plugin), "%s/plugin/powerflex.la", builddir());
    if (host_cs_load_plugin(&cs, plugin, &e) != 0) {
        fprintf(stderr, "scale-bench: %s\n", e.text);
        goto out_cs;
    }
    host_session_init(&s, &cs);
    s.quiet = 1;
    if (line(&s, "create zone name=zone1 networktype=Advanced") || line(&s, "set zone=$_.zone.id") ||
        line(&s, "create pod name=pod1 zoneid=$zone") || line(&s, "set pod=$_.pod.id") ||
        line(&s,
             "add cluster clustername=c1 zoneid=$zone podid=$pod hypervisor=KVM clustertype=CloudManaged") ||
        line(&s, "set c1=$_.cluster[0].id") ||
        line(&s, "add host zoneid=$zone podid=$pod clusterid=$c1 url=http://127.0.0.11 username=root "
                 "password=password name=kvm1") ||
        line(&s, "sim start name=pf1 pools=cspool:1048576") ||
        line(&s, "update zone id=$zone allocationstate=Enabled") ||
        line(&s, "create storagepool name=big scope=zone hypervisor=KVM provider= PowerFlex "
                 "url=powerflex://admin:P%%40ssword123@$pf1.gateway/cspool zoneid=$zone") ||
        line(&s, "set pool=$_.storagepool.id")) {
        fprintf(stderr, "scale-bench: cannot set the zone and the pool up\n");
        goto out_session;
    }
    {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(cs.db, "SELECT id FROM pool", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            pool_id = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (pool_id == 0 || host_pool_open(&cs, pool_id, &pool, &e) != 0) {
        fprintf(stderr, "scale-bench: cannot open the pool: %s\n", e.text);
        goto out_session;
    }
    printf("scale-bench: one zone-wide pool on a simulated system, one KVM host; %.1f snapshots per volume; "
           "medians of %d round(s)\n",
           per_vol, rounds);
    for (int k = 0; k < nsizes; k++) {
        long want_s = (long)((double)sizes[k] * per_vol + 0.5);
        double list_t[MAX_ROUNDS], check_t[MAX_ROUNDS], list_mb[MAX_ROUNDS], check_mb[MAX_ROUNDS], t0, lt, ct;
        double t_bulk = now_s();

        if (line(&s, "sim bulk name=pf1 poolid=$pool volumes=%ld snapshots=%ld", sizes[k] - have_v,
                 want_s - have_s) != 0) {
            fprintf(stderr, "scale-bench: sim bulk failed\n");
            goto out_session;
        }
        t_bulk = now_s() - t_bulk;
        have_v = sizes[k];
        have_s = want_s;
        for (int r = 0; r < rounds; r++) {
            size_t n = 0;
            sp_error se;
            long rss = reset_peak();

            memset(&se, 0, sizeof(se));
            t0 = now_s();
            if (cs.sp->driver->list_volumes(pool, count, &n, &se) != SP_OK) {
                fprintf(stderr, "scale-bench: list_volumes: %s\n", se.message);
                goto out_session;
            }
            list_t[r] = now_s() - t0;
            list_mb[r] = (double)(status_kb("VmHWM") - rss) / 1024.0;
            if ((long)n != have_v + have_s) {
                fprintf(stderr, "scale-bench: list_volumes handed over %zu volumes, not %ld\n", n,
                        have_v + have_s);
                goto out_session;
            }
            rss = reset_peak();
            t0 = now_s();
            if (line(&s, "check storagepool id=$pool") != 0) {
                fprintf(stderr, "scale-bench: check storagepool failed\n");
                goto out_session;
            }
            check_t[r] = now_s() - t0;
            check_mb[r] = (double)(status_kb("VmHWM") - rss) / 1024.0;
        }
        lt = median(list_t, rounds);
        ct = median(check_t, rounds);
        printf(
            "scale volumes=%ld snapshots=%ld list_s=%.3f list_peak_mb=%.1f check_s=%.3f check_peak_mb=%.1f "
            "bulk_s=%.1f\n",
            have_v, have_s, lt, median(list_mb, rounds), ct, median(check_mb, rounds), t_bulk);
        fflush(stdout);
        if (k == 0) {
            first_n = have_v + have_s;
            first_list = lt;
            first_check = ct;
        }
        if (k == nsizes - 1 && nsizes > 1) {
            double objs = (double)(have_v + have_s), grow = objs / (double)first_n;
            printf("volumes=%ld snapshots=%ld list_s=%.3f list_us_per_object=%.1f list_growth=%.2f "
                   "list_peak_mb=%.1f check_s=%.3f check_us_per_object=%.1f check_growth=%.2f "
                   "check_peak_mb=%.1f\n",
                   have_v, have_s, lt, lt * 1e6 / objs, first_list > 0 ? lt / first_list / grow : 0,
                   median(list_mb, rounds), ct, ct * 1e6 / objs,
                   first_check > 0 ? ct / first_check / grow : 0, median(check_mb, rounds));
        }
    }
    if (find_pools(&cs, &s, pool_id, pools, rounds) != 0) {
        fprintf(stderr, "scale-bench: findStoragePoolsForMigration failed\n");
        goto out_session;
    }
    rc = 0;
out_session:
    host_session_free(&s);
out_cs:
    host_cs_close(&cs);
    return rc;
}
