/* Mappings and the SDC side: addMappedSdc/removeMappedSdc rules and codes, limits, SDC objects,
 * device entries (immediate, delayed, at a rescan, removal), drv_cfg output, data through the
 * device, and one host directory serving two systems. */
#include <config.h>
#include "simclient.h"
#include "testca.h"

#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static tsim *sim;
static sc *c;
static char *pool, *sdc1, *sdc2, *sys_id;

static void expect_err(struct sc_resp *r, int status, int code, const char *msg)
{
    CU_ASSERT_EQUAL(r->status, status);
    CU_ASSERT_EQUAL(jerr(r), code);
    if (msg)
        CU_ASSERT_STRING_EQUAL(jmsg(r), msg);
}

static int post(const char *vol, const char *action, const char *body, struct sc_resp *r)
{
    return sc_call(c, r, "POST", body, "/api/instances/Volume::%s/action/%s", vol, action);
}

static void test_map_rules(void)
{
    char *v = sc_volume(c, "map-rules", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    char body[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"allowMultipleMappings\":\"FALSE\"}", sdc1);
    CU_ASSERT_EQUAL(post(v, "addMappedSdc", body, &r), 200);
    sc_resp_free(&r);
    post(v, "addMappedSdc", body, &r);
    expect_err(&r, 500, 81, "The volume is already mapped to this SDC");
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\"}", sdc2);
    post(v, "addMappedSdc", body, &r);
    expect_err(&r, 500, 297, "This volume is already mapped and may not be mapped to additional SDCs.");
    sc_resp_free(&r);
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"allowMultipleMappings\":\"True\"}", sdc2);
    CU_ASSERT_EQUAL(post(v, "addMappedSdc", body, &r), 200);
    sc_resp_free(&r);
    post(v, "addMappedSdc", "{\"sdcId\":\"00000000deadbeef\",\"allowMultipleMappings\":\"TRUE\"}", &r);
    expect_err(&r, 500, 80, "Could not find the SDC");
    sc_resp_free(&r);
    post(v, "addMappedSdc", "{\"sdcId\":\"00000000deadbeef\",\"allowMultipleMappings\":\"maybe\"}", &r);
    expect_err(&r, 400, 0, NULL);
    sc_resp_free(&r);

    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    yajl_val info = jget(r.json, "mappedSdcInfo");
    CU_ASSERT_FATAL(info && YAJL_IS_ARRAY(info) && info->u.array.len == 2);
    yajl_val m0 = info->u.array.values[0];
    CU_ASSERT_STRING_EQUAL(jstr(m0, "sdcId"), sdc1);
    CU_ASSERT_STRING_EQUAL(jstr(m0, "sdcIp"), "10.0.0.1");
    CU_ASSERT_EQUAL(jint(m0, "limitIops"), 0);
    CU_ASSERT_EQUAL(jint(m0, "limitBwInMbps"), 0);
    CU_ASSERT_STRING_EQUAL(jstr(m0, "accessMode"), "ReadWrite");
    CU_ASSERT(YAJL_IS_FALSE(jget(m0, "isDirectBufferMapping")));
    CU_ASSERT(jget(m0, "sdcName") && YAJL_IS_NULL(jget(m0, "sdcName")));
    sc_resp_free(&r);

    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::%s/relationships/Volume", sdc2);
    CU_ASSERT(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 1);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s/relationships/Statistics", v);
    CU_ASSERT_EQUAL(jint(r.json, "numOfMappedSdcs"), 2);
    sc_resp_free(&r);

    /* a mapped volume cannot go */
    post(v, "removeVolume", "{\"removeMode\":\"ONLY_ME\"}", &r);
    expect_err(&r, 500, 104, "Volume is mapped");
    sc_resp_free(&r);

    snprintf(body, sizeof(body),
             "{\"sdcId\":\"%s\",\"skipApplianceValidation\":\"TRUE\",\"ignoreScsiInitiators\":\"TRUE\"}",
             sdc1);
    CU_ASSERT_EQUAL(post(v, "removeMappedSdc", body, &r), 200);
    sc_resp_free(&r);
    post(v, "removeMappedSdc", body, &r);
    expect_err(&r, 500, 84, "The volume is not mapped to SDC");
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(v, "removeMappedSdc", "{\"allSdcs\":\"\"}", &r), 200);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT(YAJL_IS_NULL(jget(r.json, "mappedSdcInfo")));
    sc_resp_free(&r);
    post(v, "removeMappedSdc", "{\"allSdcs\":\"\"}", &r);
    expect_err(&r, 500, 84, NULL);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(v, "removeVolume", "{\"removeMode\":\"ONLY_ME\"}", &r), 200);
    sc_resp_free(&r);
    free(v);
}

