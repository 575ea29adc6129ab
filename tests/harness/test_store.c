/* test_store.c - the harness's SQLite store (transactions, restart, trigger-kept aggregates),
 * settings (CloudStack's defaults, scope fallback, the persisted identifier) and the allocator
 * (tags, scope order, state, thresholds, over-provisioning) with suitable-pool answers, all on
 * synthetic rows without a plugin. */
#include "config.h"

#include "alloc.h"
#include "cfg.h"
#include "crypt.h"
#include "cs.h"
#include "fsutil.h"
#include "harness.h"
#include "store.h"
#include "volops.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIB (INT64_C(1) << 30)

static char dir[256];

static char *path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

static int64_t one(sqlite3 *db, const char *sql)
{
    char err[256];
    int64_t v = -1;
    CU_ASSERT_EQUAL(host_sql_int(db, &v, err, sizeof(err), sql, ""), 1);
    return v;
}

static void test_transactions_and_restart(void)
{
    sqlite3 *db;
    char err[256], db_path[512];

    snprintf(db_path, sizeof(db_path), "%s", path("tx.db"));
    CU_ASSERT_EQUAL_FATAL(host_store_open(db_path, &db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_store_begin(db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err),
                                 "INSERT INTO zone(uuid, name, networktype, allocationstate, created) VALUES "
                                 "('u1', 'gone', 'Advanced', 'Disabled', 0)",
                                 ""),
                    1);
    host_store_rollback(db);
    CU_ASSERT_EQUAL(one(db, "SELECT count(*) FROM zone"), 0);
    CU_ASSERT_EQUAL(host_store_begin(db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err),
                                 "INSERT INTO zone(uuid, name, networktype, allocationstate, created) VALUES "
                                 "(?, ?, 'Advanced', 'Disabled', 0)",
                                 "tt", "u2", "kept"),
                    1);
    CU_ASSERT_EQUAL(host_store_commit(db, err, sizeof(err)), 0);
    /* A second writer waits for the first: BEGIN IMMEDIATE. */
    host_store_close(db);
    CU_ASSERT_EQUAL_FATAL(host_store_open(db_path, &db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(one(db, "SELECT count(*) FROM zone WHERE name = 'kept'"), 1);
    CU_ASSERT_EQUAL(one(db, "SELECT value FROM meta WHERE key = 'schema'"), HOST_STORE_SCHEMA_VERSION);
    /* Unique names are the database's job too. */
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err),
                                 "INSERT INTO zone(uuid, name, networktype, allocationstate, created) VALUES "
                                 "('u3', 'kept', 'A', 'D', 0)",
                                 ""),
                    -1);
    host_store_close(db);
}

/* Ids of objects named on the array are never handed out twice, even when the transaction that
 * took one was rolled back (its array object may have outlived it). */
