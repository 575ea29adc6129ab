/* The server itself: 32+ concurrent keep-alive connections, TLS verification (right CA, wrong CA,
 * wrong host name), IPv6, plain HTTP only on request, clean exit on SIGTERM, option errors, and
 * that --help and the man page document every option. */
#include <config.h>
#include "simclient.h"
#include "testca.h"

#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static tsim *sim;

static const char *const options[] = {"--listen",
                                      "--tls-cert",
                                      "--tls-key",
                                      "--plain-http",
                                      "--user",
                                      "--password",
                                      "--password-file",
                                      "--system-id",
                                      "--pool",
                                      "--sdc",
                                      "--state-dir",
                                      "--sdc-device-dir",
                                      "--device-delay-ms",
                                      "--token-ttl",
                                      "--idle-ttl",
                                      "--latency-ms",
                                      "--fault",
                                      "--seed",
                                      "--spare-percent",
                                      "--migration-ms",
                                      "--overprovision",
                                      "--migration-slots",
                                      "--migration-fail-at",
                                      "--migration-fail-p",
                                      "--migration-pause-ms",
                                      "--removal-ms",
                                      "--role",
                                      "--account",
                                      "--max-sessions",
                                      "--loop-devices",
                                      NULL};

struct worker {
    char *token;
    int ok;
};

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    thttp_set_auth(h, "", w->token);
    for (int i = 0; i < 20; i++)
        w->ok += thttp_request(h, "GET", i % 2 ? "/api/version" : "/api/types/StoragePool/instances", NULL,
                               NULL) == 200;
    thttp_free(h);
    return NULL;
}

static void test_concurrency(void)
{
    enum { N = 40 };
    pthread_t th[N];
    struct worker w[N];
    sc *c = sc_new(sim);
    int total = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (int i = 0; i < N; i++) {
        w[i].token = c->token;
        w[i].ok = 0;
        CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        total += w[i].ok;
    }
    CU_ASSERT_EQUAL(total, N * 20);
    sc_free(c);
}

static void test_tls_verification(void)
{
    char dir[] = "/tmp/tsim-ca.XXXXXX";
    char *ca, *cert, *key, *other = NULL;
    thttp *h;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    /* another CA: the simulator's certificate does not chain to it */
    CU_ASSERT_EQUAL_FATAL(tca_make(dir, "127.0.0.1", "IP:127.0.0.1", &ca, &cert, &key), 0);
    h = thttp_new(tsim_url(sim), ca);
    CU_ASSERT(thttp_request(h, "GET", "/api/login", NULL, NULL) < 0);
    thttp_free(h);
    /* a certificate for another name */
    const char *args[] = {"--tls-cert", cert, "--tls-key", key, NULL};
    char sub[256];
    snprintf(sub, sizeof(sub), "%s/wrongname", dir);
    mkdir(sub, 0755);
    free(ca);
    free(cert);
    free(key);
    CU_ASSERT_EQUAL_FATAL(tca_make(sub, "elsewhere.example", "DNS:elsewhere.example", &ca, &cert, &key), 0);
    args[1] = cert;
    args[3] = key;
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    h = thttp_new(tsim_url(s), ca);
    CU_ASSERT(thttp_request(h, "GET", "/api/login", NULL, NULL) < 0);
    other = strdup(thttp_error(h));
    thttp_free(h);
    CU_ASSERT(other && *other);
    /* plain HTTP to the TLS port gets no API answer */
    char url[128];
    snprintf(url, sizeof(url), "http://%s", tsim_hostport(s));
    h = thttp_new(url, NULL);
    CU_ASSERT_NOT_EQUAL(thttp_request(h, "GET", "/api/version", NULL, NULL), 401);
    thttp_free(h);
    tsim_stop(s);
    free(other);
    free(ca);
    free(cert);
    free(key);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    tca_run(rm, NULL);
}

static int have_ipv6_loopback(void)
{
    struct sockaddr_in6 a;
    int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof(a));
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

