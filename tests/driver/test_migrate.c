/* test_migrate.c - V-Tree migrations on a bad day, through the ABI against powerflex-sim: one
 * that outlives kvm.storage.offline.migration.wait, one the array fails half way, one the host
 * cancels, one paused on the array and one whose watch fails at the deadline are each paused,
 * rolled back to the source pool and reported; one waiting in the array's queue and one watched through HTML
 * error pages finish. */
#include "config.h"

#include "drvtest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_KEY "kvm.storage.offline.migration.wait"

static tsim *sim;
static sp_pool *pool, *pool2;
static char *pool_id, *pool2_id;

static int setup(void)
{
    const char *extra[] = {"--pool", "pool1:1024", "--pool", "pool2:1024", "--migration-ms", "300", NULL};
    dt_details d = {0};

    dt_load();
    sim = dt_sim(extra);
    pool = dt_pool(sim, "pool1", DT_POOL_UUID, &d, NULL);
    if (pool == NULL)
        return -1;
    pool_id = strdup(dt_detail(&d, "powerflex.storagepool.id"));
    dt_details_free(&d);
    pool2 = dt_pool(sim, "pool2", DT_POOL_UUID2, &d, NULL);
    if (pool2 == NULL)
        return -1;
    pool2_id = strdup(dt_detail(&d, "powerflex.storagepool.id"));
    dt_details_free(&d);
    return 0;
}

static int teardown(void)
{
    LC->close(pool);
    LC->close(pool2);
    free(pool_id);
    free(pool2_id);
    tsim_stop(sim);
    return dt_unload() == 0 ? 0 : -1;
}

static int modes(const char *json)
{
    return tsim_control(sim, "POST", "/sim/modes", json);
}

/* The array's view of the volume: its pool and its V-Tree's migration status. */
static void array_state(const char *vol_id, char *pool_buf, char *status_buf, size_t len)
{
    char path[128];
    yajl_val v, t;

    pool_buf[0] = status_buf[0] = '\0';
    snprintf(path, sizeof(path), "/instances/Volume::%s", vol_id);
    v = dt_api_get(sim, path);
    if (v == NULL)
        return;
    snprintf(pool_buf, len, "%s", dt_jstr(v, "storagePoolId") ? dt_jstr(v, "storagePoolId") : "");
    snprintf(path, sizeof(path), "/instances/VTree::%s", dt_jstr(v, "vtreeId") ? dt_jstr(v, "vtreeId") : "");
    t = dt_api_get(sim, path);
    if (t != NULL && YAJL_IS_OBJECT(t)) {
        for (size_t i = 0; i < t->u.object.len; i++)
            if (strcmp(t->u.object.keys[i], "vtreeMigrationInfo") == 0)
                snprintf(status_buf, len, "%s", dt_jstr(t->u.object.values[i], "migrationStatus"));
    }
    yajl_tree_free(t);
    yajl_tree_free(v);
}

static int new_volume(uint64_t id, sp_volume_info *vol)
{
    sp_volume_spec spec = dt_spec(SP_VOLUME_DATA, id, 8 * GIB, SP_PROVISION_THIN);
    sp_error err = {0};

    if (DRV->create_volume(pool, &spec, vol, &err) != SP_OK) {
        fprintf(stderr, "create %" PRIu64 ": %s\n", id, err.message);
        return -1;
    }
    return 0;
}

/* The volume, back in pool1 and not migrating; then deleted. */
static void check_rolled_back(const sp_volume_info *vol)
{
    char where[64], status[64];
    sp_error err = {0};

    array_state(vol->id, where, status, sizeof(where));
    CU_ASSERT_STRING_EQUAL(where, pool_id);
    CU_ASSERT_STRING_EQUAL(status, "NotInMigration");
    CU_ASSERT_EQUAL(DRV->delete_volume(pool, &(sp_volume_ref){vol->path}, &err), SP_OK);
}

static void test_timeout_rolls_back(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_error err = {0};
    int pauses = dt_count(sim, "POST /api/instances/Volume::{id}/action/pauseVTreeMigration");
    int migrates = dt_count(sim, "POST /api/instances/Volume::{id}/action/migrateVTree");

    CU_ASSERT_EQUAL_FATAL(new_volume(800, &vol), 0);
    /* A migration of ten minutes against a timeout of one second, at the pool's scope. */
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":600000}"), 200);
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, WAIT_KEY, "1");
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err),
                    SP_E_TIMEOUT);
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, WAIT_KEY, NULL);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300}"), 200);
    /* The message names the volume, the timeout and where the volume is. */
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, vol.path));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "within 1 s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, WAIT_KEY));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rolled back to pool " DT_POOL_UUID));
    /* One pause, and migrateVTree twice: there and back. */
    CU_ASSERT_EQUAL(dt_count(sim, "POST /api/instances/Volume::{id}/action/pauseVTreeMigration") - pauses, 1);
    CU_ASSERT_EQUAL(dt_count(sim, "POST /api/instances/Volume::{id}/action/migrateVTree") - migrates, 2);
    check_rolled_back(&vol);
}

static void test_failure_part_way_rolls_back(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(new_volume(801, &vol), 0);
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":1000,\"migrationFailAt\":0.5}"), 200);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err),
                    SP_E_BACKEND);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300,\"migrationFailAt\":0}"), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "MigrationError"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rolled back to pool " DT_POOL_UUID));
    check_rolled_back(&vol);
}

static int cancel_now(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    (void)phase;
    (void)done;
    (void)total;
    ++*(int *)ctx;
    return 1;
}