static void test_rolled_back_ids_not_reused(void)
{
    sqlite3 *db;
    char err[256];
    static const char insert[] = "INSERT INTO snapshot(uuid, name, volume_id, path, size, state, created) "
                                 "VALUES (?, 's', 1, '', 0, 'Creating', 0)";

    CU_ASSERT_EQUAL_FATAL(host_store_open(path("ids.db"), &db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_store_begin(db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err), insert, "t", "a"), 1);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err), insert, "t", "b"), 1);
    CU_ASSERT_EQUAL(one(db, "SELECT max(id) FROM snapshot"), 2);
    host_store_rollback(db);
    CU_ASSERT_EQUAL(one(db, "SELECT count(*) FROM snapshot"), 0);
    CU_ASSERT_EQUAL(host_store_begin(db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err), insert, "t", "c"), 1);
    CU_ASSERT_EQUAL(host_store_commit(db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(one(db, "SELECT id FROM snapshot WHERE uuid = 'c'"), 3);
    /* and across a reopen */
    host_store_close(db);
    CU_ASSERT_EQUAL_FATAL(host_store_open(path("ids.db"), &db, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(host_sql_run(db, err, sizeof(err), insert, "t", "d"), 1);
    CU_ASSERT_EQUAL(one(db, "SELECT id FROM snapshot WHERE uuid = 'd'"), 4);
    host_store_close(db);
}

static void test_aggregates_follow_rows(void)
{
    sqlite3 *db;
    char err[256];

    CU_ASSERT_EQUAL_FATAL(host_store_open(NULL, &db, err, sizeof(err)), 0);
    host_sql_run(
        db, err, sizeof(err),
        "INSERT INTO pool(id, uuid, name, zone_id, scope, state, provider, hypervisor, url, created) "
        "VALUES (1, 'a', 'a', 1, 'ZONE', 'Up', 'PowerFlex', 'KVM', '', 0), (2, 'b', 'b', 1, 'ZONE', 'Up', "
        "'PowerFlex', 'KVM', '', 0)",
        "");
    host_sql_run(
        db, err, sizeof(err),
        "INSERT INTO volume(id, uuid, name, type, pool_id, size, provisioning, zone_id, state, created) "
        "VALUES (1, 'v1', 'v1', 'DATA', 1, 100, 'thin', 1, 'Ready', 0), (2, 'v2', 'v2', 'DATA', NULL, 50, "
        "'thin', 1, 'Allocated', 0)",
        "");
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 1"), 100);
    host_sql_run(db, err, sizeof(err), "UPDATE volume SET pool_id = 1 WHERE id = 2", "");
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 1"), 150);
    CU_ASSERT_EQUAL(one(db, "SELECT n_objects FROM pool WHERE id = 1"), 2);
    host_sql_run(db, err, sizeof(err), "UPDATE volume SET size = 80 WHERE id = 1", "");
    host_sql_run(db, err, sizeof(err), "UPDATE volume SET pool_id = 2 WHERE id = 2", "");
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 1"), 80);
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 2"), 50);
    host_sql_run(db, err, sizeof(err),
                 "INSERT INTO snapshot(uuid, name, volume_id, pool_id, path, size, state, created) VALUES "
                 "('s', 's', 1, 1, 'p', 80, 'BackedUp', 0)",
                 "");
    host_sql_run(db, err, sizeof(err),
                 "INSERT INTO template_pool(template_id, pool_id, path, size) VALUES (1, 2, 't', 8)", "");
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 1"), 160);
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 2"), 58);
    host_sql_run(db, err, sizeof(err), "UPDATE template_pool SET pool_id = 1", "");
    host_sql_run(db, err, sizeof(err), "DELETE FROM volume", "");
    host_sql_run(db, err, sizeof(err), "DELETE FROM snapshot", "");
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 1"), 8);
    CU_ASSERT_EQUAL(one(db, "SELECT allocated FROM pool WHERE id = 2"), 0);
    CU_ASSERT_EQUAL(one(db, "SELECT n_objects FROM pool WHERE id = 1"), 1);
    host_store_close(db);
}

/* Passphrases of encrypted volumes: one per volume, sealed in the database (never the passphrase
 * itself), opened for a call and gone with the volume. */
static void test_passphrases(void)
{
    host_cs cs;
    host_err e;
    host_crypt c;
    host_vol v;
    char db_path[512], err[256], sealed[1024], first[128];
    int64_t vol, vol2;

    snprintf(db_path, sizeof(db_path), "%s", path("crypt.db"));
    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, db_path, path("work-crypt"), &e), 0);
    CU_ASSERT_EQUAL(
        host_sql_run(
            cs.db, err, sizeof(err),
            "INSERT INTO offering(uuid, name, displaytext, kind, provisioning, disksize, customized, "
            "tags, created) VALUES ('o1', 'enc', 'enc', 'disk', 'thin', 8589934592, 0, '', 0)",
            ""),
        1);
    CU_ASSERT_EQUAL(
        host_sql_run(cs.db, err, sizeof(err), "INSERT INTO offering_encrypt(offering_id) VALUES (1)", ""), 1);
    CU_ASSERT_EQUAL(
        host_sql_run(cs.db, err, sizeof(err),
                     "INSERT INTO volume(uuid, name, type, size, provisioning, offering_id, zone_id, "
                     "state, created) VALUES ('v1', 'v1', 'DATA', 8589934592, 'thin', 1, 1, 'Allocated', 0)",
                     ""),
        1);
    vol = sqlite3_last_insert_rowid(cs.db);
    CU_ASSERT_EQUAL_FATAL(host_vol_load(&cs, vol, &v, &e), 0);
    CU_ASSERT_EQUAL(host_offering_encrypts(&cs, v.offering_id, &e), 1);
    CU_ASSERT_EQUAL(host_offering_encrypts(&cs, 0, &e), 0);
    CU_ASSERT_EQUAL(host_crypt_open(&cs, vol, &c, &e), 0); /* none yet */
    CU_ASSERT_EQUAL(host_vol_encryption_new(&cs, vol, &e), 0);
    CU_ASSERT_EQUAL(host_vol_encryption_new(&cs, vol, &e), 0); /* kept, not replaced */
    CU_ASSERT_EQUAL(one(cs.db, "SELECT count(*) FROM passphrase"), 1);
    CU_ASSERT_EQUAL_FATAL(host_crypt_open(&cs, vol, &c, &e), 1);
    CU_ASSERT_EQUAL(c.enc.struct_size, sizeof(sp_encryption));
    CU_ASSERT_EQUAL(c.enc.passphrase_len, 64);
    snprintf(first, sizeof(first), "%s", c.pass);
    CU_ASSERT_EQUAL(host_sql_text(cs.db, sealed, sizeof(sealed), err, sizeof(err),
                                  "SELECT passphrase FROM passphrase", ""),
                    1);
    CU_ASSERT_EQUAL(strncmp(sealed, "enc:v1:", 7), 0);
    CU_ASSERT_PTR_NULL(strstr(sealed, first));
    host_crypt_close(&c);
    CU_ASSERT_PTR_NULL(c.pass);
    /* another volume, another passphrase */
    CU_ASSERT_EQUAL(
        host_sql_run(cs.db, err, sizeof(err),
                     "INSERT INTO volume(uuid, name, type, size, provisioning, offering_id, zone_id, "
                     "state, created) VALUES ('v2', 'v2', 'DATA', 8589934592, 'thin', 1, 1, 'Allocated', 0)",
                     ""),
        1);
    vol2 = sqlite3_last_insert_rowid(cs.db);
    CU_ASSERT_EQUAL(host_vol_encryption_new(&cs, vol2, &e), 0);
    CU_ASSERT_EQUAL_FATAL(host_crypt_open(&cs, vol2, &c, &e), 1);
    CU_ASSERT_STRING_NOT_EQUAL(c.pass, first);
    host_crypt_close(&c);
    /* gone with the volume */
    CU_ASSERT_EQUAL(host_sql_run(cs.db, err, sizeof(err), "DELETE FROM volume WHERE id = ?", "i", vol), 1);
    CU_ASSERT_EQUAL(one(cs.db, "SELECT count(*) FROM passphrase"), 1);
    CU_ASSERT_EQUAL(one(cs.db, "SELECT count(*) FROM volume_encryption"), 1);
    host_cs_close(&cs);
}

/* The storage settings the plugin reads are its own: they come from its describe. */
#define DISK_WAIT "storage.pool.disk.wait"
#define CLIENT_TIMEOUT "storage.pool.client.timeout"
#define CLIENT_MAX_CONNECTIONS "storage.pool.client.max.connections"
#define SDC_HOME "powerflex.sdc.home.dir"

static void load_plugin(host_cs *cs, const char *rel)
{
    const char *b = getenv("top_builddir");
    char plugin[1024];
    host_err e;

    snprintf(plugin, sizeof(plugin), "%s/%s", b != NULL ? b : ".", rel);
    if (host_cs_load_plugin(cs, plugin, &e) != 0)
        fprintf(stderr, "\n  loading %s: %s\n", plugin, e.text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cs->sp);
}

static void test_settings(void)
{
    host_cs cs;
    host_err e;
    char buf[64], ident[16], db_path[512];

    snprintf(db_path, sizeof(db_path), "%s", path("cfg.db"));
    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, db_path, path("work-cfg"), &e), 0);
    /* Before a plugin is loaded the harness knows only its own settings. */
    CU_ASSERT_PTR_NULL(host_config_def(&cs, DISK_WAIT));
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_GLOBAL, NULL, "5", &e), -1);
    load_plugin(&cs, "plugin/powerflex.la");
    /* The plugin's defaults, as it publishes them, and CloudStack's capacity defaults. */
    CU_ASSERT_EQUAL(host_config_get(&cs, DISK_WAIT, SP_SCOPE_POOL, "p1", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "60");
    CU_ASSERT_EQUAL(host_config_get(&cs, CLIENT_TIMEOUT, SP_SCOPE_GLOBAL, NULL, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "60");
    CU_ASSERT_EQUAL(host_config_get(&cs, CLIENT_MAX_CONNECTIONS, SP_SCOPE_GLOBAL, NULL, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "100");
    /* Published with its scopes: a pool setting cannot be set per zone or per host. */
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_ZONE, "z1", "5", &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "zone scope"));
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_GLOBAL, NULL), 2.0,
                           1e-9);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_CAPACITY_THRESHOLD, SP_SCOPE_ZONE, "z"), 0.85,
                           1e-9);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_ALLOCATED_THRESHOLD, SP_SCOPE_ZONE, "z"), 0.85,
                           1e-9);
    CU_ASSERT_FALSE(host_config_bool(&cs, HOST_CFG_CD_PRIMARY, SP_SCOPE_ZONE, "z"));
    CU_ASSERT_TRUE(host_config_bool(&cs, HOST_CFG_CD_HOST_CACHE_UNSUPPORTED, SP_SCOPE_ZONE, "z"));
    CU_ASSERT_FALSE(host_config_bool(&cs, HOST_CFG_CD_FORCE_HOST_CACHE, SP_SCOPE_ZONE, "z"));
    CU_ASSERT_EQUAL(host_config_get(&cs, HOST_CFG_VR_RECREATE, SP_SCOPE_ZONE, "z", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    CU_ASSERT_EQUAL(host_config_get(&cs, HOST_CFG_HOST_CACHE, SP_SCOPE_HOST, "h", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/var/cache/cloud");
    CU_ASSERT_EQUAL(host_config_get(&cs, SDC_HOME, SP_SCOPE_HOST, "h", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "/opt/emc/scaleio/sdc");
    /* custom.cs.identifier: 4 random characters, generated once. */
    CU_ASSERT_EQUAL(host_config_get(&cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, ident, sizeof(ident)),
                    0);
    CU_ASSERT_EQUAL(strlen(ident), 4);
    /* Scopes: pool -> zone -> global for pool settings; the plugin sees the same. */
    host_setting_set(&cs.svc, SP_SCOPE_POOL, "p1", "zone", "z1");
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_ZONE, "z1", "3", &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL, "p1"), 3.0,
                           1e-9);
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL, "p1", "4", &e), 0);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL, "p1"), 4.0,
                           1e-9);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL, "p2"), 2.0,
                           1e-9);
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_POOL, "p1", "5", &e), 0);
    CU_ASSERT_EQUAL(cs.svc.table.get_setting(&cs.svc, SP_SCOPE_POOL, "p1", DISK_WAIT, buf, sizeof(buf)), 1);
    CU_ASSERT_STRING_EQUAL(buf, "5");
    /* Unset elsewhere: the plugin is told so and uses the default it published. */
    CU_ASSERT_EQUAL(cs.svc.table.get_setting(&cs.svc, SP_SCOPE_POOL, "p9", DISK_WAIT, buf, sizeof(buf)), 0);
    /* Refusals: wrong scope, wrong type, out of the plugin's range, unknown name. */
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_ZONE, "z1", "abcd", &e), -1);
    CU_ASSERT_EQUAL(e.code, HOST_E_PARAM);
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_CAPACITY_THRESHOLD, SP_SCOPE_GLOBAL, NULL, "1.5", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_GLOBAL, NULL, "ten", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_GLOBAL, NULL, "86401", &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "from 0 to 86400"));
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_GLOBAL, NULL, "86400", &e), 0);
    CU_ASSERT_EQUAL(host_config_set(&cs, DISK_WAIT, SP_SCOPE_GLOBAL, NULL, NULL, &e), 0);
    CU_ASSERT_EQUAL(host_config_set(&cs, CLIENT_TIMEOUT, SP_SCOPE_GLOBAL, NULL, "0", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, SDC_HOME, SP_SCOPE_HOST, "h", "opt/sdc", &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "absolute path"));
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_CD_PRIMARY, SP_SCOPE_ZONE, "z1", "yes", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, "no.such.setting", SP_SCOPE_GLOBAL, NULL, "1", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, "has space", &e), -1);
    host_cs_close(&cs);
    /* A restart keeps the identifier and the values. */
    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, db_path, path("work-cfg"), &e), 0);
    CU_ASSERT_EQUAL(host_config_get(&cs, HOST_CFG_CS_IDENTIFIER, SP_SCOPE_GLOBAL, NULL, buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, ident);
    CU_ASSERT_DOUBLE_EQUAL(host_config_double(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_ZONE, "z1"), 3.0,
                           1e-9);
    load_plugin(&cs, "plugin/powerflex.la");
    CU_ASSERT_EQUAL(host_config_get(&cs, DISK_WAIT, SP_SCOPE_POOL, "p1", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "5");
    host_cs_close(&cs);
}

/* Another product's plugin: the harness lists and checks what it publishes, knowing nothing of
 * it beforehand; its pool details are not settings. */
static void test_foreign_plugin_settings(void)
{
    const host_setting_def *d;
    host_cs cs;
    host_err e;
    char buf[64];

    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, NULL, path("work-fake"), &e), 0);
    load_plugin(&cs, "tests/abi/fake_newer.la");
    d = host_config_def(&cs, "fake.wait");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    CU_ASSERT_STRING_EQUAL(d->def, "5");
    CU_ASSERT_STRING_EQUAL(d->description, "Seconds the fake waits.");
    CU_ASSERT_EQUAL(d->scopes, HOST_CFG_GLOBAL | HOST_CFG_POOL);
    CU_ASSERT_PTR_NULL(host_config_def(&cs, "fake.token"));
    CU_ASSERT_PTR_NULL(host_config_def(&cs, DISK_WAIT));
    CU_ASSERT_EQUAL(host_config_get(&cs, "fake.wait", SP_SCOPE_POOL, "p1", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "5");
    CU_ASSERT_EQUAL(host_config_set(&cs, "fake.wait", SP_SCOPE_GLOBAL, NULL, "11", &e), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "from 1 to 10"));
    CU_ASSERT_EQUAL(host_config_set(&cs, "fake.wait", SP_SCOPE_HOST, "h", "3", &e), -1);
    CU_ASSERT_EQUAL(host_config_set(&cs, "fake.wait", SP_SCOPE_POOL, "p1", "3", &e), 0);
    CU_ASSERT_EQUAL(host_config_get(&cs, "fake.wait", SP_SCOPE_POOL, "p1", buf, sizeof(buf)), 0);
    CU_ASSERT_STRING_EQUAL(buf, "3");
    host_cs_close(&cs);
}

