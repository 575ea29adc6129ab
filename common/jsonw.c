/* jsonw.c - a small JSON writer for the harness's CloudStack-shaped output.
 * Strings are escaped per RFC 8259; bytes >= 0x80 pass through (the input is UTF-8). */
#include "config.h"

#include "jsonw.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH ((int)(sizeof(((host_jsonw *)0)->need_comma) / sizeof(int)))

static void put(host_jsonw *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        char *nb;
        while (w->len + n + 1 > cap)
            cap *= 2;
        nb = realloc(w->buf, cap);
        if (nb == NULL) {
            w->failed = 1;
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(host_jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

static void indent(host_jsonw *w)
{
    if (!w->pretty)
        return;
    put(w, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        put(w, "  ", 2);
}

static void put_string(host_jsonw *w, const char *s)
{
    put(w, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        switch (*p) {
        case '"': puts_(w, "\\\""); break;
        case '\\': puts_(w, "\\\\"); break;
        case '\n': puts_(w, "\\n"); break;
        case '\r': puts_(w, "\\r"); break;
        case '\t': puts_(w, "\\t"); break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", *p);
                puts_(w, esc);
            } else {
                put(w, (const char *)p, 1);
            }
        }
    }
    put(w, "\"", 1);
}

/* Writes the separator and key that precede a value. */
static void lead(host_jsonw *w, const char *key)
{
    if (w->depth > 0) {
        if (w->need_comma[w->depth - 1])
            put(w, ",", 1);
        w->need_comma[w->depth - 1] = 1;
        indent(w);
    }
    if (key != NULL) {
        put_string(w, key);
        puts_(w, w->pretty ? ": " : ":");
    }
}

void host_jsonw_init(host_jsonw *w, int pretty)
{
    memset(w, 0, sizeof(*w));
    w->pretty = pretty;
    put(w, "", 0);
}

void host_jsonw_free(host_jsonw *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

static void open_(host_jsonw *w, const char *key, const char *bracket)
{
    lead(w, key);
    puts_(w, bracket);
    if (w->depth >= MAX_DEPTH) {
        w->failed = 1;
        return;
    }
    w->need_comma[w->depth++] = 0;
}

static void close_(host_jsonw *w, const char *bracket)
{
    if (w->depth == 0) {
        w->failed = 1;
        return;
    }
    w->depth--;
    if (w->need_comma[w->depth])
        indent(w);
    puts_(w, bracket);
}

void host_jsonw_object_begin(host_jsonw *w, const char *key) { open_(w, key, "{"); }
void host_jsonw_object_end(host_jsonw *w) { close_(w, "}"); }
void host_jsonw_array_begin(host_jsonw *w, const char *key) { open_(w, key, "["); }
void host_jsonw_array_end(host_jsonw *w) { close_(w, "]"); }

void host_jsonw_string(host_jsonw *w, const char *key, const char *value)
{
    lead(w, key);
    if (value == NULL)
        puts_(w, "null");
    else
        put_string(w, value);
}

void host_jsonw_int(host_jsonw *w, const char *key, int64_t value)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, value);
    lead(w, key);
    puts_(w, num);
}

void host_jsonw_uint(host_jsonw *w, const char *key, uint64_t value)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRIu64, value);
    lead(w, key);
    puts_(w, num);
}

void host_jsonw_double(host_jsonw *w, const char *key, double value)
{
    char num[64];
    snprintf(num, sizeof(num), "%.6g", value);
    lead(w, key);
    puts_(w, num);
}

void host_jsonw_bool(host_jsonw *w, const char *key, int value)
{
    lead(w, key);
    puts_(w, value ? "true" : "false");
}

void host_jsonw_null(host_jsonw *w, const char *key)
{
    lead(w, key);
    puts_(w, "null");
}

void host_jsonw_raw(host_jsonw *w, const char *key, const char *json)
{
    lead(w, key);
    puts_(w, json);
}

const char *host_jsonw_text(const host_jsonw *w)
{
    return (w->failed || w->buf == NULL) ? "" : w->buf;
}
