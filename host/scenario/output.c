/* output.c - answers shown as CloudMonkey shows them (json, table, text) and its filter=.
 * The answer arrives as JSON text; it is parsed with yajl's tree API and written again, so the
 * API handlers keep writing JSON only. */
#include "config.h"

#include "output.h"

#include "jpath.h"
#include "jsonw.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_tree.h>

int host_display_parse(const char *name, host_display *out)
{
    static const char *names[] = {"json", "table", "text"};
    for (int i = 0; i < 3; i++)
        if (strcasecmp(name, names[i]) == 0) {
            *out = (host_display)i;
            return 0;
        }
    return -1;
}

static void emit(host_jsonw *w, const char *key, yajl_val v)
{
    if (YAJL_IS_STRING(v)) {
        host_jsonw_string(w, key, v->u.string);
    } else if (YAJL_IS_NUMBER(v)) {
        host_jsonw_raw(w, key, v->u.number.r);
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        host_jsonw_bool(w, key, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_OBJECT(v)) {
        host_jsonw_object_begin(w, key);
        for (size_t i = 0; i < v->u.object.len; i++)
            emit(w, v->u.object.keys[i], v->u.object.values[i]);
        host_jsonw_object_end(w);
    } else if (YAJL_IS_ARRAY(v)) {
        host_jsonw_array_begin(w, key);
        for (size_t i = 0; i < v->u.array.len; i++)
            emit(w, NULL, v->u.array.values[i]);
        host_jsonw_array_end(w);
    } else {
        host_jsonw_null(w, key);
    }
}

/* The filter's keys, split at commas (blanks trimmed). *n 0 when none. */
static char **split_keys(const char *keys, size_t *n)
{
    char **out = NULL, *copy, *save = NULL;
    size_t cap = 0;

    *n = 0;
    if (keys == NULL || *keys == '\0' || (copy = strdup(keys)) == NULL)
        return NULL;
    for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        for (char *end = t + strlen(t); end > t && end[-1] == ' ';)
            *--end = '\0';
        if (*t == '\0')
            continue;
        if (*n == cap) {
            char **nk = realloc(out, (cap = cap ? cap * 2 : 8) * sizeof(*nk));
            if (nk == NULL)
                break;
            out = nk;
        }
        if ((out[*n] = strdup(t)) != NULL)
            (*n)++;
    }
    free(copy);
    return out;
}

static void free_keys(char **k, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(k[i]);
    free(k);
}

static yajl_val member(yajl_val obj, const char *key)
{
    for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

char *host_output_filter(const char *json, const char *keys)
{
    char perr[256], *out = NULL, **k;
    size_t nk;
    yajl_val root;
    host_jsonw w;

    if ((root = yajl_tree_parse(json, perr, sizeof(perr))) == NULL)
        return NULL;
    k = split_keys(keys, &nk);
    host_jsonw_init(&w, 1);
    host_jsonw_object_begin(&w, NULL);
    for (size_t i = 0; YAJL_IS_OBJECT(root) && i < root->u.object.len; i++) {
        const char *key = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];
        if (!YAJL_IS_ARRAY(v) || nk == 0) {
            emit(&w, key, v);
            continue;
        }
        host_jsonw_array_begin(&w, key);
        for (size_t r = 0; r < v->u.array.len; r++) {
            yajl_val row = v->u.array.values[r];
            if (!YAJL_IS_OBJECT(row)) {
                emit(&w, NULL, row);
                continue;
            }
            host_jsonw_object_begin(&w, NULL);
            for (size_t f = 0; f < nk; f++) {
                yajl_val fv = member(row, k[f]);
                if (fv != NULL)
                    emit(&w, k[f], fv);
            }
            host_jsonw_object_end(&w);
        }
        host_jsonw_array_end(&w);
    }
    host_jsonw_object_end(&w);
    if (!w.failed)
        out = strdup(host_jsonw_text(&w));
    host_jsonw_free(&w);
    free_keys(k, nk);
    yajl_tree_free(root);
    return out;
}

