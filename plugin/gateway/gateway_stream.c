/* gateway_stream.c - a volume list parsed as it arrives (see gateway_stream.h). The parser keeps
 * one volume (and one mapping) being filled; a table says which fields are read and how. Levels:
 * 1 the list, 2 a volume, 3 its mappedSdcInfo, 4 a mapping; containers nobody reads are skipped
 * whole by counting their nesting. */
#include "config.h"

#include "gateway_stream.h"

#include "error.h"
#include "gateway_parse.h"
#include "json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_parse.h>

typedef enum ftype { F_STR, F_U64, F_BOOL, F_MAPPINGS } ftype;

typedef struct field {
    const char *key;
    ftype type;
    int required;
    size_t off, size; /* where in the struct, and the buffer's size for strings */
} field;

#define VF(key, type, req, member)                                                                           \
    {                                                                                                        \
        key, type, req, offsetof(pfx_gw_volume, member), sizeof(((pfx_gw_volume *)0)->member)                \
    }
#define MF(key, type, req, member)                                                                           \
    {                                                                                                        \
        key, type, req, offsetof(pfx_gw_mapping, member), sizeof(((pfx_gw_mapping *)0)->member)              \
    }

static const field vol_fields[] = {
    VF("id", F_STR, 1, id),
    VF("name", F_STR, 0, name),
    VF("storagePoolId", F_STR, 1, storage_pool_id),
    VF("vtreeId", F_STR, 1, vtree_id),
    VF("ancestorVolumeId", F_STR, 0, ancestor_id),
    VF("consistencyGroupId", F_STR, 0, consistency_group_id),
    VF("volumeType", F_STR, 1, type_name),
    VF("sizeInKb", F_U64, 1, size_kb),
    VF("creationTime", F_U64, 0, creation_time),
    VF("mappingToAllSdcsEnabled", F_BOOL, 0, mapped_to_all),
    {"mappedSdcInfo", F_MAPPINGS, 0, 0, 0},
    {NULL, F_STR, 0, 0, 0},
};

static const field map_fields[] = {
    MF("sdcId", F_STR, 1, sdc_id),           MF("sdcIp", F_STR, 0, sdc_ip),
    MF("limitIops", F_U64, 0, limit_iops),   MF("limitBwInMbps", F_U64, 0, limit_bw_mbps),
    MF("accessMode", F_STR, 0, access_mode), {NULL, F_STR, 0, 0, 0},
};

typedef enum vkind { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_OBJECT, V_ARRAY } vkind;

static const char *const kind_name[] = {"null", "a boolean", "a number", "a string", "an object", "an array"};

struct pfx_gw_volume_stream {
    yajl_handle y;
    char what[160];
    pfx_gw_volume_each each;
    void *ctx;
    int depth;        /* containers open */
    int skip_to;      /* >= 0: inside a container nobody reads, until depth is back to this */
    const field *cur; /* the field whose value comes next; NULL: one nobody reads */
    unsigned given;   /* fields of the current volume seen (bit per table row) */
    unsigned present; /* of those, the ones with a value (not null) */
    unsigned mgiven, mpresent;
    pfx_gw_volume v;
    size_t map_cap;
    pfx_gw_mapping m;
    size_t count; /* volumes passed on */
    int any;      /* a byte other than white space was fed */
    int done;     /* the list closed */
    sp_status st;
    sp_error err;
};

/* "<what> item N" or "<what> item N mappedSdcInfo[i]" for messages. */
static const char *item_what(pfx_gw_volume_stream *s, char *buf, size_t len)
{
    if (s->depth >= 3)
        snprintf(buf, len, "%s item %zu mappedSdcInfo[%zu]", s->what, s->count, s->v.n_mappings);
    else
        snprintf(buf, len, "%s item %zu", s->what, s->count);
    return buf;
}

