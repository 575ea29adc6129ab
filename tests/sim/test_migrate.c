/* V-Tree migration: the status runs PendingMigration -> MigrationNormal -> NotInMigration, the
 * volume and its snapshots switch pools only at the end, ids stay, and the refusals; a held
 * migration (POST /sim/migrations) stays where it is; pauses (graceful and forceful), resume,
 * rollback to the source pool, the queue for migration slots and failures part-way, switched on
 * at run time through /sim/modes. */
#include <config.h>
#include "simclient.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static tsim *sim;
static sc *c;
static char *pa, *pb;

static char *pool_of(const char *vol)
{
    struct sc_resp r;
    char *p;
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", vol);
    p = jstr(r.json, "storagePoolId") ? strdup(jstr(r.json, "storagePoolId")) : NULL;
    sc_resp_free(&r);
    return p;
}

static char *status_of(const char *vtree)
{
    struct sc_resp r;
    char *s;
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    s = jstr(jget(r.json, "vtreeMigrationInfo"), "migrationStatus")
            ? strdup(jstr(jget(r.json, "vtreeMigrationInfo"), "migrationStatus"))
            : NULL;
    sc_resp_free(&r);
    return s;
}

static void test_migration(void)
{
    char *v = sc_volume(c, "mig-vol", pa, "1", "ThinProvisioned");
    char *s1 = sc_snapshot(c, v, "mig-s1", NULL), *s2 = sc_snapshot(c, v, "mig-s2", NULL);
    struct sc_resp r;
    char body[128], *vtree, *p;
    int seen_pending = 0, seen_normal = 0, switched_early = 0, done = 0;
    struct timespec t0, t1;
    CU_ASSERT_FATAL(v && s1 && s2);
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    vtree = strdup(jstr(r.json, "vtreeId"));
    sc_resp_free(&r);

    snprintf(body, sizeof(body), "{\"destSPId\":\"%s\"}", pb);
    /* Held from the start, it stays PendingMigration (the first fifth, 600 ms) for as long as
     * the checks below take, and longer. */
    CU_ASSERT_EQUAL_FATAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":true}"), 200);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    p = status_of(vtree);
    CU_ASSERT_STRING_EQUAL(p, "PendingMigration");
    seen_pending = p && !strcmp(p, "PendingMigration");
    free(p);
    /* a second request while it runs */
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/migrateVTree", s1);
    CU_ASSERT_EQUAL(r.status, 500);
    CU_ASSERT_EQUAL(jerr(&r), 717);
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    yajl_val mi = jget(r.json, "vtreeMigrationInfo");
    CU_ASSERT_STRING_EQUAL(jstr(mi, "sourceStoragePoolId"), pa);
    CU_ASSERT_STRING_EQUAL(jstr(mi, "destinationStoragePoolId"), pb);
    sc_resp_free(&r);
    usleep(1000 * 1000); /* past the first fifth: held, it has not moved on */
    p = status_of(vtree);
    CU_ASSERT_STRING_EQUAL(p, "PendingMigration");
    free(p);
    p = pool_of(v);
    CU_ASSERT_STRING_EQUAL(p, pa);
    free(p);
    CU_ASSERT_EQUAL(tsim_control_body(sim, "GET", "/sim/migrations", NULL, &p), 200);
    CU_ASSERT_PTR_NOT_NULL(p && strstr(p, "\"held\":true"));
    free(p);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":1}"), 400);
    CU_ASSERT_EQUAL(tsim_control(sim, "POST", "/sim/migrations", "{\"held\":false}"), 200);

    for (int i = 0; i < 2000 && !done; i++) {
        /* The pool first, then the status: the switch and the end are one step in the
         * simulator, so a pool already switched under a status still migrating is early
         * (the other order races with the end). */
        char *before = pool_of(v);
        char *st = status_of(vtree);
        CU_ASSERT_PTR_NOT_NULL_FATAL(st);
        if (!strcmp(st, "PendingMigration")) {
            seen_pending = 1;
            CU_ASSERT(!seen_normal); /* never backwards */
        } else if (!strcmp(st, "MigrationNormal")) {
            seen_normal = 1;
        } else if (!strcmp(st, "NotInMigration")) {
            done = 1;
        } else {
            CU_FAIL("unexpected migration status");
        }
        if (!done) {
            switched_early |= before && strcmp(before, pa);
            usleep(20 * 1000);
        }
        free(before);
        free(st);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT(done && seen_pending && seen_normal && !switched_early);
    /* 3 s of migration, and the second it was held does not count towards them */
    CU_ASSERT((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 3900);
    const char *all[] = {v, s1, s2};
    for (int i = 0; i < 3; i++) {
        p = pool_of(all[i]);
        CU_ASSERT_STRING_EQUAL(p, pb);
        free(p);
    }
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "storagePoolId"), pb);
    CU_ASSERT(YAJL_IS_NULL(jget(jget(r.json, "vtreeMigrationInfo"), "migrationPauseReason")));
    sc_resp_free(&r);
    sc_call(c, &r, "GET", NULL, "/api/instances/StoragePool::%s/relationships/Volume", pb);
    CU_ASSERT(r.json && YAJL_IS_ARRAY(r.json) && r.json->u.array.len == 3);
    sc_resp_free(&r);

    /* refusals */
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(jerr(&r), 718);
    CU_ASSERT_STRING_EQUAL(jmsg(&r),
                           "The destination Storage Pool and the source Storage Pool are the same.");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"destSPId\":\"00000000deadbeef\"}",
            "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(jerr(&r), 171);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{}", "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(r.status, 400);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"WHOLE_VTREE\"}",
            "/api/instances/Volume::%s/action/removeVolume", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    free(v);
    free(s1);
    free(s2);
    free(vtree);
}

