/* jsonw.c - the JSON writer (see jsonw.h). It writes what yajl_gen writes with beautify on and a
 * two-space indent, byte for byte (tests/harness/test_cmk.c holds it to yajl), but for empty
 * objects and arrays, written {} and [] as CloudStack writes them. yajl prints each token
 * through a callback in several small appends, and that was most of the time spent answering a
 * listing of thousands of objects. Bytes >= 0x80 pass through: the input is UTF-8 and is not
 * checked again here. */
#include "config.h"

#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

/* Where the writer stands in the container at each depth (yajl_gen's states). */
enum { AT_START, AT_MAP_START, AT_MAP_KEY, AT_MAP_VAL, AT_ARRAY_START, AT_IN_ARRAY, AT_COMPLETE };

/* Room for n more bytes (and a NUL); 0, or -1 with the writer failed. */
static int reserve(host_jsonw *w, size_t n)
{
    size_t cap = w->cap ? w->cap : 4096;
    char *nb;

    if (w->failed)
        return -1;
    if (w->len + n + 1 <= w->cap)
        return 0;
    while (cap < w->len + n + 1)
        cap *= 2;
    if ((nb = realloc(w->buf, cap)) == NULL) {
        w->failed = 1;
        return -1;
    }
    w->buf = nb;
    w->cap = cap;
    return 0;
}

