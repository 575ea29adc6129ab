/* gateway_parse.c - the parsers' shared frame (object and array documents) and the small
 * bodies: bare strings, error bodies, created ids, removal counts. */
#include "config.h"

#include "gateway_parse.h"

#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sp_status pfx_gw_parse_object_doc(const char *buf, size_t len, const char *what, pfx_gw_item_parser item,
                                  void *out, sp_error *err)
{
    yajl_val doc = NULL;
    sp_status st;

    st = pfx_json_parse(buf, len, what, &doc, err);
    if (st != SP_OK)
        return st;
    if (!YAJL_IS_OBJECT(doc))
        st = pfx_error(err, SP_E_PROTOCOL, "%s: expected a JSON object, got %s", what,
                       pfx_json_type_name(doc));
    else
        st = item(doc, what, out, err);
    yajl_tree_free(doc);
    return st;
}

sp_status pfx_gw_parse_object_into(const char *buf, size_t len, const char *what, pfx_gw_item_parser item,
                                   void *out, size_t size, sp_error *err)
{
    sp_status st;

    memset(out, 0, size);
    st = pfx_gw_parse_object_doc(buf, len, what, item, out, err);
    if (st != SP_OK)
        memset(out, 0, size);
    return st;
}

sp_status pfx_gw_parse_counters(yajl_val node, const char *what, const pfx_gw_counter *table, size_t n,
                                void *out, sp_error *err)
{
    for (size_t i = 0; i < n; i++) {
        pfx_gw_opt_u64 *o = (pfx_gw_opt_u64 *)((char *)out + table[i].offset);
        sp_status st = pfx_json_u64(node, what, table[i].key, PFX_JSON_OPTIONAL, &o->value, &o->present, err);

        if (st == SP_OK && !o->present && table[i].old_key != NULL)
            st = pfx_json_u64(node, what, table[i].old_key, PFX_JSON_OPTIONAL, &o->value, &o->present, err);
        if (st != SP_OK)
            return st;
    }
    return SP_OK;
}

sp_status pfx_gw_parse_array_doc(const char *buf, size_t len, const char *what, size_t item_size,
                                 pfx_gw_item_parser item, pfx_gw_item_clear clear, void **items, size_t *n,
                                 sp_error *err)
{
    yajl_val doc = NULL;
    unsigned char *arr = NULL;
    size_t done = 0, count;
    sp_status st;

    *items = NULL;
    *n = 0;
    st = pfx_json_parse(buf, len, what, &doc, err);
    if (st != SP_OK)
        return st;
    if (!YAJL_IS_ARRAY(doc)) {
        st =
            pfx_error(err, SP_E_PROTOCOL, "%s: expected a JSON array, got %s", what, pfx_json_type_name(doc));
        goto out;
    }
    count = doc->u.array.len;
    if (count > 0) {
        arr = calloc(count, item_size);
        if (arr == NULL) {
            st = pfx_error(err, SP_E_NOMEM, "%s: out of memory for %zu items", what, count);
            goto out;
        }
    }
    for (done = 0; done < count; done++) {
        yajl_val node = doc->u.array.values[done];
        char item_what[96];

        snprintf(item_what, sizeof(item_what), "%s item %zu", what, done);
        if (!YAJL_IS_OBJECT(node)) {
            st = pfx_error(err, SP_E_PROTOCOL, "%s: expected a JSON object, got %s", item_what,
                           pfx_json_type_name(node));
            goto out;
        }
        st = item(node, item_what, arr + done * item_size, err);
        if (st != SP_OK) {
            if (clear != NULL)
                clear(arr + done * item_size);
            goto out;
        }
    }
    *items = arr;
    *n = count;
    arr = NULL;
out:
    if (arr != NULL && clear != NULL)
        for (size_t i = 0; i < done; i++)
            clear(arr + i * item_size);
    free(arr);
    yajl_tree_free(doc);
    return st;
}

sp_status pfx_gw_parse_string(const char *buf, size_t len, const char *what, char *out, size_t out_len,
                              sp_error *err)
{
    yajl_val doc = NULL;
    sp_status st;

    if (out_len > 0)
        out[0] = '\0';
    st = pfx_json_parse(buf, len, what, &doc, err);
    if (st != SP_OK)
        return st;
    st = pfx_json_value_str(doc, what, out, out_len, err);
    if (st == SP_OK && out[0] == '\0')
        st = pfx_error(err, SP_E_PROTOCOL, "%s: the gateway answered an empty string", what);
    yajl_tree_free(doc);
    return st;
}

