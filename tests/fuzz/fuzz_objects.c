/* fuzz_objects.c - libFuzzer target for the gateway object parsers: the first byte picks the
 * parser, the rest is the body. Each parser must return a status, and on failure leave its
 * output zeroed with nothing allocated and a message naming the object (gateway_parse.h). */
#include "config.h"

#include "error.h"
#include "gateway_parse.h"
#include "gateway_stream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_PARSERS 17

static void violated(const char *what)
{
    fprintf(stderr, "fuzz_objects: property violated: %s\n", what);
    abort();
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return 0;
    return 1;
}

/* The output is filled with garbage first: the parser, not the caller, zeroes it. */
#define RUN(out, call)                                                                                       \
    do {                                                                                                     \
        memset(&(out), 0xa5, sizeof(out));                                                                   \
        memset(&e, 0, sizeof(e));                                                                            \
        st = (call);                                                                                         \
        check(st, &e, &(out), sizeof(out));                                                                  \
    } while (0)

/* String outputs: on failure they hold the empty string. */
#define RUN_STR(out, call)                                                                                   \
    do {                                                                                                     \
        memset((out), 0xa5, sizeof(out));                                                                    \
        memset(&e, 0, sizeof(e));                                                                            \
        st = (call);                                                                                         \
        check(st, &e, (out), 1);                                                                             \
    } while (0)

static void check(sp_status st, const sp_error *e, const void *out, size_t n)
{
    if (st == SP_OK)
        return;
    if (e->status != st)
        violated("the error carries the status returned");
    if (e->message[0] == '\0' || memchr(e->message, '\0', sizeof(e->message)) == NULL)
        violated("a failure has a terminated, non-empty message");
    if (!all_zero(out, n))
        violated("a failed parse leaves its output zeroed");
}

static sp_status count_one(void *ctx, const pfx_gw_volume *v, sp_error *err)
{
    (void)v;
    (void)err;
    (*(size_t *)ctx)++;
    return SP_OK;
}

static sp_status stream_in_two(const char *buf, size_t len, size_t *count, sp_error *e)
{
    pfx_gw_volume_stream *s = pfx_gw_volume_stream_new("volume list", count_one, count);
    size_t cut = len > 0 ? (unsigned char)buf[0] % (len + 1) : 0;
    sp_status st;

    if (s == NULL)
        return pfx_error(e, SP_E_NOMEM, "out of memory");
    memset(e, 0, sizeof(*e));
    st = pfx_gw_volume_stream_feed(s, buf, cut, e);
    if (st == SP_OK)
        st = pfx_gw_volume_stream_feed(s, buf + cut, len - cut, e);
    if (st == SP_OK)
        st = pfx_gw_volume_stream_finish(s, NULL, e);
    pfx_gw_volume_stream_free(s);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const ids[] = {"694a2d140000000b", "694a2d1300000009", "0000000000000000"};
    char *buf, small[64];
    size_t len;
    uint64_t n;
    sp_error e;
    sp_status st;

    if (size < 1)
        return 0;
    len = size - 1;
    buf = malloc(len + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, len);
    buf[len] = '\0'; /* the transport terminates every body */

    switch (data[0] % N_PARSERS) {
    case 0: {
        pfx_gw_volume v;
        RUN(v, pfx_gw_parse_volume(buf, len, &v, &e));
        if (st == SP_OK)
            pfx_gw_volume_clear(&v);
        break;
    }
    case 1: {
        pfx_gw_volume_list l;
        size_t streamed = 0;
        sp_status ss;
        RUN(l, pfx_gw_parse_volume_list(buf, len, &l, &e));
        /* The streaming parser, fed in two pieces cut where the body says: a status, a message
         * on failure, and the tree parser's count when both take the body. */
        ss = stream_in_two(buf, len, &streamed, &e);
        if (ss != SP_OK && (e.status != ss || e.message[0] == '\0'))
            violated("a streaming failure carries its status and a message");
        if (st == SP_OK && ss == SP_OK && streamed != l.n)
            violated("the streaming parser hands over as many volumes as the tree parser reads");
        if (st == SP_OK)
            pfx_gw_volume_list_clear(&l);
        break;
    }
    case 2: {
        pfx_gw_volume_stats s;
        RUN(s, pfx_gw_parse_volume_stats(buf, len, &s, &e));
        break;
    }
    case 3: RUN_STR(small, pfx_gw_parse_created_id(buf, len, small, sizeof(small), &e)); break;
    case 4: {
        pfx_gw_snapshot_group g;
        RUN(g, pfx_gw_parse_snapshot_group(buf, len, &g, &e));
        if (st == SP_OK)
            pfx_gw_snapshot_group_clear(&g);
        break;
    }
    case 5: RUN(n, pfx_gw_parse_removed_count(buf, len, &n, &e)); break;
    case 6: {
        pfx_gw_vtree t;
        RUN(t, pfx_gw_parse_vtree(buf, len, &t, &e));
        break;
    }
    case 7: {
        pfx_gw_vtree_stats s;
        RUN(s, pfx_gw_parse_vtree_stats(buf, len, &s, &e));
        break;
    }
    case 8: {
        pfx_gw_pool p;
        RUN(p, pfx_gw_parse_pool(buf, len, &p, &e));
        break;
    }
    case 9: {
        pfx_gw_pool_list l;
        RUN(l, pfx_gw_parse_pool_list(buf, len, &l, &e));
        if (st == SP_OK)
            pfx_gw_pool_list_clear(&l);
        break;
    }
    case 10: {
        pfx_gw_pool_stats s;
        RUN(s, pfx_gw_parse_pool_stats(buf, len, &s, &e));
        break;
    }
    case 11: {
        pfx_gw_protection_domain d;
        RUN(d, pfx_gw_parse_protection_domain(buf, len, &d, &e));
        break;
    }
    case 12: {
        pfx_gw_system s;
        RUN(s, pfx_gw_parse_system(buf, len, &s, &e));
        break;
    }
    case 13: {
        pfx_gw_system_list l;
        RUN(l, pfx_gw_parse_system_list(buf, len, &l, &e));
        if (st == SP_OK)
            pfx_gw_system_list_clear(&l);
        break;
    }
    case 14: {
        pfx_gw_sdc_list l;
        RUN(l, pfx_gw_parse_sdc_list(buf, len, &l, &e));
        if (st == SP_OK)
            pfx_gw_sdc_list_clear(&l);
        break;
    }
    case 15: {
        pfx_gw_sdc s;
        RUN(s, pfx_gw_parse_sdc(buf, len, &s, &e));
        RUN_STR(small, pfx_gw_parse_string(buf, len, "string", small, sizeof(small), &e));
        break;
    }
    default: {
        /* queryBySelectedIds: the answer comes back in the order asked, one item per id */
        pfx_gw_volume_list l;
        size_t want = (size_t)(data[0] / N_PARSERS) % 3 + 1;
        RUN(l, pfx_gw_parse_volumes_by_ids(buf, len, ids, want, &l, &e));
        if (st == SP_OK) {
            if (l.n != want)
                violated("one volume per id asked for");
            for (size_t i = 0; i < want; i++)
                if (strcmp(l.items[i].id, ids[i]) != 0)
                    violated("volumes in the order of the ids");
            pfx_gw_volume_list_clear(&l);
        }
        break;
    }
    }
    free(buf);
    return 0;
}