static void test_limits(void)
{
    char *v = sc_volume(c, "map-limits", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    char body[256];
    struct {
        const char *bw, *iops;
        int ok;
    } cases[] = {
        {"0", "5", 0},     {"0", "10", 0},       {"1000", "0", 0}, {"-1024", "0", 0},
        {"2048", "11", 1}, {"92160", "9000", 1}, {"0", "0", 1},
    };
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    snprintf(body, sizeof(body), "{\"sdcId\":\"%s\",\"bandwidthLimitInKbps\":\"1024\",\"iopsLimit\":\"0\"}",
             sdc1);
    post(v, "setMappedSdcLimits", body, &r);
    expect_err(&r, 500, 84, NULL); /* not mapped yet */
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(sc_map(c, v, sdc1), 200);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(body, sizeof(body),
                 "{\"sdcId\":\"%s\",\"bandwidthLimitInKbps\":\"%s\",\"iopsLimit\":\"%s\"}", sdc1, cases[i].bw,
                 cases[i].iops);
        post(v, "setMappedSdcLimits", body, &r);
        if (cases[i].ok) {
            CU_ASSERT_EQUAL(r.status, 200);
        } else {
            expect_err(&r, 500, 284,
                       "Invalid throttle parameters. Check the help output for the valid range and use "
                       "arguments that are within that range.");
        }
        sc_resp_free(&r);
        if (i == 5) {
            sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
            yajl_val m0 = jget(r.json, "mappedSdcInfo")->u.array.values[0];
            CU_ASSERT_EQUAL(jint(m0, "limitIops"), 9000);
            CU_ASSERT_EQUAL(jint(m0, "limitBwInMbps"), 90);
            sc_resp_free(&r);
        }
    }
    CU_ASSERT_EQUAL(post(v, "removeMappedSdc", "{\"allSdcs\":\"\"}", &r), 200);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(v, "removeVolume", "{}", &r), 200);
    sc_resp_free(&r);
    free(v);
}

static void test_all_sdcs_and_names(void)
{
    char *v = sc_volume(c, "map-all", pool, "1", "ThinProvisioned");
    struct sc_resp r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(post(v, "addMappedSdc", "{\"allSdcs\":\"\"}", &r), 200);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT(YAJL_IS_TRUE(jget(r.json, "mappingToAllSdcsEnabled")));
    CU_ASSERT(jget(r.json, "mappedSdcInfo") && jget(r.json, "mappedSdcInfo")->u.array.len == 2);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::%s/relationships/Statistics", sdc1);
    CU_ASSERT_EQUAL(jint(r.json, "numOfMappedVolumes"), 1);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(v, "removeMappedSdc", "{\"allSdcs\":\"\"}", &r), 200);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT(YAJL_IS_FALSE(jget(r.json, "mappingToAllSdcsEnabled")));
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(post(v, "removeVolume", "{}", &r), 200);
    sc_resp_free(&r);
    /* an SDC's name shows in its object and in mappings */
    sc_call(c, &r, "POST", "{\"sdcName\":\"kvm-host-2\"}", "/api/instances/Sdc::%s/action/setSdcName", sdc2);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::%s", sdc2);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "name"), "kvm-host-2");
    sc_resp_free(&r);
    free(v);
}

