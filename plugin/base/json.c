/* json.c - yajl at the gateway client's edge: bounded parsing, typed field reads, request bodies.
 * Every failure names the document and the field, so a gateway change is diagnosed from the log. */
#include "config.h"

#include "json.h"

#include "error.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_gen.h>

typedef enum body_shape { BODY_OK, BODY_TOO_DEEP, BODY_COMMENT } body_shape;

/* yajl builds trees iteratively but yajl_tree_free recurses, so a body of a million '[' would
 * overflow the stack on free; refuse deep nesting before parsing. yajl's tree parser also takes
 * comments, which JSON has not and the gateway never sends: a '/' outside a string is refused,
 * or a quote inside a comment would hide the nesting that follows from this count. */
static body_shape scan(const char *buf, size_t len)
{
    int in_string = 0, escaped = 0;
    unsigned depth = 0;

    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == '/') {
            return BODY_COMMENT;
        } else if (c == '[' || c == '{') {
            if (++depth > PFX_JSON_MAX_DEPTH)
                return BODY_TOO_DEEP;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return BODY_OK;
}

/* The first line of yajl's message, without the echoed input that follows it. */
static void first_line(const char *in, char *out, size_t len)
{
    size_t n = 0;

    while (in[n] != '\0' && in[n] != '\n' && n + 1 < len) {
        out[n] = isprint((unsigned char)in[n]) ? in[n] : '?';
        n++;
    }
    out[n] = '\0';
}

sp_status pfx_json_parse(const char *buf, size_t len, const char *what, yajl_val *out, sp_error *err)
{
    char yerr[256], line[128];
    size_t i;

    *out = NULL;
    for (i = 0; i < len && isspace((unsigned char)buf[i]); i++)
        ;
    if (i == len)
        return pfx_error(err, SP_E_PROTOCOL, "%s: the gateway's answer is empty", what);
    if (memchr(buf, '\0', len) != NULL)
        return pfx_error(err, SP_E_PROTOCOL, "%s: the gateway's answer contains a NUL byte", what);
    switch (scan(buf, len)) {
    case BODY_TOO_DEEP:
        return pfx_error(err, SP_E_PROTOCOL, "%s: the gateway's answer nests deeper than %d levels", what,
                         PFX_JSON_MAX_DEPTH);
    case BODY_COMMENT:
        return pfx_error(err, SP_E_PROTOCOL,
                         "%s: the gateway's answer is not valid JSON ('/' outside a string)", what);
    case BODY_OK: break;
    }
    yerr[0] = '\0';
    *out = yajl_tree_parse(buf, yerr, sizeof(yerr));
    if (*out == NULL) {
        first_line(yerr[0] != '\0' ? yerr : "out of memory", line, sizeof(line));
        return pfx_error(err, SP_E_PROTOCOL, "%s: the gateway's answer is not valid JSON (%s)", what, line);
    }
    return SP_OK;
}

yajl_val pfx_json_get(yajl_val obj, const char *key)
{
    if (obj == NULL || !YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return YAJL_IS_NULL(obj->u.object.values[i]) ? NULL : obj->u.object.values[i];
    return NULL;
}

const char *pfx_json_type_name(yajl_val v)
{
    if (v == NULL || YAJL_IS_NULL(v))
        return "null";
    if (YAJL_IS_STRING(v))
        return "a string";
    if (YAJL_IS_NUMBER(v))
        return "a number";
    if (YAJL_IS_OBJECT(v))
        return "an object";
    if (YAJL_IS_ARRAY(v))
        return "an array";
    return "a boolean";
}

/* Looks the field up and settles the absent case. Returns 1 when *v holds a value to convert,
 * 0 when the caller is done (absent and optional: st is SP_OK; required: st is the error). */
static int lookup(yajl_val obj, const char *what, const char *key, pfx_json_need need, yajl_val *v,
                  sp_status *st, sp_error *err)
{
    *v = pfx_json_get(obj, key);
    if (*v != NULL)
        return 1;
    *st = need == PFX_JSON_REQUIRED
              ? pfx_error(err, SP_E_PROTOCOL, "%s: required field \"%s\" is missing or null", what, key)
              : SP_OK;
    return 0;
}

static sp_status wrong_type(const char *what, const char *key, const char *expected, yajl_val v,
                            sp_error *err)
{
    if (key == NULL)
        return pfx_error(err, SP_E_PROTOCOL, "%s: expected %s, got %s", what, expected,
                         pfx_json_type_name(v));
    return pfx_error(err, SP_E_PROTOCOL, "%s: field \"%s\" should be %s, not %s", what, key, expected,
                     pfx_json_type_name(v));
}

static sp_status to_str(yajl_val v, const char *what, const char *key, char *buf, size_t len, sp_error *err)
{
    size_t n;

    if (!YAJL_IS_STRING(v))
        return wrong_type(what, key, "a string", v, err);
    n = strlen(v->u.string);
    if (n >= len)
        return pfx_error(err, SP_E_PROTOCOL, "%s: %s%s%s is %zu bytes long; at most %zu are expected", what,
                         key ? "field \"" : "the value", key ? key : "", key ? "\"" : "", n, len - 1);
    memcpy(buf, v->u.string, n + 1);
    return SP_OK;
}

/* Digits only: signs, exponents and fractions are not sizes or counts. */
static int decimal_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return 0;
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 1;
}

