/* The simulator's objects against responses captured from real gateways (tests/fixtures): every
 * field of a fixture object exists in the simulator's object with the same JSON type, except the
 * fields only PowerFlex 4.x/5.x have. FIXTURES_DIR is set by the build. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tsim *sim;
static sc *c;
static char *pool, *sdc, *sys_id, *vol;

/* NVMe/TCP and 5.x-only fields that a 3.5 gateway does not have. */
static const char *const newer_only[] = {"nqn",   "hostType",    "nsid",           "sdtId",
                                         "sdrId", "maxNumPaths", "maxNumSysPorts", NULL};

static yajl_val load(const char *name)
{
    char path[4096], err[256];
    FILE *f;
    char *buf;
    long n;
    yajl_val v;
    snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
    f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open fixture %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = calloc(1, (size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n)
        n = 0;
    fclose(f);
    v = yajl_tree_parse(buf, err, sizeof(err));
    free(buf);
    return v;
}

static const char *type_name(yajl_val v)
{
    if (!v || YAJL_IS_NULL(v))
        return "null";
    if (YAJL_IS_STRING(v))
        return "string";
    if (YAJL_IS_NUMBER(v))
        return "number";
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        return "bool";
    if (YAJL_IS_ARRAY(v))
        return "array";
    return "object";
}

static int is_newer_only(const char *k)
{
    for (size_t i = 0; newer_only[i]; i++)
        if (!strcmp(newer_only[i], k))
            return 1;
    return 0;
}

/* Every fixture field is in ours with the same type; nested objects too unless skip_nested. */
static int same_shape(const char *what, yajl_val fix, yajl_val ours, const char *skip_nested)
{
    int bad = 0;
    if (!fix || !ours || !YAJL_IS_OBJECT(fix) || !YAJL_IS_OBJECT(ours)) {
        fprintf(stderr, "%s: not an object\n", what);
        return 1;
    }
    for (size_t i = 0; i < fix->u.object.len; i++) {
        const char *k = fix->u.object.keys[i];
        yajl_val fv = fix->u.object.values[i], ov = jget(ours, k);
        if (is_newer_only(k))
            continue;
        if (!ov) {
            fprintf(stderr, "%s: field %s missing\n", what, k);
            bad++;
            continue;
        }
        if (YAJL_IS_NULL(fv))
            continue; /* nullable: any type may stand there */
        if (strcmp(type_name(fv), type_name(ov))) {
            fprintf(stderr, "%s: field %s is %s, fixture has %s\n", what, k, type_name(ov), type_name(fv));
            bad++;
            continue;
        }
        if (YAJL_IS_OBJECT(fv) && (!skip_nested || strcmp(k, skip_nested))) {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s.%s", what, k);
            bad += same_shape(sub, fv, ov, NULL);
        }
        if (YAJL_IS_ARRAY(fv) && fv->u.array.len && YAJL_IS_OBJECT(fv->u.array.values[0]) &&
            ov->u.array.len && strcmp(k, "links")) {
            char sub[256];
            snprintf(sub, sizeof(sub), "%s.%s[0]", what, k);
            bad += same_shape(sub, fv->u.array.values[0], ov->u.array.values[0], NULL);
        }
    }
    return bad;
}

static yajl_val first(yajl_val arr)
{
    return arr && YAJL_IS_ARRAY(arr) && arr->u.array.len ? arr->u.array.values[0] : NULL;
}

static void compare(const char *fixture, int take_first, const char *path, int ours_first,
                    const char *skip_nested)
{
    yajl_val fix = load(fixture);
    struct sc_resp r;
    CU_ASSERT_PTR_NOT_NULL_FATAL(fix);
    sc_call(c, &r, "GET", NULL, "%s", path);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(
        same_shape(fixture, take_first ? first(fix) : fix, ours_first ? first(r.json) : r.json, skip_nested),
        0);
    sc_resp_free(&r);
    yajl_tree_free(fix);
}

static void test_volume(void)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/instances/Volume::%s", vol);
    compare("cinder_sdc_volumes_response.json", 1, path, 0, NULL);
    snprintf(path, sizeof(path), "/api/instances/Sdc::%s/relationships/Volume", sdc);
    compare("cinder_sdc_volumes_response.json", 1, path, 1, NULL);
}

