/* fuzz_objects.c - libFuzzer target for the gateway object parsers: the first byte picks the
 * parser, the rest is the body. Each parser must return a status and leave nothing allocated. */
#include "config.h"

#include "gateway_parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, small[64];
    size_t len;
    uint64_t n;
    sp_error e;

    if (size < 1)
        return 0;
    len = size - 1;
    buf = malloc(len + 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, len);
    buf[len] = '\0'; /* the transport terminates every body */

    switch (data[0] % 16) {
    case 0: {
        pfx_gw_volume v;
        if (pfx_gw_parse_volume(buf, len, &v, &e) == SP_OK)
            pfx_gw_volume_clear(&v);
        break;
    }
    case 1: {
        pfx_gw_volume_list l;
        if (pfx_gw_parse_volume_list(buf, len, &l, &e) == SP_OK)
            pfx_gw_volume_list_clear(&l);
        break;
    }
    case 2: {
        pfx_gw_volume_stats s;
        pfx_gw_parse_volume_stats(buf, len, &s, &e);
        break;
    }
    case 3: pfx_gw_parse_created_id(buf, len, small, sizeof(small), &e); break;
    case 4: {
        pfx_gw_snapshot_group g;
        if (pfx_gw_parse_snapshot_group(buf, len, &g, &e) == SP_OK)
            pfx_gw_snapshot_group_clear(&g);
        break;
    }
    case 5: pfx_gw_parse_removed_count(buf, len, &n, &e); break;
    case 6: {
        pfx_gw_vtree t;
        pfx_gw_parse_vtree(buf, len, &t, &e);
        break;
    }
    case 7: {
        pfx_gw_vtree_stats s;
        pfx_gw_parse_vtree_stats(buf, len, &s, &e);
        break;
    }
    case 8: {
        pfx_gw_pool p;
        pfx_gw_parse_pool(buf, len, &p, &e);
        break;
    }
    case 9: {
        pfx_gw_pool_list l;
        if (pfx_gw_parse_pool_list(buf, len, &l, &e) == SP_OK)
            pfx_gw_pool_list_clear(&l);
        break;
    }
    case 10: {
        pfx_gw_pool_stats s;
        pfx_gw_parse_pool_stats(buf, len, &s, &e);
        break;
    }
    case 11: {
        pfx_gw_protection_domain d;
        pfx_gw_parse_protection_domain(buf, len, &d, &e);
        break;
    }
    case 12: {
        pfx_gw_system s;
        pfx_gw_parse_system(buf, len, &s, &e);
        break;
    }
    case 13: {
        pfx_gw_system_list l;
        if (pfx_gw_parse_system_list(buf, len, &l, &e) == SP_OK)
            pfx_gw_system_list_clear(&l);
        break;
    }
    case 14: {
        pfx_gw_sdc_list l;
        if (pfx_gw_parse_sdc_list(buf, len, &l, &e) == SP_OK)
            pfx_gw_sdc_list_clear(&l);
        break;
    }
    default: {
        pfx_gw_sdc s;
        pfx_gw_parse_sdc(buf, len, &s, &e);
        pfx_gw_parse_string(buf, len, "string", small, sizeof(small), &e);
        break;
    }
    }
    free(buf);
    return 0;
}
