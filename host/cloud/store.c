/* store.c - the harness's state in SQLite: schema, transactions and small query helpers.
 * The schema mirrors the CloudStack tables the harness plays (data_center, storage_pool, volumes,
 * ...), reduced to what the orchestration reads. Capacity aggregates live on the pool row and are
 * maintained by triggers so that no code path can forget them and selection never sums volumes. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    /* The numbers of committed commands that changed arrays, each inserted by its own transaction:
     * an intent (intent.h) of a command not here never committed. */
    "CREATE TABLE IF NOT EXISTS command(seq INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS config(scope INTEGER NOT NULL, scope_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  value TEXT NOT NULL, PRIMARY KEY(scope, scope_id, name));"
    "CREATE TABLE IF NOT EXISTS zone(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL "
    "UNIQUE,"
    "  networktype TEXT NOT NULL, allocationstate TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS pod(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  zone_id INTEGER NOT NULL, UNIQUE(zone_id, name));"
    "CREATE TABLE IF NOT EXISTS cluster(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT "
    "NULL,"
    "  zone_id INTEGER NOT NULL, pod_id INTEGER NOT NULL, hypervisor TEXT NOT NULL,"
    "  allocationstate TEXT NOT NULL, UNIQUE(zone_id, name));"
    "CREATE TABLE IF NOT EXISTS host(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL "
    "UNIQUE,"
    "  ip TEXT NOT NULL UNIQUE, zone_id INTEGER NOT NULL, pod_id INTEGER NOT NULL, cluster_id INTEGER NOT "
    "NULL,"
    "  state TEXT NOT NULL, resourcestate TEXT NOT NULL, sdc_guid TEXT NOT NULL, dir TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS host_cluster ON host(cluster_id);"
    "CREATE TABLE IF NOT EXISTS pool(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    "  zone_id INTEGER NOT NULL, pod_id INTEGER, cluster_id INTEGER, scope TEXT NOT NULL, state TEXT NOT "
    "NULL,"
    "  provider TEXT NOT NULL, hypervisor TEXT NOT NULL, url TEXT NOT NULL, path TEXT NOT NULL DEFAULT '',"
    "  capacity_total INTEGER NOT NULL DEFAULT 0, capacity_used INTEGER NOT NULL DEFAULT 0,"
    "  allocated INTEGER NOT NULL DEFAULT 0, n_objects INTEGER NOT NULL DEFAULT 0, overprov REAL,"
    "  thin INTEGER NOT NULL DEFAULT 1, created INTEGER NOT NULL,"
    /* capacitybytes of createStoragePool/updateStoragePool: the total is the smaller of it and the
     * array's (NULL: the array's). */
    "  capacity_bytes INTEGER);"
    "CREATE INDEX IF NOT EXISTS pool_zone ON pool(zone_id, scope, state, id);"
    "CREATE INDEX IF NOT EXISTS pool_cluster ON pool(cluster_id, state, id);"
    /* findStoragePoolsForMigration's suitable pools, by name: a page is read without sorting the zone. */
    "CREATE INDEX IF NOT EXISTS pool_zone_name ON pool(zone_id, name, id);"
    /* The zone's pools in id order (CloudStack's order for the rest) without sorting the zone, and
     * every column the allocator's rules read (alloc.c's zone scan reads the index alone). */
    "CREATE INDEX IF NOT EXISTS pool_verdict ON pool(zone_id, id, state, scope, cluster_id, capacity_total, "
    "capacity_used, allocated, thin, overprov);"
    "CREATE TABLE IF NOT EXISTS pool_detail(pool_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    "  PRIMARY KEY(pool_id, key));"
    "CREATE TABLE IF NOT EXISTS pool_tag(pool_id INTEGER NOT NULL, tag TEXT NOT NULL COLLATE NOCASE,"
    "  PRIMARY KEY(pool_id, tag));"
    "CREATE INDEX IF NOT EXISTS pool_tag_tag ON pool_tag(tag, pool_id);"
    "CREATE TABLE IF NOT EXISTS pool_host(pool_id INTEGER NOT NULL, host_id INTEGER NOT NULL,"
    "  client_id TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY(pool_id, host_id));"
    "CREATE TABLE IF NOT EXISTS offering(id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, name TEXT NOT "
    "NULL,"
    "  displaytext TEXT NOT NULL, kind TEXT NOT NULL, provisioning TEXT NOT NULL, disksize INTEGER NOT NULL,"
    "  customized INTEGER NOT NULL, cpunumber INTEGER, cpuspeed INTEGER, memory INTEGER, tags TEXT NOT NULL,"
    "  iops TEXT NOT NULL DEFAULT '', bw TEXT NOT NULL DEFAULT '', systemuse INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL DEFAULT 'Active', created INTEGER NOT NULL,"
    /* CloudStack's miniops/maxiops of an offering (0: none): without an iopsLimit detail the
     * PowerFlex driver limits a volume to its max IOPS. */
    "  miniops INTEGER NOT NULL DEFAULT 0, maxiops INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS template(id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "name TEXT NOT "
    "NULL,"
    "  displaytext TEXT NOT NULL, format TEXT NOT NULL, type TEXT NOT NULL, url TEXT NOT NULL, path TEXT NOT "
    "NULL,"
    "  checksum TEXT NOT NULL, size INTEGER NOT NULL, physicalsize INTEGER NOT NULL, zone_id INTEGER,"
    "  directdownload INTEGER NOT NULL, state TEXT NOT NULL, ostype TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS template_pool(template_id INTEGER NOT NULL, pool_id INTEGER NOT NULL,"
    "  path TEXT NOT NULL, size INTEGER NOT NULL, tree_id TEXT NOT NULL DEFAULT '',"
    "  PRIMARY KEY(template_id, pool_id));"
    "CREATE TABLE IF NOT EXISTS vm(id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, name "
    "TEXT NOT NULL "
    "UNIQUE,"
    "  displayname TEXT NOT NULL, type TEXT NOT NULL, zone_id INTEGER NOT NULL, host_id INTEGER,"
    "  last_host_id INTEGER, offering_id INTEGER NOT NULL, template_id INTEGER, iso_id INTEGER,"
    "  state TEXT NOT NULL, userdata TEXT, configdrive TEXT, configdrive_location TEXT,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS volume(id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, name "
    "TEXT NOT NULL,"
    "  type TEXT NOT NULL, vm_id INTEGER, deviceid INTEGER, pool_id INTEGER, path TEXT NOT NULL DEFAULT '',"
    "  size INTEGER NOT NULL, provisioning TEXT NOT NULL, offering_id INTEGER, template_id INTEGER,"
    "  zone_id INTEGER NOT NULL, state TEXT NOT NULL, iops TEXT NOT NULL DEFAULT '',"
    "  bw TEXT NOT NULL DEFAULT '', tree_id TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS volume_pool ON volume(pool_id);"
    "CREATE INDEX IF NOT EXISTS volume_vm ON volume(vm_id);"
    "CREATE TABLE IF NOT EXISTS snapshot(id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, "
    "name TEXT NOT "
    "NULL,"
    "  volume_id INTEGER NOT NULL, pool_id INTEGER, path TEXT NOT NULL, size INTEGER NOT NULL,"
    "  state TEXT NOT NULL, vm_snapshot_id INTEGER, tree_id TEXT NOT NULL DEFAULT '', created INTEGER NOT "
    "NULL);"
    "CREATE INDEX IF NOT EXISTS snapshot_volume ON snapshot(volume_id);"
    "CREATE TABLE IF NOT EXISTS vm_snapshot(id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL, displayname TEXT NOT NULL, description TEXT NOT NULL, vm_id INTEGER NOT NULL,"
    "  pool_id INTEGER NOT NULL, group_id TEXT NOT NULL, state TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS access(volume_id INTEGER NOT NULL, host_id INTEGER NOT NULL,"
    "  devpath TEXT NOT NULL DEFAULT '', PRIMARY KEY(volume_id, host_id));"
    "CREATE TABLE IF NOT EXISTS job(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, volume_id INTEGER NOT NULL,"
    "  src_pool_id INTEGER NOT NULL, dest_pool_id INTEGER NOT NULL, host_id INTEGER, src_path TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    /* Template copies being written onto a pool: a row exists from before the template volume is
     * created until its copy is recorded in template_pool; one left by a kill names a volume whose
     * data is partial, which the restarted harness deletes (host_recover). */
    "CREATE TABLE IF NOT EXISTS seeding(template_id INTEGER NOT NULL, pool_id INTEGER NOT NULL,"
    "  created INTEGER NOT NULL, PRIMARY KEY(template_id, pool_id));"
    /* What a guest wrote at the start of a volume (writeVolumeData) and what each snapshot holds
     * of it: "check storagepool" reads the volumes back against these digests. */
    "CREATE TABLE IF NOT EXISTS volume_data(volume_id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL,"
    "  length INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS snapshot_data(snapshot_id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL,"
    "  length INTEGER NOT NULL);"
    /* Encrypted volumes (CloudStack's passphrase table): a passphrase per volume, sealed with the
     * key that seals pool passwords; offerings that ask for encryption (a disk offering's
     * encrypt, a service offering's encryptroot); the encrypted disk's format and usable size. */
    "CREATE TABLE IF NOT EXISTS passphrase(id INTEGER PRIMARY KEY AUTOINCREMENT, passphrase TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS offering_encrypt(offering_id INTEGER PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS volume_encryption(volume_id INTEGER PRIMARY KEY, passphrase_id INTEGER NOT "
    "NULL,"
    "  format TEXT NOT NULL DEFAULT '', usable INTEGER NOT NULL DEFAULT 0);"
    "CREATE TRIGGER IF NOT EXISTS volume_encryption_ad AFTER DELETE ON volume BEGIN"
    "  DELETE FROM passphrase WHERE id IN (SELECT passphrase_id FROM volume_encryption WHERE volume_id = "
    "OLD.id);"
    "  DELETE FROM volume_encryption WHERE volume_id = OLD.id; END;"
    "CREATE TRIGGER IF NOT EXISTS volume_data_ad AFTER DELETE ON volume BEGIN"
    "  DELETE FROM volume_data WHERE volume_id = OLD.id; END;"
    "CREATE TRIGGER IF NOT EXISTS snapshot_data_ai AFTER INSERT ON snapshot BEGIN"
    "  INSERT INTO snapshot_data(snapshot_id, sha256, length)"
    "    SELECT NEW.id, sha256, length FROM volume_data WHERE volume_id = NEW.volume_id; END;"
    "CREATE TRIGGER IF NOT EXISTS snapshot_data_ad AFTER DELETE ON snapshot BEGIN"
    "  DELETE FROM snapshot_data WHERE snapshot_id = OLD.id; END;"
    "CREATE TABLE IF NOT EXISTS sim(name TEXT PRIMARY KEY, pid INTEGER NOT NULL, gateway TEXT NOT NULL,"
    "  control TEXT NOT NULL, cafile TEXT NOT NULL, user TEXT NOT NULL, password TEXT NOT NULL,"
    "  dir TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS event(id INTEGER PRIMARY KEY, type TEXT NOT NULL, description TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS alert(id INTEGER PRIMARY KEY, type INTEGER NOT NULL, host_id INTEGER,"
    "  subject TEXT NOT NULL, description TEXT NOT NULL, created INTEGER NOT NULL);"
    /* Aggregates: allocated bytes and object count per pool, for volumes, snapshots on primary
     * storage and seeded template copies (CloudStack's getUsedBytes for PowerFlex). */
    "CREATE TRIGGER IF NOT EXISTS volume_ai AFTER INSERT ON volume WHEN NEW.pool_id IS NOT NULL BEGIN"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS volume_ad AFTER DELETE ON volume WHEN OLD.pool_id IS NOT NULL BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS volume_au AFTER UPDATE OF pool_id, size ON volume BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id;"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS snapshot_ai AFTER INSERT ON snapshot WHEN NEW.pool_id IS NOT NULL BEGIN"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS snapshot_ad AFTER DELETE ON snapshot WHEN OLD.pool_id IS NOT NULL BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS snapshot_au AFTER UPDATE OF pool_id, size ON snapshot BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id;"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS template_pool_ai AFTER INSERT ON template_pool BEGIN"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS template_pool_ad AFTER DELETE ON template_pool BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id; "
    "END;"
    "CREATE TRIGGER IF NOT EXISTS template_pool_au AFTER UPDATE OF pool_id, size ON template_pool BEGIN"
    "  UPDATE pool SET allocated = allocated - OLD.size, n_objects = n_objects - 1 WHERE id = OLD.pool_id;"
    "  UPDATE pool SET allocated = allocated + NEW.size, n_objects = n_objects + 1 WHERE id = NEW.pool_id; "
    "END;";

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", msg != NULL ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* The database holds sealed passwords and everything the harness knows: only its user may read
 * it. SQLite creates a file 0644 (less the umask) and gives its -wal, -shm and -journal files the
 * database's mode, so the file is made (or narrowed to) 0600 before SQLite opens it. */
