/* test_recover.c - copies a crash interrupted, recovered through Adaptor.recover_copies: a journal
 * record is written in each phase over real volumes (source on system 0, target on system 1, both
 * mapped to the host as a running copy leaves them), then recovery runs as after a restart. Before
 * "verified" the target goes and the source stays; from "verified" on the target is reported done;
 * a torn record is reported and left alone; records of other pools wait. */
#include "config.h"

#include "adfix.h"
#include "copyjournal.h"
#include "hs_util.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static adfix F;

static const sp_adaptor_ops *ad(void)
{
    return F.sp->adaptor;
}

typedef struct outcome {
    char key[600];
    char value[700];
} outcome;

typedef struct outcomes {
    outcome o[32];
    size_t n;
} outcomes;

static void sink(void *ctx, const char *key, const char *value)
{
    outcomes *r = ctx;
    if (r->n < 32) {
        snprintf(r->o[r->n].key, sizeof(r->o[0].key), "%s", key);
        snprintf(r->o[r->n].value, sizeof(r->o[0].value), "%s", value);
        r->n++;
    }
}

static const char *outcome_of(const outcomes *r, const char *key)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->o[i].key, key) == 0)
            return r->o[i].value;
    return NULL;
}

/* A copy as a crash left it: source and target exist and are mapped to the host and connected. */
typedef struct crashed {
    sp_volume_info src, dst;
    int has_target;
} crashed;

static void connect(int pool, const char *path)
{
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;
    if (adfix_grant(&F, pool, path, &F.host) == 0)
        CU_ASSERT_EQUAL(ad()->connect_volume(F.pool[pool], &(sp_volume_ref){path}, &F.host, &d, &e), SP_OK);
}

static void make_crashed(crashed *c, uint64_t id, int with_target)
{
    sp_disk_info d = SP_INIT(sp_disk_info);
    sp_error e;

    memset(c, 0, sizeof(*c));
    c->src = (sp_volume_info)SP_INIT(sp_volume_info);
    c->dst = (sp_volume_info)SP_INIT(sp_volume_info);
    CU_ASSERT_EQUAL_FATAL(adfix_create(&F, 0, SP_VOLUME_DATA, id, ADFIX_GIB, &c->src), 0);
    connect(0, c->src.path);
    CU_ASSERT_EQUAL(ad()->get_physical_disk(F.pool[0], &(sp_volume_ref){c->src.path}, &F.host, &d, &e),
                    SP_OK);
    CU_ASSERT_EQUAL(adfix_write_pattern(d.path, 0, 1 << 20, (unsigned)id), 0);
    if (with_target) {
        CU_ASSERT_EQUAL_FATAL(adfix_create(&F, 1, SP_VOLUME_DATA, id, ADFIX_GIB, &c->dst), 0);
        connect(1, c->dst.path);
        c->has_target = 1;
    } else {
        snprintf(c->dst.name, sizeof(c->dst.name), "vol-%llu-2222-t3st", (unsigned long long)id);
    }
}

static void journal(const crashed *c, const char *key, pfx_copy_phase phase, int target_by_name)
{
    pfx_copy_record r;
    sp_error e;

    memset(&r, 0, sizeof(r));
    snprintf(r.key, sizeof(r.key), "%s", key);
    r.phase = phase;
    snprintf(r.source_pool, sizeof(r.source_pool), "%s", F.pool_uuid[0]);
    snprintf(r.source_volume, sizeof(r.source_volume), "%s", c->src.path);
    snprintf(r.target_pool, sizeof(r.target_pool), "%s", F.pool_uuid[1]);
    snprintf(r.target_volume, sizeof(r.target_volume), "%s", target_by_name ? c->dst.name : c->dst.path);
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(F.cache, &r, &e), SP_OK);
}

static int mappings(int pool, const char *id, int *exists)
{
    int maps = -1;
    *exists = adfix_sim_volume(&F, pool, id, &maps, NULL, 0);
    return maps;
}

/* Rolled back: the target is gone, the source is there with its data and unmapped. */
static void rolled_back(const outcomes *r, const crashed *c)
{
    const char *v = outcome_of(r, c->src.path);
    char dev[1024];
    int exists;

    CU_ASSERT(v != NULL && strcmp(v, "rolled-back") == 0);
    if (c->has_target) {
        mappings(1, c->dst.id, &exists);
        CU_ASSERT_FALSE(exists);
    }
    CU_ASSERT_EQUAL(mappings(0, c->src.id, &exists), 0);
    CU_ASSERT_TRUE(exists);
    snprintf(dev, sizeof(dev), "%s/emc-vol-%s-%s", F.devdir, F.system_id[0], c->src.id);
    CU_ASSERT_EQUAL(access(dev, F_OK), -1); /* its device went too */
    connect(0, c->src.path);
    CU_ASSERT_TRUE(adfix_check_pattern(dev, 0, 1 << 20, (unsigned)strtoull(c->src.name + 4, NULL, 10)));
    adfix_revoke(&F, 0, c->src.path, &F.host);
}

