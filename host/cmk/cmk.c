/* cmk.c - CloudMonkey command lines: "create storagepool name=x details[0].k=v ...".
 * Quoting follows the shell loosely: "..." expands variables, '...' is literal, # starts a comment
 * only at the start of a word, and "key= value" (the seed's `provider= PowerFlex`) means key=value. */
#include "config.h"

#include "cmk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct token {
    host_buf key;   /* the unquoted text before the first unquoted '=' */
    host_buf value; /* the rest; or the whole token when has_eq is 0 */
    int has_eq;
    int value_given; /* anything (even "") followed the '=' */
} token;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '[' || c == ']';
}

/* Expands "$name" or "${name}" at s[*i] (s[*i] == '$'). A '$' not followed by a name is kept. */
static int expand_at(const char *s, size_t len, size_t *i, host_expand_fn expand, void *ctx, host_buf *out,
                     char *err, size_t errlen)
{
    size_t start, end;

    if (*i + 1 < len && s[*i + 1] == '{') {
        const char *close = memchr(s + *i + 2, '}', len - *i - 2);
        if (close == NULL) {
            snprintf(err, errlen, "unterminated ${ in variable reference");
            return -1;
        }
        start = *i + 2;
        end = (size_t)(close - s);
        if (end == start) {
            snprintf(err, errlen, "empty variable name in ${}");
            return -1;
        }
        *i = end + 1;
    } else {
        start = *i + 1;
        end = start;
        while (end < len && is_name_char(s[end]))
            end++;
        /* A name does not end with a dot: "$pf1.gateway." is the variable and a full stop. */
        while (end > start && s[end - 1] == '.')
            end--;
        if (end == start || !(isalpha((unsigned char)s[start]) || s[start] == '_')) {
            host_buf_addc(out, '$');
            *i += 1;
            return 0;
        }
        *i = end;
    }
    return expand(ctx, s + start, end - start, out, err, errlen);
}