static int fail(pfx_gw_volume_stream *s, sp_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error, prefixed with the item it is about; 0 (stop the parser). */
static int fail(pfx_gw_volume_stream *s, sp_status st, const char *fmt, ...)
{
    char w[224], msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->st = pfx_error(&s->err, st, "%s: %s", item_what(s, w, sizeof(w)), msg);
    return 0;
}

static int not_a_list(pfx_gw_volume_stream *s, vkind got)
{
    s->st = pfx_error(&s->err, SP_E_PROTOCOL, "%s: expected a JSON array, got %s", s->what, kind_name[got]);
    return 0;
}

static int wrong_type(pfx_gw_volume_stream *s, const char *expected, vkind got)
{
    char msg[96];

    snprintf(msg, sizeof(msg), "%s, not %s", expected, kind_name[got]);
    return fail(s, SP_E_PROTOCOL, "field \"%s\" should be %s", s->cur->key, msg);
}

/* The fields table of the object being filled (level 2 or 4) and its bits. */
static const field *table(const pfx_gw_volume_stream *s)
{
    return s->depth == 4 ? map_fields : vol_fields;
}

static unsigned *given(pfx_gw_volume_stream *s)
{
    return s->depth == 4 ? &s->mgiven : &s->given;
}

static unsigned *present(pfx_gw_volume_stream *s)
{
    return s->depth == 4 ? &s->mpresent : &s->present;
}

static char *target(pfx_gw_volume_stream *s)
{
    return s->depth == 4 ? (char *)&s->m + s->cur->off : (char *)&s->v + s->cur->off;
}

/* Digits only, as json.c reads sizes and counts. */
static int decimal_u64(const char *p, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10)
            return 0;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *out = v;
    return 1;
}

/* A value at the current position (scalars; containers come through enter). 1: go on. */
static int value(pfx_gw_volume_stream *s, vkind kind, const char *text, size_t len)
{
    unsigned bit;

    if (s->skip_to >= 0)
        return 1;
    if (s->depth == 0)
        return not_a_list(s, kind);
    if (s->depth == 1 || s->depth == 3)
        return fail(s, SP_E_PROTOCOL, "expected a JSON object, got %s", kind_name[kind]);
    if (s->cur == NULL)
        return 1;
    bit = 1u << (s->cur - table(s));
    if (*given(s) & bit)
        return 1; /* given twice: the first one counts */
    *given(s) |= bit;
    if (kind == V_NULL)
        return 1;
    switch (s->cur->type) {
    case F_STR:
        if (kind != V_STRING)
            return wrong_type(s, "a string", kind);
        if (memchr(text, '\0', len) != NULL)
            return fail(s, SP_E_PROTOCOL, "field \"%s\" contains a NUL character", s->cur->key);
        if (len >= s->cur->size) {
            return fail(s, SP_E_PROTOCOL, "field \"%s\" is %zu bytes long; at most %zu are expected",
                        s->cur->key, len, s->cur->size - 1);
        }
        memcpy(target(s), text, len);
        target(s)[len] = '\0';
        break;
    case F_U64:
        if (kind != V_NUMBER && kind != V_STRING)
            return wrong_type(s, "a number", kind);
        if (!decimal_u64(text, len, (uint64_t *)(void *)target(s)))
            return fail(s, SP_E_PROTOCOL, "field \"%s\" is not a whole number in 0..2^64-1", s->cur->key);
        break;
    case F_BOOL: {
        int *b = (int *)(void *)target(s);
        if (kind == V_BOOL)
            *b = len == 1;
        else if (kind == V_STRING && len == 4 && strncasecmp(text, "true", 4) == 0)
            *b = 1;
        else if (kind == V_STRING && len == 5 && strncasecmp(text, "false", 5) == 0)
            *b = 0;
        else
            return wrong_type(s, "a boolean", kind);
        break;
    }
    case F_MAPPINGS: return wrong_type(s, "an array", kind);
    }
    *present(s) |= bit;
    return 1;
}