/* Finished: the target is reported and kept, both unmapped; the source is still there (the host
 * retires it). */
static void finished(const outcomes *r, const crashed *c)
{
    const char *v = outcome_of(r, c->src.path);
    char want[600];
    int exists;

    snprintf(want, sizeof(want), "done:%s", c->dst.path);
    CU_ASSERT(v != NULL && strcmp(v, want) == 0);
    CU_ASSERT_EQUAL(mappings(1, c->dst.id, &exists), 0);
    CU_ASSERT_TRUE(exists);
    CU_ASSERT_EQUAL(mappings(0, c->src.id, &exists), 0);
    CU_ASSERT_TRUE(exists);
}

static void test_recover_each_phase(void)
{
    crashed before, named, created, copying, verified, done, lost;
    outcomes r;
    sp_pool *pools[2] = {F.pool[0], F.pool[1]};
    char torn[1024];
    sp_error e;
    sp_status st;

    make_crashed(&before, 601, 0); /* the record was written, the create never happened */
    make_crashed(&named, 602, 1);  /* created, but the record still names it by name */
    make_crashed(&created, 603, 1);
    make_crashed(&copying, 604, 1);
    make_crashed(&verified, 605, 1);
    make_crashed(&done, 606, 1);
    make_crashed(&lost, 607, 1); /* says verified, but the target is gone */
    journal(&before, "c-before", PFX_COPY_CREATED_TARGET, 1);
    journal(&named, "c-named", PFX_COPY_CREATED_TARGET, 1);
    journal(&created, "c-created", PFX_COPY_CREATED_TARGET, 0);
    journal(&copying, "c-copying", PFX_COPY_COPYING, 0);
    journal(&verified, "c-verified", PFX_COPY_VERIFIED, 0);
    journal(&done, "c-done", PFX_COPY_DONE, 0);
    journal(&lost, "c-lost", PFX_COPY_VERIFIED, 0);
    adfix_revoke(&F, 1, lost.dst.path, &F.host);
    adfix_delete(&F, 1, lost.dst.path);
    /* A record torn by a failing disk: its checksum line does not match. */
    snprintf(torn, sizeof(torn), "%s/powerflex-copies/c-torn.copy", F.cache);
    CU_ASSERT_EQUAL(hs_write_str(torn, "pfx-copy-journal 1\nkey=c-torn\nphase=verified\nsource_pool=x\n"), 0);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 8);

    memset(&r, 0, sizeof(r));
    st = ad()->recover_copies(pools, 2, &F.host, sink, &r, &e);
    fprintf(stderr, "recover: %s\n", st == SP_OK ? "ok" : e.message);
    CU_ASSERT_EQUAL(st, SP_E_PROTOCOL); /* the torn record: the host must look */
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "c-torn"));
    CU_ASSERT_EQUAL(r.n, 8);
    rolled_back(&r, &before);
    rolled_back(&r, &named);
    rolled_back(&r, &created);
    rolled_back(&r, &copying);
    finished(&r, &verified);
    finished(&r, &done);
    rolled_back(&r, &lost);
    CU_ASSERT(outcome_of(&r, "journal:c-torn") != NULL &&
              strncmp(outcome_of(&r, "journal:c-torn"), "damaged: ", 9) == 0);
    /* Only the torn record is left, untouched. */
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 1);
    CU_ASSERT_EQUAL(access(torn, F_OK), 0);
    /* Once the operator removed it, recovery is clean. */
    unlink(torn);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(ad()->recover_copies(pools, 2, &F.host, sink, &r, &e), SP_OK);
    CU_ASSERT_EQUAL(r.n, 0);
}

/* A running VM's disk copied live: whatever the phase, the source stays mapped and its device
 * stays (its host decides what the VM uses next); the target is rolled back or reported done. */