static void test_sdc(void)
{
    char path[256];
    snprintf(path, sizeof(path), "/api/instances/Sdc::%s", sdc);
    compare("cinder_sdc_by_id_response.json", 0, path, 0, NULL);
    compare("cinder_sdc_instances_response.json", 1, "/api/types/Sdc/instances", 1, NULL);
    compare("csi_sdc_instances.json", 1, "/api/types/Sdc/instances", 1, NULL);
}

static void test_pool(void)
{
    char path[256];
    compare("csi_storage_pool_instances.json", 1, "/api/types/StoragePool/instances", 1, NULL);
    snprintf(path, sizeof(path), "/api/instances/StoragePool::%s/relationships/Statistics", pool);
    compare("csi_storage_pool_statistics.json", 0, path, 0, NULL);
}

static void test_system(void)
{
    char path[256];
    /* mdmCluster's members changed names between 2.6 (worker) and 3.x (slaves) */
    compare("csi_system_instances.json", 1, "/api/types/System/instances", 1, "mdmCluster");
    snprintf(path, sizeof(path), "/api/instances/System::%s/relationships/Statistics", sys_id);
    compare("csi_system_statistics.json", 0, path, 0, NULL);
}

static void test_volume_stats_snapshot_401(void)
{
    char path[256], body[256];
    struct sc_resp r;
    yajl_val fix;
    snprintf(path, sizeof(path), "/api/instances/Volume::%s/relationships/Statistics", vol);
    compare("csi_volume_statistics.json", 0, path, 0, NULL);

    fix = load("csi_snapshot_volumes_response.json");
    snprintf(body, sizeof(body), "{\"snapshotDefs\":[{\"volumeId\":\"%s\",\"snapshotName\":\"fx-snap\"}]}",
             vol);
    sc_call(c, &r, "POST", body, "/api/instances/System/action/snapshotVolumes");
    CU_ASSERT_EQUAL(same_shape("csi_snapshot_volumes_response.json", fix, r.json, NULL), 0);
    sc_resp_free(&r);
    yajl_tree_free(fix);

    fix = load("csi_error_401_unauthorized.json");
    thttp *h = thttp_new(tsim_url(sim), tsim_cafile(sim));
    char *resp = NULL, err[128];
    thttp_set_auth(h, "", "expired");
    CU_ASSERT_EQUAL(thttp_request(h, "GET", "/api/types/Volume/instances", NULL, &resp), 401);
    yajl_val ours = yajl_tree_parse(resp ? resp : "", err, sizeof(err));
    CU_ASSERT_EQUAL(same_shape("csi_error_401_unauthorized.json", fix, ours, NULL), 0);
    CU_ASSERT_STRING_EQUAL(jstr(ours, "message"), jstr(fix, "message"));
    CU_ASSERT_EQUAL(jint(ours, "httpStatusCode"), jint(fix, "httpStatusCode"));
    CU_ASSERT_EQUAL(jint(ours, "errorCode"), jint(fix, "errorCode"));
    yajl_tree_free(ours);
    yajl_tree_free(fix);
    free(resp);
    thttp_free(h);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"Volume (cinder capture)", test_volume},
        {"Sdc (cinder capture, csi list)", test_sdc},
        {"StoragePool and its Statistics (csi)", test_pool},
        {"System and its Statistics (csi)", test_system},
        {"Volume statistics, snapshotVolumes answer, 401 body", test_volume_stats_snapshot_401},
        {NULL, NULL}};
    const char *args[] = {"--sdc", "192.168.10.12", NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    if (c) {
        pool = sc_pool(c, 0);
        sdc = sc_sdc(c, "192.168.10.12");
        sys_id = sc_system_id(c);
        vol = pool ? sc_volume(c, "fixture-vol", pool, "8388608", "ThinProvisioned") : NULL;
        if (vol && sdc && sys_id && sc_map(c, vol, sdc) == 200)
            rc = sc_run_suite("sim fixtures", tests);
    }
    free(pool);
    free(sdc);
    free(sys_id);
    free(vol);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
