/* jsonw.h - the one JSON writer of the harness and the tests: CloudStack-shaped output where
 * callers only name things (the writer escapes, separates and indents, as yajl_gen does). */
#ifndef HOST_JSONW_H
#define HOST_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define HOST_JSONW_MAX_DEPTH 128 /* containers nested deeper fail the writer (yajl_gen's limit) */

typedef struct host_jsonw {
    char *buf; /* owned: what is written so far */
    size_t len, cap;
    char *text; /* owned: the text handed out last */
    int failed; /* out of memory, nesting too deep, a value where a key belongs, invalid raw JSON */
    int pretty;
    int depth;
    int state[HOST_JSONW_MAX_DEPTH]; /* where the writer stands in the container at each depth */
} host_jsonw;

void host_jsonw_init(host_jsonw *w, int pretty);
void host_jsonw_free(host_jsonw *w);

/* key NULL inside arrays and at the top; a key is required inside objects. */
void host_jsonw_object_begin(host_jsonw *w, const char *key);
void host_jsonw_object_end(host_jsonw *w);
void host_jsonw_array_begin(host_jsonw *w, const char *key);
void host_jsonw_array_end(host_jsonw *w);
void host_jsonw_string(host_jsonw *w, const char *key, const char *value); /* NULL value -> null */
void host_jsonw_int(host_jsonw *w, const char *key, int64_t value);
void host_jsonw_uint(host_jsonw *w, const char *key, uint64_t value);
void host_jsonw_double(host_jsonw *w, const char *key, double value);
void host_jsonw_bool(host_jsonw *w, const char *key, int value);
void host_jsonw_null(host_jsonw *w, const char *key);
/* Inserts JSON text (an answer from elsewhere) as a value; it is parsed and written again, so
 * text that is not JSON fails the writer rather than its output. */
void host_jsonw_raw(host_jsonw *w, const char *key, const char *json);

/* The text so far, without a trailing newline ("" on failure); borrowed until the next call. */
const char *host_jsonw_text(host_jsonw *w);

#endif
