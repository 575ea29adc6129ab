/* JSON writer and request-body getters (see json.h). */
#include <config.h>
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

struct sim_jw {
    yajl_gen g;
};

sim_jw *sim_jw_new(void)
{
    sim_jw *w = sim_xmalloc(sizeof(*w));
    w->g = yajl_gen_alloc(NULL);
    if (!w->g)
        abort();
    yajl_gen_config(w->g, yajl_gen_validate_utf8, 0);
    return w;
}

void sim_jw_free(sim_jw *w)
{
    if (!w)
        return;
    yajl_gen_free(w->g);
    free(w);
}

char *sim_jw_finish(sim_jw *w)
{
    const unsigned char *buf;
    size_t len;
    char *out;
    yajl_gen_get_buf(w->g, &buf, &len);
    out = sim_xmalloc(len + 1);
    memcpy(out, buf, len);
    out[len] = '\0';
    sim_jw_free(w);
    return out;
}

void sim_jw_obj(sim_jw *w)
{
    yajl_gen_map_open(w->g);
}
void sim_jw_obj_end(sim_jw *w)
{
    yajl_gen_map_close(w->g);
}
void sim_jw_arr(sim_jw *w)
{
    yajl_gen_array_open(w->g);
}
void sim_jw_arr_end(sim_jw *w)
{
    yajl_gen_array_close(w->g);
}

void sim_jw_key(sim_jw *w, const char *k)
{
    yajl_gen_string(w->g, (const unsigned char *)k, strlen(k));
}

void sim_jw_str(sim_jw *w, const char *s)
{
    if (s)
        yajl_gen_string(w->g, (const unsigned char *)s, strlen(s));
    else
        yajl_gen_null(w->g);
}

void sim_jw_int(sim_jw *w, int64_t v)
{
    yajl_gen_integer(w->g, (long long)v);
}
void sim_jw_bool(sim_jw *w, bool v)
{
    yajl_gen_bool(w->g, v);
}
void sim_jw_null(sim_jw *w)
{
    yajl_gen_null(w->g);
}

void sim_jw_kstr(sim_jw *w, const char *k, const char *s)
{
    sim_jw_key(w, k);
    sim_jw_str(w, s);
}
void sim_jw_kint(sim_jw *w, const char *k, int64_t v)
{
    sim_jw_key(w, k);
    sim_jw_int(w, v);
}
void sim_jw_kbool(sim_jw *w, const char *k, bool v)
{
    sim_jw_key(w, k);
    sim_jw_bool(w, v);
}
void sim_jw_knull(sim_jw *w, const char *k)
{
    sim_jw_key(w, k);
    sim_jw_null(w);
}

void sim_jw_kbwc(sim_jw *w, const char *k)
{
    sim_jw_key(w, k);
    sim_jw_obj(w);
    sim_jw_kint(w, "numSeconds", 0);
    sim_jw_kint(w, "totalWeightInKb", 0);
    sim_jw_kint(w, "numOccured", 0);
    sim_jw_obj_end(w);
}

void sim_jw_links(sim_jw *w, const char *const *pairs)
{
    sim_jw_key(w, "links");
    sim_jw_arr(w);
    for (size_t i = 0; pairs[i] && pairs[i + 1]; i += 2) {
        sim_jw_obj(w);
        sim_jw_kstr(w, "rel", pairs[i]);
        sim_jw_kstr(w, "href", pairs[i + 1]);
        sim_jw_obj_end(w);
    }
    sim_jw_arr_end(w);
}

char *sim_json_quote(const char *s)
{
    sim_jw *w = sim_jw_new();
    sim_jw_str(w, s);
    return sim_jw_finish(w);
}

yajl_val sim_jr_parse(const char *body, char *err, size_t errsz)
{
    const char *p = body ? body : "";
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (!*p)
        p = "{}";
    err[0] = '\0';
    return yajl_tree_parse(p, err, errsz);
}

yajl_val sim_jr_get(yajl_val obj, const char *key)
{
    if (!obj || !YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (!strcmp(obj->u.object.keys[i], key))
            return obj->u.object.values[i];
    return NULL;
}

const char *sim_jr_text(yajl_val obj, const char *key, char *buf, size_t bufsz)
{
    yajl_val v = sim_jr_get(obj, key);
    if (!v)
        return NULL;
    if (YAJL_IS_STRING(v))
        return v->u.string;
    if (YAJL_IS_NUMBER(v)) {
        if (!sim_strlcpy(buf, v->u.number.r, bufsz))
            return NULL;
        return buf;
    }
    if (YAJL_IS_TRUE(v))
        return "true";
    if (YAJL_IS_FALSE(v))
        return "false";
    return NULL;
}
