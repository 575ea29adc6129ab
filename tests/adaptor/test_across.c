/* test_across.c - cross-system copies (copy_volume_across) between two simulated PowerFlex systems
 * through one host: a copy whose checksums match the source's, and a failure at each step (create
 * target, map, a device that never appears, copy, a verification mismatch, a cancel from progress,
 * an undo that fails too) leaving the source intact, no target on the array and no journal record. */
#include "config.h"

#include "adfix.h"
#include "copyjournal.h"
#include "hs_util.h"
#include "settings.h"

#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (UINT64_C(1) << 20)

static adfix F;
static sp_volume_info src = SP_INIT(sp_volume_info); /* the volume copied, on system 0 */
static char src_file[1024];                          /* its data file in the simulator */
static char src_sum[4][65];                          /* SHA-256 of its written ranges */

static const struct {
    uint64_t off;
    size_t len;
} ranges[4] = {{0, 4 * MIB}, {100 * MIB, MIB}, {5 * ADFIX_GIB, 2 * MIB}, {8 * ADFIX_GIB - MIB, MIB}};

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}

static void make_source(void)
{
    sp_disk_info d = SP_INIT(sp_disk_info);
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
    sp_volume_spec s = SP_INIT(sp_volume_spec);
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
    int in_use;          /* the copy record's source_in_use during the copy (-1: no record) */
} watch;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    watch *w = ctx;

    if (strcmp(phase, "copy") == 0) {
        char key[128];
        pfx_copy_record rec;
        sp_error e;
        snprintf(key, sizeof(key), "%s-%s", F.system_id[0], src.id);
        w->in_use = pfx_copyjournal_read(F.cache, key, &rec, &e) == SP_OK ? rec.source_in_use : -1;
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
    sp_volume_info out = SP_INIT(sp_volume_info);
    char target_file[1024];
    uint64_t data = 0;
    watch w;
    sp_error e;
    sp_status st;
    int maps = -1;

    int by_ip = adfix_stat(&F, 1, "POST /api/types/Sdc/instances/action/queryIdByKey");
    int sdc_gets = adfix_stat(&F, 1, "GET /api/instances/Sdc::{id}");

    memset(&w, 0, sizeof(w));
    st = migrate(501, &F.host, &(sp_progress){on_progress, &w}, &out, &e);
    if (st != SP_OK)
        fprintf(stderr, "copy: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    /* The host's SDC named its id in system 1 (drv_cfg --query_mdms): no look-up by IP, one GET to
     * see it connected. */
    CU_ASSERT_EQUAL(adfix_stat(&F, 1, "POST /api/types/Sdc/instances/action/queryIdByKey") - by_ip, 0);
    CU_ASSERT_EQUAL(adfix_stat(&F, 1, "GET /api/instances/Sdc::{id}") - sdc_gets, 1);
    CU_ASSERT_STRING_EQUAL(out.system_id, F.system_id[1]);
    CU_ASSERT_EQUAL(out.size_bytes, 8 * ADFIX_GIB);
    CU_ASSERT_STRING_EQUAL(out.name, "vol-501-2222-t3st");
    CU_ASSERT(strncmp(out.path, out.id, strlen(out.id)) == 0 && out.path[strlen(out.id)] == ':');
    /* Described from the create, as Driver.create_volume describes a volume (no V-Tree id: the
     * host learns it with the volume's first snapshot or migration). */
    CU_ASSERT_NOT_EQUAL(out.array_pool_id[0], '\0');
    CU_ASSERT_EQUAL(out.provisioning, SP_PROVISION_THIN);
    CU_ASSERT_EQUAL(out.format, SP_FORMAT_RAW);
    /* Progress in bytes, to the end, for both phases. */
    CU_ASSERT(w.copies > 0 && w.verifies > 0);
    CU_ASSERT_EQUAL(w.in_use, 0); /* the source was not mapped here before */
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

/* Requests of one system during a copy. */
typedef struct counts {
    int total, get, by_name, map, unmap, limits, create;
} counts;

static void counts_read(int i, counts *c)
{
    c->total = adfix_stat(&F, i, "total");
    c->get = adfix_stat(&F, i, "GET /api/instances/Volume::{id}");
    c->by_name = adfix_stat(&F, i, "POST /api/types/Volume/instances/action/queryIdByKey");
    c->map = adfix_stat(&F, i, "POST /api/instances/Volume::{id}/action/addMappedSdc");
    c->unmap = adfix_stat(&F, i, "POST /api/instances/Volume::{id}/action/removeMappedSdc");
    c->limits = adfix_stat(&F, i, "POST /api/instances/Volume::{id}/action/setMappedSdcLimits");
    c->create = adfix_stat(&F, i, "POST /api/types/Volume/instances");
}

static void counts_since(int i, const counts *before, counts *d)
{
    counts now;
    counts_read(i, &now);
    d->total = now.total - before->total;
    d->get = now.get - before->get;
    d->by_name = now.by_name - before->by_name;
    d->map = now.map - before->map;
    d->unmap = now.unmap - before->unmap;
    d->limits = now.limits - before->limits;
    d->create = now.create - before->create;
}

/* Once both pools know this host's SDC: create the target, map and unmap both, nothing else (no
 * read of the source, no name check before the create, no limits, no read of the target). */
static void test_requests(void)
{
    counts a0, b0, a, b;
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;
    sp_status st;

    counts_read(0, &a0);
    counts_read(1, &b0);
    st = migrate(520, &F.host, NULL, &out, &e);
    if (st != SP_OK)
        fprintf(stderr, "copy: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    counts_since(0, &a0, &a);
    counts_since(1, &b0, &b);
    CU_ASSERT_EQUAL(a.total, 2);
    CU_ASSERT_EQUAL(a.map, 1);
    CU_ASSERT_EQUAL(a.unmap, 1);
    CU_ASSERT_EQUAL(b.total, 3);
    CU_ASSERT_EQUAL(b.create, 1);
    CU_ASSERT_EQUAL(b.map, 1);
    CU_ASSERT_EQUAL(b.unmap, 1);
    CU_ASSERT_EQUAL(a.get + b.get + a.by_name + b.by_name + a.limits + b.limits, 0);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    source_intact();
    adfix_delete(&F, 1, out.path);
}

/* The source mapped to this host already (its VM is here, stopped or not): copied through that
 * mapping, which stays; its other mappings are read only then. */
static void test_source_mapped_here_stays(void)
{
    counts a0, a;
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;
    int maps = -1;

    watch w;

    CU_ASSERT_EQUAL_FATAL(adfix_grant(&F, 0, src.path, &F.host), 0);
    counts_read(0, &a0);
    memset(&w, 0, sizeof(w));
    w.in_use = -2;
    CU_ASSERT_EQUAL_FATAL(migrate(521, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_OK);
    counts_since(0, &a0, &a);
    CU_ASSERT_EQUAL(a.total, 2); /* map ("already mapped"), read for other mappings */
    CU_ASSERT_EQUAL(a.map, 1);
    CU_ASSERT_EQUAL(a.get, 1);
    CU_ASSERT_EQUAL(a.unmap, 0);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, src.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);
    CU_ASSERT_EQUAL(w.in_use, 1); /* the record says so: a crash's recovery leaves it mapped */
    adfix_delete(&F, 1, out.path);
    /* Cancelled (a live migration given up): the mapping stays too. */
    memset(&w, 0, sizeof(w));
    w.stop_at = "copy";
    CU_ASSERT_EQUAL(migrate(521, &F.host, &(sp_progress){on_progress, &w}, &out, &e), SP_E_CANCELLED);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, src.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);
    adfix_revoke(&F, 0, src.path, &F.host);
    source_intact();
}

/* Mapped to another host: refused by the map, or (mapped here too) by the read that follows it;
 * the target made for it goes, the other host's mapping and ours stay. */
static void test_source_mapped_elsewhere(void)
{
    sp_host_ref kvm2 = {SP_SIZED(sp_host_ref), .uuid = "host-kvm2", .name = "kvm2", .ip = "10.9.9.9"};
    int n1 = adfix_sim_volume_count(&F, 1), maps = -1;
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;

    CU_ASSERT_EQUAL_FATAL(adfix_grant(&F, 0, src.path, &kvm2), 0);
    CU_ASSERT_EQUAL(migrate(522, &F.host, NULL, &out, &e), SP_E_BUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "mapped to another host"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "step \"map source\""));
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, src.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);
    /* Here as well (a live migration between the two): still refused, both mappings stay. */
    CU_ASSERT_EQUAL_FATAL(
        F.sp->driver->grant_access(F.pool[0], &(sp_volume_ref){src.path}, &F.host, NULL, 1, &e), SP_OK);
    CU_ASSERT_EQUAL(migrate(522, &F.host, NULL, &out, &e), SP_E_BUSY);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "mapped to another host"));
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 0, src.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 2);
    adfix_revoke(&F, 0, src.path, &F.host);
    adfix_revoke(&F, 0, src.path, &kvm2);
    source_intact();
}

