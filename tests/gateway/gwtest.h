/* gwtest.h - helpers shared by the gateway client's test programs: fixture files, a host
 * services table that records every log line, and the check that no secret ever leaked. */
#ifndef GWTEST_H
#define GWTEST_H

#include "storage_plugin.h"

#include <stddef.h>

/* Reads tests/fixtures/<name> (FIXTURES_DIR, set by the build) into a malloc'd NUL-terminated buffer (caller
 * frees); *len gets its size. Exits the test program (status 99, a hard error) when it cannot. */
char *gwt_fixture(const char *name, size_t *len);

/* Reads any file the same way; NULL when it cannot be read. */
char *gwt_read_file(const char *path, size_t *len);

/* Installs a host services table whose log callback records every line (thread-safe). */
void gwt_log_capture_start(void);

/* Adds a string that must never appear in a log line or an error message (a password, a
 * token). Strings shorter than 4 bytes are ignored (they would match by accident). */
void gwt_add_secret(const char *s);

/* Checks an error message for secrets now; returns 1 when clean (and counts the check). */
int gwt_error_clean(const sp_error *err);

/* Number of recorded log lines containing `needle` (case-sensitive); needle NULL counts all. */
size_t gwt_log_count(const char *needle);

/* Checks every recorded line against every secret; returns the number of leaking lines and
 * prints them. */
size_t gwt_log_leaks(void);

/* Removes the table and frees what was recorded. */
void gwt_log_capture_stop(void);

#endif