static void test_cancel_rolls_back(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    int calls = 0;
    sp_progress progress = {cancel_now, &calls};
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(new_volume(802, &vol), 0);
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":600000}"), 200);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, &progress, &out, &err),
                    SP_E_CANCELLED);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300}"), 200);
    CU_ASSERT(calls >= 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cancelled"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rolled back"));
    check_rolled_back(&vol);
}

/* Someone paused the migration on the array (the plugin's own request found it under way):
 * it does not stay half-done. */
static void test_paused_on_array_rolls_back(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    char path[128], body[128];
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(new_volume(803, &vol), 0);
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":600000}"), 200);
    snprintf(path, sizeof(path), "/instances/Volume::%s/action/migrateVTree", vol.id);
    snprintf(body, sizeof(body), "{\"destSPId\":\"%s\"}", pool2_id);
    CU_ASSERT_EQUAL_FATAL(dt_api_post(sim, path, body), 200);
    snprintf(path, sizeof(path), "/instances/Volume::%s/action/pauseVTreeMigration", vol.id);
    CU_ASSERT_EQUAL_FATAL(dt_api_post(sim, path, "{\"pauseType\":\"Forcefully\"}"), 200);
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err),
                    SP_E_STATE);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300}"), 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "paused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rolled back"));
    check_rolled_back(&vol);
}

/* A migration that waits for a slot (PendingMigration in the queue), watched through HTML pages
 * and 504s from a proxy, ends where it was asked to go. */
static void test_queued_through_html_errors(void)
{
    sp_volume_info a = SP_INIT(sp_volume_info), b = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    char path[128], body[128], where[64], status[64];
    sp_error err = {0};

    CU_ASSERT_EQUAL_FATAL(new_volume(804, &a), 0);
    CU_ASSERT_EQUAL_FATAL(new_volume(805, &b), 0);
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":1000,\"migrationSlots\":1}"), 200);
    snprintf(path, sizeof(path), "/instances/Volume::%s/action/migrateVTree", a.id);
    snprintf(body, sizeof(body), "{\"destSPId\":\"%s\"}", pool2_id);
    CU_ASSERT_EQUAL_FATAL(dt_api_post(sim, path, body), 200);
    CU_ASSERT_FATAL(dt_fault(sim, "GET /api/instances/VTree::{id}:html:status=500:p=0.3"));
    CU_ASSERT_FATAL(dt_fault(sim, "GET /api/instances/VTree::{id}:http504:p=0.2"));
    CU_ASSERT_EQUAL(DRV->migrate_volume(pool, &(sp_volume_ref){b.path}, pool2, NULL, &out, &err), SP_OK);
    dt_clear_faults(sim);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300,\"migrationSlots\":0}"), 200);
    CU_ASSERT_STRING_EQUAL(out.array_pool_id, pool2_id);
    array_state(b.id, where, status, sizeof(where));
    CU_ASSERT_STRING_EQUAL(where, pool2_id);
    array_state(a.id, where, status, sizeof(where));
    CU_ASSERT_STRING_EQUAL(where, pool2_id); /* the first one had its turn before */
    CU_ASSERT_EQUAL(DRV->delete_volume(pool2, &(sp_volume_ref){a.path}, &err), SP_OK);
    CU_ASSERT_EQUAL(DRV->delete_volume(pool2, &(sp_volume_ref){b.path}, &err), SP_OK);
}

/* The watch fails just as the timeout runs out (a 503 on the poll at the deadline): the
 * migration is ours and still running, so it is taken back like a timed-out one, not left to
 * finish in the destination behind the failure. */
static void test_watch_failing_at_deadline_rolls_back(void)
{
    sp_volume_info vol = SP_INIT(sp_volume_info), out = SP_INIT(sp_volume_info);
    sp_error err = {0};
    sp_status st;

    CU_ASSERT_EQUAL_FATAL(new_volume(806, &vol), 0);
    CU_ASSERT_EQUAL_FATAL(modes("{\"migrationMs\":600000}"), 200);
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, WAIT_KEY, "1");
    /* Every poll from the second on fails for a while: the one at the deadline among them. */
    CU_ASSERT_FATAL(dt_fault(sim, "GET /api/instances/VTree::{id}:http503:from=2:count=12"));
    st = DRV->migrate_volume(pool, &(sp_volume_ref){vol.path}, pool2, NULL, &out, &err);
    dt_clear_faults(sim);
    host_setting_set(dt_services(), SP_SCOPE_POOL, DT_POOL_UUID, WAIT_KEY, NULL);
    CU_ASSERT_EQUAL(modes("{\"migrationMs\":300}"), 200);
    CU_ASSERT_NOT_EQUAL(st, SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rolled back to pool " DT_POOL_UUID));
    check_rolled_back(&vol);
}

int main(void)
{
    static const dt_test tests[] = {
        {"timed out: paused, rolled back, SP_E_TIMEOUT naming volume and timeout", test_timeout_rolls_back},
        {"failed part-way on the array: rolled back", test_failure_part_way_rolls_back},
        {"cancelled by the host: rolled back", test_cancel_rolls_back},
        {"paused on the array: rolled back", test_paused_on_array_rolls_back},
        {"queued for a slot and watched through HTML error pages: finishes", test_queued_through_html_errors},
        {"watch failing at the deadline: rolled back", test_watch_failing_at_deadline_rolls_back},
        {NULL, NULL},
    };

    return dt_run("migrate", setup, teardown, tests);
}