/* The array made the target but its answer was lost: the volume of that name, new and unmapped,
 * is the target; one volume, copied. */
static void test_create_answer_lost(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;
    sp_status st;

    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/types/Volume/instances:http500:once:after"), 200);
    st = migrate(523, &F.host, NULL, &out, &e);
    adfix_clear_faults(&F, 1);
    if (st != SP_OK)
        fprintf(stderr, "copy, answer lost: %s\n", e.message);
    CU_ASSERT_EQUAL_FATAL(st, SP_OK);
    CU_ASSERT_STRING_EQUAL(out.name, "vol-523-2222-t3st");
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1 + 1);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    {
        char target_file[1024];
        int maps = -1;
        CU_ASSERT_TRUE_FATAL(adfix_sim_volume(&F, 1, out.id, &maps, target_file, sizeof(target_file)));
        CU_ASSERT_EQUAL(maps, 0);
        CU_ASSERT_TRUE(adfix_same_content(src_file, target_file, 8 * ADFIX_GIB, NULL));
    }
    adfix_delete(&F, 1, out.path);
}

/* A volume of the target's name that is someone else's is neither written over nor deleted: the
 * array refuses the create (name in use); and when that refusal is lost, the volume found is not
 * what a create makes (mapped, or another size), so it is not taken either. */
