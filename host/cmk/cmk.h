/* cmk.h - CloudMonkey command lines: "create storagepool name=x details[0].k=v ...".
 * Splits a line into leading words and key=value parameters, unquoting and expanding $variables. */
#ifndef HOST_CMK_H
#define HOST_CMK_H

#include "storage_plugin.h"
#include "strbuf.h"

#include <stddef.h>

typedef struct host_cmd_param {
    char *key;   /* as written (lookups ignore case, as CloudStack's API does) */
    char *value; /* unquoted and expanded; "" when empty */
} host_cmd_param;

typedef struct host_cmd {
    char **words; /* the leading words without '=' (verb, noun, ...), as written */
    size_t n_words;
    host_cmd_param *params;
    size_t n_params;
    sp_kv *map; /* scratch for host_cmd_map(); owned */
    size_t map_cap;
} host_cmd;

/* Expands the variable reference `name` (len bytes, the text after '$' or inside "${...}") by
 * appending its value to out. Returns 0, or -1 with the reason in err. */
typedef int (*host_expand_fn)(void *ctx, const char *name, size_t len, host_buf *out, char *err,
                              size_t errlen);

/* Parses one line (len bytes; need not be NUL-terminated; a NUL byte inside is refused).
 * Returns 1 with *out filled (owned by the caller: host_cmd_free), 0 for a blank or comment line,
 * -1 with the reason in err. `expand` may be NULL: then '$' is an ordinary character. */
int host_cmk_parse(const char *line, size_t len, host_expand_fn expand, void *ctx, host_cmd *out, char *err,
                   size_t errlen);

/* Unquotes and expands one fragment of text (an assert value, say) into out. 0 or -1. */
int host_cmk_text(const char *s, size_t len, host_expand_fn expand, void *ctx, host_buf *out, char *err,
                  size_t errlen);

void host_cmd_free(host_cmd *c);

/* The value of parameter `key` (case-insensitive), or NULL. Borrowed from c. */
const char *host_cmd_get(const host_cmd *c, const char *key);

/* The entries of map parameter `name`: "name[i].k=v" gives (k, v); an index carrying both
 * ".key" and ".value" gives (its key, its value). Sorted by index, then as written. Pointers are
 * borrowed from c until it changes. Returns the count (0 when none), -1 when out of memory. */
long host_cmd_map(host_cmd *c, const char *name, const sp_kv **out);

#endif
