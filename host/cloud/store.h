/* store.h - the harness's state in SQLite: schema, transactions and small query helpers.
 * Per-pool aggregates (allocated bytes, object count) are kept by triggers in the same transaction. */
#ifndef HOST_STORE_H
#define HOST_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_STORE_SCHEMA_VERSION 1

/* Opens (creating when needed) the database at path, or an in-memory one when path is NULL,
 * and brings its schema up to date. *out is owned by the caller (host_store_close). 0 or -1. */
int host_store_open(const char *path, sqlite3 **out, char *err, size_t errlen);
void host_store_close(sqlite3 *db);
/* Makes the SQLite file at path (created when missing) and its -wal, -shm and -journal files
 * (when present) private, mode 0600, before SQLite opens it: its new side files take its mode.
 * host_store_open does it for the database; other SQLite files beside it use it too. 0 or -1. */
int host_store_private(const char *path, char *err, size_t errlen);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Rollback is a no-op outside a transaction, and the ids the
 * rolled-back transaction took in the tables that name array objects are not handed out again
 * (sqlite_sequence is moved past them). 0 or -1. */
int host_store_begin(sqlite3 *db, char *err, size_t errlen);
int host_store_commit(sqlite3 *db, char *err, size_t errlen);
void host_store_rollback(sqlite3 *db);
/* Ids up to `id` of table (one with AUTOINCREMENT) are never handed out (again). */
void host_store_mark_used(sqlite3 *db, const char *table, int64_t id);

/* Query helpers. `types` names the arguments that follow, one letter each:
 *   i int64_t, u uint64_t (stored as int64), d double, t const char * (NULL binds NULL), n null.
 * host_sql_run executes a statement that returns no rows and yields sqlite3_changes().
 * host_sql_prepare returns a statement the caller steps and finalizes.
 * host_sql_int/host_sql_text read the first column of the first row: 1 when a row was found,
 * 0 when none, -1 on error (err set). host_sql_text copies into buf (NUL-terminated; a value
 * that does not fit is an error). */
int host_sql_run(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types, ...);
sqlite3_stmt *host_sql_prepare(sqlite3 *db, char *err, size_t errlen, const char *sql, const char *types,
                               ...);
int host_sql_int(sqlite3 *db, int64_t *out, char *err, size_t errlen, const char *sql, const char *types,
                 ...);
int host_sql_text(sqlite3 *db, char *buf, size_t buflen, char *err, size_t errlen, const char *sql,
                  const char *types, ...);

/* A column as text, never NULL ("" for NULL). */
const char *host_col_text(sqlite3_stmt *st, int col);

/* A fresh random (version 4) UUID, 36 characters plus NUL. 0 or -1 (no randomness). */
int host_uuid(char out[37]);
/* n random characters from [a-z0-9] plus NUL. */
int host_random_chars(char *out, size_t n);

#endif
