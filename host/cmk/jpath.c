/* jpath.c - reading fields of the last JSON response and the scenario assert checks.
 * The response is re-parsed with yajl's tree API each time: responses are small and this keeps
 * the writers free of any second representation. */
#include "config.h"

#include "jpath.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static yajl_val object_get(yajl_val obj, const char *key, size_t len)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strlen(obj->u.object.keys[i]) == len && memcmp(obj->u.object.keys[i], key, len) == 0)
            return obj->u.object.values[i];
    return NULL;
}

yajl_val host_jpath_get(yajl_val root, const char *path, size_t len, long *count_out, char *err,
                        size_t errlen)
{
    yajl_val cur = root;
    size_t i = 0;

    if (count_out != NULL)
        *count_out = -1;
    if (len == 0) {
        snprintf(err, errlen, "empty path");
        return NULL;
    }
    while (i < len) {
        size_t start = i;
        while (i < len && path[i] != '.' && path[i] != '[')
            i++;
        if (i > start) {
            yajl_val next;
            if ((YAJL_IS_ARRAY(cur) || YAJL_IS_STRING(cur)) && i - start == 6 &&
                memcmp(path + start, "length", 6) == 0 && i == len && count_out != NULL) {
                *count_out = YAJL_IS_ARRAY(cur) ? (long)cur->u.array.len : (long)strlen(cur->u.string);
                return NULL;
            }
            next = object_get(cur, path + start, i - start);
            /* Keys may hold dots ("host.cache.location"): try the longest key that exists. */
            if (YAJL_IS_OBJECT(cur)) {
                size_t end = i;
                while (end < len && path[end] != '[')
                    end++;
                for (size_t k = end; k > i; k--) {
                    yajl_val longer;
                    if (k != end && path[k] != '.')
                        continue;
                    longer = object_get(cur, path + start, k - start);
                    if (longer != NULL) {
                        next = longer;
                        i = k;
                        break;
                    }
                }
            }
            if (next == NULL) {
                snprintf(err, errlen, "%.*s is absent", (int)i, path);
                return NULL;
            }
            cur = next;
        } else if (start != 0 && path[start] == '.') {
            snprintf(err, errlen, "empty key in path %.*s", (int)len, path);
            return NULL;
        }
        while (i < len && path[i] == '[') {
            /* Digits are read within len: the path is often a slice of a longer line. */
            size_t k = i + 1;
            long idx = 0;
            while (k < len && path[k] >= '0' && path[k] <= '9' && idx < 100000000)
                idx = idx * 10 + (path[k++] - '0');
            if (k == i + 1 || k >= len || path[k] != ']') {
                snprintf(err, errlen, "bad index in path %.*s", (int)len, path);
                return NULL;
            }
            if (!YAJL_IS_ARRAY(cur) || (size_t)idx >= cur->u.array.len) {
                snprintf(err, errlen, "%.*s is absent", (int)(k + 1), path);
                return NULL;
            }
            cur = cur->u.array.values[idx];
            i = k + 1;
        }
        if (i < len) {
            if (path[i] != '.' || i + 1 >= len) {
                snprintf(err, errlen, "malformed path %.*s", (int)len, path);
                return NULL;
            }
            i++;
        }
    }
    return cur;
}

static void json_string(host_buf *out, const char *s)
{
    host_buf_addc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            host_buf_addc(out, '\\');
        host_buf_addc(out, *s);
    }
    host_buf_addc(out, '"');
}

static void render(yajl_val v, host_buf *out, int top)
{
    if (YAJL_IS_STRING(v)) {
        if (top)
            host_buf_adds(out, v->u.string);
        else
            json_string(out, v->u.string);
    } else if (YAJL_IS_NUMBER(v)) {
        host_buf_adds(out, v->u.number.r);
    } else if (YAJL_IS_TRUE(v)) {
        host_buf_adds(out, "true");
    } else if (YAJL_IS_FALSE(v)) {
        host_buf_adds(out, "false");
    } else if (YAJL_IS_OBJECT(v)) {
        host_buf_addc(out, '{');
        for (size_t i = 0; i < v->u.object.len; i++) {
            if (i)
                host_buf_addc(out, ',');
            json_string(out, v->u.object.keys[i]);
            host_buf_addc(out, ':');
            render(v->u.object.values[i], out, 0);
        }
        host_buf_addc(out, '}');
    } else if (YAJL_IS_ARRAY(v)) {
        host_buf_addc(out, '[');
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i)
                host_buf_addc(out, ',');
            render(v->u.array.values[i], out, 0);
        }
        host_buf_addc(out, ']');
    } else {
        host_buf_adds(out, "null");
    }
}