static void test_sdc_objects(void)
{
    struct sc_resp r;
    sc_call(c, &r, "GET", NULL, "/api/types/Sdc/instances");
    CU_ASSERT_FATAL(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 2);
    yajl_val s = r.json->u.array.values[0];
    CU_ASSERT_STRING_EQUAL(jstr(s, "id"), sdc1);
    CU_ASSERT_STRING_EQUAL(jstr(s, "sdcIp"), "10.0.0.1");
    CU_ASSERT_STRING_EQUAL(jstr(s, "sdcGuid"), "028888FA-502A-4FAC-A888-1FA3B256358C");
    CU_ASSERT_STRING_EQUAL(jstr(s, "mdmConnectionState"), "Connected");
    CU_ASSERT_STRING_EQUAL(jstr(s, "systemId"), sys_id);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::%s", sdc2);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "sdcIp"), "10.0.0.2");
    CU_ASSERT_EQUAL(strlen(jstr(r.json, "sdcGuid")), 36);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"ip\":\"10.9.9.9\"}", "/api/types/Sdc/instances/action/queryIdByKey");
    expect_err(&r, 500, 3, "Not found");
    sc_resp_free(&r);
    /* the control side can disconnect an SDC */
    char path[128];
    snprintf(path, sizeof(path), "/sim/sdc/%s/state", sdc2);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", path, "{\"connected\":false}"), 200);
    sc_call(c, &r, "GET", NULL, "/api/instances/Sdc::%s", sdc2);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "mdmConnectionState"), "Disconnected");
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", path, "{\"connected\":true}"), 200);
}

static void test_device_and_data(void)
{
    char *v = sc_volume(c, "dev-data", pool, "1", "ThinProvisioned");
    char *dev, target[PATH_MAX], buf[4096];
    struct sc_resp r;
    struct stat st;
    ssize_t n;
    int fd;
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    dev = device_path(sim, sdc1, sys_id, v);
    CU_ASSERT(path_missing(dev));
    CU_ASSERT_EQUAL(sc_map(c, v, sdc1), 200);
    CU_ASSERT(path_exists(dev)); /* no delay configured: there at once */
    n = readlink(dev, target, sizeof(target) - 1);
    CU_ASSERT_FATAL(n > 0);
    target[n] = '\0';
    CU_ASSERT_EQUAL(stat(dev, &st), 0);
    CU_ASSERT_EQUAL(st.st_size, INT64_C(8) << 30);
    fd = open(dev, O_RDWR);
    CU_ASSERT_FATAL(fd >= 0);
    memset(buf, 0xa5, sizeof(buf));
    CU_ASSERT_EQUAL(pwrite(fd, buf, sizeof(buf), 1 << 20), (ssize_t)sizeof(buf));
    close(fd);
    /* the data file the sim reports is the one written */
    fd = open(target, O_RDONLY);
    memset(buf, 0, sizeof(buf));
    CU_ASSERT_EQUAL(pread(fd, buf, sizeof(buf), 1 << 20), (ssize_t)sizeof(buf));
    CU_ASSERT_EQUAL((unsigned char)buf[100], 0xa5);
    close(fd);
    CU_ASSERT_EQUAL(post(v, "removeMappedSdc", "{\"allSdcs\":\"\"}", &r), 200);
    sc_resp_free(&r);
    CU_ASSERT(path_missing(dev)); /* promptly gone */
    CU_ASSERT_EQUAL(post(v, "removeVolume", "{}", &r), 200);
    sc_resp_free(&r);
    CU_ASSERT(path_missing(target));
    free(dev);
    free(v);
}