static void test_live_source_stays(void)
{
    crashed copying, verified;
    outcomes r;
    sp_pool *pools[2] = {F.pool[0], F.pool[1]};
    pfx_copy_record rec;
    char dev[1024];
    int exists;
    sp_error e;

    make_crashed(&copying, 631, 1);
    make_crashed(&verified, 632, 1);
    journal(&copying, "c-live-copying", PFX_COPY_COPYING, 0);
    journal(&verified, "c-live-verified", PFX_COPY_VERIFIED, 0);
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_read(F.cache, "c-live-copying", &rec, &e), SP_OK);
    rec.source_in_use = 1;
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(F.cache, &rec, &e), SP_OK);
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_read(F.cache, "c-live-verified", &rec, &e), SP_OK);
    rec.source_in_use = 1;
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(F.cache, &rec, &e), SP_OK);

    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(ad()->recover_copies(pools, 2, &F.host, sink, &r, &e), SP_OK);
    CU_ASSERT_EQUAL(r.n, 2);
    CU_ASSERT(outcome_of(&r, copying.src.path) != NULL &&
              strcmp(outcome_of(&r, copying.src.path), "rolled-back") == 0);
    mappings(1, copying.dst.id, &exists);
    CU_ASSERT_FALSE(exists);
    CU_ASSERT_EQUAL(mappings(0, copying.src.id, &exists), 1);
    snprintf(dev, sizeof(dev), "%s/emc-vol-%s-%s", F.devdir, F.system_id[0], copying.src.id);
    CU_ASSERT_TRUE(adfix_check_pattern(dev, 0, 1 << 20, 631));
    CU_ASSERT_EQUAL(mappings(0, verified.src.id, &exists), 1);
    CU_ASSERT_EQUAL(mappings(1, verified.dst.id, &exists), 0);
    CU_ASSERT_TRUE(exists);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
    adfix_revoke(&F, 0, copying.src.path, &F.host);
    adfix_revoke(&F, 0, verified.src.path, &F.host);
}

static void test_other_pools_wait(void)
{
    crashed c;
    outcomes r;
    sp_pool *only0[1] = {F.pool[0]};
    sp_pool *both[2] = {F.pool[1], F.pool[0]};
    sp_error e;

    make_crashed(&c, 610, 1);
    journal(&c, "c-other", PFX_COPY_COPYING, 0);
    /* The target's pool is not given: nothing can be decided, nothing is touched. */
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(ad()->recover_copies(only0, 1, &F.host, sink, &r, &e), SP_OK);
    CU_ASSERT_EQUAL(r.n, 0);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 1);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(ad()->recover_copies(both, 2, &F.host, sink, &r, &e), SP_OK);
    rolled_back(&r, &c);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
}

static void test_failed_undo_stays(void)
{
    crashed c;
    outcomes r;
    sp_pool *pools[2] = {F.pool[0], F.pool[1]};
    sp_error e;
    int exists;

    make_crashed(&c, 620, 1);
    journal(&c, "c-undo", PFX_COPY_COPYING, 0);
    CU_ASSERT_EQUAL(adfix_fault(&F, 1, "POST /api/instances/Volume::{id}/action/removeVolume:http500"), 200);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_NOT_EQUAL(ad()->recover_copies(pools, 2, &F.host, sink, &r, &e), SP_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.message, "c-undo"));
    CU_ASSERT_EQUAL(r.n, 0); /* not settled, not reported: the host must not take anything */
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 1);
    mappings(1, c.dst.id, &exists);
    CU_ASSERT_TRUE(exists);
    adfix_clear_faults(&F, 1);
    memset(&r, 0, sizeof(r));
    CU_ASSERT_EQUAL(ad()->recover_copies(pools, 2, &F.host, sink, &r, &e), SP_OK);
    rolled_back(&r, &c);
    CU_ASSERT_EQUAL(adfix_journal_count(&F), 0);
}

int main(void)
{
    static const hs_test tests[] = {{"a record in each phase, and a torn one", test_recover_each_phase},
                                    {"a live copy's source stays mapped", test_live_source_stays},
                                    {"records of pools not given wait", test_other_pools_wait},
                                    {"an undo that fails keeps its record", test_failed_undo_stays},
                                    {NULL, NULL}};
    int rc;

    adfix_start(&F, NULL, NULL);
    /* The SDC belongs to both systems from the start and stays (clients connected at attach):
     * recovery leaving a system on demand is test_clients' and the restart scenario's. */
    adfix_pool_setting(&F, 0, "powerflex.connect.on.demand", "false");
    adfix_pool_setting(&F, 1, "powerflex.connect.on.demand", "false");
    rc = hs_main("adaptor recovery", tests);
    adfix_stop(&F);
    return rc;
}
