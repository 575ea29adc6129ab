/* test_parse.c - every gateway object parser on the captured fixtures (values spot-checked) and
 * on bad input: missing and mistyped fields, truncation, garbage, deep nesting, huge bodies. */
#include "config.h"

#include "gateway_parse.h"
#include "gwtest.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P(s) (s), strlen(s) /* a literal body and its length */

static int mentions(const sp_error *e, const char *word)
{
    if (strstr(e->message, word) != NULL)
        return 1;
    fprintf(stderr, "message \"%s\" does not mention \"%s\"\n", e->message, word);
    return 0;
}

/* ---- fixtures ---------------------------------------------------------------------------- */

static void test_fixture_sdc(void)
{
    size_t len;
    char *buf = gwt_fixture("cinder_sdc_by_id_response.json", &len);
    pfx_gw_sdc s;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_sdc(buf, len, &s, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(s.id, "01f7117d0000000b");
    CU_ASSERT_STRING_EQUAL(s.ip, "192.168.10.12");
    CU_ASSERT_STRING_EQUAL(s.name, ""); /* null */
    CU_ASSERT_STRING_EQUAL(s.guid, "028888FA-502A-4FAC-A888-1FA3B256358C");
    CU_ASSERT_STRING_EQUAL(s.system_id, "2c4a220db6e0520f");
    CU_ASSERT_EQUAL(s.state, PFX_GW_SDC_CONNECTED);
    CU_ASSERT_EQUAL(s.approved, 1);
    free(buf);
}

static void test_fixture_sdc_lists(void)
{
    size_t len;
    char *buf = gwt_fixture("cinder_sdc_instances_response.json", &len);
    pfx_gw_sdc_list l;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_sdc_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "01f7117d0000000b");
    pfx_gw_sdc_list_clear(&l);
    free(buf);

    buf = gwt_fixture("csi_sdc_instances.json", &len);
    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_sdc_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 11);
    CU_ASSERT_STRING_EQUAL(l.items[0].ip, "127.1.1.11"); /* only sdcIps given */
    CU_ASSERT_EQUAL(l.items[0].state, PFX_GW_SDC_CONNECTED);
    CU_ASSERT_STRING_EQUAL(l.items[1].id, "d0f055aa00000001");
    CU_ASSERT_STRING_EQUAL(l.items[1].ip, "127.1.1.10");
    CU_ASSERT_EQUAL(l.items[1].state, PFX_GW_SDC_DISCONNECTED);
    CU_ASSERT_STRING_EQUAL(l.items[9].ip, ""); /* sdcIp and sdcIps null */
    CU_ASSERT_EQUAL(l.items[9].state, PFX_GW_SDC_UNKNOWN);
    CU_ASSERT_STRING_EQUAL(l.items[9].name, "192.168.0.1-513fda498aaf35e883d");
    pfx_gw_sdc_list_clear(&l);
    CU_ASSERT_PTR_NULL(l.items);
    free(buf);
}

static void test_fixture_volumes(void)
{
    size_t len;
    char *buf = gwt_fixture("cinder_sdc_volumes_response.json", &len);
    pfx_gw_volume_list l;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volume_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "694a2d140000000b");
    CU_ASSERT_STRING_EQUAL(l.items[0].name, "yian_sdc_1");
    CU_ASSERT_EQUAL(l.items[0].size_kb, 8388608);
    CU_ASSERT_STRING_EQUAL(l.items[0].storage_pool_id, "fa85edfd00000000");
    CU_ASSERT_STRING_EQUAL(l.items[0].vtree_id, "2b713ee600000007");
    CU_ASSERT_EQUAL(l.items[0].type, PFX_GW_VOLUME_THIN);
    CU_ASSERT_STRING_EQUAL(l.items[0].ancestor_id, "");
    CU_ASSERT_EQUAL(l.items[0].creation_time, 1746889338);
    CU_ASSERT_EQUAL_FATAL(l.items[0].n_mappings, 1);
    CU_ASSERT_STRING_EQUAL(l.items[0].mappings[0].sdc_id, "01f7117d0000000b");
    CU_ASSERT_STRING_EQUAL(l.items[0].mappings[0].sdc_ip, "192.168.10.12");
    CU_ASSERT_STRING_EQUAL(l.items[0].mappings[0].access_mode, "ReadWrite");
    CU_ASSERT_EQUAL(l.items[0].mappings[0].limit_iops, 0);
    CU_ASSERT_STRING_EQUAL(l.items[1].id, "694a2d1300000009");
    CU_ASSERT_STRING_EQUAL(l.items[1].vtree_id, "2b713ee500000002");
    pfx_gw_volume_list_clear(&l);
    free(buf);
}

/* queryBySelectedIds answers an array of volumes like the SDC's volume list: the fixture is put in
 * the order asked, with what was not asked for dropped and what is missing named. */