struct want {
    const char *vtree, *status;
};

static int has_status(void *arg)
{
    struct want *w = arg;
    char *s = status_of(w->vtree);
    int ok = s && !strcmp(s, w->status);
    free(s);
    return ok;
}

/* Waits (generously: a loaded machine) until the V-Tree shows that status. */
static int wait_status(const char *vtree, const char *status)
{
    struct want w = {vtree, status};
    return wait_until(has_status, &w, 30000);
}

static char *vtree_of(const char *vol)
{
    struct sc_resp r;
    char *t;
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", vol);
    t = jstr(r.json, "vtreeId") ? strdup(jstr(r.json, "vtreeId")) : NULL;
    sc_resp_free(&r);
    return t;
}

static int post_vol(const char *vol, const char *action, const char *body, int *code)
{
    struct sc_resp r;
    int st;
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/%s", vol, action);
    st = r.status;
    if (code)
        *code = jerr(&r);
    sc_resp_free(&r);
    return st;
}

static int modes(const char *body)
{
    return tsim_control(sim, "POST", "/sim/modes", body);
}

static void test_pause_rollback(void)
{
    char *v = sc_volume(c, "mig-pause", pa, "1", "ThinProvisioned");
    char *snap = sc_snapshot(c, v, "mig-pause-s", NULL);
    char to_b[128], to_a[128], *vtree, *p;
    struct sc_resp r;
    int code = 0;
    CU_ASSERT_FATAL(v && snap);
    vtree = vtree_of(v);
    snprintf(to_b, sizeof(to_b), "{\"destSPId\":\"%s\"}", pb);
    snprintf(to_a, sizeof(to_a), "{\"destSPId\":\"%s\"}", pa);

    /* nothing to pause yet */
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{\"pauseType\":\"Gracefully\"}", &code), 500);
    CU_ASSERT_EQUAL(code, 790);
    CU_ASSERT_EQUAL(post_vol(v, "migrateVTree", to_b, NULL), 200);
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{\"pauseType\":\"Sometimes\"}", NULL), 400);
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{}", NULL), 400);
    CU_ASSERT_FATAL(wait_status(vtree, "MigrationNormal"));
    /* a rollback needs the migration paused first */
    CU_ASSERT_EQUAL(post_vol(v, "migrateVTree", to_a, &code), 500);
    CU_ASSERT_EQUAL(code, 815);
    /* graceful: the piece in flight is finished (GracefullyPausing, 100 ms), then Paused */
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{\"pauseType\":\"Gracefully\"}", NULL), 200);
    p = status_of(vtree);
    CU_ASSERT(p && (!strcmp(p, "GracefullyPausing") || !strcmp(p, "Paused")));
    free(p);
    CU_ASSERT_FATAL(wait_status(vtree, "Paused"));
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{\"pauseType\":\"Forcefully\"}", &code), 500);
    CU_ASSERT_EQUAL(code, 795);
    /* paused by a user: no pause reason; still in the source pool, snapshot too */
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    CU_ASSERT(YAJL_IS_NULL(jget(jget(r.json, "vtreeMigrationInfo"), "migrationPauseReason")));
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "storagePoolId"), pa);
    sc_resp_free(&r);
    usleep(300 * 1000);
    p = status_of(vtree);
    CU_ASSERT_STRING_EQUAL(p, "Paused"); /* a pause holds */
    free(p);
    /* onward to the destination is refused while paused; back to the source rolls it back */
    CU_ASSERT_EQUAL(post_vol(v, "migrateVTree", to_b, &code), 500);
    CU_ASSERT_EQUAL(code, 717);
    CU_ASSERT_EQUAL(post_vol(v, "migrateVTree", to_a, NULL), 200);
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    yajl_val mi = jget(r.json, "vtreeMigrationInfo");
    if (!strcmp(jstr(mi, "migrationStatus"), "MigrationNormal")) {
        /* rolling back: from the destination to where it started */
        CU_ASSERT_STRING_EQUAL(jstr(mi, "sourceStoragePoolId"), pb);
        CU_ASSERT_STRING_EQUAL(jstr(mi, "destinationStoragePoolId"), pa);
    }
    sc_resp_free(&r);
    CU_ASSERT_FATAL(wait_status(vtree, "NotInMigration"));
    p = pool_of(v);
    CU_ASSERT_STRING_EQUAL(p, pa);
    free(p);
    p = pool_of(snap);
    CU_ASSERT_STRING_EQUAL(p, pa);
    free(p);
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", vtree);
    CU_ASSERT(YAJL_IS_NULL(jget(jget(r.json, "vtreeMigrationInfo"), "destinationStoragePoolId")));
    sc_resp_free(&r);

    /* forceful, then resumed: it goes on and ends in the destination */
    CU_ASSERT_EQUAL(post_vol(v, "migrateVTree", to_b, NULL), 200);
    CU_ASSERT_FATAL(wait_status(vtree, "MigrationNormal"));
    CU_ASSERT_EQUAL(post_vol(v, "pauseVTreeMigration", "{\"pauseType\":\"Forcefully\"}", NULL), 200);
    CU_ASSERT_FATAL(wait_status(vtree, "Paused"));
    CU_ASSERT_EQUAL(post_vol(v, "resumeVTreeMigration", "{}", NULL), 200);
    CU_ASSERT_FATAL(wait_status(vtree, "NotInMigration"));
    p = pool_of(v);
    CU_ASSERT_STRING_EQUAL(p, pb);
    free(p);
    CU_ASSERT_EQUAL(post_vol(v, "removeVolume", "{\"removeMode\":\"WHOLE_VTREE\"}", NULL), 200);
    free(v);
    free(snap);
    free(vtree);
}