void host_jpath_text(yajl_val v, host_buf *out)
{
    render(v, out, 1);
}

int host_jpath_lookup(const char *json, const char *path, size_t len, host_buf *out, char *err, size_t errlen)
{
    char perr[256];
    yajl_val root, v;
    long count;
    int rc = -1;

    root = yajl_tree_parse(json, perr, sizeof(perr));
    if (root == NULL) {
        snprintf(err, errlen, "the last response is not JSON (%s)", perr);
        return -1;
    }
    v = host_jpath_get(root, path, len, &count, err, errlen);
    if (v != NULL) {
        host_jpath_text(v, out);
        rc = 0;
    } else if (count >= 0) {
        host_buf_printf(out, "%ld", count);
        rc = 0;
    }
    yajl_tree_free(root);
    return rc;
}

int host_assert_parse(const char *text, size_t len, host_expand_fn expand, void *ctx, host_assert *out,
                      char *err, size_t errlen)
{
    size_t i = 0, start, oplen;
    host_buf value = HOST_BUF_INIT;

    memset(out, 0, sizeof(*out));
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    start = i;
    while (i < len && strchr("=!<>~ \t", text[i]) == NULL)
        i++;
    if (i == start) {
        snprintf(err, errlen, "assert needs PATH OP VALUE, e.g. assert storagepool.state=Up");
        return -1;
    }
    /* The left side is expanded as the right one is: "$a" (or "...") is a value of its own, and
     * "volume[$i].id" a path with a variable in it. An unset variable fails here. */
    out->left_is_value = text[start] == '$' || text[start] == '"' || text[start] == '\'';
    if (host_cmk_text(text + start, i - start, expand, ctx, &value, err, errlen) != 0)
        goto fail;
    if ((out->path = host_buf_take(&value)) == NULL)
        goto nomem;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    /* "PATH absent": the one way to say a field must not be there. */
    {
        size_t end = len;
        while (end > i && isspace((unsigned char)text[end - 1]))
            end--;
        if (end - i == 6 && strncmp(text + i, "absent", 6) == 0) {
            if (out->left_is_value) {
                snprintf(err, errlen, "assert %s absent: the left side is a value, not a field", out->path);
                goto fail;
            }
            out->op = HOST_OP_ABSENT;
            if ((out->value = strdup("")) == NULL)
                goto nomem;
            return 0;
        }
    }
    oplen = 1;
    if (i + 1 < len && text[i + 1] == '=' && strchr("!<>~", text[i]) != NULL)
        oplen = 2;
    if (i + 1 < len && text[i] == '!' && text[i + 1] == '~') {
        out->op = HOST_OP_NOT_CONTAINS;
        i += 2;
        goto value;
    }
    if (i >= len) {
        snprintf(err, errlen, "assert %s: no operator (= != > < >= <= ~ !~)", out->path);
        goto fail;
    }
    switch (text[i]) {
    case '=': out->op = HOST_OP_EQ; break;
    case '~': out->op = HOST_OP_CONTAINS; break;
    case '!':
        if (oplen != 2)
            goto badop;
        out->op = HOST_OP_NE;
        break;
    case '>': out->op = oplen == 2 ? HOST_OP_GE : HOST_OP_GT; break;
    case '<': out->op = oplen == 2 ? HOST_OP_LE : HOST_OP_LT; break;
    default: goto badop;
    }
    i += oplen;
value:
    if (host_cmk_text(text + i, len - i, expand, ctx, &value, err, errlen) != 0)
        goto fail;
    if ((out->value = host_buf_take(&value)) == NULL)
        goto nomem;
    return 0;
badop:
    snprintf(err, errlen, "assert %s: unknown operator (use = != > < >= <= ~ !~)", out->path);
    goto fail;
nomem:
    snprintf(err, errlen, "out of memory");
fail:
    host_buf_free(&value);
    host_assert_free(out);
    return -1;
}

void host_assert_free(host_assert *a)
{
    free(a->path);
    free(a->value);
    a->path = a->value = NULL;
}