/* A zone (1) with clusters 1 and 2 and pools:
 *   1 cluster 1, tag powerflex   2 zone-wide, tag powerflex   3 zone-wide, no tag
 *   4 cluster 2, tag powerflex   5 zone-wide, powerflex, Maintenance
 * each 100 GiB total. */
static void setup_pools(host_cs *cs)
{
    char err[256];
    host_sql_run(cs->db, err, sizeof(err),
                 "INSERT INTO zone(id, uuid, name, networktype, allocationstate, created) VALUES (1, "
                 "'zone-1', 'z', 'Advanced', 'Enabled', 0)",
                 "");
    for (int i = 1; i <= 5; i++) {
        char uuid[64];
        snprintf(uuid, sizeof(uuid), "0000000%d-0000-0000-0000-000000000000", i);
        CU_ASSERT_EQUAL(host_sql_run(cs->db, err, sizeof(err),
                                     "INSERT INTO pool(id, uuid, name, zone_id, cluster_id, scope, state, "
                                     "provider, hypervisor, url, "
                                     "capacity_total, capacity_used, created) VALUES (?, ?, ?, 1, ?, ?, ?, "
                                     "'PowerFlex', 'KVM', '', ?, 0, 0)",
                                     "ittitti", (int64_t)i, uuid, uuid,
                                     (int64_t)(i == 1   ? 1
                                               : i == 4 ? 2
                                                        : 0),
                                     i == 1 || i == 4 ? "CLUSTER" : "ZONE", i == 5 ? "Maintenance" : "Up",
                                     100 * GIB),
                        1);
        if (i != 3)
            host_sql_run(cs->db, err, sizeof(err),
                         "INSERT INTO pool_tag(pool_id, tag) VALUES (?, 'powerflex')", "i", (int64_t)i);
    }
    host_sql_run(cs->db, err, sizeof(err), "UPDATE pool SET cluster_id = NULL WHERE scope = 'ZONE'", "");
}