static void test_queue_and_failure(void)
{
    char *v1 = sc_volume(c, "mig-q1", pa, "1", "ThinProvisioned");
    char *v2 = sc_volume(c, "mig-q2", pa, "1", "ThinProvisioned");
    char to_b[128], to_a[128], *t1, *t2, *p;
    struct sc_resp r;
    CU_ASSERT_FATAL(v1 && v2);
    t1 = vtree_of(v1);
    t2 = vtree_of(v2);
    snprintf(to_b, sizeof(to_b), "{\"destSPId\":\"%s\"}", pb);
    snprintf(to_a, sizeof(to_a), "{\"destSPId\":\"%s\"}", pa);

    /* one migration at a time: the second waits in the queue */
    CU_ASSERT_EQUAL(modes("{\"migrationSlots\":1,\"migrationMs\":1500}"), 200);
    CU_ASSERT_EQUAL(post_vol(v1, "migrateVTree", to_b, NULL), 200);
    CU_ASSERT_EQUAL(post_vol(v2, "migrateVTree", to_b, NULL), 200);
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", t2);
    yajl_val mi = jget(r.json, "vtreeMigrationInfo");
    CU_ASSERT_STRING_EQUAL(jstr(mi, "migrationStatus"), "PendingMigration");
    CU_ASSERT_EQUAL(jint(mi, "migrationQueuePosition"), 1);
    sc_resp_free(&r);
    CU_ASSERT_FATAL(wait_status(t1, "NotInMigration"));
    CU_ASSERT_FATAL(wait_status(t2, "NotInMigration"));
    p = pool_of(v2);
    CU_ASSERT_STRING_EQUAL(p, pb);
    free(p);

    /* failing half way: Paused with a reason, still in the source pool, rolled back */
    CU_ASSERT_EQUAL(modes("{\"migrationSlots\":0,\"migrationFailAt\":0.5}"), 200);
    CU_ASSERT_EQUAL(post_vol(v1, "migrateVTree", to_a, NULL), 200);
    CU_ASSERT_FATAL(wait_status(t1, "Paused"));
    sc_call(c, &r, "GET", NULL, "/api/instances/VTree::%s", t1);
    CU_ASSERT_STRING_EQUAL(jstr(jget(r.json, "vtreeMigrationInfo"), "migrationPauseReason"),
                           "MigrationError");
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "storagePoolId"), pb);
    sc_resp_free(&r);
    CU_ASSERT_EQUAL(modes("{\"migrationFailAt\":0}"), 200);
    CU_ASSERT_EQUAL(post_vol(v1, "migrateVTree", to_b, NULL), 200); /* back where it started */
    CU_ASSERT_FATAL(wait_status(t1, "NotInMigration"));
    p = pool_of(v1);
    CU_ASSERT_STRING_EQUAL(p, pb);
    free(p);

    /* the switches read back; a bad one changes nothing */
    CU_ASSERT_EQUAL(modes("{\"migrationFailAt\":2}"), 400);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":3000}"), 200);
    {
        char *body = NULL;
        CU_ASSERT_EQUAL(tsim_control_body(sim, "GET", "/sim/modes", NULL, &body), 200);
        CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"migrationMs\":3000"));
        CU_ASSERT_PTR_NOT_NULL(body && strstr(body, "\"migrationFailAt\":\"0\""));
        free(body);
    }
    CU_ASSERT_EQUAL(post_vol(v1, "removeVolume", "{\"removeMode\":\"ONLY_ME\"}", NULL), 200);
    CU_ASSERT_EQUAL(post_vol(v2, "removeVolume", "{\"removeMode\":\"ONLY_ME\"}", NULL), 200);
    free(v1);
    free(v2);
    free(t1);
    free(t2);
}