static void test_fixture_volumes_by_ids(void)
{
    size_t len;
    char *buf = gwt_fixture("cinder_sdc_volumes_response.json", &len);
    const char *both[2] = {"694a2d1300000009", "694a2d140000000b"};
    const char *one[1] = {"694a2d140000000b"};
    const char *missing[2] = {"694a2d140000000b", "694a2d1400000099"};
    const char *twice[2] = {"694a2d140000000b", "694a2d140000000b"};
    pfx_gw_volume_list l;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volumes_by_ids(buf, len, both, 2, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "694a2d1300000009");
    CU_ASSERT_STRING_EQUAL(l.items[0].vtree_id, "2b713ee500000002");
    CU_ASSERT_STRING_EQUAL(l.items[1].id, "694a2d140000000b");
    CU_ASSERT_STRING_EQUAL(l.items[1].name, "yian_sdc_1");
    CU_ASSERT_EQUAL_FATAL(l.items[1].n_mappings, 1); /* moved with its volume */
    CU_ASSERT_STRING_EQUAL(l.items[1].mappings[0].sdc_id, "01f7117d0000000b");
    pfx_gw_volume_list_clear(&l);

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volumes_by_ids(buf, len, one, 1, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "694a2d140000000b");
    pfx_gw_volume_list_clear(&l);

    CU_ASSERT_EQUAL(pfx_gw_parse_volumes_by_ids(buf, len, missing, 2, &l, &e), SP_E_NOT_FOUND);
    CU_ASSERT_TRUE(mentions(&e, "694a2d1400000099"));
    CU_ASSERT_PTR_NULL(l.items);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_EQUAL(pfx_gw_parse_volumes_by_ids(buf, len, twice, 2, &l, &e), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_gw_parse_volumes_by_ids(buf, len, one, 0, &l, &e), SP_E_INVALID);
    CU_ASSERT_PTR_NULL(l.items);
    free(buf);
}

static void test_fixture_pools(void)
{
    size_t len;
    char *buf = gwt_fixture("csi_storage_pool_instances.json", &len);
    pfx_gw_pool_list l;
    pfx_gw_pool_stats s;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_pool_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "e65f9c2700000000");
    CU_ASSERT_STRING_EQUAL(l.items[0].name, "viki_pool_HDD_20181031");
    CU_ASSERT_STRING_EQUAL(l.items[0].protection_domain_id, "14dbbf5617523654");
    CU_ASSERT_EQUAL(l.items[0].zero_padding_enabled, 1);
    CU_ASSERT_TRUE(l.items[0].spare_percentage.present);
    CU_ASSERT_EQUAL(l.items[0].spare_percentage.value, 10);
    CU_ASSERT_STRING_EQUAL(l.items[1].name, "other_storage_pool");
    CU_ASSERT_STRING_EQUAL(l.items[1].protection_domain_id, "b8b3919900000000");
    pfx_gw_pool_list_clear(&l);
    free(buf);

    buf = gwt_fixture("csi_storage_pool_statistics.json", &len);
    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_pool_stats(buf, len, &s, &e), SP_OK);
    CU_ASSERT_EQUAL(s.max_capacity_kb, 311424000);
    CU_ASSERT_EQUAL(s.spare_capacity_kb, 31141888);
    CU_ASSERT_TRUE(s.capacity_in_use_kb.present);
    CU_ASSERT_EQUAL(s.capacity_in_use_kb.value, 16807936);
    CU_ASSERT_EQUAL(s.capacity_available_for_volume_allocation_kb.value, 117440512);
    CU_ASSERT_EQUAL(s.thin_capacity_allocated_kb.value, 33554432);
    CU_ASSERT_EQUAL(s.thick_capacity_in_use_kb.value, 16777216);
    CU_ASSERT_EQUAL(s.snapshot_capacity_kb.value, 18843648); /* from snapCapacityInUseInKb */
    CU_ASSERT_EQUAL(s.num_volumes.value, 2);
    CU_ASSERT_FALSE(s.net_unused_capacity_kb.present); /* a 2.6-era capture */
    free(buf);
}

static void test_fixture_systems(void)
{
    size_t len;
    char *buf = gwt_fixture("csi_system_instances.json", &len);
    pfx_gw_system_list l;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_system_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 2);
    CU_ASSERT_STRING_EQUAL(l.items[0].id, "14dbbf5617523654");
    CU_ASSERT_STRING_EQUAL(l.items[0].name, "mocksystem");
    CU_ASSERT_STRING_EQUAL(l.items[0].version_name, "DellEMC ScaleIO Version: R2_6.0.133");
    CU_ASSERT_STRING_NOT_EQUAL(l.items[0].mdm_cluster_state, ""); /* from mdmCluster.clusterState */
    /* master and managers ("worker" in 2.6), not the tie-breakers */
    CU_ASSERT_STRING_EQUAL(l.items[0].mdm_ips, "127.1.1.6,127.1.1.7");
    CU_ASSERT_STRING_EQUAL(l.items[1].mdm_ips, "127.1.1.4,127.1.1.5");
    CU_ASSERT_STRING_EQUAL(l.items[1].id, "15dbbf5617523655");
    pfx_gw_system_list_clear(&l);
    free(buf);
}