static void test_ipv6_and_plain(void)
{
    char dir[] = "/tmp/tsim-v6.XXXXXX", *ca, *cert, *key;
    thttp *h;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    if (have_ipv6_loopback()) {
        CU_ASSERT_EQUAL_FATAL(tca_make(dir, "::1", "IP:::1", &ca, &cert, &key), 0);
        const char *args[] = {"--listen", "[::1]:0", "--tls-cert", cert, "--tls-key", key, NULL};
        tsim *s = tsim_start(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT(!strncmp(tsim_url(s), "https://[::1]:", 14));
        h = thttp_new(tsim_url(s), ca);
        thttp_set_auth(h, tsim_user(s), tsim_password(s));
        CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/login", NULL, NULL), 200);
        thttp_free(h);
        /* control endpoints answer loopback over IPv6 too */
        h = thttp_new(tsim_url(s), ca);
        CU_ASSERT_EQUAL(thttp_request(h, "GET", "/sim/stats", NULL, NULL), 200);
        thttp_free(h);
        tsim_stop(s);
        free(ca);
        free(cert);
        free(key);
    } else {
        fprintf(stderr, "no IPv6 loopback here: IPv6 listen not tested\n");
    }
    const char *plain[] = {"--plain-http", NULL};
    tsim *p = tsim_start(plain);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT(!strncmp(tsim_url(p), "http://127.0.0.1:", 17));
    h = thttp_new(tsim_url(p), NULL);
    thttp_set_auth(h, tsim_user(p), tsim_password(p));
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/login", NULL, NULL), 200);
    thttp_free(h);
    tsim_stop(p);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    tca_run(rm, NULL);
}

static char *run_capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    char *out = calloc(1, 1), buf[1024];
    size_t len = 0;
    while (p && fgets(buf, sizeof(buf), p)) {
        out = realloc(out, len + strlen(buf) + 1);
        memcpy(out + len, buf, strlen(buf) + 1);
        len += strlen(buf);
    }
    *status = p ? pclose(p) : -1;
    return out;
}

static void test_exit_and_options(void)
{
    char cmd[4096], *out;
    int st;
    const char *top = getenv("top_builddir"), *src = getenv("top_srcdir");
    /* clean exit on SIGTERM */
    tsim *s = tsim_start(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(tsim_stop_status(s), 0);
    /* option errors exit 2 with a message */
    snprintf(cmd, sizeof(cmd), "%s/sim/powerflex-sim --plain-http --listen 127.0.0.1:0 2>&1", top);
    out = run_capture(cmd, &st);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "password"));
    free(out);
    snprintf(cmd, sizeof(cmd), "%s/sim/powerflex-sim --password x --listen 127.0.0.1:0 2>&1", top);
    out = run_capture(cmd, &st);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 2); /* HTTPS without certificate */
    free(out);
    snprintf(cmd, sizeof(cmd), "%s/sim/powerflex-sim --help", top);
    out = run_capture(cmd, &st);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    for (size_t i = 0; options[i]; i++)
        if (!strstr(out, options[i])) {
            fprintf(stderr, "--help does not mention %s\n", options[i]);
            CU_FAIL("option missing from --help");
        }
    free(out);
    snprintf(cmd, sizeof(cmd), "cat '%s/sim/powerflex-sim.1'", src);
    out = run_capture(cmd, &st);
    for (size_t i = 0; options[i]; i++) {
        char esc[64], *d = esc;
        /* man source writes the dashes as \- */
        for (const char *p = options[i]; *p && d < esc + sizeof(esc) - 3; p++) {
            if (*p == '-')
                *d++ = '\\';
            *d++ = *p;
        }
        *d = '\0';
        if (!strstr(out, esc)) {
            fprintf(stderr, "the man page does not mention %s\n", options[i]);
            CU_FAIL("option missing from the man page");
        }
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sim_sdc.conf"));
    free(out);
}