static sp_status to_u64(yajl_val v, const char *what, const char *key, uint64_t *out, sp_error *err)
{
    const char *text;

    if (YAJL_IS_NUMBER(v))
        text = v->u.number.r;
    else if (YAJL_IS_STRING(v))
        text = v->u.string;
    else
        return wrong_type(what, key, "a number", v, err);
    if (!decimal_u64(text, out))
        return pfx_error(err, SP_E_PROTOCOL, "%s: %s%s%s is not a whole number in 0..2^64-1", what,
                         key ? "field \"" : "the value", key ? key : "", key ? "\"" : "");
    return SP_OK;
}

sp_status pfx_json_str(yajl_val obj, const char *what, const char *key, pfx_json_need need, char *buf,
                       size_t len, sp_error *err)
{
    yajl_val v;
    sp_status st;

    if (len > 0)
        buf[0] = '\0';
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    return to_str(v, what, key, buf, len, err);
}

sp_status pfx_json_strdup(yajl_val obj, const char *what, const char *key, pfx_json_need need, char **out,
                          sp_error *err)
{
    yajl_val v;
    sp_status st;

    *out = NULL;
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    if (!YAJL_IS_STRING(v))
        return wrong_type(what, key, "a string", v, err);
    *out = strdup(v->u.string);
    if (*out == NULL)
        return pfx_error(err, SP_E_NOMEM, "%s: out of memory copying field \"%s\"", what, key);
    return SP_OK;
}

sp_status pfx_json_u64(yajl_val obj, const char *what, const char *key, pfx_json_need need, uint64_t *out,
                       int *present, sp_error *err)
{
    yajl_val v;
    sp_status st;

    *out = 0;
    if (present != NULL)
        *present = 0;
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    st = to_u64(v, what, key, out, err);
    if (st == SP_OK && present != NULL)
        *present = 1;
    return st;
}

sp_status pfx_json_bool(yajl_val obj, const char *what, const char *key, pfx_json_need need, int *out,
                        int *present, sp_error *err)
{
    yajl_val v;
    sp_status st;

    *out = 0;
    if (present != NULL)
        *present = 0;
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    if (YAJL_IS_TRUE(v) || (YAJL_IS_STRING(v) && strcasecmp(v->u.string, "true") == 0))
        *out = 1;
    else if (!YAJL_IS_FALSE(v) && !(YAJL_IS_STRING(v) && strcasecmp(v->u.string, "false") == 0))
        return wrong_type(what, key, "a boolean", v, err);
    if (present != NULL)
        *present = 1;
    return SP_OK;
}

sp_status pfx_json_array(yajl_val obj, const char *what, const char *key, pfx_json_need need, yajl_val *out,
                         sp_error *err)
{
    yajl_val v;
    sp_status st;

    *out = NULL;
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    if (!YAJL_IS_ARRAY(v))
        return wrong_type(what, key, "an array", v, err);
    *out = v;
    return SP_OK;
}

sp_status pfx_json_object(yajl_val obj, const char *what, const char *key, pfx_json_need need, yajl_val *out,
                          sp_error *err)
{
    yajl_val v;
    sp_status st;

    *out = NULL;
    if (!lookup(obj, what, key, need, &v, &st, err))
        return st;
    if (!YAJL_IS_OBJECT(v))
        return wrong_type(what, key, "an object", v, err);
    *out = v;
    return SP_OK;
}