static int parse_number(const char *s, long double *out)
{
    char *end;
    if (*s == '\0')
        return -1;
    errno = 0;
    *out = strtold(s, &end);
    return (errno != 0 || *end != '\0') ? -1 : 0;
}

static const char *op_name(host_op op)
{
    static const char *names[] = {"=", "!=", ">", "<", ">=", "<=", "~", "!~", "absent"};
    return names[op];
}

/* The text of a found field: the node's, or an array's element count for PATH.length. */
static void field_text(yajl_val v, long count, host_buf *out)
{
    if (v != NULL)
        host_jpath_text(v, out);
    else
        host_buf_printf(out, "%ld", count);
}

static int contains(yajl_val v, const char *text, const char *needle)
{
    if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++) {
            host_buf b = HOST_BUF_INIT;
            int hit;
            host_jpath_text(v->u.array.values[i], &b);
            hit = strstr(host_buf_str(&b), needle) != NULL;
            host_buf_free(&b);
            if (hit)
                return 1;
        }
        return 0;
    }
    return strstr(text, needle) != NULL;
}

int host_assert_check(const host_assert *a, const char *json, char *msg, size_t msglen)
{
    char perr[256];
    yajl_val root = NULL, v = NULL;
    host_buf got = HOST_BUF_INIT;
    long count = -1;
    long double x, y;
    int rc = -1, holds = 0, absent = 0;

    if (a->left_is_value) {
        host_buf_adds(&got, a->path);
    } else {
        if (json == NULL) {
            snprintf(msg, msglen, "assert %s: there is no response to check yet", a->path);
            return -1;
        }
        root = yajl_tree_parse(json, perr, sizeof(perr));
        if (root == NULL) {
            snprintf(msg, msglen, "the last response is not JSON (%s)", perr);
            return -1;
        }
        v = host_jpath_get(root, a->path, strlen(a->path), &count, msg, msglen);
        /* CloudStack answers an empty list with {}: no count, which reads 0. */
        if (v == NULL && count < 0 && strcmp(a->path, "count") == 0 && YAJL_IS_OBJECT(root) &&
            root->u.object.len == 0)
            count = 0;
        absent = v == NULL && count < 0;
        if (a->op == HOST_OP_ABSENT) {
            if (!absent) {
                field_text(v, count, &got);
                snprintf(msg, msglen, "assertion failed: %s absent (found %.400s)", a->path,
                         host_buf_str(&got));
            }
            rc = absent ? 0 : 1;
            goto out;
        }
        /* An absent field fails every other check, != and !~ too: "the field differs" needs
         * the field. */
        if (absent) {
            char why[300];
            snprintf(why, sizeof(why), "%s", msg);
            snprintf(msg, msglen, "assertion failed: %s %s %s (%s)", a->path, op_name(a->op), a->value, why);
            rc = 1;
            goto out;
        }
        field_text(v, count, &got);
    }
    switch (a->op) {
    case HOST_OP_EQ:
    case HOST_OP_NE:
        if (parse_number(host_buf_str(&got), &x) == 0 && parse_number(a->value, &y) == 0)
            holds = x == y;
        else
            holds = strcmp(host_buf_str(&got), a->value) == 0;
        if (a->op == HOST_OP_NE)
            holds = !holds;
        break;
    case HOST_OP_CONTAINS:
    case HOST_OP_NOT_CONTAINS:
        holds = contains(v, host_buf_str(&got), a->value);
        if (a->op == HOST_OP_NOT_CONTAINS)
            holds = !holds;
        break;
    default:
        if (parse_number(host_buf_str(&got), &x) != 0 || parse_number(a->value, &y) != 0) {
            snprintf(msg, msglen, "assert %s %s %s: both sides must be numbers (found %.200s)", a->path,
                     op_name(a->op), a->value, host_buf_str(&got));
            goto out;
        }
        holds = a->op == HOST_OP_GT   ? x > y
                : a->op == HOST_OP_LT ? x < y
                : a->op == HOST_OP_GE ? x >= y
                                      : x <= y;
    }
    rc = holds ? 0 : 1;
    if (!holds)
        snprintf(msg, msglen, "assertion failed: %s %s %s (found %.400s)", a->path, op_name(a->op), a->value,
                 host_buf_str(&got));
out:
    host_buf_free(&got);
    if (root != NULL)
        yajl_tree_free(root);
    return rc;
}