static void test_name_in_use_is_not_ours(void)
{
    sp_volume_info out = SP_INIT(sp_volume_info), other = SP_INIT(sp_volume_info);
    int n1, maps = -1;
    sp_error e;

    if (adfix_create(&F, 1, SP_VOLUME_DATA, 524, ADFIX_GIB, &other) != 0)
        return;
    n1 = adfix_sim_volume_count(&F, 1);
    CU_ASSERT_EQUAL(migrate(524, &F.host, NULL, &out, &e), SP_E_EXISTS);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, other.id));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "step \"create target\""));
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 1, other.id, NULL, NULL, 0));
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    /* The refusal lost, the volume in use by this host: the same size, but mapped. */
    CU_ASSERT_EQUAL_FATAL(adfix_grant(&F, 1, other.path, &F.host), 0);
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/types/Volume/instances:http500:once:after"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(524, &F.host, NULL, &out, &e), SP_OK);
    adfix_clear_faults(&F, 1);
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 1, other.id, &maps, NULL, 0));
    CU_ASSERT_EQUAL(maps, 1);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    adfix_revoke(&F, 1, other.path, &F.host);
    adfix_delete(&F, 1, other.path);
    /* The refusal lost, a volume of another size. */
    if (adfix_create(&F, 1, SP_VOLUME_DATA, 524, 16 * ADFIX_GIB, &other) != 0)
        return;
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/types/Volume/instances:http500:once:after"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(524, &F.host, NULL, &out, &e), SP_OK);
    adfix_clear_faults(&F, 1);
    CU_ASSERT_EQUAL(adfix_sim_volume_count(&F, 1), n1);
    CU_ASSERT_TRUE(adfix_sim_volume(&F, 1, other.id, NULL, NULL, 0));
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    adfix_delete(&F, 1, other.path);
    source_intact();
}

