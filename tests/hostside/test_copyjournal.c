/* test_copyjournal.c - copy records: round trip, phases that only go forward, listing, and every
 * way a record can be torn or damaged (each possible truncation and each flipped byte) reported
 * rather than trusted. */
#include "config.h"

#include "hs_util.h"

#include "checksum.h"
#include "copyjournal.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *cache;

static pfx_copy_record sample(const char *key)
{
    pfx_copy_record r;

    memset(&r, 0, sizeof(r));
    snprintf(r.key, sizeof(r.key), "%s", key);
    r.phase = PFX_COPY_CREATED_TARGET;
    snprintf(r.source_pool, sizeof(r.source_pool), "fd5227cb-5538-4fef-8427-4aa97786ccbc");
    snprintf(r.source_volume, sizeof(r.source_volume), "6c33633100000009:vol-12-27cb-a1b2");
    snprintf(r.target_pool, sizeof(r.target_pool), "0b5a1f00-1111-4222-8333-944455556666");
    snprintf(r.target_volume, sizeof(r.target_volume), "7d44744200000003:vol-12-1f00-a1b2");
    return r;
}

static const char *record_file(const char *key)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%s/powerflex-copies/%s.copy", cache, key);
    return buf;
}

static void test_round_trip(void)
{
    pfx_copy_record w = sample("6c33633100000009"), r;
    struct stat sb;
    sp_error err;
    time_t now = time(NULL);

    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(cache, &w, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_read(cache, w.key, &r, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(r.key, w.key);
    CU_ASSERT_EQUAL(r.phase, PFX_COPY_CREATED_TARGET);
    CU_ASSERT_STRING_EQUAL(r.source_pool, w.source_pool);
    CU_ASSERT_STRING_EQUAL(r.source_volume, w.source_volume);
    CU_ASSERT_STRING_EQUAL(r.target_pool, w.target_pool);
    CU_ASSERT_STRING_EQUAL(r.target_volume, w.target_volume);
    CU_ASSERT_TRUE(r.updated >= now - 1 && r.updated <= now + 5);
    CU_ASSERT_EQUAL(stat(hs_path(cache, "powerflex-copies"), &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
    CU_ASSERT_EQUAL(stat(record_file(w.key), &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
    CU_ASSERT_EQUAL(access(hs_path(cache, "powerflex-copies/.6c33633100000009.tmp"), F_OK), -1);

    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "absent", &r, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(r.source_in_use, 0);
    CU_ASSERT_EQUAL(pfx_copyjournal_remove(cache, w.key, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, w.key, &r, &err), SP_E_NOT_FOUND);
    CU_ASSERT_EQUAL(pfx_copyjournal_remove(cache, w.key, &err), SP_OK);

    /* a live migration's record: the source in use stays said through the phases */
    w.source_in_use = 1;
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(cache, &w, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, w.key, PFX_COPY_COPYING, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, w.key, PFX_COPY_VERIFIED, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_read(cache, w.key, &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r.source_in_use, 1);
    CU_ASSERT_EQUAL(r.phase, PFX_COPY_VERIFIED);
    CU_ASSERT_EQUAL(pfx_copyjournal_remove(cache, w.key, &err), SP_OK);
}

static void test_phases(void)
{
    pfx_copy_record w = sample("p1"), r;
    pfx_copy_phase ph;
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(cache, &w, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "p1", PFX_COPY_COPYING, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "p1", PFX_COPY_COPYING, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "p1", PFX_COPY_VERIFIED, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "p1", PFX_COPY_COPYING, &err), SP_E_STATE);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is at verified and cannot go back to copying"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "p1", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r.phase, PFX_COPY_VERIFIED);
    CU_ASSERT_STRING_EQUAL(r.target_volume, w.target_volume);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "p1", PFX_COPY_DONE, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_set_phase(cache, "nope", PFX_COPY_DONE, &err), SP_E_NOT_FOUND);
    pfx_copyjournal_remove(cache, "p1", &err);

    CU_ASSERT_STRING_EQUAL(pfx_copy_phase_name(PFX_COPY_CREATED_TARGET), "created-target");
    CU_ASSERT_STRING_EQUAL(pfx_copy_phase_name(PFX_COPY_DONE), "done");
    CU_ASSERT_STRING_EQUAL(pfx_copy_phase_name((pfx_copy_phase)9), "unknown");
    CU_ASSERT_TRUE(pfx_copy_phase_parse("verified", &ph) && ph == PFX_COPY_VERIFIED);
    CU_ASSERT_FALSE(pfx_copy_phase_parse("Verified", &ph));
    /* the recovery contract: before verified roll back, from verified on finish */
    CU_ASSERT_TRUE(pfx_copy_phase_rolls_back(PFX_COPY_CREATED_TARGET));
    CU_ASSERT_TRUE(pfx_copy_phase_rolls_back(PFX_COPY_COPYING));
    CU_ASSERT_FALSE(pfx_copy_phase_rolls_back(PFX_COPY_VERIFIED));
    CU_ASSERT_FALSE(pfx_copy_phase_rolls_back(PFX_COPY_DONE));
}

static void test_refused(void)
{
    static const char *const bad_keys[] = {"", ".hidden", "a/b", "../x", "a b", "x\n", "k\xc3\xa9"};
    char longest[PFX_COPY_KEY_MAX + 2];
    pfx_copy_record w;
    sp_error err;

    memset(longest, 'k', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    CU_ASSERT_FALSE(pfx_copyjournal_key_ok(longest));
    longest[PFX_COPY_KEY_MAX] = '\0';
    CU_ASSERT_TRUE(pfx_copyjournal_key_ok(longest));
    for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
        w = sample("k");
        snprintf(w.key, sizeof(w.key), "%s", bad_keys[i]);
        CU_ASSERT_FALSE(pfx_copyjournal_key_ok(bad_keys[i]));
        CU_ASSERT_EQUAL(pfx_copyjournal_write(cache, &w, &err), SP_E_INVALID);
    }
    w = sample("k");
    snprintf(w.target_volume, sizeof(w.target_volume), "x\nphase=done");
    CU_ASSERT_EQUAL(pfx_copyjournal_write(cache, &w, &err), SP_E_INVALID);
    w = sample("k");
    w.source_pool[0] = '\0';
    CU_ASSERT_EQUAL(pfx_copyjournal_write(cache, &w, &err), SP_E_INVALID);
    w = sample("k");
    w.phase = (pfx_copy_phase)0;
    CU_ASSERT_EQUAL(pfx_copyjournal_write(cache, &w, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(pfx_copyjournal_write("relative", &w, &err), SP_E_INVALID);
    CU_ASSERT_EQUAL(access(record_file("k"), F_OK), -1);
}

static void test_torn_and_flipped(void)
{
    pfx_copy_record w = sample("torn"), r;
    sp_error err;
    size_t len, bad_truncations = 0, bad_flips = 0;
    char *good;

    CU_ASSERT_EQUAL_FATAL(pfx_copyjournal_write(cache, &w, &err), SP_OK);
    good = hs_read(record_file("torn"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(good);

    /* every possible torn write */
    for (size_t cut = 0; cut < len; cut++) {
        CU_ASSERT_FATAL(hs_write(record_file("torn"), good, cut) == 0);
        if (pfx_copyjournal_read(cache, "torn", &r, &err) != SP_E_PROTOCOL ||
            strstr(err.message, "is damaged") == NULL)
            bad_truncations++;
    }
    CU_ASSERT_EQUAL(bad_truncations, 0);
    /* every flipped byte */
    for (size_t i = 0; i < len; i++) {
        good[i] ^= 0x01;
        CU_ASSERT_FATAL(hs_write(record_file("torn"), good, len) == 0);
        if (pfx_copyjournal_read(cache, "torn", &r, &err) == SP_OK)
            bad_flips++;
        good[i] ^= 0x01;
    }
    CU_ASSERT_EQUAL(bad_flips, 0);
    CU_ASSERT_FATAL(hs_write(record_file("torn"), good, len) == 0);
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "torn", &r, &err), SP_OK);
    free(good);
    pfx_copyjournal_remove(cache, "torn", &err);
}

/* A record with a correct checksum over whatever body the test wants. */
static void forge(const char *key, const char *body)
{
    char sum[65], text[4096];

    pfx_sha256_hex(body, strlen(body), sum);
    snprintf(text, sizeof(text), "%ssha256=%s\n", body, sum);
    CU_ASSERT_FATAL(hs_write_str(record_file(key), text) == 0);
}

#define BODY(key, phase, extra)                                                                              \
    "pfx-copy-journal 1\nkey=" key "\nphase=" phase "\nsource_pool=a\nsource_volume=b\ntarget_pool=c\n"      \
    "target_volume=d\nupdated=1700000000\n" extra

static void test_forged(void)
{
    pfx_copy_record r;
    sp_error err;
    char *big;

    mkdir(hs_path(cache, "powerflex-copies"), 0700);
    forge("f1", BODY("f1", "copying", "future_field=1\n")); /* a later version's extra field */
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r.phase, PFX_COPY_COPYING);
    CU_ASSERT_EQUAL(r.updated, 1700000000);

    CU_ASSERT_EQUAL(r.source_in_use, 0);
    forge("f1", BODY("f1", "copying", "source_in_use=1\n"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_OK);
    CU_ASSERT_EQUAL(r.source_in_use, 1);
    forge("f1", BODY("f1", "copying", "source_in_use=yes\n"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    forge("f1", BODY("f1", "copying", "source_in_use=1\nsource_in_use=1\n"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);

    forge("f1", BODY("f1", "copying", "phase=done\n"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "appears twice"));
    forge("f1", BODY("other", "copying", "")); /* a record copied under another name */
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "\"key\" has a bad value"));
    forge("f1", BODY("f1", "finished", ""));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    forge("f1", "pfx-copy-journal 1\nkey=f1\nphase=copying\n");
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing"));
    forge("f1", "pfx-copy-journal 2\nkey=f1\n");
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "format version"));
    forge("f1", "#!/bin/sh\nrm -rf /\n");
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    forge("f1", BODY("f1", "copying", "garbage without equals\n"));
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);

    CU_ASSERT_FATAL(hs_write(record_file("f1"), "pfx\0copy", 8) == 0);
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    big = calloc(1, 70000);
    memset(big, 'x', 69999);
    CU_ASSERT_FATAL(hs_write_str(record_file("f1"), big) == 0);
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "too large"));
    free(big);
    CU_ASSERT_EQUAL(unlink(record_file("f1")), 0);
    CU_ASSERT_EQUAL(mkdir(record_file("f1"), 0700), 0); /* not even a file */
    CU_ASSERT_EQUAL(pfx_copyjournal_read(cache, "f1", &r, &err), SP_E_PROTOCOL);
    rmdir(record_file("f1"));
}

typedef struct listing {
    char keys[8][80];
    int good[8];
    pfx_copy_phase phase[8];
    int n;
} listing;

static void collect(void *ctx, const char *key, const pfx_copy_record *rec, const sp_error *problem)
{
    listing *l = ctx;

    if (l->n < 8) {
        snprintf(l->keys[l->n], sizeof(l->keys[0]), "%s", key);
        l->good[l->n] = rec != NULL;
        l->phase[l->n] = rec != NULL ? rec->phase : (pfx_copy_phase)0;
        CU_ASSERT_TRUE(rec != NULL || (problem != NULL && problem->status == SP_E_PROTOCOL));
    }
    l->n++;
}

static void test_listing(void)
{
    char *other = hs_mkdtemp("copyjournal-list");
    pfx_copy_record a = sample("b-second"), b = sample("a-first"), c = sample("c-third");
    listing l = {.n = 0};
    sp_error err;

    CU_ASSERT_EQUAL(pfx_copyjournal_list(other, collect, &l, &err), SP_OK); /* no directory yet */
    CU_ASSERT_EQUAL(l.n, 0);
    c.phase = PFX_COPY_VERIFIED;
    CU_ASSERT_EQUAL(pfx_copyjournal_write(other, &a, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_write(other, &b, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_copyjournal_write(other, &c, &err), SP_OK);
    /* a torn record, a crash's temporary file, a stranger */
    hs_write_str(hs_path(other, "powerflex-copies/b-torn.copy"), "pfx-copy-journal 1\nkey=b-torn\nphase=cop");
    hs_write_str(hs_path(other, "powerflex-copies/.a-first.tmp"), "pfx-copy-journal 1\n");
    hs_write_str(hs_path(other, "powerflex-copies/README"), "hello");
    CU_ASSERT_EQUAL(pfx_copyjournal_list(other, collect, &l, &err), SP_OK);
    CU_ASSERT_EQUAL_FATAL(l.n, 4);
    CU_ASSERT_STRING_EQUAL(l.keys[0], "a-first");
    CU_ASSERT_STRING_EQUAL(l.keys[1], "b-second");
    CU_ASSERT_STRING_EQUAL(l.keys[2], "b-torn");
    CU_ASSERT_STRING_EQUAL(l.keys[3], "c-third");
    CU_ASSERT_TRUE(l.good[0] && l.good[1] && !l.good[2] && l.good[3]);
    CU_ASSERT_EQUAL(l.phase[3], PFX_COPY_VERIFIED);

    /* remove takes the crash's temporary file along */
    CU_ASSERT_EQUAL(pfx_copyjournal_remove(other, "a-first", &err), SP_OK);
    CU_ASSERT_EQUAL(access(hs_path(other, "powerflex-copies/.a-first.tmp"), F_OK), -1);
    hs_rmtree(other);
    free(other);
}

int main(void)
{
    static const hs_test tests[] = {
        {"round trip, modes, remove", test_round_trip},
        {"phases only go forward; recovery contract", test_phases},
        {"bad keys and fields refused", test_refused},
        {"every truncation and every flipped byte detected", test_torn_and_flipped},
        {"forged records: extra, duplicate, renamed, version, garbage", test_forged},
        {"listing in key order with damaged records reported", test_listing},
        {NULL, NULL},
    };
    int rc;

    cache = hs_mkdtemp("copyjournal");
    rc = hs_main("copyjournal", tests);
    hs_rmtree(cache);
    free(cache);
    return rc;
}
