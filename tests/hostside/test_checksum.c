/* test_checksum.c - digests against known vectors and coreutils, ranges, holes read as the zeros
 * they are, CloudStack's checksum notations, mismatch messages, progress and cancel. */
#include "config.h"

#include "hs_util.h"

#include "checksum.h"
#include "proc.h"

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (UINT64_C(1) << 20)

static char *dir;

static void test_vectors(void)
{
    const char *f = hs_path(dir, "abc");
    char hex[PFX_HASH_HEX_MAX];
    sp_error err;

    hs_write_str(f, "abc");
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_MD5, NULL, hex, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(hex, "900150983cd24fb0d6963f7d28e17f72");
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA1, NULL, hex, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA256, NULL, hex, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA512, NULL, hex, &err), SP_OK);
    CU_ASSERT_EQUAL(strncmp(hex, "ddaf35a193617abacc417349ae204131", 32), 0);
    pfx_sha256_hex("abc", 3, hex);
    CU_ASSERT_STRING_EQUAL(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    hs_write_str(f, "");
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA256, NULL, hex, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CU_ASSERT_EQUAL(pfx_checksum_file(hs_path(dir, "missing"), PFX_HASH_SHA256, NULL, hex, &err),
                    SP_E_NOT_FOUND);
    CU_ASSERT_STRING_EQUAL(hex, "");
}

/* sha256sum's answer for a file, as the reference. */
static int coreutils_sha256(const char *file, char hex[65])
{
    char prog[256];
    const char *argv[] = {prog, file, NULL};
    char *out;

    if (pfx_proc_find_program("sha256sum", prog, sizeof(prog), NULL) != SP_OK)
        return -1;
    out = hs_run(argv);
    if (out == NULL)
        return -1;
    snprintf(hex, 65, "%.64s", out);
    free(out);
    return 0;
}

static void test_holes_are_read(void)
{
    const char *sparse = strdup(hs_path(dir, "sparse")), *dense = strdup(hs_path(dir, "dense"));
    char a[PFX_HASH_HEX_MAX], b[PFX_HASH_HEX_MAX], ref[65];
    sp_error err;

    /* 40 MiB: islands of data in holes; the same bytes written out in full */
    CU_ASSERT_EQUAL_FATAL(hs_sparse(sparse, 40 * MIB), 0);
    hs_fill(sparse, 3 * MIB, MIB, 0xab);
    hs_fill(sparse, 17 * MIB + 123, 4097, 0x5a);
    hs_fill(sparse, 40 * MIB - 10, 10, 0x01);
    CU_ASSERT_EQUAL_FATAL(hs_fill(dense, 0, 40 * MIB, 0), 0);
    hs_fill(dense, 3 * MIB, MIB, 0xab);
    hs_fill(dense, 17 * MIB + 123, 4097, 0x5a);
    hs_fill(dense, 40 * MIB - 10, 10, 0x01);
    CU_ASSERT_EQUAL(pfx_checksum_file(sparse, PFX_HASH_SHA256, NULL, a, &err), SP_OK);
    CU_ASSERT_EQUAL(pfx_checksum_file(dense, PFX_HASH_SHA256, NULL, b, &err), SP_OK);
    CU_ASSERT_STRING_EQUAL(a, b);
    if (coreutils_sha256(sparse, ref) == 0)
        CU_ASSERT_STRING_EQUAL(a, ref);

    /* a range equals the digest of those bytes alone */
    {
        const char *piece = hs_path(dir, "piece");
        CU_ASSERT_EQUAL_FATAL(hs_fill(piece, 0, MIB - 5, 0), 0);
        hs_fill(piece, 0, MIB - 5, 0xab); /* bytes 3 MiB + 5 .. 4 MiB of sparse */
        CU_ASSERT_EQUAL(pfx_checksum_range(sparse, PFX_HASH_MD5, 3 * MIB + 5, MIB - 5, NULL, a, &err), SP_OK);
        CU_ASSERT_EQUAL(pfx_checksum_file(piece, PFX_HASH_MD5, NULL, b, &err), SP_OK);
        CU_ASSERT_STRING_EQUAL(a, b);
    }
    CU_ASSERT_EQUAL(pfx_checksum_range(sparse, PFX_HASH_SHA256, 39 * MIB, 2 * MIB, NULL, a, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "ends at byte 41943040, before the 2097152 bytes"));
    CU_ASSERT_EQUAL(pfx_checksum_range(sparse, PFX_HASH_SHA256, 41 * MIB, PFX_CHECKSUM_TO_END, NULL, a, &err),
                    SP_E_IO);
    free((char *)sparse);
    free((char *)dense);
}