sp_status pfx_json_value_str(yajl_val v, const char *what, char *buf, size_t len, sp_error *err)
{
    if (len > 0)
        buf[0] = '\0';
    return to_str(v, what, NULL, buf, len, err);
}

sp_status pfx_json_value_u64(yajl_val v, const char *what, uint64_t *out, sp_error *err)
{
    *out = 0;
    return to_u64(v, what, NULL, out, err);
}

/* ---- request bodies ----------------------------------------------------------------------- */

struct pfx_json_out {
    yajl_gen gen;
    yajl_gen_status status; /* the first failure; later calls are skipped */
};

pfx_json_out *pfx_json_out_new(void)
{
    pfx_json_out *o = calloc(1, sizeof(*o));

    if (o == NULL)
        return NULL;
    o->gen = yajl_gen_alloc(NULL);
    if (o->gen == NULL) {
        free(o);
        return NULL;
    }
    /* Names come from users; refusing bad UTF-8 here gives a clear error instead of a 400. */
    yajl_gen_config(o->gen, yajl_gen_validate_utf8, 1);
    o->status = yajl_gen_status_ok;
    return o;
}

static void record(pfx_json_out *o, yajl_gen_status st)
{
    if (o->status == yajl_gen_status_ok)
        o->status = st;
}

void pfx_json_out_begin_object(pfx_json_out *o)
{
    if (o != NULL && o->status == yajl_gen_status_ok)
        record(o, yajl_gen_map_open(o->gen));
}

void pfx_json_out_end_object(pfx_json_out *o)
{
    if (o != NULL && o->status == yajl_gen_status_ok)
        record(o, yajl_gen_map_close(o->gen));
}

void pfx_json_out_begin_array(pfx_json_out *o)
{
    if (o != NULL && o->status == yajl_gen_status_ok)
        record(o, yajl_gen_array_open(o->gen));
}

void pfx_json_out_end_array(pfx_json_out *o)
{
    if (o != NULL && o->status == yajl_gen_status_ok)
        record(o, yajl_gen_array_close(o->gen));
}

void pfx_json_out_string(pfx_json_out *o, const char *s)
{
    if (o != NULL && o->status == yajl_gen_status_ok)
        record(o, yajl_gen_string(o->gen, (const unsigned char *)s, strlen(s)));
}

void pfx_json_out_kv(pfx_json_out *o, const char *key, const char *value)
{
    pfx_json_out_string(o, key);
    pfx_json_out_string(o, value);
}

sp_status pfx_json_out_finish(pfx_json_out *o, char **body, sp_error *err)
{
    const unsigned char *buf;
    size_t len;
    sp_status st = SP_OK;

    *body = NULL;
    if (o == NULL)
        return pfx_error(err, SP_E_NOMEM, "out of memory writing a request body");
    if (o->status == yajl_gen_status_ok)
        record(o, yajl_gen_get_buf(o->gen, &buf, &len));
    if (o->status == yajl_gen_invalid_string) {
        st = pfx_error(err, SP_E_INVALID, "a request value is not valid UTF-8");
        goto out;
    }
    if (o->status != yajl_gen_status_ok) {
        st = pfx_error(err, SP_E_INTERNAL, "writing a request body failed (yajl_gen status %d)",
                       (int)o->status);
        goto out;
    }
    *body = malloc(len + 1);
    if (*body == NULL) {
        st = pfx_error(err, SP_E_NOMEM, "out of memory writing a request body");
        goto out;
    }
    memcpy(*body, buf, len);
    (*body)[len] = '\0';
out:
    yajl_gen_free(o->gen);
    free(o);
    return st;
}

sp_status pfx_json_flat(char **body, sp_error *err, ...)
{
    pfx_json_out *o = pfx_json_out_new();
    const char *key;
    va_list ap;

    pfx_json_out_begin_object(o);
    va_start(ap, err);
    while ((key = va_arg(ap, const char *)) != NULL)
        pfx_json_out_kv(o, key, va_arg(ap, const char *));
    va_end(ap);
    pfx_json_out_end_object(o);
    return pfx_json_out_finish(o, body, err);
}