static int64_t pick(host_cs *cs, int64_t cluster, const char *tags, int64_t size, char *why, size_t len)
{
    host_alloc_req r;
    host_err e;
    int64_t out = -1;

    memset(&r, 0, sizeof(r));
    r.zone_id = 1;
    r.cluster_id = cluster;
    r.tags = tags;
    r.size = (uint64_t)size;
    CU_ASSERT_EQUAL(host_alloc_pool(cs, &r, &out, why, len, &e), 0);
    return out;
}

static void add_volume(host_cs *cs, int64_t pool, int64_t size)
{
    static int n;
    char err[256], uuid[32];
    snprintf(uuid, sizeof(uuid), "vol-%d", ++n);
    CU_ASSERT_EQUAL(
        host_sql_run(
            cs->db, err, sizeof(err),
            "INSERT INTO volume(uuid, name, type, pool_id, size, provisioning, zone_id, state, created) "
            "VALUES (?, ?, 'DATA', ?, ?, 'thin', 1, 'Ready', 0)",
            "ttii", uuid, uuid, pool, size),
        1);
}

static void test_allocation_rules(void)
{
    host_cs cs;
    host_err e;
    char why[2048], err[256];

    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, NULL, path("work-alloc"), &e), 0);
    setup_pools(&cs);
    /* Cluster-wide pools of the host's cluster come before zone-wide ones. */
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 8 * GIB, why, sizeof(why)), 1);
    CU_ASSERT_EQUAL(pick(&cs, 2, "powerflex", 8 * GIB, why, sizeof(why)), 4);
    /* Another cluster's pools never; a cluster without its own goes zone-wide. */
    CU_ASSERT_EQUAL(pick(&cs, 3, "powerflex", 8 * GIB, why, sizeof(why)), 2);
    /* Tags: all of them; none asked means any pool (the first zone-wide for cluster 3). */
    CU_ASSERT_EQUAL(pick(&cs, 3, NULL, 8 * GIB, why, sizeof(why)), 2);
    CU_ASSERT_EQUAL(pick(&cs, 3, "POWERFLEX", 8 * GIB, why, sizeof(why)), 2);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex,ssd", 8 * GIB, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "storage tags"));
    host_sql_run(cs.db, err, sizeof(err), "INSERT INTO pool_tag(pool_id, tag) VALUES (2, 'ssd')", "");
    CU_ASSERT_EQUAL(pick(&cs, 1, " powerflex , ssd ", 8 * GIB, why, sizeof(why)), 2);
    CU_ASSERT_EQUAL(pick(&cs, 1, "nosuchtag", 8 * GIB, why, sizeof(why)), 0);
    /* Maintenance and Disabled pools are never chosen. */
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET state = 'Disabled' WHERE id IN (1, 2)", "");
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 8 * GIB, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Maintenance"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Disabled"));
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET state = 'Up' WHERE id IN (1, 2)", "");
    /* Used capacity above 0.85 of the total disables a pool. */
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET capacity_used = ? WHERE id = 1", "i", 86 * GIB);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 8 * GIB, why, sizeof(why)), 2);
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET capacity_used = ? WHERE id = 1", "i", 85 * GIB);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 8 * GIB, why, sizeof(why)), 1);
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET capacity_used = 0", "");
    /* Allocated: 100 GiB x 2 (over-provisioning) x 0.85 = 170 GiB. */
    add_volume(&cs, 1, 160 * GIB);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 10 * GIB, why, sizeof(why)), 1);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 11 * GIB, why, sizeof(why)), 2);
    /* The factor at the pool's own scope wins; at 1 the pool is full. */
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL,
                                    "00000001-0000-0000-0000-000000000000", "1", &e),
                    0);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 1 * GIB, why, sizeof(why)), 2);
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_POOL,
                                    "00000001-0000-0000-0000-000000000000", NULL, &e),
                    0);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 1 * GIB, why, sizeof(why)), 1);
    /* A zone's factor and threshold apply to its pools. */
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_OVERPROVISIONING, SP_SCOPE_ZONE, "zone-1", "3", &e), 0);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 90 * GIB, why, sizeof(why)), 1);
    CU_ASSERT_EQUAL(host_config_set(&cs, HOST_CFG_ALLOCATED_THRESHOLD, SP_SCOPE_ZONE, "zone-1", "0.5", &e),
                    0);
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 1 * GIB, why, sizeof(why)), 2);
    /* A pool that cannot be over-provisioned counts its total once. */
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET thin = 0 WHERE id = 2", "");
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 51 * GIB, why, sizeof(why)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "allocated"));
    CU_ASSERT_EQUAL(pick(&cs, 1, "powerflex", 50 * GIB, why, sizeof(why)), 2);
    host_cs_close(&cs);
}