static void test_fail_create(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;

    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/types/Volume/instances:http500:once"), 200);
    CU_ASSERT_NOT_EQUAL(migrate(502, &F.host, NULL, &out, &e), SP_OK);
    nothing_left(n1, &e, "create target");
    adfix_clear_faults(&F, 1);
}

static void test_fail_map(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out = SP_INIT(sp_volume_info);
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
    sp_volume_info out = SP_INIT(sp_volume_info);
    sp_error e;

    /* The target's device is 10 minutes late and this host's drv_cfg cannot rescan system 1. */
    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, "1");
    CU_ASSERT_EQUAL(
        adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/addMappedSdc:device-delay:ms=600000"),
        200);
    CU_ASSERT_EQUAL(migrate(504, &F.host_one, NULL, &out, &e), SP_E_TIMEOUT);
    nothing_left(n1, &e, "map target");
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "did not appear"));
    adfix_clear_faults(&F, 1);
    adfix_pool_setting(&F, 1, PFX_SETTING_DISK_WAIT, NULL);
}

static void test_fail_copy(void)
{
    int n1 = adfix_sim_volume_count(&F, 1);
    sp_volume_info out = SP_INIT(sp_volume_info);
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
    sp_volume_info out = SP_INIT(sp_volume_info);
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
    sp_volume_info out = SP_INIT(sp_volume_info);
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
    sp_volume_info out = SP_INIT(sp_volume_info);
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
    sp_volume_info out = SP_INIT(sp_volume_info), existing = SP_INIT(sp_volume_info);
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
    /* A source pool in maintenance is emptied this way; a destination in maintenance takes nothing. */
    CU_ASSERT_EQUAL_FATAL(F.sp->lifecycle->maintain(F.pool[0], &e), SP_OK);
    CU_ASSERT_EQUAL(ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[1], &s, &F.host,
                                             NULL, &out, &e),
                    SP_OK);
    adfix_delete(&F, 1, out.path);
    CU_ASSERT_EQUAL(F.sp->lifecycle->cancel_maintain(F.pool[0], &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(F.sp->lifecycle->maintain(F.pool[1], &e), SP_OK);
    CU_ASSERT_EQUAL(ad()->copy_volume_across(F.pool[0], &(sp_volume_ref){src.path}, F.pool[1], &s, &F.host,
                                             NULL, &out, &e),
                    SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "maintenance"));
    CU_ASSERT_EQUAL(F.sp->lifecycle->cancel_maintain(F.pool[1], &e), SP_OK);
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
    static const hs_test tests[] = {
        {"set-up: a source volume with data on system 0", make_source},
        {"copy: checksums equal, holes kept, nothing mapped", test_copy},
        {"requests: create, map and unmap both, nothing else", test_requests},
        {"a source mapped here is copied and stays mapped", test_source_mapped_here_stays},
        {"a source mapped to another host is refused", test_source_mapped_elsewhere},
        {"the create's answer lost: the target is adopted", test_create_answer_lost},
        {"a volume of the target's name is not taken, nor deleted", test_name_in_use_is_not_ours},
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

    static const char *const extra0[] = {"--sdc", "10.9.9.9", NULL}; /* a second host */

    adfix_start(&F, extra0, NULL);
    rc = hs_main("adaptor cross-system copy", tests);
    adfix_stop(&F);
    return rc;
}