static inline void put(host_jsonw *w, const char *s, size_t n)
{
    if (w->len + n + 1 > w->cap && reserve(w, n) != 0)
        return;
    if (w->failed)
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Two spaces a level of depth. */
static void indent(host_jsonw *w)
{
    static const char spaces[] = "                                "; /* 32 */
    size_t n = 2 * (size_t)w->depth;

    for (; n > 32; n -= 32)
        put(w, spaces, 32);
    put(w, spaces, n);
}

/* The separator and indentation before a token (yajl's INSERT_SEP and INSERT_WHITESPACE). */
static void before(host_jsonw *w)
{
    int st = w->state[w->depth];

    if (st == AT_MAP_KEY || st == AT_IN_ARRAY)
        put(w, w->pretty ? ",\n" : ",", w->pretty ? 2 : 1);
    else if (st == AT_MAP_VAL)
        put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
    if (w->pretty && st != AT_MAP_VAL)
        indent(w);
}

/* The state after a token (yajl's APPENDED_ATOM). */
static void appended(host_jsonw *w)
{
    int *st = &w->state[w->depth];

    switch (*st) {
    case AT_START: *st = AT_COMPLETE; break;
    case AT_MAP_START:
    case AT_MAP_KEY: *st = AT_MAP_VAL; break;
    case AT_ARRAY_START: *st = AT_IN_ARRAY; break;
    case AT_MAP_VAL: *st = AT_MAP_KEY; break;
    default: break;
    }
}

/* A finished document ends with a newline (yajl's FINAL_NEWLINE). */
static void final_newline(host_jsonw *w)
{
    if (w->pretty && w->state[w->depth] == AT_COMPLETE)
        put(w, "\n", 1);
}

static void after(host_jsonw *w)
{
    appended(w);
    final_newline(w);
}

/* 0 when a token may come now: the document is not finished, and a value (not_key) does not
 * stand where a key belongs. */
static int may(host_jsonw *w, int not_key)
{
    int st;

    if (w->failed)
        return -1;
    st = w->state[w->depth];
    if (st == AT_COMPLETE || (not_key && (st == AT_MAP_START || st == AT_MAP_KEY))) {
        w->failed = 1;
        return -1;
    }
    return 0;
}

/* What is written for each byte inside a string, as yajl_string_encode writes it (solidus not
 * escaped): 0 for the byte itself, else the escape's second character, 'u' for \u00XX. */
static const char escape_of[256] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r', ['"'] = '"',  ['\\'] = '\\',
    [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u', [0x05] = 'u', [0x06] = 'u',
    [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u',
    [0x13] = 'u', [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u',
    [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

static void quoted(host_jsonw *w, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *o;

    /* At most six bytes a byte, and the quotes. */
    if (reserve(w, n * 6 + 2) != 0)
        return;
    o = w->buf + w->len;
    *o++ = '"';
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc = escape_of[c];
        if (esc == 0) {
            *o++ = (char)c;
        } else {
            *o++ = '\\';
            *o++ = esc;
            if (esc == 'u') {
                *o++ = '0';
                *o++ = '0';
                *o++ = hex[c >> 4];
                *o++ = hex[c & 15];
            }
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->buf);
}

/* A string token: a key, or a value where one may stand. */
static void string_token(host_jsonw *w, const char *s)
{
    if (may(w, 0) != 0)
        return;
    before(w);
    quoted(w, s);
    after(w);
}

/* A value written as it is: a number, true, false, null. */
static void atom(host_jsonw *w, const char *text, size_t n)
{
    if (may(w, 1) != 0)
        return;
    before(w);
    put(w, text, n);
    after(w);
}

/* The key that precedes a value inside an object. */
static int lead(host_jsonw *w, const char *key)
{
    if (w->failed)
        return -1;
    if (key != NULL)
        string_token(w, key);
    return w->failed ? -1 : 0;
}

static void open_container(host_jsonw *w, const char *key, char bracket, int state)
{
    if (lead(w, key) != 0 || may(w, 1) != 0)
        return;
    before(w);
    if (w->depth + 1 >= HOST_JSONW_MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->state[++w->depth] = state;
    put(w, &bracket, 1);
    if (w->pretty)
        put(w, "\n", 1);
}

static void close_container(host_jsonw *w, char bracket)
{
    if (w->failed)
        return;
    if (w->state[w->depth] == AT_COMPLETE || w->depth == 0) {
        w->failed = 1;
        return;
    }
    /* yajl writes an empty object or array over lines ("{\n\n}"); CloudStack's answers write {}
     * and [] (an empty list's answer is {}): the newline after the opening bracket is taken back. */
    if (w->state[w->depth] == AT_MAP_START || w->state[w->depth] == AT_ARRAY_START) {
        w->depth--;
        if (w->pretty)
            w->len--;
        appended(w);
        put(w, &bracket, 1);
        final_newline(w);
        return;
    }
    w->depth--;
    if (w->pretty)
        put(w, "\n", 1);
    appended(w);
    if (w->pretty && w->state[w->depth] != AT_MAP_VAL)
        indent(w);
    put(w, &bracket, 1);
    final_newline(w);
}

void host_jsonw_init(host_jsonw *w, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->pretty = pretty != 0;
    w->state[0] = AT_START;
}

void host_jsonw_free(host_jsonw *w)
{
    free(w->buf);
    free(w->text);
    memset(w, 0, sizeof(*w));
}

void host_jsonw_object_begin(host_jsonw *w, const char *key)
{
    open_container(w, key, '{', AT_MAP_START);
}

void host_jsonw_object_end(host_jsonw *w)
{
    close_container(w, '}');
}

void host_jsonw_array_begin(host_jsonw *w, const char *key)
{
    open_container(w, key, '[', AT_ARRAY_START);
}

void host_jsonw_array_end(host_jsonw *w)
{
    close_container(w, ']');
}

void host_jsonw_string(host_jsonw *w, const char *key, const char *value)
{
    if (lead(w, key) != 0)
        return;
    if (value == NULL)
        atom(w, "null", 4);
    else if (may(w, 1) == 0)
        string_token(w, value);
}

/* The decimal digits of v, ending at end; returns where they start (snprintf was a tenth of the
 * time spent writing a listing). */
static char *digits(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

void host_jsonw_int(host_jsonw *w, const char *key, int64_t value)
{
    char num[24], *p = digits(num + sizeof(num), value < 0 ? 0 - (uint64_t)value : (uint64_t)value);

    if (value < 0)
        *--p = '-';
    if (lead(w, key) == 0)
        atom(w, p, (size_t)(num + sizeof(num) - p));
}

void host_jsonw_uint(host_jsonw *w, const char *key, uint64_t value)
{
    char num[24], *p = digits(num + sizeof(num), value);

    if (lead(w, key) == 0)
        atom(w, p, (size_t)(num + sizeof(num) - p));
}

/* %.6g: yajl_gen_double would print 17 digits. */
void host_jsonw_double(host_jsonw *w, const char *key, double value)
{
    char num[64];
    int n = snprintf(num, sizeof(num), "%.6g", value);

    if (lead(w, key) == 0)
        atom(w, num, (size_t)n);
}

void host_jsonw_bool(host_jsonw *w, const char *key, int value)
{
    if (lead(w, key) == 0)
        atom(w, value ? "true" : "false", value ? 4 : 5);
}

void host_jsonw_null(host_jsonw *w, const char *key)
{
    if (lead(w, key) == 0)
        atom(w, "null", 4);
}

/* Writes a parsed value again (numbers as they were written). */
static void tree(host_jsonw *w, yajl_val v)
{
    if (w->failed)
        return;
    if (YAJL_IS_OBJECT(v)) {
        open_container(w, NULL, '{', AT_MAP_START);
        for (size_t i = 0; i < v->u.object.len && !w->failed; i++) {
            lead(w, v->u.object.keys[i]);
            tree(w, v->u.object.values[i]);
        }
        close_container(w, '}');
    } else if (YAJL_IS_ARRAY(v)) {
        open_container(w, NULL, '[', AT_ARRAY_START);
        for (size_t i = 0; i < v->u.array.len && !w->failed; i++)
            tree(w, v->u.array.values[i]);
        close_container(w, ']');
    } else if (YAJL_IS_STRING(v)) {
        if (may(w, 1) == 0)
            string_token(w, v->u.string);
    } else if (YAJL_IS_NUMBER(v)) {
        atom(w, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        atom(w, YAJL_IS_TRUE(v) ? "true" : "false", YAJL_IS_TRUE(v) ? 4 : 5);
    } else {
        atom(w, "null", 4);
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

const char *host_jsonw_text(host_jsonw *w)
{
    size_t len = w->len;

    if (w->failed)
        return "";
    /* The top-level value ends with a newline; callers add their own. */
    while (len > 0 && w->buf[len - 1] == '\n')
        len--;
    free(w->text);
    if ((w->text = strndup(w->buf != NULL ? w->buf : "", len)) == NULL) {
        w->failed = 1;
        return "";
    }
    return w->text;
}
