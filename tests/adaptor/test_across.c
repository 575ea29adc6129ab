/* test_across.c - cross-system copies (copy_volume_across) between two simulated PowerFlex systems
 * through one host: a copy whose checksums match the source's, and a failure at each step (create
 * target, map, a device that never appears, copy, a verification mismatch, a cancel from progress,
 * an undo that fails too) leaving the source intact, no target on the array and no journal record. */
#include "config.h"

#include "adfix.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

static adfix F;
static sp_volume_info src;  /* the volume copied, on system 0 */
static char src_file[1024]; /* its data file in the simulator */
static char src_sum[4][65]; /* SHA-256 of its written ranges */

static const struct {
    uint64_t off;
    size_t len;
} ranges[4] = {{0, 4 * MIB}, {100 * MIB, MIB}, {5 * ADFIX_GIB, 2 * MIB}, {8 * ADFIX_GIB - MIB, MIB}};

static const sp_adaptor_ops *ad(void) { return F.sp->adaptor; }

static void make_source(void)
{
    sp_disk_info d;
    sp_error e;
    int maps;

    CU_ASSERT_EQUAL_FATAL(adfix_create(&F, 0, SP_VOLUME_DATA, 500, 8 * ADFIX_GIB, &src), 0);
    CU_ASSERT_EQUAL_FATAL(adfix_grant(&F, 0, src.path, &F.host), 0);
    CU_ASSERT_EQUAL_FATAL(ad()->connect_volume(F.pool[0], &(sp_volume_ref){src.path}, &F.host, &d, &e),
                          SP_OK);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_EQUAL_FATAL(adfix_write_pattern(d.path, ranges[i].off, ranges[i].len, 100u + (unsigned)i),
                              0);
    adfix_revoke(&F, 0, src.path, &F.host);
    CU_ASSERT_EQUAL(ad()->disconnect_volume(F.pool[0], &(sp_volume_ref){src.path}, &F.host, &e), SP_OK);
    CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 0, src.id, &maps, src_file, sizeof(src_file)));
    for (int i = 0; i < 4; i++)
        adfix_sha256(src_file, ranges[i].off, ranges[i].len, src_sum[i]);
}

/* The source is as it was: same bytes, no mapping. */
static void source_intact(void)
{
    char hex[65];
    int maps = -1;

    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, src.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 0);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(adfix_sha256(src_file, ranges[i].off, ranges[i].len, hex), 0);
        CU_ASSERT_STRING_EQUAL(hex, src_sum[i]);
    }
}

static sp_volume_spec spec_for(uint64_t id)
{
    sp_volume_spec s;
    memset(&s, 0, sizeof(s));
    s.kind = SP_VOLUME_DATA;
    s.id = id;
    s.size_bytes = 8 * ADFIX_GIB;
    s.provisioning = SP_PROVISION_THIN;
    return s;
}

static sp_status migrate(uint64_t id, const sp_host_ref *host, const sp_progress *p, sp_volume_info *out,
                         sp_error *e)
{
    sp_volume_spec s = spec_for(id);
    return ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[1], &s, host, p, out, e);
}

/* After a failed copy: the source intact, no new volume on system 1, no record. */
static void nothing_left(int count_before, const sp_error *e, const char *step)
{
    char want[64];

    fprintf(stderr, "  -> %s\n", e->message);
    snprintf(want, sizeof(want), "step \"%s\"", step);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(e->message, src.path));
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), count_before);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    source_intact();
}

typedef struct watch {
    uint64_t copy_done, copy_total, verify_done, verify_total;
    int copies, verifies;
    const char *stop_at; /* phase to cancel at */
    uint64_t corrupt_id; /* scribble on this target when the copy starts */
} watch;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    watch *w = ctx;

    if (strcmp(phase, "copy") == 0) {
        w->copies++;
        w->copy_done = done;
        w->copy_total = total;
        if (w->corrupt_id != 0 && w->copies == 1) {
            char name[128], id[64], path[1024];
            snprintf(name, sizeof(name), "vol-%llu-2222-t3st", (unsigned long long)w->corrupt_id);
            /* Where the source has a hole: the copy skips it, only a verification can see it. */
            if (adfix_sim_volume_by_name(&F, 1, name, id, sizeof(id)) == 0 &&
                adfix_sim_volume(&F, 1, id, NULL, path, sizeof(path)))
                adfix_write_pattern(path, 6 * ADFIX_GIB, 4096, 7);
        }
    } else if (strcmp(phase, "verify") == 0) {
        w->verifies++;
        w->verify_done = done;
        w->verify_total = total;
    }
    return w->stop_at != NULL && strcmp(phase, w->stop_at) == 0;
}