static int private_file(const char *path, int create, char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (create ? O_CREAT : 0), 0600);

    if (fd < 0) {
        if (!create && errno == ENOENT)
            return 0;
        snprintf(err, errlen, "cannot open database %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "database %s is not a regular file", path);
        close(fd);
        return -1;
    }
    if ((st.st_mode & 077) != 0 && st.st_uid == geteuid() && fchmod(fd, st.st_mode & 0700) != 0) {
        snprintf(err, errlen, "cannot make database %s private (mode 0600): %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int host_store_private(const char *path, char *err, size_t errlen)
{
    static const char *const sidecars[] = {"-wal", "-shm", "-journal"};
    char side[4096];

    if (private_file(path, 1, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++)
        if ((size_t)snprintf(side, sizeof(side), "%s%s", path, sidecars[i]) < sizeof(side) &&
            private_file(side, 0, err, errlen) != 0)
            return -1;
    return 0;
}

int host_store_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int64_t version = 0;
    char sql[128];

    *out = NULL;
    if (path != NULL && host_store_private(path, err, errlen) != 0)
        return -1;
    if (sqlite3_open_v2(path != NULL ? path : ":memory:", &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s",
                 path != NULL ? path : ":memory:", db != NULL ? sqlite3_errmsg(db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(db, 10000);
    /* WAL keeps a killed harness's half-done transaction out of the file; NORMAL sync is what a
     * test harness needs (a power cut is not in scope, a killed process is). */
    if (path != NULL && exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err, errlen) != 0)
        goto fail;
    if (exec(db, "BEGIN IMMEDIATE;", err, errlen) != 0)
        goto fail;
    if (exec(db, schema_sql, err, errlen) != 0)
        goto fail_txn;
    if (host_sql_int(db, &version, err, errlen, "SELECT value FROM meta WHERE key = 'schema'", "") < 0)
        goto fail_txn;
    if (version > HOST_STORE_SCHEMA_VERSION) {
        snprintf(err, errlen, "database %s has schema %lld; this harness knows %d", path, (long long)version,
                 HOST_STORE_SCHEMA_VERSION);
        goto fail_txn;
    }
    snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', '%d');",
             HOST_STORE_SCHEMA_VERSION);
    if (exec(db, sql, err, errlen) != 0 || exec(db, "COMMIT;", err, errlen) != 0)
        goto fail_txn;
    *out = db;
    return 0;
fail_txn:
    exec(db, "ROLLBACK;", (char[64]){0}, 64);
fail:
    sqlite3_close(db);
    return -1;
}

void host_store_close(sqlite3 *db)
{
    sqlite3_close(db);
}

int host_store_begin(sqlite3 *db, char *err, size_t errlen)
{
    return exec(db, "BEGIN IMMEDIATE;", err, errlen);
}

int host_store_commit(sqlite3 *db, char *err, size_t errlen)
{
    return exec(db, "COMMIT;", err, errlen);
}

/* Tables whose ids name objects on the array (vol-<id>-..., snap-<id>-..., tmpl-<id>-...). */
static const char *const named_tables[] = {"template", "vm", "volume", "snapshot", "vm_snapshot"};

void host_store_rollback(sqlite3 *db)
{
    int64_t used[sizeof(named_tables) / sizeof(named_tables[0])] = {0};
    char err[256], sql[160];

    if (sqlite3_get_autocommit(db))
        return;
    /* A rolled-back transaction gives its ids back, and SQLite would hand them out again; but an
     * object the failed command made on the array may still carry one in its name (an undo that
     * failed too), and a new object of the same name could then be taken for it. Ids are never
     * reused, as CloudStack's are not: the rolled-back ones are marked used. */
    for (size_t i = 0; i < sizeof(named_tables) / sizeof(named_tables[0]); i++) {
        snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s", named_tables[i]);
        if (host_sql_int(db, &used[i], err, sizeof(err), sql, "") < 0)
            used[i] = 0;
    }
    sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
    for (size_t i = 0; i < sizeof(named_tables) / sizeof(named_tables[0]); i++)
        if (used[i] > 0)
            host_store_mark_used(db, named_tables[i], used[i]);
}

void host_store_mark_used(sqlite3 *db, const char *table, int64_t id)
{
    char err[256];

    host_sql_run(db, err, sizeof(err), "UPDATE sqlite_sequence SET seq = max(seq, ?2) WHERE name = ?1", "ti",
                 table, id);
    host_sql_run(db, err, sizeof(err),
                 "INSERT INTO sqlite_sequence(name, seq) SELECT ?1, ?2 "
                 "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)",
                 "ti", table, id);
}

static int bind_all(sqlite3_stmt *st, const char *types, va_list ap)
{
    int i = 1, rc = SQLITE_OK;

    for (const char *t = types; *t && rc == SQLITE_OK; t++, i++) {
        switch (*t) {
        case 'i': rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t)); break;
        case 'u': rc = sqlite3_bind_int64(st, i, (sqlite3_int64)va_arg(ap, uint64_t)); break;
        case 'd': rc = sqlite3_bind_double(st, i, va_arg(ap, double)); break;
        case 't': {
            const char *s = va_arg(ap, const char *);
            rc = s != NULL ? sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
            break;
        }
        case 'n': rc = sqlite3_bind_null(st, i); break;
        default: rc = SQLITE_MISUSE;
        }
    }
    return rc;
}

static sqlite3_stmt *vprepare(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types,
                              va_list ap)
{
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return NULL;
    }
    if (bind_all(st, types, ap) != SQLITE_OK) {
        snprintf(err, errlen, "database: cannot bind parameters: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *host_sql_prepare(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = vprepare(db, err, errlen, sql, types, ap);
    va_end(ap);
    return st;
}

int host_sql_run(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    st = vprepare(db, err, errlen, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return sqlite3_changes(db);
}

int host_sql_int(sqlite3 *db, int64_t *out, char *err, size_t errlen, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    st = vprepare(db, err, errlen, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

int host_sql_text(sqlite3 *db, char *buf, size_t buflen, char *err, size_t errlen, const char *sql,
                  const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    int rc;

    va_start(ap, types);
    st = vprepare(db, err, errlen, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return -1;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *s = host_col_text(st, 0);
        if ((size_t)snprintf(buf, buflen, "%s", s) >= buflen) {
            snprintf(err, errlen, "database: a value is longer than %zu bytes", buflen - 1);
            rc = -1;
        } else {
            rc = 1;
        }
    } else if (rc == SQLITE_DONE) {
        if (buflen > 0)
            buf[0] = '\0';
        rc = 0;
    } else {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

const char *host_col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    return s != NULL ? (const char *)s : "";
}

static int random_bytes(unsigned char *b, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

int host_uuid(char out[37])
{
    unsigned char b[16];

    if (random_bytes(b, sizeof(b)) != 0)
        return -1;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return 0;
}

int host_random_chars(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char b[64];

    if (n > sizeof(b) || random_bytes(b, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[b[i] % (sizeof(alphabet) - 1)];
    out[n] = '\0';
    return 0;
}