/* <home>/bin/drv_cfg -> the built one, <home>/cfg/sim_sdc.conf with the given lines */
static char *make_sdc_home(const char *dir, const char *conf_text)
{
    char *home = NULL, *p = NULL, *exe = NULL;
    FILE *f;
    if (asprintf(&home, "%s/sdc-home", dir) < 0)
        return NULL;
    mkdir(home, 0755);
    asprintf(&p, "%s/bin", home) >= 0 ? mkdir(p, 0755) : 0;
    free(p);
    asprintf(&p, "%s/cfg", home) >= 0 ? mkdir(p, 0755) : 0;
    free(p);
    asprintf(&exe, "%s/sim/drv_cfg", getenv("top_builddir"));
    asprintf(&p, "%s/bin/drv_cfg", home);
    unlink(p);
    CU_ASSERT_EQUAL(symlink(exe, p), 0);
    free(p);
    free(exe);
    asprintf(&p, "%s/cfg/sim_sdc.conf", home);
    f = fopen(p, "w");
    if (f) {
        fputs(conf_text, f);
        fclose(f);
    }
    free(p);
    return home;
}

/* Runs <home>/bin/drv_cfg OPT; returns exit status, stdout in *out (malloc'd). */
static int drv_cfg(const char *home, const char *opt, char **out)
{
    char *cmd = NULL;
    FILE *p;
    size_t len = 0;
    char buf[512];
    int st;
    asprintf(&cmd, "%s/bin/drv_cfg %s", home, opt);
    p = popen(cmd, "r");
    free(cmd);
    *out = calloc(1, 1);
    if (!p)
        return -1;
    while (fgets(buf, sizeof(buf), p)) {
        *out = realloc(*out, len + strlen(buf) + 1);
        memcpy(*out + len, buf, strlen(buf) + 1);
        len += strlen(buf);
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct gone_arg {
    const char *path;
};

static void test_delay_rescan_and_drv_cfg(void)
{
    const char *args[] = {"--sdc",
                          "10.1.0.1:11111111-2222-3333-4444-555555555555",
                          "--device-delay-ms",
                          "5000",
                          "--mdm-ips",
                          "127.0.0.1,127.0.0.2",
                          NULL};
    tsim *s = tsim_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    sc *k = sc_new(s);
    char *p = sc_pool(k, 0), *sdc = sc_sdc(k, "10.1.0.1"), *sys = sc_system_id(k);
    char *v1 = sc_volume(k, "late-1", p, "1", "ThinProvisioned");
    char *v2 = sc_volume(k, "late-2", p, "1", "ThinProvisioned");
    char *d1 = device_path(s, sdc, sys, v1), *d2 = device_path(s, sdc, sys, v2);
    char conf[1024], *home, *out = NULL, want[256];
    struct timespec t0, t1;
    CU_ASSERT_FATAL(v1 && v2 && sdc && sys);
    snprintf(conf, sizeof(conf), "# test host\nurl=%s sdc=%s ca=%s\n", tsim_url(s), "10.1.0.1",
             tsim_cafile(s));
    home = make_sdc_home(tsim_dir(s), conf);

    CU_ASSERT_EQUAL(drv_cfg(home, "--query_vols", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "Retrieved 0 volume(s)\n");
    free(out);
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_guid", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "11111111-2222-3333-4444-555555555555\n");
    free(out);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(sc_map(k, v1, sdc), 200);
    CU_ASSERT(path_missing(d1));
    /* appears by itself after the delay */
    CU_ASSERT(wait_until(path_exists, d1, 120000));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 4900);

    /* or at once at a rescan */
    CU_ASSERT_EQUAL(sc_map(k, v2, sdc), 200);
    CU_ASSERT(path_missing(d2));
    CU_ASSERT_EQUAL(drv_cfg(home, "--rescan", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "Calling kernel module to refresh MDM configuration\n");
    free(out);
    CU_ASSERT(path_exists(d2));
    /* --query_mdms in a real SDC's format: this SDC's id in the system, the MDMs' addresses
     * (--mdm-ips: the master's and the slave's) */
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_mdms", &out), 0);
    snprintf(want, sizeof(want), "Retrieved 1 mdm(s)\nMDM-ID %s SDC ID %s INSTALLATION ID ", sys, sdc);
    CU_ASSERT_EQUAL(strncmp(out, want, strlen(want)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, " IPs [0]-127.0.0.1 [1]-127.0.0.2\n"));
    CU_ASSERT_EQUAL(strlen(out), strlen(want) + 16 + strlen(" IPs [0]-127.0.0.1 [1]-127.0.0.2\n"));
    free(out);
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_vols", &out), 0);
    snprintf(want, sizeof(want), "Retrieved 2 volume(s)\nVOL-ID %s MDM-ID %s\nVOL-ID %s MDM-ID %s\n", v1, sys,
             v2, sys);
    CU_ASSERT_STRING_EQUAL(out, want);
    free(out);

    /* errors go to stderr with a non-zero exit */
    CU_ASSERT_NOT_EQUAL(drv_cfg(home, "--bogus 2>/dev/null", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "");
    free(out);
    free(home);
    snprintf(conf, sizeof(conf), "url=%s sdc=10.1.0.1\n", tsim_url(s)); /* no CA: verification fails */
    home = make_sdc_home(tsim_dir(s), conf);
    CU_ASSERT_NOT_EQUAL(drv_cfg(home, "--rescan 2>/dev/null", &out), 0);
    free(out);
    free(home);
    free(p);
    free(sdc);
    free(sys);
    free(v1);
    free(v2);
    free(d1);
    free(d2);
    sc_free(k);
    tsim_stop(s);
}

static void test_two_systems_one_dir(void)
{
    char dir[] = "/tmp/tsim-host.XXXXXX", arg[512], conf[2048], *out = NULL, *home;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(arg, sizeof(arg), "10.2.0.1:AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE:%s/by-id", dir);
    const char *args[] = {"--sdc", arg, NULL};
    tsim *a = tsim_start(args), *b = tsim_start(args);
    CU_ASSERT_FATAL(a && b);
    sc *ca = sc_new(a), *cb = sc_new(b);
    char *pa = sc_pool(ca, 0), *pb = sc_pool(cb, 0);
    char *sa = sc_sdc(ca, "10.2.0.1"), *sb = sc_sdc(cb, "10.2.0.1");
    char *ya = sc_system_id(ca), *yb = sc_system_id(cb);
    char *va = sc_volume(ca, "on-a", pa, "1", "ThinProvisioned");
    char *vb = sc_volume(cb, "on-b", pb, "1", "ThinProvisioned");
    char pathbuf[1024];
    CU_ASSERT_FATAL(va && vb && sa && sb && ya && yb);
    CU_ASSERT_STRING_NOT_EQUAL(ya, yb);
    CU_ASSERT_EQUAL(sc_map(ca, va, sa), 200);
    CU_ASSERT_EQUAL(sc_map(cb, vb, sb), 200);
    snprintf(pathbuf, sizeof(pathbuf), "%s/by-id/emc-vol-%s-%s", dir, ya, va);
    CU_ASSERT(path_exists(pathbuf));
    snprintf(pathbuf, sizeof(pathbuf), "%s/by-id/emc-vol-%s-%s", dir, yb, vb);
    CU_ASSERT(path_exists(pathbuf));
    snprintf(conf, sizeof(conf),
             "guid=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE\nurl=%s sdc=10.2.0.1 ca=%s\nurl=%s sdc=%s ca=%s\n",
             tsim_url(a), tsim_cafile(a), tsim_url(b), sb, tsim_cafile(b));
    home = make_sdc_home(dir, conf);
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_vols", &out), 0);
    snprintf(conf, sizeof(conf), "Retrieved 2 volume(s)\nVOL-ID %s MDM-ID %s\nVOL-ID %s MDM-ID %s\n", va, ya,
             vb, yb);
    CU_ASSERT_STRING_EQUAL(out, conf);
    free(out);
    free(home);
    sc_free(ca);
    sc_free(cb);
    tsim_stop(a);
    tsim_stop(b);
    /* both simulators took their entries with them */
    snprintf(pathbuf, sizeof(pathbuf), "%s/by-id/emc-vol-%s-%s", dir, ya, va);
    CU_ASSERT(path_missing(pathbuf));
    free(pa);
    free(pb);
    free(sa);
    free(sb);
    free(ya);
    free(yb);
    free(va);
    free(vb);
    {
        const char *rm[] = {"rm", "-rf", dir, NULL};
        tca_run(rm, NULL);
    }
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 4096);
    if (f) {
        size_t n = fread(buf, 1, 4095, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

/* An SDC that starts outside the MDMs: disconnected, mapped volumes do not appear; drv_cfg
 * --add_mdm with one system's MDM addresses joins that system only (the file keeps the line),
 * --query_mdms lists what it joined, --remove_mdm leaves and takes the device entries along. */
static void test_mdm_membership(void)
{
    char dir[] = "/tmp/tsim-mdm.XXXXXX", arg[512], conf[2048], opt[512], *out = NULL, *home, *file, *text;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(arg, sizeof(arg), "10.3.0.1:AAAAAAAA-BBBB-CCCC-DDDD-000000000001:%s/by-id", dir);
    const char *args_a[] = {"--sdc", arg, "--sdcs-detached", "--mdm-ips", "10.9.0.11,10.9.0.12,10.9.0.13",
                            NULL};
    const char *args_b[] = {"--sdc", arg, "--sdcs-detached", NULL};
    tsim *a = tsim_start(args_a), *b = tsim_start(args_b);
    CU_ASSERT_FATAL(a && b);
    sc *ca = sc_new(a), *cb = sc_new(b);
    char *pa = sc_pool(ca, 0), *sa = sc_sdc(ca, "10.3.0.1"), *ya = sc_system_id(ca), *yb = sc_system_id(cb);
    char *va = sc_volume(ca, "mdm-a", pa, "1", "ThinProvisioned");
    char dev[1024];
    struct sc_resp r;
    CU_ASSERT_FATAL(va && sa && ya && yb);
    snprintf(dev, sizeof(dev), "%s/by-id/emc-vol-%s-%s", dir, ya, va);
    /* the system publishes its MDMs; the SDC is not connected yet */
    CU_ASSERT_EQUAL(sc_call(ca, &r, "GET", NULL, "/api/types/System/instances"), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"ips\":[\"10.9.0.11\"]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, "\"ips\":[\"10.9.0.12\"]"));
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(sc_call(ca, &r, "GET", NULL, "/api/instances/Sdc::%s", sa), 200);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "mdmConnectionState"), "Disconnected");
    sc_resp_free(&r);
    /* a mapping is accepted, but nothing appears on a detached SDC, not even at a rescan */
    CU_ASSERT_EQUAL(sc_map(ca, va, sa), 200);
    snprintf(conf, sizeof(conf), "url=%s sdc=10.3.0.1 ca=%s\nurl=%s sdc=10.3.0.1 ca=%s\n", tsim_url(a),
             tsim_cafile(a), tsim_url(b), tsim_cafile(b));
    home = make_sdc_home(dir, conf);
    CU_ASSERT_EQUAL(drv_cfg(home, "--rescan", &out), 0);
    free(out);
    CU_ASSERT(path_missing(dev));
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_mdms", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "Retrieved 0 mdm(s)\n");
    free(out);
    /* joining system a */
    asprintf(&file, "%s/drv_cfg.txt", dir);
    snprintf(opt, sizeof(opt), "--add_mdm --ip 10.9.0.11,10.9.0.12 --file %s", file);
    CU_ASSERT_EQUAL(drv_cfg(home, opt, &out), 0);
    free(out);
    CU_ASSERT(path_exists(dev));
    text = read_text(file);
    CU_ASSERT_STRING_EQUAL(text, "mdm 10.9.0.11,10.9.0.12\n");
    free(text);
    CU_ASSERT_EQUAL(sc_call(ca, &r, "GET", NULL, "/api/instances/Sdc::%s", sa), 200);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "mdmConnectionState"), "Connected");
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_mdms", &out), 0);
    /* the installation id is the simulator's own for the system (GET /sim/sdc/ID) */
    snprintf(
        conf, sizeof(conf),
        "Retrieved 1 mdm(s)\nMDM-ID %s SDC ID %s INSTALLATION ID %016llx IPs [0]-10.9.0.11 [1]-10.9.0.12\n",
        ya, sa, (unsigned long long)(strtoull(ya, NULL, 16) ^ UINT64_C(0x5a5aa5a55a5aa5a5)));
    CU_ASSERT_STRING_EQUAL(out, conf);
    free(out);
    /* addresses nobody answers to */
    CU_ASSERT_NOT_EQUAL(drv_cfg(home, "--add_mdm --ip 192.0.2.1 2>/dev/null", &out), 0);
    free(out);
    /* the usage names --remove_mdm (what CloudStack looks for) */
    CU_ASSERT_NOT_EQUAL(drv_cfg(home, "2>&1", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--remove_mdm"));
    free(out);
    /* leaving: the entry goes, the mapping stays on the array */
    snprintf(opt, sizeof(opt), "--remove_mdm --ip 10.9.0.11,10.9.0.12 --file %s", file);
    CU_ASSERT_EQUAL(drv_cfg(home, opt, &out), 0);
    free(out);
    CU_ASSERT(path_missing(dev));
    text = read_text(file);
    CU_ASSERT_STRING_EQUAL(text, "");
    free(text);
    CU_ASSERT_EQUAL(sc_call(ca, &r, "GET", NULL, "/api/instances/Volume::%s", va), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body, sa));
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(drv_cfg(home, "--query_mdms", &out), 0);
    CU_ASSERT_STRING_EQUAL(out, "Retrieved 0 mdm(s)\n");
    free(out);
    free(file);
    free(home);
    sc_free(ca);
    sc_free(cb);
    tsim_stop(a);
    tsim_stop(b);
    free(pa);
    free(sa);
    free(ya);
    free(yb);
    free(va);
    {
        const char *rm[] = {"rm", "-rf", dir, NULL};
        tca_run(rm, NULL);
    }
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"MDM membership: --sdcs-detached, drv_cfg --add_mdm, --query_mdms, --remove_mdm",
         test_mdm_membership},
        {"addMappedSdc/removeMappedSdc rules and codes", test_map_rules},
        {"setMappedSdcLimits rules and read-back", test_limits},
        {"Sdc objects and queries", test_sdc_objects},
        {"allSdcs mapping, SDC names and statistics", test_all_sdcs_and_names},
        {"device entry follows the mapping; data through it", test_device_and_data},
        {"delayed device, rescan and drv_cfg output", test_delay_rescan_and_drv_cfg},
        {"one host directory, two systems", test_two_systems_one_dir},
        {NULL, NULL}};
    const char *args[] = {"--sdc", "10.0.0.1:028888fa-502a-4fac-a888-1fa3b256358c", "--sdc", "10.0.0.2",
                          NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    if (c) {
        pool = sc_pool(c, 0);
        sdc1 = sc_sdc(c, "10.0.0.1");
        sdc2 = sc_sdc(c, "10.0.0.2");
        sys_id = sc_system_id(c);
        if (pool && sdc1 && sdc2 && sys_id)
            rc = sc_run_suite("sim mapping", tests);
    }
    free(pool);
    free(sdc1);
    free(sdc2);
    free(sys_id);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