static void test_template_counts_until_seeded(void)
{
    host_cs cs;
    host_err e;
    host_alloc_req r;
    char why[1024], err[256];
    int64_t out;

    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, NULL, path("work-tmpl"), &e), 0);
    setup_pools(&cs);
    add_volume(&cs, 1, 160 * GIB);
    memset(&r, 0, sizeof(r));
    r.zone_id = 1;
    r.cluster_id = 1;
    r.tags = "powerflex";
    r.size = 8 * GIB;
    r.template_id = 7;
    r.template_size = 8 * GIB;
    CU_ASSERT_EQUAL(host_alloc_pool(&cs, &r, &out, why, sizeof(why), &e), 0);
    CU_ASSERT_EQUAL(out, 2); /* 160 + 8 + 8 > 170 on pool 1 */
    host_sql_run(cs.db, err, sizeof(err),
                 "INSERT INTO template_pool(template_id, pool_id, path, size) VALUES (7, 1, 't', 0)", "");
    CU_ASSERT_EQUAL(host_alloc_pool(&cs, &r, &out, why, sizeof(why), &e), 0);
    CU_ASSERT_EQUAL(out, 1);
    host_cs_close(&cs);
}

static void test_suitable_answers(void)
{
    host_cs cs;
    host_err e;
    host_alloc_req r;
    host_alloc_limits lim;
    char why[1024], err[256];
    int ok;

    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, NULL, path("work-suit"), &e), 0);
    setup_pools(&cs);
    CU_ASSERT_EQUAL(host_alloc_limits_load(&cs, 1, &lim, &e), 0);
    memset(&r, 0, sizeof(r));
    r.zone_id = 1;
    r.cluster_id = 1;
    r.tags = "powerflex";
    r.size = 8 * GIB;
    r.exclude_pool = 1;
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 1, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "current pool"));
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 2, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_TRUE(ok);
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 3, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "tags"));
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 4, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "another cluster"));
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 5, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "Maintenance"));
    /* A detached volume may go to any cluster's pool. */
    r.any_cluster = 1;
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 4, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_TRUE(ok);
    /* A full pool. */
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET capacity_used = capacity_total WHERE id = 2", "");
    CU_ASSERT_EQUAL(host_alloc_check(&cs, 2, &r, &lim, &ok, why, sizeof(why), &e), 0);
    CU_ASSERT_FALSE(ok);
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "used capacity"));
    host_cs_close(&cs);
}