static void test_copy(void)
{
    sp_volume_info out;
    char target_file[1024];
    uint64_t data = 0;
    watch w;
    sp_error e;
    sp_status st;
    int maps = -1;

    memset(&w, 0, sizeof(w));
    st = migrate(501, &F.host, &(sp_progress){on_progress, &w}, &out, &e);
    if (st != SP_OK)
        fprintf(stderr, "copy: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    CU_ASSERT_STRING_EQUAL(out.system_id, F.system_id[1]);
    CU_ASSERT_EQUAL(out.size_bytes, 8 * ADFIX_GIB);
    CU_ASSERT_STRING_EQUAL(out.name, "vol-501-2222-t3st");
    CU_ASSERT(strncmp(out.path, out.id, strlen(out.id)) == 0 && out.path[strlen(out.id)] == ':');
    CU_ASSERT(out.tree_id[0] != '\0');
    /* Progress in bytes, to the end, for both phases. */
    CU_ASSERT(w.copies > 0 && w.verifies > 0);
    CU_ASSERT_EQUAL(w.copy_total, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(w.copy_done, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(w.verify_total, 8 * ADFIX_GIB);
    CU_ASSERT_EQUAL(w.verify_done, 8 * ADFIX_GIB);
    /* The target holds the source's bytes: checksums of the written ranges, then everything. */
    CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 1, out.id, &maps, target_file, sizeof(target_file)));
    CU_ASSERT_EQUAL(maps, 0);
    for (int i = 0; i < 4; i++) {
        char hex[65];
        CU_ASSERT_EQUAL(adfix_sha256(target_file, ranges[i].off, ranges[i].len, hex), 0);
        CU_ASSERT_STRING_EQUAL(hex, src_sum[i]);
        CU_ASSERT_TRUE(adfix_check_pattern(target_file, ranges[i].off, ranges[i].len, 100u + (unsigned)i));
    }
    CU_ASSERT_TRUE(adfix_same_content(src_file, target_file, 8 * ADFIX_GIB, &data));
    CU_ASSERT(data >= 8 * MIB && data < 64 * MIB); /* holes stayed holes */
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    source_intact();
    adfix_delete(&F, 1, out.path);
}

static void test_fail_create(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    sp_error e;

    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/types/Volume/instances:http500:once"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(502, &F.host, NULL, &out, &e), SP_OK);
    nothing_left(n1, &e, "create target");
    adfix_clear_faults(&F, 1);
}

static void test_fail_map(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    sp_error e;

    /* Every time: a map failing once is sent again (driver_access.c). */
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/addMappedSdc:http500"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(503, &F.host, NULL, &out, &e), SP_OK);
    nothing_left(n1, &e, "map target");
    adfix_clear_faults(&F, 1);
    CU_ASSERT_EQUAL(adfix_fault(&F, 0, "POST /api/instances/Volume::{id}/action/addMappedSdc:http500"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(503, &F.host, NULL, &out, &e), SP_OK);
    nothing_left(n1, &e, "map source");
    adfix_clear_faults(&F, 0);
}

static void test_fail_device(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    sp_error e;

    /* The target's device is 30 s late and this host's drv_cfg cannot rescan system 1. */
    adfix_pool_setting(&F, 1, SP_SETTING_DISK_WAIT, "1");
    CU_ASSERT_EQUAL(
        adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/addMappedSdc:device-delay:ms=30000"),
        200);
    CU_ASSERT_EQUAL(migrate(504, &F.host_one, NULL, &out, &e), SP_E_TIMEOUT);
    nothing_left(n1, &e, "map target");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "did not appear"));
    adfix_clear_faults(&F, 1);
    adfix_pool_setting(&F, 1, SP_SETTING_DISK_WAIT, NULL);
}

