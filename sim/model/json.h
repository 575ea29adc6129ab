/* JSON in and out for the gateway emulation: a small writer over yajl_gen and typed getters over
 * yajl trees, so handlers never touch raw yajl calls or hand-build JSON text. */
#ifndef SIM_JSON_H
#define SIM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>

typedef struct sim_jw sim_jw;

sim_jw *sim_jw_new(void);
void sim_jw_free(sim_jw *w);
/* Returns the document (malloc'd, NUL-terminated) and frees the writer. */
char *sim_jw_finish(sim_jw *w);

void sim_jw_obj(sim_jw *w);
void sim_jw_obj_end(sim_jw *w);
void sim_jw_arr(sim_jw *w);
void sim_jw_arr_end(sim_jw *w);
void sim_jw_key(sim_jw *w, const char *k);
void sim_jw_str(sim_jw *w, const char *s); /* NULL writes null */
void sim_jw_int(sim_jw *w, int64_t v);
void sim_jw_bool(sim_jw *w, bool v);
void sim_jw_null(sim_jw *w);

/* key + value shorthands */
void sim_jw_kstr(sim_jw *w, const char *k, const char *s);
void sim_jw_kint(sim_jw *w, const char *k, int64_t v);
void sim_jw_kbool(sim_jw *w, const char *k, bool v);
void sim_jw_knull(sim_jw *w, const char *k);
/* {"numSeconds":0,"totalWeightInKb":0,"numOccured":0}, the gateway's bandwidth counter */
void sim_jw_kbwc(sim_jw *w, const char *k);
/* [{"rel":..,"href":..}, ...] from NULL-terminated pairs */
void sim_jw_links(sim_jw *w, const char *const *rel_href_pairs);

/* A JSON string literal of s ("..." with escapes), malloc'd. */
char *sim_json_quote(const char *s);

/* Parses a request body. NULL on malformed JSON; an empty body parses as {}. */
yajl_val sim_jr_parse(const char *body, char *err, size_t errsz);
yajl_val sim_jr_get(yajl_val obj, const char *key);
/* A field's value as text: strings as they are, numbers in their JSON spelling, booleans as
 * "true"/"false". NULL when absent, null, or of another type. Clients send numbers as strings. */
const char *sim_jr_text(yajl_val obj, const char *key, char *buf, size_t bufsz);

#endif