/* Reads one token starting at s[*i] (not blank). Stops at unquoted blank. */
static int read_token(const char *s, size_t len, size_t *i, host_expand_fn expand, void *ctx, token *t,
                      char *err, size_t errlen)
{
    host_buf *cur = &t->key;
    size_t p = *i;

    while (p < len && !is_blank(s[p])) {
        char c = s[p];
        if (c == '"') {
            p++;
            if (t->has_eq)
                t->value_given = 1;
            for (;;) {
                if (p >= len) {
                    snprintf(err, errlen, "unterminated double quote");
                    return -1;
                }
                if (s[p] == '"') {
                    p++;
                    break;
                }
                if (s[p] == '\\' && p + 1 < len && (s[p + 1] == '"' || s[p + 1] == '\\' || s[p + 1] == '$')) {
                    host_buf_addc(cur, s[p + 1]);
                    p += 2;
                } else if (s[p] == '$' && expand != NULL) {
                    if (expand_at(s, len, &p, expand, ctx, cur, err, errlen) != 0)
                        return -1;
                } else {
                    host_buf_addc(cur, s[p++]);
                }
            }
        } else if (c == '\'') {
            const char *close = memchr(s + p + 1, '\'', len - p - 1);
            if (close == NULL) {
                snprintf(err, errlen, "unterminated single quote");
                return -1;
            }
            if (t->has_eq)
                t->value_given = 1;
            host_buf_add(cur, s + p + 1, (size_t)(close - s) - p - 1);
            p = (size_t)(close - s) + 1;
        } else if (c == '=' && !t->has_eq) {
            t->has_eq = 1;
            cur = &t->value;
            p++;
        } else if (c == '$' && expand != NULL) {
            if (t->has_eq)
                t->value_given = 1;
            if (expand_at(s, len, &p, expand, ctx, cur, err, errlen) != 0)
                return -1;
        } else {
            if (t->has_eq)
                t->value_given = 1;
            host_buf_addc(cur, c);
            p++;
        }
    }
    *i = p;
    if (t->key.failed || t->value.failed) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int add_word(host_cmd *c, host_buf *b)
{
    char **nw = realloc(c->words, (c->n_words + 1) * sizeof(*nw));
    if (nw == NULL)
        return -1;
    c->words = nw;
    if ((nw[c->n_words] = host_buf_take(b)) == NULL)
        return -1;
    c->n_words++;
    return 0;
}

static int add_param(host_cmd *c, token *t, char *err, size_t errlen)
{
    host_cmd_param *np;

    if (t->key.len == 0) {
        snprintf(err, errlen, "a parameter has no name before '='");
        return -1;
    }
    if (host_cmd_get(c, host_buf_str(&t->key)) != NULL) {
        snprintf(err, errlen, "parameter %s is given twice", host_buf_str(&t->key));
        return -1;
    }
    np = realloc(c->params, (c->n_params + 1) * sizeof(*np));
    if (np == NULL)
        goto nomem;
    c->params = np;
    np[c->n_params].key = host_buf_take(&t->key);
    np[c->n_params].value = host_buf_take(&t->value);
    if (np[c->n_params].key == NULL || np[c->n_params].value == NULL) {
        free(np[c->n_params].key);
        free(np[c->n_params].value);
        goto nomem;
    }
    c->n_params++;
    return 0;
nomem:
    snprintf(err, errlen, "out of memory");
    return -1;
}

int host_cmk_parse(const char *line, size_t len, host_expand_fn expand, void *ctx, host_cmd *out, char *err,
                   size_t errlen)
{
    size_t i = 0;
    int last_empty = 0; /* the previous parameter was "key=" with nothing after it */
    token t;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    memset(&t, 0, sizeof(t));
    if (memchr(line, '\0', len) != NULL) {
        snprintf(err, errlen, "the line contains a NUL byte");
        return -1;
    }
    for (;;) {
        while (i < len && is_blank(line[i]))
            i++;
        if (i >= len || line[i] == '#')
            break;
        memset(&t, 0, sizeof(t));
        if (read_token(line, len, &i, expand, ctx, &t, err, errlen) != 0)
            goto fail;
        if (t.has_eq) {
            if (add_param(out, &t, err, errlen) != 0)
                goto fail;
            last_empty = !t.value_given;
        } else if (last_empty) {
            /* "provider= PowerFlex": the word is the value of the empty parameter before it. */
            host_cmd_param *p = &out->params[out->n_params - 1];
            char *v = host_buf_take(&t.key);
            if (v == NULL) {
                snprintf(err, errlen, "out of memory");
                goto fail;
            }
            free(p->value);
            p->value = v;
            last_empty = 0;
        } else if (out->n_params > 0) {
            /* The word is not repeated: it may be the rest of an unquoted password. */
            snprintf(err, errlen, "unexpected word after parameter %.64s (values with blanks need quotes)",
                     out->params[out->n_params - 1].key);
            goto fail;
        } else if (add_word(out, &t.key) != 0) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        host_buf_free(&t.key);
        host_buf_free(&t.value);
    }
    if (out->n_words == 0 && out->n_params == 0)
        return 0;
    if (out->n_words == 0) {
        snprintf(err, errlen, "a command line starts with a command, not with parameter %s",
                 out->params[0].key);
        goto fail;
    }
    return 1;
fail:
    host_buf_free(&t.key);
    host_buf_free(&t.value);
    host_cmd_free(out);
    return rc;
}

int host_cmk_text(const char *s, size_t len, host_expand_fn expand, void *ctx, host_buf *out, char *err,
                  size_t errlen)
{
    size_t i = 0;
    token t;
    int rc;

    /* Leading and trailing blanks are not part of a value unless quoted. */
    while (len > 0 && is_blank(s[len - 1]))
        len--;
    while (i < len && is_blank(s[i]))
        i++;
    memset(&t, 0, sizeof(t));
    t.has_eq = 1; /* '=' inside the text is an ordinary character */
    t.value_given = 1;
    while (i < len) {
        /* Blanks between quoted pieces are kept as written. */
        if (is_blank(s[i])) {
            host_buf_addc(&t.key, s[i++]);
            continue;
        }
        if ((rc = read_token(s, len, &i, expand, ctx, &t, err, errlen)) != 0) {
            host_buf_free(&t.key);
            return -1;
        }
    }
    host_buf_add(out, host_buf_str(&t.key), t.key.len);
    host_buf_free(&t.key);
    host_buf_free(&t.value);
    return out->failed ? -1 : 0;
}

void host_cmd_free(host_cmd *c)
{
    for (size_t i = 0; i < c->n_words; i++)
        free(c->words[i]);
    for (size_t i = 0; i < c->n_params; i++) {
        free(c->params[i].key);
        free(c->params[i].value);
    }
    free(c->words);
    free(c->params);
    free(c->map);
    memset(c, 0, sizeof(*c));
}

const char *host_cmd_get(const host_cmd *c, const char *key)
{
    for (size_t i = 0; i < c->n_params; i++)
        if (strcasecmp(c->params[i].key, key) == 0)
            return c->params[i].value;
    return NULL;
}

/* Splits "name[12].rest" into index and rest; 0 when the key is an entry of map `name`. */
static int map_entry(const char *key, const char *name, long *index, const char **rest)
{
    size_t n = strlen(name);
    char *end;

    if (strncasecmp(key, name, n) != 0 || key[n] != '[' || !isdigit((unsigned char)key[n + 1]))
        return -1;
    *index = strtol(key + n + 1, &end, 10);
    if (*end != ']' || end[1] != '.' || end[2] == '\0')
        return -1;
    *rest = end + 2;
    return 0;
}

static int grow_map(host_cmd *c, size_t need)
{
    sp_kv *nm;
    if (need <= c->map_cap)
        return 0;
    nm = realloc(c->map, need * sizeof(*nm));
    if (nm == NULL)
        return -1;
    c->map = nm;
    c->map_cap = need;
    return 0;
}

long host_cmd_map(host_cmd *c, const char *name, const sp_kv **out)
{
    size_t n = 0;
    long idx, prev = -1;

    *out = NULL;
    /* Visit indices in ascending order without sorting: repeatedly take the next larger one. */
    for (;;) {
        long next = -1;
        const char *rest;
        const char *pk = NULL, *pv = NULL;

        for (size_t i = 0; i < c->n_params; i++)
            if (map_entry(c->params[i].key, name, &idx, &rest) == 0 && idx > prev && (next < 0 || idx < next))
                next = idx;
        if (next < 0)
            break;
        for (size_t i = 0; i < c->n_params; i++) {
            if (map_entry(c->params[i].key, name, &idx, &rest) != 0 || idx != next)
                continue;
            if (strcasecmp(rest, "key") == 0)
                pk = c->params[i].value;
            else if (strcasecmp(rest, "value") == 0)
                pv = c->params[i].value;
        }
        for (size_t i = 0; i < c->n_params; i++) {
            if (map_entry(c->params[i].key, name, &idx, &rest) != 0 || idx != next)
                continue;
            if (pk != NULL && pv != NULL && (strcasecmp(rest, "key") == 0 || strcasecmp(rest, "value") == 0))
                continue;
            if (grow_map(c, n + 1) != 0)
                return -1;
            c->map[n].key = rest;
            c->map[n].value = c->params[i].value;
            n++;
        }
        if (pk != NULL && pv != NULL) {
            if (grow_map(c, n + 1) != 0)
                return -1;
            c->map[n].key = pk;
            c->map[n].value = pv;
            n++;
        }
        prev = next;
    }
    *out = c->map;
    return (long)n;
}