static void test_fixture_small_bodies(void)
{
    size_t len;
    char *buf = gwt_fixture("csi_snapshot_volumes_response.json", &len);
    pfx_gw_snapshot_group g;
    pfx_gw_volume_stats vs;
    pfx_gw_error_body eb;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_snapshot_group(buf, len, &g, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(g.group_id, "f30216fb00000001");
    CU_ASSERT_EQUAL_FATAL(g.n, 1);
    CU_ASSERT_STRING_EQUAL(g.ids[0].id, "72cee42500000003");
    pfx_gw_snapshot_group_clear(&g);
    free(buf);

    buf = gwt_fixture("csi_volume_statistics.json", &len);
    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volume_stats(buf, len, &vs, &e), SP_OK);
    CU_ASSERT_EQUAL(vs.num_mapped_sdcs, 1);
    CU_ASSERT_EQUAL(vs.user_data_read_kb.value, 1);
    CU_ASSERT_EQUAL(vs.user_data_write_kb.value, 2);
    free(buf);

    buf = gwt_fixture("csi_error_401_unauthorized.json", &len);
    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_error_body(buf, len, &eb, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(eb.message, "Unauthorized");
    CU_ASSERT_TRUE(eb.has_error_code);
    CU_ASSERT_EQUAL(eb.error_code, 0);
    CU_ASSERT_EQUAL(eb.http_status, 401);
    CU_ASSERT_FALSE(eb.has_detail);
    free(buf);
}

/* Every fixture through a parser of the wrong shape fails cleanly with SP_E_PROTOCOL. */
static void test_fixtures_wrong_parser(void)
{
    static const char *const names[] = {
        "cinder_sdc_by_id_response.json",   "cinder_sdc_instances_response.json",
        "cinder_sdc_volumes_response.json", "csi_storage_pool_instances.json",
        "csi_system_instances.json",        "csi_snapshot_volumes_response.json",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t len;
        char *buf = gwt_fixture(names[i], &len);
        pfx_gw_volume v;
        pfx_gw_vtree t;
        pfx_gw_pool_list pl;
        sp_error e;

        CU_ASSERT_EQUAL(pfx_gw_parse_volume(buf, len, &v, &e), SP_E_PROTOCOL);
        CU_ASSERT_EQUAL(pfx_gw_parse_vtree(buf, len, &t, &e), SP_E_PROTOCOL);
        if (i != 3) {
            CU_ASSERT_EQUAL(pfx_gw_parse_pool_list(buf, len, &pl, &e), SP_E_PROTOCOL);
            CU_ASSERT_PTR_NULL(pl.items);
        }
        free(buf);
    }
}

/* Every fixture cut short is refused, at every tenth of its length. */
static void test_fixtures_truncated(void)
{
    static const char *const names[] = {
        "cinder_sdc_volumes_response.json",   "csi_storage_pool_statistics.json", "csi_sdc_instances.json",
        "csi_snapshot_volumes_response.json", "csi_system_instances.json",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        size_t len;
        char *buf = gwt_fixture(names[i], &len);

        for (size_t k = 1; k < 10; k++) {
            size_t cut = len * k / 10;
            char *part = strndup(buf, cut);
            pfx_gw_volume_list vl;
            pfx_gw_pool_stats ps;
            pfx_gw_sdc_list sl;
            pfx_gw_snapshot_group g;
            pfx_gw_system_list syl;
            sp_error e;

            CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(part, cut, &vl, &e), SP_E_PROTOCOL);
            CU_ASSERT_EQUAL(pfx_gw_parse_pool_stats(part, cut, &ps, &e), SP_E_PROTOCOL);
            CU_ASSERT_EQUAL(pfx_gw_parse_sdc_list(part, cut, &sl, &e), SP_E_PROTOCOL);
            CU_ASSERT_EQUAL(pfx_gw_parse_snapshot_group(part, cut, &g, &e), SP_E_PROTOCOL);
            CU_ASSERT_EQUAL(pfx_gw_parse_system_list(part, cut, &syl, &e), SP_E_PROTOCOL);
            CU_ASSERT_TRUE(mentions(&e, "JSON"));
            free(part);
        }
        free(buf);
    }
}

/* ---- objects without a fixture ------------------------------------------------------------ */

#define VOLUME_JSON(extra)                                                                                   \
    "{\"id\":\"3df6b86600000000\",\"name\":\"vol-1-27cb-ab12\",\"sizeInKb\":8388608,"                        \
    "\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":\"c075744900000001\","                               \
    "\"volumeType\":\"ThickProvisioned\",\"ancestorVolumeId\":null,\"mappedSdcInfo\":null" extra "}"

static void test_volume(void)
{
    pfx_gw_volume v;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volume(P(VOLUME_JSON(",\"unknownField\":{\"a\":[1,2]}")), &v, &e),
                          SP_OK);
    CU_ASSERT_STRING_EQUAL(v.id, "3df6b86600000000");
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_THICK);
    CU_ASSERT_EQUAL(v.n_mappings, 0);
    CU_ASSERT_PTR_NULL(v.mappings);
    pfx_gw_volume_clear(&v);

    /* Snapshots, numbers as strings, two mappings. */
    CU_ASSERT_EQUAL_FATAL(
        pfx_gw_parse_volume(
            P("{\"id\":\"72cee42500000003\",\"name\":\"snap-1\",\"sizeInKb\":\"16777216\","
              "\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":\"c075744900000001\","
              "\"volumeType\":\"Snapshot\",\"ancestorVolumeId\":\"3df6b86600000000\","
              "\"consistencyGroupId\":\"f30216fb00000001\",\"mappingToAllSdcsEnabled\":false,"
              "\"mappedSdcInfo\":[{\"sdcId\":\"01f7117d0000000b\",\"limitIops\":\"9000\","
              "\"limitBwInMbps\":90},{\"sdcId\":\"01f7117d0000000c\",\"sdcIp\":\"fd00::2\"}]}"),
            &v, &e),
        SP_OK);
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_SNAPSHOT);
    CU_ASSERT_EQUAL(v.size_kb, 16777216);
    CU_ASSERT_STRING_EQUAL(v.ancestor_id, "3df6b86600000000");
    CU_ASSERT_STRING_EQUAL(v.consistency_group_id, "f30216fb00000001");
    CU_ASSERT_EQUAL_FATAL(v.n_mappings, 2);
    CU_ASSERT_EQUAL(v.mappings[0].limit_iops, 9000);
    CU_ASSERT_EQUAL(v.mappings[0].limit_bw_mbps, 90);
    CU_ASSERT_STRING_EQUAL(v.mappings[1].sdc_ip, "fd00::2");
    pfx_gw_volume_clear(&v);
}