/* A container opens. 1: go on. */
static int enter(pfx_gw_volume_stream *s, vkind kind)
{
    if (s->skip_to < 0) {
        switch (s->depth) {
        case 0:
            if (kind != V_ARRAY)
                return not_a_list(s, kind);
            break;
        case 1:
        case 3:
            if (kind != V_OBJECT)
                return fail(s, SP_E_PROTOCOL, "expected a JSON object, got %s", kind_name[kind]);
            if (s->depth == 1) {
                memset(&s->v, 0, sizeof(s->v));
                s->map_cap = 0;
                s->given = s->present = 0;
            } else {
                memset(&s->m, 0, sizeof(s->m));
                s->mgiven = s->mpresent = 0;
            }
            break;
        default: {
            unsigned bit = s->cur != NULL ? 1u << (s->cur - table(s)) : 0;
            if (s->cur == NULL || (*given(s) & bit)) {
                s->skip_to = s->depth;
                break;
            }
            *given(s) |= bit;
            if (s->cur->type != F_MAPPINGS || s->depth != 2)
                return wrong_type(s,
                                  s->cur->type == F_STR    ? "a string"
                                  : s->cur->type == F_U64  ? "a number"
                                  : s->cur->type == F_BOOL ? "a boolean"
                                                           : "an array",
                                  kind);
            if (kind != V_ARRAY)
                return wrong_type(s, "an array", kind);
            *present(s) |= bit;
            break;
        }
        }
    }
    if (++s->depth > PFX_JSON_MAX_DEPTH) {
        s->st = pfx_error(&s->err, SP_E_PROTOCOL, "%s: the gateway's answer nests deeper than %d levels",
                          s->what, PFX_JSON_MAX_DEPTH);
        return 0;
    }
    return 1;
}

/* The first required field of tbl that has no value, or NULL. */
static const field *missing(const field *tbl, unsigned have)
{
    for (unsigned i = 0; tbl[i].key != NULL; i++)
        if (tbl[i].required && !(have & (1u << i)))
            return &tbl[i];
    return NULL;
}

static int close_mapping(pfx_gw_volume_stream *s)
{
    const field *f = missing(map_fields, s->mpresent);

    if (f != NULL)
        return fail(s, SP_E_PROTOCOL, "required field \"%s\" is missing or null", f->key);
    if (s->v.n_mappings == s->map_cap) {
        size_t cap = s->map_cap ? s->map_cap * 2 : 4;
        pfx_gw_mapping *nm = realloc(s->v.mappings, cap * sizeof(*nm));
        if (nm == NULL)
            return fail(s, SP_E_NOMEM, "out of memory for mappings");
        s->v.mappings = nm;
        s->map_cap = cap;
    }
    s->v.mappings[s->v.n_mappings++] = s->m;
    return 1;
}

static int close_volume(pfx_gw_volume_stream *s)
{
    const field *f = missing(vol_fields, s->present);
    sp_status st;

    if (f != NULL)
        return fail(s, SP_E_PROTOCOL, "required field \"%s\" is missing or null", f->key);
    s->v.type = pfx_gw_volume_type_of(s->v.type_name);
    st = s->each(s->ctx, &s->v, &s->err);
    pfx_gw_volume_clear(&s->v);
    s->map_cap = 0;
    if (st != SP_OK) {
        s->st = st;
        return 0;
    }
    s->count++;
    return 1;
}

/* A container closes. 1: go on. */
static int leave(pfx_gw_volume_stream *s)
{
    s->depth--;
    if (s->skip_to >= 0) {
        if (s->depth == s->skip_to)
            s->skip_to = -1;
        return 1;
    }
    switch (s->depth) {
    case 0: s->done = 1; return 1;
    case 1: return close_volume(s);
    case 3: return close_mapping(s);
    default: return 1; /* mappedSdcInfo closed */
    }
}

static int on_null(void *ctx)
{
    return value(ctx, V_NULL, NULL, 0);
}

static int on_boolean(void *ctx, int b)
{
    return value(ctx, V_BOOL, NULL, b ? 1 : 0);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    return value(ctx, V_NUMBER, s, len);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return value(ctx, V_STRING, (const char *)s, len);
}

static int on_start_map(void *ctx)
{
    return enter(ctx, V_OBJECT);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    pfx_gw_volume_stream *s = ctx;

    s->cur = NULL;
    if (s->skip_to >= 0 || (s->depth != 2 && s->depth != 4))
        return 1;
    for (const field *f = table(s); f->key != NULL; f++)
        if (strlen(f->key) == len && memcmp(f->key, key, len) == 0) {
            s->cur = f;
            break;
        }
    return 1;
}

static int on_end(void *ctx)
{
    return leave(ctx);
}