static void test_same_destination_twice(void)
{
    char *v = sc_volume(c, "mig-twice", pa, "1", "ThickProvisioned");
    struct sc_resp r;
    char body[128];
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    snprintf(body, sizeof(body), "{\"destSPId\":\"%s\",\"volTypeConversion\":\"ThickToThin\"}", pb);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(r.status, 200);
    sc_resp_free(&r);
    sc_call(c, &r, "POST", body, "/api/instances/Volume::%s/action/migrateVTree", v);
    CU_ASSERT_EQUAL(jerr(&r), 717);
    CU_ASSERT_STRING_EQUAL(jmsg(&r), "The V-Tree is already undergoing migration to the same Storage Pool");
    sc_resp_free(&r);
    /* wait for the end, then the type conversion shows */
    for (int i = 0; i < 1000; i++) {
        char *p = pool_of(v);
        int moved = p && !strcmp(p, pb);
        free(p);
        if (moved)
            break;
        usleep(20 * 1000);
    }
    sc_call(c, &r, "GET", NULL, "/api/instances/Volume::%s", v);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "storagePoolId"), pb);
    CU_ASSERT_STRING_EQUAL(jstr(r.json, "volumeType"), "ThinProvisioned");
    sc_resp_free(&r);
    sc_call(c, &r, "POST", "{\"removeMode\":\"ONLY_ME\"}", "/api/instances/Volume::%s/action/removeVolume",
            v);
    sc_resp_free(&r);
    free(v);
}

int main(void)
{
    static const struct sc_test tests[] = {
        {"progress states, pool switch at the end, snapshots move", test_migration},
        {"already migrating to the same pool; thick to thin", test_same_destination_twice},
        {"pause (graceful, forceful), rollback to the source, resume", test_pause_rollback},
        {"migration slots queue; failure part-way, rolled back", test_queue_and_failure},
        {NULL, NULL}};
    const char *args[] = {"--pool", "mig-a:200", "--pool", "mig-b:200:pd2", "--migration-ms", "3000", NULL};
    int rc = 1;
    sim = tsim_start(args);
    if (!sim)
        return 1;
    c = sc_new(sim);
    pa = c ? sc_pool(c, 0) : NULL;
    pb = c ? sc_pool(c, 1) : NULL;
    if (pa && pb)
        rc = sc_run_suite("sim migrate", tests);
    free(pa);
    free(pb);
    sc_free(c);
    tsim_stop(sim);
    return rc;
}