static void test_volume_bad(void)
{
    pfx_gw_volume v;
    sp_error e;

    /* missing required field */
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(P("{\"id\":\"3df6b86600000000\",\"storagePoolId\":\"a\","
                                          "\"vtreeId\":\"b\",\"volumeType\":\"Snapshot\"}"),
                                        &v, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "sizeInKb"));
    CU_ASSERT_TRUE(mentions(&e, "missing"));
    CU_ASSERT_STRING_EQUAL(v.id, ""); /* left zeroed */
    /* wrong types */
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(P(VOLUME_JSON(",\"sizeInKb\":true")), &v, &e),
                    SP_OK); /* first wins */
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(P("{\"id\":5}"), &v, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "\"id\""));
    CU_ASSERT_EQUAL(
        pfx_gw_parse_volume(P("{\"id\":\"1\",\"name\":\"n\",\"sizeInKb\":[1],\"storagePoolId\":\"a\","
                              "\"vtreeId\":\"b\",\"volumeType\":\"Snapshot\"}"),
                            &v, &e),
        SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "sizeInKb"));
    CU_ASSERT_TRUE(mentions(&e, "an array"));
    /* numbers that are not sizes */
    static const char *const bad_sizes[] = {
        "-1", "1.5", "1e3", "\"12abc\"", "\"\"", "99999999999999999999", "\"-5\""};
    for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
        char body[512];
        snprintf(
            body, sizeof(body),
            "{\"id\":\"1\",\"sizeInKb\":%s,\"storagePoolId\":\"a\",\"vtreeId\":\"b\",\"volumeType\":\"x\"}",
            bad_sizes[i]);
        CU_ASSERT_EQUAL(pfx_gw_parse_volume(P(body), &v, &e), SP_E_PROTOCOL);
        CU_ASSERT_TRUE(mentions(&e, "sizeInKb"));
    }
    /* the largest 64-bit value is still a number */
    CU_ASSERT_EQUAL(
        pfx_gw_parse_volume(P("{\"id\":\"1\",\"sizeInKb\":18446744073709551615,\"storagePoolId\":\"a\","
                              "\"vtreeId\":\"b\",\"volumeType\":\"x\"}"),
                            &v, &e),
        SP_OK);
    CU_ASSERT_EQUAL(v.size_kb, UINT64_MAX);
    CU_ASSERT_EQUAL(v.type, PFX_GW_VOLUME_OTHER);
    pfx_gw_volume_clear(&v);
    /* an id too long for its buffer is refused, not cut */
    CU_ASSERT_EQUAL(
        pfx_gw_parse_volume(
            P("{\"id\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}"), &v, &e),
        SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "bytes long"));
    /* a bad mapping entry fails the volume and frees what was read */
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(
                        P(VOLUME_JSON(",\"mappedSdcInfo\":[{\"sdcId\":\"a\"},{\"sdcIp\":\"x\"}]")), &v, &e),
                    SP_OK); /* the earlier null mappedSdcInfo wins */
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(
                        P("{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
                          "\"volumeType\":\"x\",\"mappedSdcInfo\":[{\"sdcId\":\"a\"},{\"sdcIp\":\"x\"}]}"),
                        &v, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "mappedSdcInfo[1]"));
    CU_ASSERT_PTR_NULL(v.mappings);
    CU_ASSERT_EQUAL(
        pfx_gw_parse_volume(P("{\"id\":\"1\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
                              "\"volumeType\":\"x\",\"mappedSdcInfo\":[7]}"),
                            &v, &e),
        SP_E_PROTOCOL);
    /* list items name their position */
    pfx_gw_volume_list l;
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(P("[" VOLUME_JSON("") ",{\"id\":\"2\"}]"), &l, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "item 1"));
    CU_ASSERT_PTR_NULL(l.items);
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(P("[" VOLUME_JSON("") ",\"x\"]"), &l, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(P("[]"), &l, &e), SP_OK);
    CU_ASSERT_EQUAL(l.n, 0);
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(P("{}"), &l, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "array"));
}

/* Another volume, with a mapping (whose memory must be released when it is dropped). */
#define LISTED_VOLUME                                                                                        \
    "{\"id\":\"3df6b86600000001\",\"sizeInKb\":8388608,\"storagePoolId\":\"e65f9c2700000000\","              \
    "\"vtreeId\":\"c075744900000002\",\"volumeType\":\"ThinProvisioned\","                                   \
    "\"mappedSdcInfo\":[{\"sdcId\":\"01f7117d0000000b\"}]}"

