/* jsonw.c - the JSON writer (see jsonw.h) over yajl_gen. Bytes >= 0x80 pass through: the input
 * is UTF-8 and is not checked again here. */
#include "config.h"

#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#define GEN(w) ((yajl_gen)(w)->gen)

static void check(host_jsonw *w, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok)
        w->failed = 1;
}

/* The key that precedes a value inside an object. */
static int lead(host_jsonw *w, const char *key)
{
    if (w->failed)
        return -1;
    if (key != NULL)
        check(w, yajl_gen_string(GEN(w), (const unsigned char *)key, strlen(key)));
    return w->failed ? -1 : 0;
}

void host_jsonw_init(host_jsonw *w, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->gen = yajl_gen_alloc(NULL);
    if (w->gen == NULL) {
        w->failed = 1;
        return;
    }
    yajl_gen_config(GEN(w), yajl_gen_beautify, pretty);
    yajl_gen_config(GEN(w), yajl_gen_indent_string, "  ");
}

void host_jsonw_free(host_jsonw *w)
{
    if (w->gen != NULL)
        yajl_gen_free(GEN(w));
    free(w->text);
    memset(w, 0, sizeof(*w));
}

void host_jsonw_object_begin(host_jsonw *w, const char *key)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_map_open(GEN(w)));
}

void host_jsonw_object_end(host_jsonw *w)
{
    if (!w->failed)
        check(w, yajl_gen_map_close(GEN(w)));
}

void host_jsonw_array_begin(host_jsonw *w, const char *key)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_array_open(GEN(w)));
}

void host_jsonw_array_end(host_jsonw *w)
{
    if (!w->failed)
        check(w, yajl_gen_array_close(GEN(w)));
}

void host_jsonw_string(host_jsonw *w, const char *key, const char *value)
{
    if (lead(w, key) != 0)
        return;
    if (value == NULL)
        check(w, yajl_gen_null(GEN(w)));
    else
        check(w, yajl_gen_string(GEN(w), (const unsigned char *)value, strlen(value)));
}

void host_jsonw_int(host_jsonw *w, const char *key, int64_t value)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_integer(GEN(w), (long long)value));
}

/* A number as this writer formats it (yajl_gen_double would print 17 digits). */
static void number(host_jsonw *w, const char *key, const char *text)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_number(GEN(w), text, strlen(text)));
}

void host_jsonw_uint(host_jsonw *w, const char *key, uint64_t value)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRIu64, value);
    number(w, key, num);
}

void host_jsonw_double(host_jsonw *w, const char *key, double value)
{
    char num[64];
    snprintf(num, sizeof(num), "%.6g", value);
    number(w, key, num);
}

void host_jsonw_bool(host_jsonw *w, const char *key, int value)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_bool(GEN(w), value != 0));
}

void host_jsonw_null(host_jsonw *w, const char *key)
{
    if (lead(w, key) == 0)
        check(w, yajl_gen_null(GEN(w)));
}

/* Writes a parsed value again (numbers as they were written). */
static void tree(host_jsonw *w, yajl_val v)
{
    if (w->failed)
        return;
    if (YAJL_IS_OBJECT(v)) {
        check(w, yajl_gen_map_open(GEN(w)));
        for (size_t i = 0; i < v->u.object.len && !w->failed; i++) {
            lead(w, v->u.object.keys[i]);
            tree(w, v->u.object.values[i]);
        }
        if (!w->failed)
            check(w, yajl_gen_map_close(GEN(w)));
    } else if (YAJL_IS_ARRAY(v)) {
        check(w, yajl_gen_array_open(GEN(w)));
        for (size_t i = 0; i < v->u.array.len && !w->failed; i++)
            tree(w, v->u.array.values[i]);
        if (!w->failed)
            check(w, yajl_gen_array_close(GEN(w)));
    } else if (YAJL_IS_STRING(v)) {
        check(w, yajl_gen_string(GEN(w), (const unsigned char *)v->u.string, strlen(v->u.string)));
    } else if (YAJL_IS_NUMBER(v)) {
        check(w, yajl_gen_number(GEN(w), v->u.number.r, strlen(v->u.number.r)));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        check(w, yajl_gen_bool(GEN(w), YAJL_IS_TRUE(v)));
    } else {
        check(w, yajl_gen_null(GEN(w)));
    }
}

void host_jsonw_raw(host_jsonw *w, const char *key, const char *json)
{
    yajl_val v;

    if (lead(w, key) != 0)
        return;
    if ((v = yajl_tree_parse(json, NULL, 0)) == NULL) {
        w->failed = 1;
        return;
    }
    tree(w, v);
    yajl_tree_free(v);
}

/* beautify writes an empty object or array over lines ("{\n\n}"); CloudStack's answers write {}
 * and [] (an empty list's answer is {}). Outside strings, an opening bracket followed by nothing
 * but blanks up to its closing one becomes the pair, in place. */
static void compact_empty(char *s, size_t len)
{
    size_t r = 0, o = 0;
    int in_str = 0;

    while (r < len) {
        char c = s[r];
        if (in_str) {
            s[o++] = s[r++];
            if (c == '\\' && r < len)
                s[o++] = s[r++];
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            size_t j = r + 1;
            while (j < len && (s[j] == ' ' || s[j] == '\n'))
                j++;
            if (j < len && s[j] == (c == '{' ? '}' : ']')) {
                s[o++] = c;
                s[o++] = s[j];
                r = j + 1;
                continue;
            }
        }
        s[o++] = s[r++];
    }
    s[o] = '\0';
}

const char *host_jsonw_text(host_jsonw *w)
{
    const unsigned char *buf;
    size_t len;

    if (w->failed || w->gen == NULL || yajl_gen_get_buf(GEN(w), &buf, &len) != yajl_gen_status_ok)
        return "";
    /* beautify ends the top-level value with a newline; callers add their own */
    while (len > 0 && buf[len - 1] == '\n')
        len--;
    free(w->text);
    if ((w->text = strndup((const char *)buf, len)) == NULL) {
        w->failed = 1;
        return "";
    }
    compact_empty(w->text, len);
    return w->text;
}