typedef struct zone_seen {
    int64_t id[16];
    int ok[16];
    int n;
} zone_seen;

static int see(void *ctx, int64_t pool_id, int ok, host_err *e)
{
    zone_seen *z = ctx;

    (void)e;
    if (z->n < 16) {
        z->id[z->n] = pool_id;
        z->ok[z->n++] = ok;
    }
    return 0;
}

/* The zone scan computes its verdicts with SQL of its own (for speed): for every kind of request
 * and pool it must say what the per-pool check says, pool by pool, in id order. */
static void test_zone_scan_agrees(void)
{
    static const char *tags[] = {NULL, "powerflex", "powerflex, gold", "gold", "POWERFLEX"};
    static const uint64_t sizes[] = {8 * GIB, 60 * GIB, 400 * GIB};
    host_cs cs;
    host_err e;
    host_alloc_req r;
    host_alloc_limits lim;
    char why[1024], err[256];
    int checked = 0, refused = 0;

    CU_ASSERT_EQUAL_FATAL(host_cs_open(&cs, NULL, path("work-zone"), &e), 0);
    setup_pools(&cs);
    /* Pool 2 also gold and over-provisioned, pool 3 thick and half full, pool 1 a template copy. */
    host_sql_run(cs.db, err, sizeof(err), "INSERT INTO pool_tag(pool_id, tag) VALUES (2, 'gold')", "");
    host_sql_run(cs.db, err, sizeof(err), "UPDATE pool SET overprov = 4 WHERE id = 2", "");
    host_sql_run(cs.db, err, sizeof(err),
                 "UPDATE pool SET thin = 0, capacity_used = 50 * 1073741824 WHERE id = 3", "");
    host_sql_run(cs.db, err, sizeof(err),
                 "INSERT INTO template_pool(template_id, pool_id, path, size) VALUES (7, 1, 't', 0)", "");
    CU_ASSERT_EQUAL(host_alloc_limits_load(&cs, 1, &lim, &e), 0);
    for (size_t t = 0; t < sizeof(tags) / sizeof(tags[0]); t++)
        for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++)
            for (int variant = 0; variant < 8; variant++) {
                zone_seen seen;
                memset(&r, 0, sizeof(r));
                memset(&seen, 0, sizeof(seen));
                r.zone_id = 1;
                r.tags = tags[t];
                r.size = sizes[z];
                r.cluster_id = variant & 1 ? 2 : 1;
                r.any_cluster = (variant & 2) != 0;
                r.template_id = variant & 4 ? 7 : 0;
                r.template_size = variant & 4 ? 40 * GIB : 0;
                r.exclude_pool = (int64_t)(variant % 3) + 1;
                CU_ASSERT_EQUAL_FATAL(host_alloc_check_zone(&cs, &r, &lim, see, &seen, &e), 0);
                CU_ASSERT_EQUAL(seen.n, 4);
                for (int i = 0; i < seen.n; i++) {
                    int ok = -1;
                    CU_ASSERT_NOT_EQUAL(seen.id[i], r.exclude_pool);
                    if (i > 0)
                        CU_ASSERT_TRUE(seen.id[i] > seen.id[i - 1]);
                    CU_ASSERT_EQUAL(host_alloc_check(&cs, seen.id[i], &r, &lim, &ok, why, sizeof(why), &e),
                                    0);
                    if (ok != seen.ok[i])
                        fprintf(stderr, "pool %lld, tags %s, size %llu, variant %d: scan %d, check %d (%s)\n",
                                (long long)seen.id[i], tags[t] ? tags[t] : "-", (unsigned long long)sizes[z],
                                variant, seen.ok[i], ok, why);
                    CU_ASSERT_EQUAL(ok, seen.ok[i]);
                    checked++;
                    refused += !ok;
                }
            }
    /* Both answers occur, or the comparison proves little. */
    CU_ASSERT_EQUAL(checked, 5 * 3 * 8 * 4);
    CU_ASSERT_TRUE(refused > 0 && refused < checked);
    host_cs_close(&cs);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/test_store.XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL || CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    s = CU_add_suite("store", NULL, NULL);
    CU_add_test(s, "transactions and restart", test_transactions_and_restart);
    CU_add_test(s, "rolled-back ids are not handed out again", test_rolled_back_ids_not_reused);
    CU_add_test(s, "pool aggregates follow their rows", test_aggregates_follow_rows);
    CU_add_test(s, "settings: defaults, scopes, persistence", test_settings);
    CU_add_test(s, "passphrases of encrypted volumes", test_passphrases);
    CU_add_test(s, "settings a foreign plugin publishes", test_foreign_plugin_settings);
    CU_add_test(s, "allocation: tags, scope order, state, thresholds, over-provisioning",
                test_allocation_rules);
    CU_add_test(s, "allocation: a template counts until seeded", test_template_counts_until_seeded);
    CU_add_test(s, "suitable-pool answers", test_suitable_answers);
    CU_add_test(s, "the zone scan says what each pool's check says", test_zone_scan_agrees);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    host_remove_tree(dir);
    return failures == 0 ? 0 : 1;
}