static void test_notation(void)
{
    static const struct {
        const char *text;
        pfx_hash_alg alg;
    } good[] = {
        {"900150983cd24fb0d6963f7d28e17f72", PFX_HASH_MD5},
        {"  900150983CD24FB0D6963F7D28E17F72\n", PFX_HASH_MD5},
        {"md5:900150983cd24fb0d6963f7d28e17f72", PFX_HASH_MD5},
        {"MD5:900150983cd24fb0d6963f7d28e17f72", PFX_HASH_MD5},
        {"{MD5}900150983cd24fb0d6963f7d28e17f72", PFX_HASH_MD5},
        {"sha1:a9993e364706816aba3e25717850c26c9cd0d89d", PFX_HASH_SHA1},
        {"{SHA-1}a9993e364706816aba3e25717850c26c9cd0d89d", PFX_HASH_SHA1},
        {"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PFX_HASH_SHA256},
        {"SHA-256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PFX_HASH_SHA256},
        {"{SHA-256}ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PFX_HASH_SHA256},
        {"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", PFX_HASH_SHA256},
    };
    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"", "empty"},
        {"   ", "empty"},
        {"900150983cd24fb0d6963f7d28e17f7", "has 31 digits"},
        {"md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "has 32 hex digits, not 64"},
        {"crc32:12345678", "no known algorithm"},
        {"{SHA-3}abcd", "no known algorithm"},
        {"{MD5 900150983cd24fb0d6963f7d28e17f72", "no known algorithm"},
        {"md5:900150983cd24fb0d6963f7d28e17fzz", "not hexadecimal"},
        {"md5:900150983cd24fb0d6963f7d28e17f72\n; rm -rf /", "hex digits"},
    };
    pfx_checksum_spec spec;
    sp_error err;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        CU_ASSERT_EQUAL(pfx_checksum_parse(good[i].text, &spec, &err), SP_OK);
        CU_ASSERT_EQUAL(spec.alg, good[i].alg);
        CU_ASSERT_TRUE(spec.hex[0] == '9' || spec.hex[0] == 'a' || spec.hex[0] == 'b');
        CU_ASSERT_PTR_NULL(strpbrk(spec.hex, "ABCDEF"));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CU_ASSERT_EQUAL(pfx_checksum_parse(bad[i].text, &spec, &err), SP_E_INVALID);
        if (strstr(err.message, bad[i].needle) == NULL)
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.message, bad[i].needle);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad[i].needle));
        CU_ASSERT_PTR_NULL(strchr(err.message, '\n'));
    }
    CU_ASSERT_EQUAL(pfx_checksum_parse(NULL, &spec, &err), SP_E_INVALID);
}

static void test_verify(void)
{
    const char *f = hs_path(dir, "template.qcow2");
    sp_error err;

    hs_write_str(f, "abc");
    CU_ASSERT_EQUAL(pfx_checksum_verify(f, "900150983cd24fb0d6963f7d28e17f72", NULL, &err), SP_OK);
    CU_ASSERT_EQUAL(
        pfx_checksum_verify(f, "{SHA-256}BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
                            NULL, &err),
        SP_OK);
    CU_ASSERT_EQUAL(pfx_checksum_verify(f, "md5:00000000000000000000000000000000", NULL, &err), SP_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "checksum mismatch for "));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
                                  "template.qcow2: expected md5 00000000000000000000000000000000, got "
                                  "900150983cd24fb0d6963f7d28e17f72"));
    CU_ASSERT_EQUAL(pfx_checksum_verify(f, "not-a-checksum", NULL, &err), SP_E_INVALID);
}

typedef struct seen {
    int calls;
    uint64_t last, total;
    int ordered;
    int cancel_at;
} seen;

static int on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    seen *s = ctx;

    CU_ASSERT_STRING_EQUAL(phase, "checksum");
    if (done < s->last)
        s->ordered = 0;
    s->last = done;
    s->total = total;
    s->calls++;
    return s->cancel_at != 0 && s->calls >= s->cancel_at;
}

static void test_progress_and_cancel(void)
{
    const char *f = hs_path(dir, "big");
    seen s = {.ordered = 1};
    sp_progress p = {on_progress, &s};
    char hex[PFX_HASH_HEX_MAX];
    sp_error err;

    CU_ASSERT_EQUAL_FATAL(hs_sparse(f, 300 * MIB), 0);
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA256, &p, hex, &err), SP_OK);
    CU_ASSERT_TRUE(s.calls >= 4);
    CU_ASSERT_TRUE(s.ordered);
    CU_ASSERT_EQUAL(s.last, 300 * MIB);
    CU_ASSERT_EQUAL(s.total, 300 * MIB);

    s = (seen){.ordered = 1, .cancel_at = 2};
    CU_ASSERT_EQUAL(pfx_checksum_file(f, PFX_HASH_SHA256, &p, hex, &err), SP_E_CANCELLED);
    CU_ASSERT_EQUAL(s.calls, 2);
    CU_ASSERT_TRUE(s.last < 300 * MIB);
    CU_ASSERT_STRING_EQUAL(hex, "");
}

int main(void)
{
    static const hs_test tests[] = {
        {"known vectors", test_vectors},
        {"holes are read; ranges", test_holes_are_read},
        {"CloudStack checksum notations", test_notation},
        {"verify: match and mismatch", test_verify},
        {"progress and cancel", test_progress_and_cancel},
        {NULL, NULL},
    };
    int rc;

    dir = hs_mkdtemp("checksum");
    rc = hs_main("checksum", tests);
    hs_rmtree(dir);
    free(dir);
    return rc;
}