static void test_volumes_by_ids_bad(void)
{
    static const char *const inputs[] = {
        "", "null", "{}", "\"694a2d140000000b\"", "[\"694a2d140000000b\"]", "[null]", "[{\"id\":1}]",
        /* the right id without the fields a volume must have */
        "[{\"id\":\"694a2d140000000b\"}]",
        ("[{\"id\":\"694a2d140000000b\",\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":"
         "\"c075744900000001\",\"volumeType\":\"ThinProvisioned\",\"sizeInKb\":\"many\"}]"),
        "[{\"id\":\"694a2d140000000b\"", "<html>500</html>"};
    const char *one[1] = {"694a2d140000000b"};
    pfx_gw_volume_list l;
    sp_error e;

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        CU_ASSERT_EQUAL(pfx_gw_parse_volumes_by_ids(P(inputs[i]), one, 1, &l, &e), SP_E_PROTOCOL);
        CU_ASSERT_PTR_NULL(l.items);
        CU_ASSERT_NOT_EQUAL(e.message[0], '\0');
    }
    /* An empty answer: the volume is not there. */
    CU_ASSERT_EQUAL(pfx_gw_parse_volumes_by_ids(P("[]"), one, 1, &l, &e), SP_E_NOT_FOUND);
    /* Answered twice: taken once, the copy dropped; an object not asked for is dropped too. */
    CU_ASSERT_EQUAL_FATAL(
        pfx_gw_parse_volumes_by_ids(P("[" VOLUME_JSON(",\"creationTime\":1") "," VOLUME_JSON(
                                        ",\"creationTime\":2") "," LISTED_VOLUME "]"),
                                    (const char *[]){"3df6b86600000000"}, 1, &l, &e),
        SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 1);
    CU_ASSERT_EQUAL(l.items[0].creation_time, 1);
    pfx_gw_volume_list_clear(&l);
}

static void test_vtree(void)
{
    pfx_gw_vtree t;
    pfx_gw_vtree_stats s;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(
        pfx_gw_parse_vtree(
            P("{\"id\":\"c075744900000001\",\"name\":\"vol-1\",\"storagePoolId\":\"e65f9c2700000000\","
              "\"rootVolumes\":[\"3df6b86600000000\"],\"vtreeMigrationInfo\":{\"sourceStoragePoolId\":"
              "\"e65f9c2700000000\",\"destinationStoragePoolId\":\"e65f9c2700000001\",\"migrationStatus\":"
              "\"MigrationNormal\",\"migrationPauseReason\":null,\"migrationQueuePosition\":0}}"),
            &t, &e),
        SP_OK);
    CU_ASSERT_STRING_EQUAL(t.base_volume_id, "3df6b86600000000");
    CU_ASSERT_TRUE(t.migration.present);
    CU_ASSERT_EQUAL(t.migration.status, PFX_GW_MIGRATION_RUNNING);
    CU_ASSERT_STRING_EQUAL(t.migration.dest_pool_id, "e65f9c2700000001");
    CU_ASSERT_STRING_EQUAL(t.migration.pause_reason, "");

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_vtree(P("{\"id\":\"1\",\"storagePoolId\":\"2\",\"baseVolumeId\":\"3\","
                                               "\"vtreeMigrationInfo\":{\"migrationStatus\":\"Paused\","
                                               "\"migrationPauseReason\":\"MigrationError\"}}"),
                                             &t, &e),
                          SP_OK);
    CU_ASSERT_STRING_EQUAL(t.base_volume_id, "3");
    CU_ASSERT_EQUAL(t.migration.status, PFX_GW_MIGRATION_PAUSED);
    CU_ASSERT_STRING_EQUAL(t.migration.pause_reason, "MigrationError");

    CU_ASSERT_EQUAL(pfx_gw_parse_vtree(P("{\"id\":\"1\",\"storagePoolId\":\"2\"}"), &t, &e), SP_OK);
    CU_ASSERT_FALSE(t.migration.present); /* a gateway before 3.5 */
    CU_ASSERT_EQUAL(
        pfx_gw_parse_vtree(P("{\"id\":\"1\",\"storagePoolId\":\"2\",\"vtreeMigrationInfo\":{}}"), &t, &e),
        SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "migrationStatus"));
    CU_ASSERT_EQUAL(
        pfx_gw_parse_vtree(P("{\"id\":\"1\",\"storagePoolId\":\"2\",\"vtreeMigrationInfo\":\"x\"}"), &t, &e),
        SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_vtree(P("{\"id\":\"1\",\"storagePoolId\":\"2\",\"vtreeMigrationInfo\":"
                                         "{\"migrationStatus\":\"SomethingNew\"}}"),
                                       &t, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(t.migration.status, PFX_GW_MIGRATION_UNKNOWN);

    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_vtree_stats(
                              P("{\"netProvisionedAddressesInKb\":\"1048576\",\"numOfVolumes\":3}"), &s, &e),
                          SP_OK);
    CU_ASSERT_TRUE(s.net_provisioned_addresses_kb.present);
    CU_ASSERT_EQUAL(s.net_provisioned_addresses_kb.value, 1048576);
    CU_ASSERT_EQUAL(s.num_volumes.value, 3);
    CU_ASSERT_FALSE(s.base_net_capacity_in_use_kb.present);
    CU_ASSERT_EQUAL(pfx_gw_parse_vtree_stats(P("{\"numOfVolumes\":{}}"), &s, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "numOfVolumes"));
}