static int on_start_array(void *ctx)
{
    return enter(ctx, V_ARRAY);
}

static const yajl_callbacks callbacks = {
    on_null,      on_boolean, NULL,   NULL,           on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end,
};

pfx_gw_volume_stream *pfx_gw_volume_stream_new(const char *what, pfx_gw_volume_each each, void *ctx)
{
    pfx_gw_volume_stream *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    snprintf(s->what, sizeof(s->what), "%s", what);
    s->each = each;
    s->ctx = ctx;
    s->skip_to = -1;
    s->y = yajl_alloc(&callbacks, NULL, s);
    if (s->y == NULL) {
        free(s);
        return NULL;
    }
    /* JSON as the gateway sends it: no comments, no second document, valid UTF-8. */
    yajl_config(s->y, yajl_allow_comments, 0);
    yajl_config(s->y, yajl_dont_validate_strings, 0);
    return s;
}

/* yajl's own complaint, first line only. */
static sp_status syntax_error(pfx_gw_volume_stream *s, const unsigned char *buf, size_t len, sp_error *err)
{
    unsigned char *msg = yajl_get_error(s->y, 0, buf, len);
    char line[128];
    size_t n = 0;

    while (msg != NULL && msg[n] != '\0' && msg[n] != '\n' && n + 1 < sizeof(line)) {
        line[n] = isprint(msg[n]) ? (char)msg[n] : '?';
        n++;
    }
    line[n] = '\0';
    if (msg != NULL)
        yajl_free_error(s->y, msg);
    s->st = pfx_error(&s->err, SP_E_PROTOCOL, "%s: the gateway's answer is not valid JSON (%s)", s->what,
                      n > 0 ? line : "out of memory");
    *err = s->err;
    return s->st;
}

sp_status pfx_gw_volume_stream_feed(pfx_gw_volume_stream *s, const char *buf, size_t len, sp_error *err)
{
    yajl_status ys;

    if (s->st != SP_OK) {
        *err = s->err;
        return s->st;
    }
    for (size_t i = 0; !s->any && i < len; i++)
        s->any = !isspace((unsigned char)buf[i]);
    ys = yajl_parse(s->y, (const unsigned char *)buf, len);
    if (ys == yajl_status_ok)
        return SP_OK;
    if (ys == yajl_status_client_canceled && s->st != SP_OK) {
        *err = s->err;
        return s->st;
    }
    return syntax_error(s, (const unsigned char *)buf, len, err);
}

sp_status pfx_gw_volume_stream_finish(pfx_gw_volume_stream *s, size_t *count, sp_error *err)
{
    if (s->st != SP_OK) {
        *err = s->err;
        return s->st;
    }
    if (!s->any) {
        s->st = pfx_error(&s->err, SP_E_PROTOCOL, "%s: the gateway's answer is empty", s->what);
        *err = s->err;
        return s->st;
    }
    if (yajl_complete_parse(s->y) != yajl_status_ok)
        return s->st != SP_OK ? (*err = s->err, s->st) : syntax_error(s, NULL, 0, err);
    if (!s->done) {
        s->st = pfx_error(&s->err, SP_E_PROTOCOL, "%s: the gateway's answer ended early", s->what);
        *err = s->err;
        return s->st;
    }
    if (count != NULL)
        *count = s->count;
    return SP_OK;
}

void pfx_gw_volume_stream_free(pfx_gw_volume_stream *s)
{
    if (s == NULL)
        return;
    pfx_gw_volume_clear(&s->v);
    yajl_free(s->y);
    free(s);
}

sp_status pfx_gw_parse_volume_each(const char *buf, size_t len, pfx_gw_volume_each each, void *ctx,
                                   size_t *count, sp_error *err)
{
    pfx_gw_volume_stream *s = pfx_gw_volume_stream_new("volume list", each, ctx);
    sp_status st;

    if (s == NULL)
        return pfx_error(err, SP_E_NOMEM, "volume list: out of memory");
    st = pfx_gw_volume_stream_feed(s, buf, len, err);
    if (st == SP_OK)
        st = pfx_gw_volume_stream_finish(s, count, err);
    pfx_gw_volume_stream_free(s);
    return st;
}