/* A cell or a text value: strings as they are, objects and arrays as compact JSON. */
static void cell(yajl_val v, host_buf *out)
{
    if (v != NULL && !YAJL_IS_NULL(v))
        host_jpath_text(v, out);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The columns of a table of rows: `keys` when given, else every field of any row, sorted. */
static char **columns(yajl_val *rows, size_t nrows, const char *keys, size_t *n)
{
    char **cols = NULL;
    size_t cap = 0;

    if (keys != NULL && *keys != '\0')
        return split_keys(keys, n);
    *n = 0;
    for (size_t r = 0; r < nrows; r++)
        for (size_t i = 0; YAJL_IS_OBJECT(rows[r]) && i < rows[r]->u.object.len; i++) {
            const char *key = rows[r]->u.object.keys[i];
            size_t j;
            for (j = 0; j < *n && strcmp(cols[j], key) != 0; j++)
                ;
            if (j < *n)
                continue;
            if (*n == cap) {
                char **nc = realloc(cols, (cap = cap ? cap * 2 : 16) * sizeof(*nc));
                if (nc == NULL)
                    return cols;
                cols = nc;
            }
            if ((cols[*n] = strdup(key)) != NULL)
                (*n)++;
        }
    if (*n > 1)
        qsort(cols, *n, sizeof(*cols), cmp_str);
    return cols;
}

static void rule(FILE *out, const size_t *width, size_t n)
{
    fputc('+', out);
    for (size_t c = 0; c < n; c++) {
        for (size_t i = 0; i < width[c] + 2; i++)
            fputc('-', out);
        fputc('+', out);
    }
    fputc('\n', out);
}

static void row_line(FILE *out, char **cells, const size_t *width, size_t n)
{
    fputc('|', out);
    for (size_t c = 0; c < n; c++)
        fprintf(out, " %-*s |", (int)width[c], cells[c]);
    fputc('\n', out);
}

/* One table (tablewriter's look: upper-case headers, ASCII rules). */
static void table(FILE *out, yajl_val *rows, size_t nrows, const char *keys)
{
    size_t ncols = 0, *width;
    char **cols = columns(rows, nrows, keys, &ncols), **cells;

    if (ncols == 0) {
        free_keys(cols, ncols);
        return;
    }
    width = calloc(ncols, sizeof(*width));
    cells = calloc(ncols * (nrows + 1), sizeof(*cells));
    if (width == NULL || cells == NULL)
        goto out;
    for (size_t c = 0; c < ncols; c++) {
        cells[c] = strdup(cols[c]);
        for (char *p = cells[c]; p != NULL && *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    }
    for (size_t r = 0; r < nrows; r++)
        for (size_t c = 0; c < ncols; c++) {
            host_buf b = HOST_BUF_INIT;
            cell(member(rows[r], cols[c]), &b);
            cells[(r + 1) * ncols + c] = host_buf_take(&b);
        }
    for (size_t i = 0; i < ncols * (nrows + 1); i++) {
        size_t l = cells[i] != NULL ? strlen(cells[i]) : 0;
        if (cells[i] == NULL && (cells[i] = strdup("")) == NULL)
            goto out;
        if (l > width[i % ncols])
            width[i % ncols] = l;
    }
    rule(out, width, ncols);
    row_line(out, cells, width, ncols);
    rule(out, width, ncols);
    for (size_t r = 0; r < nrows; r++)
        row_line(out, cells + (r + 1) * ncols, width, ncols);
    rule(out, width, ncols);
out:
    for (size_t i = 0; cells != NULL && i < ncols * (nrows + 1); i++)
        free(cells[i]);
    free(cells);
    free(width);
    free_keys(cols, ncols);
}

static void text_object(FILE *out, yajl_val obj)
{
    for (size_t i = 0; i < obj->u.object.len; i++) {
        host_buf b = HOST_BUF_INIT;
        cell(obj->u.object.values[i], &b);
        fprintf(out, "%s = %s\n", obj->u.object.keys[i], host_buf_str(&b));
        host_buf_free(&b);
    }
}

int host_output_print(FILE *out, const char *json, host_display d, const char *keys)
{
    char perr[256];
    yajl_val root;

    if (d == HOST_DISPLAY_JSON) {
        fprintf(out, "%s\n", json);
        return 0;
    }
    if ((root = yajl_tree_parse(json, perr, sizeof(perr))) == NULL || !YAJL_IS_OBJECT(root)) {
        fprintf(out, "%s\n", json);
        if (root != NULL)
            yajl_tree_free(root);
        return -1;
    }
    for (size_t i = 0; i < root->u.object.len; i++) {
        const char *key = root->u.object.keys[i];
        yajl_val v = root->u.object.values[i];
        if (YAJL_IS_ARRAY(v) || YAJL_IS_OBJECT(v)) {
            yajl_val *rows = YAJL_IS_ARRAY(v) ? v->u.array.values : &v;
            size_t n = YAJL_IS_ARRAY(v) ? v->u.array.len : 1;
            fprintf(out, "%s:\n", key);
            if (d == HOST_DISPLAY_TABLE) {
                table(out, rows, n, keys);
                continue;
            }
            for (size_t r = 0; r < n; r++) {
                if (r > 0)
                    fprintf(
                        out, "%s\n",
                        "================================================================================");
                if (YAJL_IS_OBJECT(rows[r])) {
                    text_object(out, rows[r]);
                } else {
                    host_buf b = HOST_BUF_INIT;
                    cell(rows[r], &b);
                    fprintf(out, "%s\n", host_buf_str(&b));
                    host_buf_free(&b);
                }
            }
        } else {
            host_buf b = HOST_BUF_INIT;
            cell(v, &b);
            fprintf(out, "%s = %s\n", key, host_buf_str(&b));
            host_buf_free(&b);
        }
    }
    yajl_tree_free(root);
    return 0;
}

void host_output_error(FILE *out, const char *json, host_display d, int code, int cscode, const char *text)
{
    if (d == HOST_DISPLAY_JSON)
        fprintf(out, "%s\n", json);
    else
        fprintf(out, "Error: (HTTP %d, error code %d) %s\n", code, cscode, text);
}