static void test_domain_system_pool(void)
{
    pfx_gw_protection_domain d;
    pfx_gw_system sys;
    pfx_gw_pool p;
    pfx_gw_pool_stats s;
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(
        pfx_gw_parse_protection_domain(P("{\"id\":\"b8b3919900000000\",\"name\":\"pd1\",\"systemId\":"
                                         "\"14dbbf5617523654\",\"protectionDomainState\":\"Active\"}"),
                                       &d, &e),
        SP_OK);
    CU_ASSERT_STRING_EQUAL(d.system_id, "14dbbf5617523654");
    CU_ASSERT_STRING_EQUAL(d.state, "Active");
    CU_ASSERT_EQUAL(pfx_gw_parse_protection_domain(P("{\"id\":\"b8b3919900000000\"}"), &d, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "systemId"));

    CU_ASSERT_EQUAL(
        pfx_gw_parse_system(P("{\"id\":\"1\",\"mdmClusterState\":\"ClusteredNormal\"}"), &sys, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(sys.mdm_cluster_state, "ClusteredNormal");
    CU_ASSERT_STRING_EQUAL(sys.mdm_ips, "");
    CU_ASSERT_EQUAL(pfx_gw_parse_system(P("{\"id\":\"1\",\"mdmCluster\":{\"master\":{\"ips\":[\"10.0.0.1\","
                                          "\"fd00::1\"]},\"slaves\":[{\"ips\":[\"10.0.0.11\",\"10.0.0.1\"]}],"
                                          "\"tieBreakers\":[{\"ips\":[\"10.0.0.3\"]}]}}"),
                                        &sys, &e),
                    SP_OK);
    CU_ASSERT_STRING_EQUAL(sys.mdm_ips, "10.0.0.1,fd00::1,10.0.0.11"); /* 10.0.0.11 is not 10.0.0.1 */
    /* an address that could steer drv_cfg's command line is refused */
    CU_ASSERT_EQUAL(pfx_gw_parse_system(P("{\"id\":\"1\",\"mdmCluster\":{\"master\":{\"ips\":[\"1.2.3.4 "
                                          "--file /etc/passwd\"]}}}"),
                                        &sys, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_system(P("{\"name\":\"x\"}"), &sys, &e), SP_E_PROTOCOL);

    CU_ASSERT_EQUAL(pfx_gw_parse_pool(
                        P("{\"id\":\"1\",\"name\":\"p\",\"protectionDomainId\":\"2\",\"zeroPaddingEnabled\":"
                          "\"TRUE\"}"),
                        &p, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(p.zero_padding_enabled, 1);
    CU_ASSERT_EQUAL(pfx_gw_parse_pool(
                        P("{\"id\":\"1\",\"name\":\"p\",\"protectionDomainId\":\"2\",\"zeroPaddingEnabled\":"
                          "\"maybe\"}"),
                        &p, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "zeroPaddingEnabled"));

    /* 3.5 names win over the older ones when both are present. */
    CU_ASSERT_EQUAL(pfx_gw_parse_pool_stats(P("{\"maxCapacityInKb\":100,\"spareCapacityInKb\":\"10\","
                                              "\"snapCapacityInUseInKb\":5,\"snapshotCapacityInKb\":7,"
                                              "\"thinCapacityAllocatedInKm\":9,\"netUnusedCapacityInKb\":40,"
                                              "\"netCapacityInUseInKb\":5}"),
                                            &s, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(s.snapshot_capacity_kb.value, 7);
    CU_ASSERT_EQUAL(s.thin_capacity_allocated_kb.value, 9);
    CU_ASSERT_EQUAL(s.net_unused_capacity_kb.value, 40);
    CU_ASSERT_EQUAL(s.spare_capacity_kb, 10);
    CU_ASSERT_EQUAL(pfx_gw_parse_pool_stats(P("{\"maxCapacityInKb\":100}"), &s, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "spareCapacityInKb"));
    CU_ASSERT_EQUAL(s.max_capacity_kb, 0);
}

static void test_small_bodies(void)
{
    char buf[64];
    uint64_t n;
    pfx_gw_snapshot_group g;
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_parse_string(P("\"3.5\""), "version", buf, sizeof(buf), &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "3.5");
    CU_ASSERT_EQUAL(pfx_gw_parse_string(P(" \"3df6b86600000000\"\n"), "id", buf, sizeof(buf), &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "3df6b86600000000");
    CU_ASSERT_EQUAL(pfx_gw_parse_string(P("3.5"), "version", buf, sizeof(buf), &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "version"));
    CU_ASSERT_EQUAL(pfx_gw_parse_string(P("\"\""), "id", buf, sizeof(buf), &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_string(P("{\"id\":\"x\"}"), "id", buf, sizeof(buf), &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_string(P("\"3.5\" \"4.0\""), "version", buf, sizeof(buf), &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(
        pfx_gw_parse_string(P("\"0123456789012345678901234567890123456789012345678901234567890123456789\""),
                            "id", buf, sizeof(buf), &e),
        SP_E_PROTOCOL);

    CU_ASSERT_EQUAL(pfx_gw_parse_created_id(P("{\"id\":\"3df6b86600000000\"}"), buf, sizeof(buf), &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(buf, "3df6b86600000000");
    CU_ASSERT_EQUAL(pfx_gw_parse_created_id(P("{\"id\":\"\"}"), buf, sizeof(buf), &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_created_id(P("{}"), buf, sizeof(buf), &e), SP_E_PROTOCOL);
    CU_ASSERT_STRING_EQUAL(buf, "");

    CU_ASSERT_EQUAL(pfx_gw_parse_removed_count(P("{\"numberOfVolumes\":2}"), &n, &e), SP_OK);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(pfx_gw_parse_removed_count(P("{\"numberOfVolumes\":\"x\"}"), &n, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_removed_count(P("{}"), &n, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "numberOfVolumes"));

    CU_ASSERT_EQUAL(pfx_gw_parse_snapshot_group(P("{\"snapshotGroupId\":\"g\",\"volumeIdList\":[]}"), &g, &e),
                    SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(
        pfx_gw_parse_snapshot_group(P("{\"snapshotGroupId\":\"g\",\"volumeIdList\":[\"a\",3]}"), &g, &e),
        SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "volumeIdList[1]"));
    CU_ASSERT_PTR_NULL(g.ids);
    CU_ASSERT_EQUAL(
        pfx_gw_parse_snapshot_group(P("{\"snapshotGroupId\":\"g\",\"volumeIdList\":[\"a\",\"b\"]}"), &g, &e),
        SP_OK);
    CU_ASSERT_EQUAL(g.n, 2);
    CU_ASSERT_STRING_EQUAL(g.ids[1].id, "b");
    pfx_gw_snapshot_group_clear(&g);
}

static void test_error_body(void)
{
    pfx_gw_error_body eb;
    sp_error e;

    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(
                        P("{\"message\":\"Error with details\",\"httpStatusCode\":500,\"errorCode\":0,"
                          "\"details\":[{\"rc\":182,\"error\":\"TOO_MANY_SNAPS_IN_VTREE\","
                          "\"errorMessage\":\"There are too many snapshots in the VTree\"}]}"),
                        &eb, &e),
                    SP_OK);
    CU_ASSERT_TRUE(eb.has_detail);
    CU_ASSERT_EQUAL(eb.detail_rc, 182);
    CU_ASSERT_STRING_EQUAL(eb.detail_name, "TOO_MANY_SNAPS_IN_VTREE");
    /* lenient: wrong types are left empty, never an error */
    CU_ASSERT_EQUAL(
        pfx_gw_parse_error_body(P("{\"message\":7,\"errorCode\":\"79\",\"details\":\"x\"}"), &eb, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(eb.message, "");
    CU_ASSERT_TRUE(eb.has_error_code);
    CU_ASSERT_EQUAL(eb.error_code, 79);
    CU_ASSERT_FALSE(eb.has_detail);
    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(P("{\"errorCode\":99999999999}"), &eb, &e), SP_OK);
    CU_ASSERT_FALSE(eb.has_error_code);
    /* control characters do not reach a log line */
    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(P("{\"message\":\"a\\nb\\u0007c\"}"), &eb, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(eb.message, "a b c");
    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(P("<html><body>500</body></html>"), &eb, &e), SP_E_PROTOCOL);
    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(P("[1]"), &eb, &e), SP_E_PROTOCOL);
    /* a very long message is cut, not refused */
    char *big = malloc(20000);
    strcpy(big, "{\"message\":\"");
    memset(big + 12, 'm', 19000);
    strcpy(big + 19012, "\",\"errorCode\":1}");
    CU_ASSERT_EQUAL(pfx_gw_parse_error_body(big, strlen(big), &eb, &e), SP_OK);
    CU_ASSERT_EQUAL(strlen(eb.message), sizeof(eb.message) - 1);
    free(big);
}

/* ---- hostile input ------------------------------------------------------------------------ */

static void test_garbage(void)
{
    static const char *const inputs[] = {"",
                                         "   \n",
                                         "null",
                                         "true",
                                         "\"str\"",
                                         "42",
                                         "<html>oops</html>",
                                         "{",
                                         "{\"id\":}",
                                         "{\"a\":1}{",
                                         "\xff\xfe{}",
                                         "{\"id\":\"\xc3\x28\"}",
                                         "[{\"id\":1}]",
                                         "{\"id\":\"1\"} trailing"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        pfx_gw_volume v;
        pfx_gw_sdc_list l;
        pfx_gw_pool_stats s;
        sp_error e;

        CU_ASSERT_EQUAL(pfx_gw_parse_volume(P(inputs[i]), &v, &e), SP_E_PROTOCOL);
        CU_ASSERT_EQUAL(pfx_gw_parse_sdc_list(P(inputs[i]), &l, &e), SP_E_PROTOCOL);
        CU_ASSERT_EQUAL(pfx_gw_parse_pool_stats(P(inputs[i]), &s, &e), SP_E_PROTOCOL);
        CU_ASSERT_NOT_EQUAL(e.message[0], '\0');
    }
    /* a NUL inside the body */
    pfx_gw_volume v;
    sp_error e;
    static const char with_nul[] = "{\"id\":\"1\"}\0{}";
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(with_nul, sizeof(with_nul) - 1, &v, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "NUL"));
}

static void test_deep_nesting(void)
{
    size_t depth = 1000000;
    char *buf = malloc(depth * 2 + 1);
    pfx_gw_volume_list l;
    sp_error e;

    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    buf[depth * 2] = '\0';
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(buf, depth * 2, &l, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "deeper"));
    /* brackets inside strings do not count */
    snprintf(buf, depth,
             "[{\"id\":\"1\",\"name\":\"%s\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
             "\"volumeType\":\"x\"}]",
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
             "[[[[[[[");
    CU_ASSERT_EQUAL(pfx_gw_parse_volume_list(buf, strlen(buf), &l, &e), SP_OK);
    pfx_gw_volume_list_clear(&l);
    /* escaped quotes inside strings do not end them */
    snprintf(buf, depth,
             "{\"id\":\"1\",\"name\":\"a\\\"[[[[\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
             "\"volumeType\":\"x\"}");
    pfx_gw_volume v;
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(buf, strlen(buf), &v, &e), SP_OK);
    CU_ASSERT_STRING_EQUAL(v.name, "a\"[[[[");
    pfx_gw_volume_clear(&v);
    /* A quote inside a comment (which yajl would take) cannot hide the nesting after it: a '/'
     * outside a string is refused before parsing. */
    memcpy(buf, "/*\"*/", 5);
    memset(buf + 5, '[', depth);
    memset(buf + 5 + depth, ']', depth - 5);
    buf[depth * 2] = '\0';
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(buf, depth * 2, &v, &e), SP_E_PROTOCOL);
    CU_ASSERT_TRUE(mentions(&e, "not valid JSON"));
    CU_ASSERT_EQUAL(pfx_gw_parse_volume("{\"id\":\"1\"} // trailing", 22, &v, &e), SP_E_PROTOCOL);
    /* a '/' inside a string is data */
    snprintf(buf, depth,
             "{\"id\":\"1\",\"name\":\"a/*b\",\"sizeInKb\":1,\"storagePoolId\":\"a\",\"vtreeId\":\"b\","
             "\"volumeType\":\"x\"}");
    CU_ASSERT_EQUAL(pfx_gw_parse_volume(buf, strlen(buf), &v, &e), SP_OK);
    pfx_gw_volume_clear(&v);
    free(buf);
}

/* A list of 20000 volumes (about 5 MB, what a large system answers) parses. */
static void test_huge_list(void)
{
    size_t n = 20000, cap = n * 300 + 16, len = 0;
    char *buf = malloc(cap);
    pfx_gw_volume_list l;
    sp_error e;

    buf[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len,
                                "%s{\"id\":\"%016zx\",\"name\":\"vol-%zu-27cb-ab12\",\"sizeInKb\":8388608,"
                                "\"storagePoolId\":\"e65f9c2700000000\",\"vtreeId\":\"%016zx\","
                                "\"volumeType\":\"ThinProvisioned\",\"mappedSdcInfo\":null,\"links\":[]}",
                                i ? "," : "", i, i, i + 1);
    buf[len++] = ']';
    buf[len] = '\0';
    CU_ASSERT_EQUAL_FATAL(pfx_gw_parse_volume_list(buf, len, &l, &e), SP_OK);
    CU_ASSERT_EQUAL(l.n, n);
    CU_ASSERT_STRING_EQUAL(l.items[n - 1].name, "vol-19999-27cb-ab12");
    pfx_gw_volume_list_clear(&l);
    free(buf);
}

int main(void)
{
    CU_pSuite s;
    unsigned failures;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 99;
    s = CU_add_suite("gateway parsers", NULL, NULL);
    CU_add_test(s, "fixture: SDC by id", test_fixture_sdc);
    CU_add_test(s, "fixture: SDC lists", test_fixture_sdc_lists);
    CU_add_test(s, "fixture: volumes of an SDC", test_fixture_volumes);
    CU_add_test(s, "fixture: volumes by ids (queryBySelectedIds)", test_fixture_volumes_by_ids);
    CU_add_test(s, "volumes by ids: garbage, missing fields, an empty or doubled answer",
                test_volumes_by_ids_bad);
    CU_add_test(s, "fixture: storage pools and statistics", test_fixture_pools);
    CU_add_test(s, "fixture: systems", test_fixture_systems);
    CU_add_test(s, "fixture: snapshot answer, volume statistics, 401 body", test_fixture_small_bodies);
    CU_add_test(s, "fixtures through the wrong parser", test_fixtures_wrong_parser);
    CU_add_test(s, "fixtures truncated", test_fixtures_truncated);
    CU_add_test(s, "volume", test_volume);
    CU_add_test(s, "volume: missing and mistyped fields", test_volume_bad);
    CU_add_test(s, "V-Tree and its statistics", test_vtree);
    CU_add_test(s, "protection domain, system, pool", test_domain_system_pool);
    CU_add_test(s, "bare strings, created ids, counts, snapshot answers", test_small_bodies);
    CU_add_test(s, "error bodies", test_error_body);
    CU_add_test(s, "garbage", test_garbage);
    CU_add_test(s, "deep nesting", test_deep_nesting);
    CU_add_test(s, "huge list", test_huge_list);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failures == 0 ? 0 : 1;
}
