/* jpath.h - reading fields of the last JSON response ("storagepool[0].state") and the scenario
 * "assert PATH OP VALUE" checks built on them. */
#ifndef HOST_JPATH_H
#define HOST_JPATH_H

#include "cmk.h"
#include "strbuf.h"

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* The node at path (len bytes): keys separated by '.', array elements as [N], and "length" of an
 * array as its element count (then *count_out is set and NULL returned with no error).
 * Returns NULL with err set when the path is malformed or absent. */
yajl_val host_jpath_get(yajl_val root, const char *path, size_t len, long *count_out, char *err,
                        size_t errlen);

/* Appends the text of a value: strings as is, numbers as written, true/false/null, objects and
 * arrays as compact JSON. */
void host_jpath_text(yajl_val v, host_buf *out);

/* Appends the text of the field at path in the JSON document `json` to out. 0 or -1 (err). */
int host_jpath_lookup(const char *json, const char *path, size_t len, host_buf *out, char *err,
                      size_t errlen);

typedef enum host_op {
    HOST_OP_EQ,
    HOST_OP_NE,
    HOST_OP_GT,
    HOST_OP_LT,
    HOST_OP_GE,
    HOST_OP_LE,
    HOST_OP_CONTAINS,
    HOST_OP_NOT_CONTAINS,
    HOST_OP_ABSENT /* "PATH absent": the field is not in the response */
} host_op;

typedef struct host_assert {
    char *path;        /* owned; variables expanded */
    int left_is_value; /* the left side was a $variable (or quoted): compare its value, not a field */
    host_op op;
    char *value; /* owned; unquoted and expanded */
} host_assert;

/* Parses "PATH OP VALUE" (OP one of = != > < >= <= ~ ~= !~) or "PATH absent". Both sides are
 * expanded; a left side starting with '$' or a quote is a value ("assert $a!=$b"), else the path
 * of a field of the response. 0, or -1 with err (an unset variable on either side). */
int host_assert_parse(const char *text, size_t len, host_expand_fn expand, void *ctx, host_assert *out,
                      char *err, size_t errlen);
void host_assert_free(host_assert *a);

/* Checks the assertion against the JSON document `json` (NULL is allowed when the left side is a
 * value). A field that is absent fails every operator but "absent"; CloudStack's empty list answer
 * `{}` carries no count, and `count` reads 0 on it. Returns 0 when it holds, 1 when it does not
 * (msg says what was found), -1 when it cannot be evaluated (msg says why). */
int host_assert_check(const host_assert *a, const char *json, char *msg, size_t msglen);

#endif
