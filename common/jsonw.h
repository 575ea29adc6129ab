/* jsonw.h - a small JSON writer for the harness's CloudStack-shaped output.
 * Builds into a growing buffer; escapes strings; tracks commas so callers only name things. */
#ifndef HOST_JSONW_H
#define HOST_JSONW_H

#include <stddef.h>
#include <stdint.h>

typedef struct host_jsonw {
    char *buf;   /* owned; NUL-terminated */
    size_t len;
    size_t cap;
    int need_comma[64];
    int depth;
    int failed;  /* out of memory or nesting too deep: the output is unusable */
    int pretty;
} host_jsonw;

void host_jsonw_init(host_jsonw *w, int pretty);
void host_jsonw_free(host_jsonw *w);

void host_jsonw_object_begin(host_jsonw *w, const char *key); /* key NULL inside arrays/top */
void host_jsonw_object_end(host_jsonw *w);
void host_jsonw_array_begin(host_jsonw *w, const char *key);
void host_jsonw_array_end(host_jsonw *w);
void host_jsonw_string(host_jsonw *w, const char *key, const char *value); /* NULL value -> null */
void host_jsonw_int(host_jsonw *w, const char *key, int64_t value);
void host_jsonw_uint(host_jsonw *w, const char *key, uint64_t value);
void host_jsonw_double(host_jsonw *w, const char *key, double value);
void host_jsonw_bool(host_jsonw *w, const char *key, int value);
void host_jsonw_null(host_jsonw *w, const char *key);
/* Inserts already-valid JSON text as a value. */
void host_jsonw_raw(host_jsonw *w, const char *key, const char *json);

/* The text so far (never NULL after init; "" on failure). */
const char *host_jsonw_text(const host_jsonw *w);

#endif