/* Error bodies are read leniently: whatever they hold is better than no message. */
static void copy_text(yajl_val v, char *buf, size_t len)
{
    size_t n = 0;

    buf[0] = '\0';
    if (v == NULL || !YAJL_IS_STRING(v))
        return;
    /* Control characters would break a log line; the gateway's text is otherwise kept. */
    for (const char *s = v->u.string; *s != '\0' && n + 1 < len; s++)
        buf[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? ' ' : *s;
    buf[n] = '\0';
}

static int read_i32(yajl_val v, int32_t *out)
{
    long long x;
    char *end = NULL;

    if (v == NULL)
        return 0;
    if (YAJL_IS_INTEGER(v)) {
        x = YAJL_GET_INTEGER(v);
    } else if (YAJL_IS_STRING(v)) {
        x = strtoll(v->u.string, &end, 10);
        if (end == v->u.string || *end != '\0')
            return 0;
    } else {
        return 0;
    }
    if (x < INT32_MIN || x > INT32_MAX)
        return 0;
    *out = (int32_t)x;
    return 1;
}

sp_status pfx_gw_parse_error_body(const char *buf, size_t len, pfx_gw_error_body *out, sp_error *err)
{
    yajl_val doc = NULL, details, first;
    sp_status st;

    memset(out, 0, sizeof(*out));
    st = pfx_json_parse(buf, len, "error body", &doc, err);
    if (st != SP_OK)
        return st;
    if (!YAJL_IS_OBJECT(doc)) {
        st = pfx_error(err, SP_E_PROTOCOL, "error body: expected a JSON object, got %s",
                       pfx_json_type_name(doc));
        goto out;
    }
    copy_text(pfx_json_get(doc, "message"), out->message, sizeof(out->message));
    out->has_error_code = read_i32(pfx_json_get(doc, "errorCode"), &out->error_code);
    if (!read_i32(pfx_json_get(doc, "httpStatusCode"), &out->http_status))
        out->http_status = 0;
    details = pfx_json_get(doc, "details");
    if (details != NULL && YAJL_IS_ARRAY(details) && details->u.array.len > 0 &&
        YAJL_IS_OBJECT(details->u.array.values[0])) {
        first = details->u.array.values[0];
        out->has_detail = 1;
        if (!read_i32(pfx_json_get(first, "rc"), &out->detail_rc))
            out->detail_rc = -1;
        copy_text(pfx_json_get(first, "error"), out->detail_name, sizeof(out->detail_name));
        copy_text(pfx_json_get(first, "errorMessage"), out->detail_message, sizeof(out->detail_message));
    }
out:
    yajl_tree_free(doc);
    return st;
}

typedef struct created_id {
    char *buf;
    size_t len;
} created_id;

static sp_status created_id_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    created_id *c = out;

    return pfx_json_str(node, what, "id", PFX_JSON_REQUIRED, c->buf, c->len, err);
}

sp_status pfx_gw_parse_created_id(const char *buf, size_t len, char *out, size_t out_len, sp_error *err)
{
    created_id c = {out, out_len};
    sp_status st;

    if (out_len > 0)
        out[0] = '\0';
    st = pfx_gw_parse_object_doc(buf, len, "create answer", created_id_item, &c, err);
    if (st == SP_OK && out[0] == '\0')
        st = pfx_error(err, SP_E_PROTOCOL, "create answer: field \"id\" is empty");
    if (st != SP_OK && out_len > 0)
        out[0] = '\0';
    return st;
}

static sp_status removed_count_item(yajl_val node, const char *what, void *out, sp_error *err)
{
    return pfx_json_u64(node, what, "numberOfVolumes", PFX_JSON_REQUIRED, out, NULL, err);
}

sp_status pfx_gw_parse_removed_count(const char *buf, size_t len, uint64_t *out, sp_error *err)
{
    sp_status st;

    *out = 0;
    st = pfx_gw_parse_object_doc(buf, len, "snapshot group removal", removed_count_item, out, err);
    if (st != SP_OK)
        *out = 0;
    return st;
}