static void test_identity_options(void)
{
    char dir[] = "/tmp/tsim-pw.XXXXXX", pwfile[256];
    FILE *f;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(pwfile, sizeof(pwfile), "%s/pw", dir);
    f = fopen(pwfile, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("S3cret:with=punct\n", f);
    fclose(f);
    const char *args[] = {"--password-file",  pwfile, "--user", "bob", "--system-id",
                          "0123456789ABCDEF", NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(tsim_user(s), "bob");
    CU_ASSERT_STRING_EQUAL(tsim_password(s), "S3cret:with=punct");
    sc *c = sc_new(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char *id = sc_system_id(c);
    CU_ASSERT_STRING_EQUAL(id, "0123456789abcdef");
    struct sc_resp r;
    sc_call(c, &r, "GET", NULL, "/api/instances/System::0123456789abcdef");
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(jstr(r.json, "systemVersionName"), "R3_5"));
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/System::0123456789abcdef/relationships/ProtectionDomain");
    CU_ASSERT(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 1);
    sc_resp_free(&r);
    thttp *h = thttp_new(tsim_url(s), tsim_cafile(s));
    thttp_set_auth(h, "admin", "S3cret:with=punct");
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/login", NULL, NULL), 401);
    thttp_free(h);
    free(id);
    sc_free(c);
    tsim_stop(s);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    tca_run(rm, NULL);
}

static char *first_id(sc *c, const char *path)
{
    struct sc_resp r;
    char *id = NULL;
    sc_call(c, &r, "GET", NULL, "%s", path);
    if (r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len)
        id = jstr(r.json->u.array.values[0], "id") ? strdup(jstr(r.json->u.array.values[0], "id")) : NULL;
    sc_resp_free(&r);
    return id;
}

static void test_restart_keeps_state(void)
{
    char dir[] = "/tmp/tsim-keep.XXXXXX", state[256], dev[256], pattern[4096], back[4096];
    struct sc_resp r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(dev, sizeof(dev), "%s/dev", dir);
    const char *args[] = {"--state-dir", state,    "--sdc-device-dir", dev, "--sdc",
                          "10.0.0.1",    "--pool", "keep:100",         NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    sc *c = sc_new(s);
    char *sys = sc_system_id(c), *pool = sc_pool(c, 0), *sdc = sc_sdc(c, "10.0.0.1");
    char *v = sc_volume(c, "kept", pool, "1", "ThinProvisioned"), *snap, *path, *v2;
    char body[256];
    int fd;
    CU_ASSERT_FATAL(sys && pool && sdc && v);
    CU_ASSERT_EQUAL(sc_map(c, v, sdc), 200);
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"iopsLimit\":\"500\",\"bandwidthLimitInKbps\":\"4096\"}",
             sdc);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/setMappedSdcLimits", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    path = device_path(s, sdc, sys, v);
    memset(pattern, 0x7e, sizeof(pattern));
    fd = open(path, O_WRONLY);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(pwrite(fd, pattern, sizeof(pattern), 8192), (ssize_t)sizeof(pattern));
    close(fd);
    snap = sc_snapshot(c, v, "kept-snap", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(snap);
    sc_free(c);
    CU_ASSERT_EQUAL(tsim_stop_status(s), 0);
    CU_ASSERT(path_missing(path)); /* a stopped SDC shows nothing */

    s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    c = sc_new(s);
    char *sys2 = sc_system_id(c), *pool2 = first_id(c, "/api/types/StoragePool/instances");
    char *sdc2 = sc_sdc(c, "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(sys2, sys);
    CU_ASSERT_STRING_EQUAL(pool2, pool);
    CU_ASSERT_STRING_EQUAL(sdc2, sdc);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "kept");
    yajl_val info = jget(r.json, "mappedSdcInfo");
    CU_ASSERT_FATAL(info && YAJL_IS_ARRAY(info) && info->u.array.len == 1);
    CU_ASSERT_EQUAL(jint(info->u.array.values[0], "limitIops"), 500);
    CU_ASSERT_EQUAL(jint(info->u.array.values[0], "limitBwInMbps"), 4);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", snap);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "ancestorVolumeId"), v);
    sc_resp_free(&r);
    CU_ASSERT(path_exists(path));
    fd = open(path, O_RDONLY);
    CU_ASSERT(fd >= 0 && pread(fd, back, sizeof(back), 8192) == (ssize_t)sizeof(back));
    CU_ASSERT(memcmp(back, pattern, sizeof(back)) == 0);
    if (fd >= 0)
        close(fd);
    v2 = sc_volume(c, "kept-2", pool, "1", "ThinProvisioned");
    CU_ASSERT(v2 && strcmp(v2, v) && strcmp(v2, snap));
    sc_free(c);
    tsim_stop(s);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    tca_run(rm, NULL);
    free(sys);
    free(pool);
    free(sdc);
    free(v);
    free(snap);
    free(path);
    free(v2);
    free(sys2);
    free(pool2);
    free(sdc2);
}

/* A change is on disk before it is answered: a simulator killed right after answering has it
 * when started again on its state dir. */
static void test_kill_keeps_answered_changes(void)
{
    char dir[] = "/tmp/tsim-kill.XXXXXX", state[256], dev[256];
    struct sc_resp r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(state, sizeof(state), "%s/state", dir);
    snprintf(dev, sizeof(dev), "%s/dev", dir);
    const char *args[] = {"--state-dir", state, "--sdc-device-dir", dev, "--pool", "keep:100", NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    sc *c = sc_new(s);
    char *pool = sc_pool(c, 0), *v = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);
    v = sc_volume(c, "answered", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    sc_call(c, &r, "POST", "{\"sizeInGB\":\"16\"}", "/api/instances/Volume::%s/action/setVolumeSize", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    kill(tsim_pid(s), SIGKILL); /* at once: no time for a lazy save */
    sc_free(c);
    tsim_stop(s);

    s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    c = sc_new(s);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "answered");
    CU_ASSERT_EQUAL(jint(r.json, "sizeInKb"), 16 * 1024 * 1024);
    sc_resp_free(&r);
    sc_free(c);
    tsim_stop(s);
    const char *rm[] = {"rm", "-rf", dir, NULL};
    tca_run(rm, NULL);
    free(pool);
    free(v);
}

/* A child that waits to be killed; its pid. */
static pid_t victim(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

static int killed(pid_t pid)
{
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

static int still_running(pid_t pid)
{
    int status = 0;
    return waitpid(pid, &status, WNOHANG) == 0;
}

static int volume_named(sc *c, const char *name)
{
    struct sc_resp r;
    char body[128];
    int found;
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    found = sc_call(c, &r, "POST", body, "/api/types/Volume/instances/action/queryIdByKey") == 200;
    sc_resp_free(&r);
    return found;
}

/* Crash points: the Nth request that changes the array (queries not counted, the count shared
 * through a file) kills the client before, after carrying it out, or after answering. */
static void test_crash_points(void)
{
    char counter[] = "/tmp/tsim-crash.XXXXXX", body[512], *pool, *resp = NULL, *vid;
    int fd = mkstemp(counter);
    sc *c = sc_new(sim);
    pid_t pid;
    CU_ASSERT_FATAL(fd >= 0 && c != NULL);
    close(fd);
    pool = sc_pool(c, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pool);

    /* after: the second change is answered, then the client dies. */
    pid = victim();
    snprintf(body, sizeof(body), "{\"pid\":%ld,\"at\":2,\"when\":\"after\",\"counter\":\"%s\"}", (long)pid,
             counter);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/crash", body), 200);
    vid = sc_volume(c, "crash-a", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL(vid);
    free(vid);
    CU_ASSERT(volume_named(c, "crash-a")); /* a query: not counted */
    CU_ASSERT(still_running(pid));
    vid = sc_volume(c, "crash-b", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NOT_NULL(vid);
    free(vid);
    CU_ASSERT(killed(pid));
    CU_ASSERT_EQUAL(tsim_control_body(sim, "GET", "/sim/crash", NULL, &resp), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\"count\":2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\"armed\":false"));
    free(resp);

    /* applied: carried out, never answered. */
    pid = victim();
    snprintf(body, sizeof(body), "{\"pid\":%ld,\"at\":3,\"when\":\"applied\",\"counter\":\"%s\"}", (long)pid,
             counter);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/crash", body), 200);
    vid = sc_volume(c, "crash-c", pool, "1", "ThinProvisioned");
    CU_ASSERT_PTR_NULL(vid);
    free(vid);
    CU_ASSERT(killed(pid));
    CU_ASSERT(volume_named(c, "crash-c"));

    /* before: killed, and the request dropped unanswered (this client, which lives on, sends it
     * again on a new connection, as curl does when a reused one closes unanswered; a crash point
     * fires once, and counts no more). */
    pid = victim();
    snprintf(body, sizeof(body), "{\"pid\":%ld,\"at\":4,\"when\":\"before\",\"counter\":\"%s\"}", (long)pid,
             counter);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/crash", body), 200);
    free(sc_volume(c, "crash-d", pool, "1", "ThinProvisioned"));
    CU_ASSERT(killed(pid));
    CU_ASSERT_EQUAL(tsim_control_body(sim, "GET", "/sim/crash", NULL, &resp), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\"count\":4"));
    free(resp);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/crash", "{\"at\":1}"), 400);
    CU_ASSERT_EQUAL(tsim_control(sim, "DELETE", "/sim/crash", NULL), 200);
    unlink(counter);
    free(pool);
    sc_free(c);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"a restarted simulator keeps its volumes", test_restart_keeps_state},
        {"a killed simulator keeps what it answered", test_kill_keeps_answered_changes},
        {"crash points kill the client before, applied, after", test_crash_points},
        {"--user, --password-file, --system-id", test_identity_options},
        {"40 concurrent keep-alive clients", test_concurrency},
        {"TLS: wrong CA, wrong host name, plain HTTP to TLS", test_tls_verification},
        {"IPv6 listen, --plain-http", test_ipv6_and_plain},
        {"SIGTERM exit, option errors, --help and man page", test_exit_and_options},
        {NULL, NULL}};
    int rc;
    sim = tsim_start(NULL);
    if (!sim)
        return 1;
    rc = sc_run_suite("sim server", tests);
    tsim_stop(sim);
    return rc;
}