static void test_fail_copy(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    sp_error e;

    /* The target turns read-only as it is mapped: writing it fails. */
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/addMappedSdc:readonly:once"),
                    200);
    CU_ASSERT_EQUAL(migrate(505, &F.host, NULL, &out, &e), SP_E_IO);
    nothing_left(n1, &e, "copy");
    adfix_clear_faults(&F, 1);
}

static void test_fail_verify(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    watch w;
    sp_error e;

    memset(&w, 0, sizeof(w));
    w.corrupt_id = 506;
    CU_ASSERT_EQUAL(migrate(506, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_E_IO);
    nothing_left(n1, &e, "verify");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "differs"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "6442450944")); /* the byte where it differs */
}

static void test_cancel(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    watch w;
    sp_error e;

    memset(&w, 0, sizeof(w));
    w.stop_at = "copy";
    CU_ASSERT_EQUAL(migrate(507, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_E_CANCELLED);
    nothing_left(n1, &e, "copy");
    memset(&w, 0, sizeof(w));
    w.stop_at = "verify";
    CU_ASSERT_EQUAL(migrate(507, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_E_CANCELLED);
    nothing_left(n1, &e, "verify");
}

static void test_undo_fails_too(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out;
    watch w;
    sp_error e;
    sp_status st;

    /* Cancelled, and the target cannot be deleted: the message says so and the record stays. */
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/removeVolume:http500"), 200);
    memset(&w, 0, sizeof(w));
    w.stop_at = "copy";
    CU_ASSERT_EQUAL(migrate(508, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_E_CANCELLED);
    fprintf(stderr, "  -> %s\n", e.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "deleting the target failed too"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "recover_copies"));
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 1);
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1 + 1);
    source_intact();
    /* A new copy of the volume waits for the recovery. */
    st = migrate(509, &F.host, NULL, &out, &e);
    CU_ASSERT_EQUAL(st, SP_E_STATE);
    adfix_clear_faults(&F, 1);
    {
        sp_pool *pools[2] = {F.pool[0], F.pool[1]};
        CU_ASSERT_EQUAL(ad()->recover_copies(pools, 2, &F.host, NULL, NULL, &e), SP_OK);
    }
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    source_intact();
}

static void test_refusals(void)
{
    sp_volume_info out, existing;
    sp_volume_spec s = spec_for(510);
    sp_error e;
    int n1;

    /* Same system: that is the Driver's V-Tree migration. */
    CU_ASSERT_EQUAL(ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[0], &s, &F.host,
                                             NULL, &out, &e),
                    SP_E_INVALID);
    /* A size below the source's is fine when the array's rounding makes it large enough. */
    s.size_bytes = ADFIX_GIB;
    CU_ASSERT_EQUAL(ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[1], &s, &F.host,
                                             NULL, &out, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(out.size_bytes, 8 * ADFIX_GIB);
    adfix_delete(&F, 1, out.path);
    /* A volume already named like the target is not written over, nor deleted. */
    if (adfix_create(&F, 1, SP_VOLUME_DATA, 511, ADFIX_GIB, &existing) != 0)
        return;
    n1 = adfix_sim_volume_count(&F, 1);
    CU_ASSERT_EQUAL(migrate(511, &F.host, NULL, &out, &e), SP_E_EXISTS);
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 1, existing.id, NULL, NULL, 0));
    adfix_delete(&F, 1, existing.path);
    /* A source that does not exist. */
    s = spec_for(512);
    CU_ASSERT_EQUAL(ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){"0000000000000fff:gone"}, F.pool[1],
                                             &s, &F.host, NULL, &out, &e),
                    SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
}

int main(void)
{
    static const hs_test tests[] = {{"set-up: a source volume with data on system 0", make_source},
                                    {"copy: checksums equal, holes kept, nothing mapped", test_copy},
                                    {"fault: create target", test_fail_create},
                                    {"fault: map target, map source", test_fail_map},
                                    {"fault: the target's device never appears", test_fail_device},
                                    {"fault: copy (read-only target)", test_fail_copy},
                                    {"fault: verification mismatch", test_fail_verify},
                                    {"cancel from progress in copy and in verify", test_cancel},
                                    {"an undo that fails is reported and recovered", test_undo_fails_too},
                                    {"refusals", test_refusals},
                                    {NULL, NULL}};
    int rc;

    adfix_start(&F, NULL, NULL);
    rc = hs_main("adaptor cross-system copy", tests);
    adfix_stop(&F);
    return rc;
}
