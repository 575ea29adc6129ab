/* json.h - yajl at the gateway client's edge: bounded parsing, typed field reads, request bodies.
 * Only the gateway parsers use the yajl trees these return; no tree leaves the client. */
#ifndef PFX_JSON_H
#define PFX_JSON_H

#include "storage_plugin.h"

#include <stddef.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

/* Deeper nesting is refused before yajl builds (and later recursively frees) a tree. */
#define PFX_JSON_MAX_DEPTH 64

typedef enum pfx_json_need { PFX_JSON_OPTIONAL = 0, PFX_JSON_REQUIRED = 1 } pfx_json_need;

/* Parses a whole document. buf[len] must be '\0' (bodies from the transport and the fuzz
 * harness are terminated); a NUL inside the document is refused. `what` names the document in
 * messages ("volume"). On SP_OK *out is a tree the caller frees with yajl_tree_free; on failure
 * *out is NULL and err says SP_E_PROTOCOL. */
sp_status pfx_json_parse(const char *buf, size_t len, const char *what, yajl_val *out, sp_error *err);

/* The value under key in obj, or NULL when obj is not an object, the key is absent or null. */
yajl_val pfx_json_get(yajl_val obj, const char *key);

/* Typed reads of obj[key]. An absent or null field is SP_OK for PFX_JSON_OPTIONAL (strings read
 * as "", numbers and booleans as 0, *present as 0) and SP_E_PROTOCOL naming what and key for
 * PFX_JSON_REQUIRED. A wrong JSON type is always SP_E_PROTOCOL. `present` may be NULL. */

/* Copies a string into buf; a value longer than len - 1 bytes is refused (SP_E_PROTOCOL). */
sp_status pfx_json_str(yajl_val obj, const char *what, const char *key, pfx_json_need need, char *buf,
                       size_t len, sp_error *err);

/* A malloc'd copy the caller frees; *out is NULL when the field is absent and optional. */
sp_status pfx_json_strdup(yajl_val obj, const char *what, const char *key, pfx_json_need need, char **out,
                          sp_error *err);

/* A non-negative integer given as a JSON number or as a decimal string ("8388608"). */
sp_status pfx_json_u64(yajl_val obj, const char *what, const char *key, pfx_json_need need, uint64_t *out,
                       int *present, sp_error *err);

/* true/false, or the strings "true"/"false" in any case. */
sp_status pfx_json_bool(yajl_val obj, const char *what, const char *key, pfx_json_need need, int *out,
                        int *present, sp_error *err);

/* An array or object node (borrowed from the tree), or NULL when absent and optional. */
sp_status pfx_json_array(yajl_val obj, const char *what, const char *key, pfx_json_need need, yajl_val *out,
                         sp_error *err);
sp_status pfx_json_object(yajl_val obj, const char *what, const char *key, pfx_json_need need, yajl_val *out,
                          sp_error *err);

/* The same conversions for a value that is not an object member (a document, an array item);
 * `what` names it in messages. */
sp_status pfx_json_value_str(yajl_val v, const char *what, char *buf, size_t len, sp_error *err);
sp_status pfx_json_value_u64(yajl_val v, const char *what, uint64_t *out, sp_error *err);

/* A JSON type's name for messages ("a string", "null", ...). */
const char *pfx_json_type_name(yajl_val v);

/* ---- request bodies ----------------------------------------------------------------------- */

typedef struct pfx_json_out pfx_json_out;

/* A body being written. Calls after an error are ignored; finish reports the first error.
 * Returns NULL when out of memory. */
pfx_json_out *pfx_json_out_new(void);
void pfx_json_out_begin_object(pfx_json_out *o);
void pfx_json_out_end_object(pfx_json_out *o);
void pfx_json_out_begin_array(pfx_json_out *o);
void pfx_json_out_end_array(pfx_json_out *o);
/* A string value (or an object key); strings must be valid UTF-8. */
void pfx_json_out_string(pfx_json_out *o, const char *s);
/* "key": "value" inside an object. */
void pfx_json_out_kv(pfx_json_out *o, const char *key, const char *value);

/* Frees o (NULL allowed) and on success hands *body (malloc'd, NUL-terminated, the caller
 * frees it). Invalid UTF-8 in a string is SP_E_INVALID, out of memory SP_E_NOMEM. */
sp_status pfx_json_out_finish(pfx_json_out *o, char **body, sp_error *err);

/* A flat object of string values: key, value, key, value, ..., NULL. */
sp_status pfx_json_flat(char **body, sp_error *err, ...) __attribute__((sentinel));

#endif
